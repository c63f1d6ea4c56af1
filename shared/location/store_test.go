package location_test

import (
	"context"
	"errors"
	"testing"
	"time"

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

// A store that keeps its reads (as a warm function in AWS does) serves a location it
// read from memory: another function's change applies there only when the read is
// older than Keep; the store's own change applies at once. A missing location is not
// kept.
func TestKeptLocationsAreReadAgainAfterKeep(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	table := env.Names("customers")
	const keep = 2 * time.Second
	reader := &location.Store{DB: env.Clients.DynamoDB, Table: table, Keep: keep}
	other := &location.Store{DB: env.Clients.DynamoDB, Table: table}
	if _, err := reader.Location(ctx, "GZ01"); !errors.Is(err, location.ErrNoLocation) {
		t.Fatalf("missing: %v", err)
	}
	l := place.Location{ID: "GZ01", Name: "Guangzhou", TimeZone: "Asia/Shanghai"}
	if _, err := other.PutLocation(ctx, l, 0); err != nil {
		t.Fatal(err)
	}
	first := time.Now()
	got, err := reader.Location(ctx, "GZ01")
	if err != nil || got.Name != "Guangzhou" {
		t.Fatalf("after create: %+v %v (a missing location must not be kept)", got, err)
	}
	l.Name = "Guangzhou Tianhe"
	if _, err := other.PutLocation(ctx, l, 1); err != nil {
		t.Fatal(err)
	}
	if got, _ := reader.Location(ctx, "GZ01"); got.Name != "Guangzhou" && time.Since(first) < keep {
		t.Fatalf("within keep: %q, want the kept read", got.Name)
	}
	time.Sleep(keep - time.Since(first))
	if got, _ := reader.Location(ctx, "GZ01"); got.Name != "Guangzhou Tianhe" {
		t.Fatalf("after keep: %q, want the change", got.Name)
	}
	l.Name, l.Version = "Guangzhou Tianhe Road", 0
	if _, err := reader.PutLocation(ctx, l, 2); err != nil {
		t.Fatal(err)
	}
	if got, _ := reader.Location(ctx, "GZ01"); got.Name != "Guangzhou Tianhe Road" {
		t.Fatalf("own change: %q, want it at once", got.Name)
	}
}
