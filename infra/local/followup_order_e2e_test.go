package local_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A complaint resolved before its receipt went out: the receipt ("we received your
// complaint") and the outcome ("resolved") fall due in one dispatcher run. The
// customer reads the receipt first, every time: several cases per round, in several
// rounds, through the runner's real routes, dispatcher, queue and sender. The order is
// the order of delivery (the outbox's sentAt, from a clock that moves in real time).
func TestComplaintReceiptArrivesBeforeItsOutcomeWhenBothFallInOneRun(t *testing.T) {
	// The schedule's ticker is kept out of the way: the test runs the dispatcher itself,
	// so both messages of a case fall in one run.
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Unthrottled, c.Tick = true, time.Hour })
	store := &customer.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers"), Locations: &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}}
	if err := local.SeedLocation(context.Background(), store.Locations.(*location.Store), s.cfg.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	s.start(t)
	const rounds, cases = 3, 6
	sent := 0
	for round := range rounds {
		addr := map[string]string{} // complaint id -> the complainant's address
		for i := range cases {
			email := fmt.Sprintf("guest-%d-%d@example.com", round, i)
			r := s.do(t, "POST", "/v1/complaints", "application/json", []byte(`{"channel":"web","category":"waiting_time","description":"Nobody at the desk for twenty minutes.",
				"locationId":"loc-1","contact":{"name":"Guest","email":"`+email+`","locale":"en"}}`), nil)
			if r.status != http.StatusCreated {
				t.Fatalf("complaint: %d %s", r.status, r.body)
			}
			id := decode[struct{ ComplaintID string }](t, r).ComplaintID
			addr[id] = email
			if r := s.staffCall(t, "manager", "loc-1", "POST", "/v1/complaints/"+id+"/actions",
				`{"action":"resolve","resolution":"We spoke to the shift lead.","rootCause":"capacity"}`); r.status != http.StatusOK {
				t.Fatalf("resolve: %d %s", r.status, r.body)
			}
		}
		sent += 2 * cases
		msgs := s.dispatchUntil(t, sent)
		at := map[string]map[string]time.Time{} // address -> "received"/"resolved" -> sentAt
		for _, m := range msgs {
			if at[m.To] == nil {
				at[m.To] = map[string]time.Time{}
			}
			switch {
			case strings.HasPrefix(m.Subject, "We received your complaint"):
				at[m.To]["received"] = m.SentAt
			case strings.HasSuffix(m.Subject, "is resolved"):
				at[m.To]["resolved"] = m.SentAt
			}
		}
		for id, email := range addr {
			rec, res := at[email]["received"], at[email]["resolved"]
			if rec.IsZero() || res.IsZero() {
				t.Fatalf("round %d, case %s: receipt at %v, outcome at %v; want both", round, id, rec, res)
			}
			if !rec.Before(res) {
				t.Errorf("round %d, case %s: the outcome reached %s at %s, %v before its receipt",
					round, id, email, res.Format(time.RFC3339Nano), rec.Sub(res))
			}
		}
	}
}

// dispatchUntil runs the dispatcher until the outbox holds n messages: a follow-up held
// back for its predecessor goes on a later run, as it would on the next tick.
func (s *stack) dispatchUntil(t *testing.T, n int) []followup.Message {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := s.dispatch(t); err != nil {
			t.Fatal(err)
		}
		for wait := time.Now().Add(3 * time.Second); time.Now().Before(wait); time.Sleep(200 * time.Millisecond) {
			msgs := s.outbox(t)
			if len(msgs) > n {
				t.Fatalf("outbox holds %d messages, want %d", len(msgs), n)
			}
			if len(msgs) == n {
				return msgs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox holds %d messages after 60s, want %d", len(s.outbox(t)), n)
		}
	}
}
