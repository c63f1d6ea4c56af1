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
	r := &Runner{Name: "loyalty-birthdays", Every: time.Hour, Clock: clk, Metrics: &lockedWriter{w: &out},
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

	// THEN the job ran once, and wrote one metric line
	if runs != 1 || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("runs %d, metric lines %q; want one run and one line", runs, out.String())
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
	r := &Runner{Name: "complaint-sla", Every: time.Minute, Clock: clock.NewManual(time.Unix(1e9, 0)), Metrics: &out,
		Job: Job{Lease: &Lease{DB: env.Clients.DynamoDB, Table: env.Names("no-such-table")}, Run: func(context.Context, time.Time) error {
			ran = true
			return nil
		}}}
	if err := r.Run(context.Background()); err == nil || ran {
		t.Fatalf("Run = %v, ran %v; want an error and no run", err, ran)
	}
	if m := metricLine(t, out.Bytes()); m.JobFailed != 1 {
		t.Errorf("metric %+v, want JobFailed 1", m)
	}
}

// TestRunReportsItsOwnResult: the run returns the job's error (the function's failed
// invocation, which its error alarm and failure queue see) and writes the job's
// JobFailed metric line in CloudWatch's embedded metric format; a good run writes 0.
func TestRunReportsItsOwnResult(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name       string
		err        error
		wantFailed int
	}{
		{"fails", errors.New("boom"), 1},
		{"succeeds", nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN a job without a lease
			var out bytes.Buffer
			r := &Runner{Name: "win-back", Every: 24 * time.Hour, Clock: clock.NewManual(now), Metrics: &out,
				Job: Job{Run: func(context.Context, time.Time) error { return tt.err }}}

			// WHEN it runs
			err := r.Run(context.Background())

			// THEN its result is the job's, and so is its metric line
			if !errors.Is(err, tt.err) {
				t.Errorf("Run = %v, want %v", err, tt.err)
			}
			m := metricLine(t, out.Bytes())
			cw := m.AWS.CloudWatchMetrics
			if m.AWS.Timestamp != now.UnixMilli() || len(cw) != 1 || cw[0].Namespace != "Rapport" ||
				len(cw[0].Dimensions) != 1 || strings.Join(cw[0].Dimensions[0], ",") != "Job" ||
				len(cw[0].Metrics) != 1 || cw[0].Metrics[0].Name != "JobFailed" || cw[0].Metrics[0].Unit != "Count" {
				t.Errorf("metadata: %s", out.String())
			}
			if m.Job != "win-back" || m.JobFailed != tt.wantFailed {
				t.Errorf("line %s; want job win-back, JobFailed %d", out.String(), tt.wantFailed)
			}
		})
	}
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
	Job       string
	JobFailed int
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
