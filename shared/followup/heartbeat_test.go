package followup_test

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/clock"
)

// TestDispatcherHeartbeat: each run leaves the heartbeat that deep health reads, a
// schedule that stops shows as a stale heartbeat, and a slower concurrent run never
// moves it back in time.
func TestDispatcherHeartbeat(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	health := &app.DeepHealth{DB: f.env.Clients.DynamoDB, SQS: f.env.Clients.SQS, Clock: f.clk, StaleAfter: 5 * time.Minute,
		Tables: map[string]string{"followups": f.env.Names("followups")}, Queues: map[string]string{"followups": f.env.Queues["followups"]}}
	dispatcher := func() app.Check {
		t.Helper()
		for _, c := range health.Run(ctx).Checks {
			if c.Name == "dispatcher" {
				return c
			}
		}
		t.Fatal("no dispatcher check")
		return app.Check{}
	}

	// GIVEN a dispatcher that never ran, THEN deep health says so
	if c := dispatcher(); c.OK {
		t.Fatalf("before any run: %+v, want failing", c)
	}

	// WHEN it runs, THEN the heartbeat is its end, fresh
	if _, err := f.disp.Run(ctx); err != nil {
		t.Fatal(err)
	}
	ran := f.clk.Now()
	if c := dispatcher(); !c.OK || c.AgeSeconds == nil || *c.AgeSeconds != 0 || c.LastRun != ran.Format(time.RFC3339) || c.LastRunFailed {
		t.Fatalf("after a run: %+v, want ok, age 0, last run %s", c, ran.Format(time.RFC3339))
	}

	// WHEN six minutes pass without a run, THEN it is stale
	f.clk.Advance(6 * time.Minute)
	if c := dispatcher(); c.OK || c.AgeSeconds == nil || *c.AgeSeconds != 360 {
		t.Fatalf("six minutes on: %+v, want failing at age 360 s", c)
	}

	// WHEN a run ends now, and then a slower run that started earlier ends
	if _, err := f.disp.Run(ctx); err != nil {
		t.Fatal(err)
	}
	slow := *f.disp
	slow.Clock = clock.NewManual(f.clk.Now().Add(-30 * time.Second))
	if _, err := slow.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// THEN the heartbeat keeps the later time
	if c := dispatcher(); !c.OK || *c.AgeSeconds != 0 || c.LastRun != f.clk.Now().Format(time.RFC3339) {
		t.Fatalf("after a slower run: %+v, want the later run's time", c)
	}
}
