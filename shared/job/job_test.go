package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A leased job runs once however many runs overlap, and again only after half its
// schedule's period: a duplicate or overlapping event is refused, a late tick is not.
func TestLeaseOneRunPerTurn(t *testing.T) {
	// GIVEN an hourly job leased in a real table
	env := testenv.New(t)
	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	var mu sync.Mutex
	runs := 0
	var out bytes.Buffer
	r := &Runner{Name: "loyalty-birthdays", Every: time.Hour, Clock: clk, Failures: app.Failures{Out: &lockedWriter{w: &out}},
		Job: Job{Lease: &Lease{DB: env.Clients.DynamoDB, Table: env.Names("loyalty")}, Run: func(context.Context, time.Time) error {
			mu.Lock()
			defer mu.Unlock()
			runs++
			return nil
		}}}

	// WHEN five runs overlap
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if err := r.Run(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	// THEN the job ran once, and no run reported a failure (a turn already taken is none)
	if runs != 1 || out.Len() != 0 {
		t.Fatalf("runs %d, failure lines %q; want one run and no line", runs, out.String())
	}

	// AND a run within half the period does nothing; one after it runs the job again
	clk.Advance(29 * time.Minute)
	if err := r.Run(context.Background()); err != nil || runs != 1 {
		t.Fatalf("29 minutes later: runs %d, %v; want still 1", runs, err)
	}
	clk.Advance(2 * time.Minute)
	if err := r.Run(context.Background()); err != nil || runs != 2 {
		t.Fatalf("31 minutes later: runs %d, %v; want 2", runs, err)
	}
}

// A lease that cannot be taken (its table is missing) fails the run, reported like
// the job's own failure; the job does not run unguarded.
func TestLeaseErrorFailsTheRun(t *testing.T) {
	env := testenv.New(t)
	var out bytes.Buffer
	ran := false
	r := &Runner{Name: "complaint-sla", Every: time.Minute, Clock: clock.NewManual(time.Unix(1e9, 0)), Failures: app.Failures{Stage: "dev", Out: &out},
		Job: Job{Lease: &Lease{DB: env.Clients.DynamoDB, Table: env.Names("no-such-table")}, Run: func(context.Context, time.Time) error {
			ran = true
			return nil
		}}}
	if err := r.Run(context.Background()); err == nil || ran {
		t.Fatalf("Run = %v, ran %v; want an error and no run", err, ran)
	}
	if m := metricLine(t, out.Bytes()); m.Failures != 1 || m.Function != "complaint-sla" {
		t.Errorf("metric %+v, want Failures 1 of complaint-sla", m)
	}
}

// TestRunReportsItsOwnResult: the run returns the job's error (the function's failed
// invocation, which its on-failure destination sees) and, failed, writes one line of
// the stage's Failures metric in CloudWatch's embedded metric format, the job's name a
// plain property; a good run writes nothing (a metric never written costs nothing).
func TestRunReportsItsOwnResult(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	t.Run("fails", func(t *testing.T) {
		// GIVEN a job without a lease that fails
		var out bytes.Buffer
		boom := errors.New("boom")
		r := &Runner{Name: "win-back", Every: 24 * time.Hour, Clock: clock.NewManual(now), Failures: app.Failures{Stage: "prod", Out: &out},
			Job: Job{Run: func(context.Context, time.Time) error { return boom }}}

		// WHEN it runs
		err := r.Run(context.Background())

		// THEN its result is the job's, and its line counts one failure of the prod stage
		if !errors.Is(err, boom) {
			t.Errorf("Run = %v, want %v", err, boom)
		}
		m := metricLine(t, out.Bytes())
		cw := m.AWS.CloudWatchMetrics
		if m.AWS.Timestamp != now.UnixMilli() || len(cw) != 1 || cw[0].Namespace != "Rapport" ||
			len(cw[0].Dimensions) != 1 || strings.Join(cw[0].Dimensions[0], ",") != "Stage" ||
			len(cw[0].Metrics) != 1 || cw[0].Metrics[0].Name != "Failures" || cw[0].Metrics[0].Unit != "Count" {
			t.Errorf("metadata: %s", out.String())
		}
		if m.Stage != "prod" || m.Function != "win-back" || m.Kind != "job" || m.Failures != 1 {
			t.Errorf("line %s; want stage prod, function win-back, kind job, Failures 1", out.String())
		}
	})
	t.Run("succeeds", func(t *testing.T) {
		var out bytes.Buffer
		r := &Runner{Name: "win-back", Every: 24 * time.Hour, Clock: clock.NewManual(now), Failures: app.Failures{Stage: "prod", Out: &out},
			Job: Job{Run: func(context.Context, time.Time) error { return nil }}}
		if err := r.Run(context.Background()); err != nil || out.Len() != 0 {
			t.Errorf("Run = %v, wrote %q; want no error and no line", err, out.String())
		}
	})
}

type metric struct {
	AWS struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
	Stage, Function, Kind string
	Failures              int
}

func metricLine(t *testing.T, b []byte) metric {
	t.Helper()
	var m metric
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 1 {
		t.Fatalf("%d metric lines, want 1: %s", len(lines), b)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("metric line is not JSON: %v: %s", err, b)
	}
	return m
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
