package location_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/testenv"
)

func TestLocationsAreVersioned(t *testing.T) {
	env := testenv.New(t)
	s := &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}
	ctx := context.Background()
	l := place.Location{ID: "SH01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai", QuietHours: "22:00-08:00"}
	v1, err := s.PutLocation(ctx, l, 0)
	if err != nil || v1.Version != 1 {
		t.Fatalf("%+v %v", v1, err)
	}
	if _, err := s.PutLocation(ctx, l, 0); !errors.Is(err, location.ErrLocationExists) {
		t.Fatalf("second create: %v", err)
	}
	l.Name = "Shanghai Bund Hotel"
	if v2, err := s.PutLocation(ctx, l, 1); err != nil || v2.Version != 2 {
		t.Fatalf("update: %+v %v", v2, err)
	}
	if _, err := s.PutLocation(ctx, l, 1); !errors.Is(err, location.ErrLocationChanged) {
		t.Fatalf("stale update: %v", err)
	}
	got, err := s.Location(ctx, "SH01")
	if err != nil || got.Name != "Shanghai Bund Hotel" || got.Version != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := s.PutLocation(ctx, place.Location{ID: "BJ01", Name: "Beijing", TimeZone: "Asia/Shanghai"}, 0); err != nil {
		t.Fatal(err)
	}
	all, err := s.Locations(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "BJ01" {
		t.Fatalf("%+v %v", all, err)
	}
	if _, err := s.Location(ctx, "nope"); !errors.Is(err, place.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
}
