package customer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/testenv"
)

func newStore(t *testing.T) *customer.Store {
	env := testenv.New(t)
	return &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers"), Locations: &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}}
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
