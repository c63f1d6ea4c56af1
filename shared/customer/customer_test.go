package customer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/testenv"
)

func newStore(t *testing.T) *customer.Store {
	env := testenv.New(t)
	return &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func TestConsentKeepsTheNewestChangeAndLogsEvery(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, c := range []customer.Consent{
		{Channel: "email", Granted: true, At: t0, Source: "web-form"},
		{Channel: "email", Granted: false, At: t0.Add(time.Hour), Source: "unsubscribe-link"},
		// A change made earlier but recorded later (a paper form) does not win.
		{Channel: "email", Granted: true, At: t0.Add(30 * time.Minute), Source: "front-desk"},
		{Channel: "sms", Granted: true, At: t0, Source: "front-desk", By: "agent-1"},
	} {
		if err := s.SetConsent(ctx, "c-1", c); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := s.Consents(ctx, "c-1")
	if err != nil {
		t.Fatal(err)
	}
	if e := cs["email"]; e.Granted || e.Source != "unsubscribe-link" || !e.At.Equal(t0.Add(time.Hour)) {
		t.Fatalf("email consent %+v, want the opt-out", e)
	}
	if sm := cs["sms"]; !sm.Granted || sm.By != "agent-1" {
		t.Fatalf("sms consent %+v", sm)
	}
	if _, ok := cs["webhook"]; ok {
		t.Fatal("a channel never asked about has a consent")
	}
	if err := s.SetConsent(ctx, "c-1", customer.Consent{Channel: "fax", Source: "x", At: t0}); problem.KindOf(err) != problem.Invalid {
		t.Fatalf("unknown channel: %v", err)
	}
}

func TestMarketingSlotOncePerWindow(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	week := 7 * 24 * time.Hour
	if _, err := s.TakeMarketingSlot(ctx, "c-2", t0, week); err != nil {
		t.Fatal(err)
	}
	last, err := s.TakeMarketingSlot(ctx, "c-2", t0.Add(6*24*time.Hour), week)
	if !errors.Is(err, customer.ErrCapped) || !last.Equal(t0) {
		t.Fatalf("six days later: %v (last %s), want capped at %s", err, last, t0)
	}
	if _, err := s.TakeMarketingSlot(ctx, "c-2", t0.Add(week), week); err != nil {
		t.Fatalf("a week later: %v", err)
	}
	// A slot taken for a message that then failed is given back.
	if err := s.ReleaseMarketingSlot(ctx, "c-2", t0.Add(week)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeMarketingSlot(ctx, "c-2", t0.Add(week+time.Minute), week); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	// Concurrent senders: one slot.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 10 {
		wg.Go(func() {
			if _, err := s.TakeMarketingSlot(ctx, "c-3", t0, week); err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d concurrent takes won, want 1", won)
	}
}

func TestLocationValidationNamesEachField(t *testing.T) {
	l := customer.Location{ID: "bad id", TimeZone: "Mars/Olympus", Currency: "yuan",
		WeeklyHours: map[string][]string{"mon": {"13:00-18:00", "09:00-14:00"}, "fun": {"09:00-10:00"}, "tue": {"9-5"}},
		Holidays:    []string{"2026-02-30"}, QuietHours: "late", Managers: []customer.Contact{{Channel: "fax"}},
		Branding: customer.Branding{Color: "blue", LogoURL: "http://cdn.example/logo.png"}}
	err := l.Validate()
	var pe *problem.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err %v", err)
	}
	got := map[string]bool{}
	for _, f := range pe.Fields {
		got[f.Field] = true
	}
	for _, want := range []string{"locationId", "name", "timeZone", "currency", "weeklyHours.mon", "weeklyHours.fun", "weeklyHours.tue",
		"holidays[0]", "quietHours", "managers[0]", "branding.color", "branding.logoUrl"} {
		if !got[want] {
			t.Errorf("no error names %s (got %v)", want, got)
		}
	}
	ok := customer.Location{ID: "SH01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai", Currency: "CNY",
		WeeklyHours: map[string][]string{"mon": {"09:00-12:00", "13:00-18:00"}, "sat": {"10:00-24:00"}}, Holidays: []string{"2026-10-01"}}
	if err := ok.Validate(); err != nil || ok.QuietHours != "21:00-09:00" {
		t.Fatalf("a good location: %v (quiet %q)", err, ok.QuietHours)
	}
	for _, c := range []string{"cny", "XXY", "CN"} {
		l := ok
		l.Currency = c
		if err := l.Validate(); !errors.As(err, &pe) || pe.Fields[0].Field != "currency" {
			t.Errorf("currency %q: %v", c, err)
		}
	}
}

func TestLocationsAreVersioned(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	l := customer.Location{ID: "SH01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai", QuietHours: "22:00-08:00"}
	v1, err := s.PutLocation(ctx, l, 0)
	if err != nil || v1.Version != 1 {
		t.Fatalf("%+v %v", v1, err)
	}
	if _, err := s.PutLocation(ctx, l, 0); !errors.Is(err, customer.ErrLocationExists) {
		t.Fatalf("second create: %v", err)
	}
	l.Name = "Shanghai Bund Hotel"
	if v2, err := s.PutLocation(ctx, l, 1); err != nil || v2.Version != 2 {
		t.Fatalf("update: %+v %v", v2, err)
	}
	if _, err := s.PutLocation(ctx, l, 1); !errors.Is(err, customer.ErrLocationChanged) {
		t.Fatalf("stale update: %v", err)
	}
	got, err := s.Location(ctx, "SH01")
	if err != nil || got.Name != "Shanghai Bund Hotel" || got.Version != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := s.PutLocation(ctx, customer.Location{ID: "BJ01", Name: "Beijing", TimeZone: "Asia/Shanghai"}, 0); err != nil {
		t.Fatal(err)
	}
	all, err := s.Locations(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "BJ01" {
		t.Fatalf("%+v %v", all, err)
	}
	if _, err := s.Location(ctx, "nope"); !errors.Is(err, customer.ErrNoLocation) {
		t.Fatalf("unknown: %v", err)
	}
}
