package followup

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/clock"
)

// TestJobMetricsEmbeddedFormat: the lines the infra's per-job alarms read
// (Rapport/JobFailed and JobSkipped by Job) are CloudWatch embedded-metric-format.
func TestJobMetricsEmbeddedFormat(t *testing.T) {
	// GIVEN a dispatcher whose invocation has no time left for its backlog
	var out bytes.Buffer
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	d := &Dispatcher{Clock: clock.NewManual(now), Reserve: 5 * time.Second, Metrics: &out,
		Jobs: []Job{{Name: "complaint-sla", Every: time.Minute}, {Name: "win-back", Every: time.Hour}}}
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Second))
	defer cancel()

	// WHEN it runs
	rep, err := d.Run(ctx)
	if err != nil || !rep.More {
		t.Fatalf("Run = %+v, %v; want more to do", rep, err)
	}

	// THEN each job is reported skipped, once, in the embedded metric format
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d metric lines, want 2:\n%s", len(lines), out.String())
	}
	for i, job := range []string{"complaint-sla", "win-back"} {
		var line struct {
			AWS struct {
				Timestamp         int64
				CloudWatchMetrics []struct {
					Namespace  string
					Dimensions [][]string
					Metrics    []struct{ Name, Unit string }
				}
			} `json:"_aws"`
			Job        string
			JobFailed  *int
			JobSkipped *int
		}
		if err := json.Unmarshal([]byte(lines[i]), &line); err != nil {
			t.Fatalf("line %d is not JSON: %v", i, err)
		}
		cw := line.AWS.CloudWatchMetrics
		if line.AWS.Timestamp != now.UnixMilli() || len(cw) != 1 || cw[0].Namespace != "Rapport" ||
			len(cw[0].Dimensions) != 1 || strings.Join(cw[0].Dimensions[0], ",") != "Job" || len(cw[0].Metrics) != 2 ||
			cw[0].Metrics[0].Name != "JobFailed" || cw[0].Metrics[1].Name != "JobSkipped" {
			t.Errorf("line %d metadata: %s", i, lines[i])
		}
		if line.Job != job || line.JobFailed == nil || *line.JobFailed != 0 || line.JobSkipped == nil || *line.JobSkipped != 1 {
			t.Errorf("line %d = %s; want job %s skipped, not failed", i, lines[i], job)
		}
	}
}

func TestJobMetricFailed(t *testing.T) {
	// GIVEN a dispatcher writing metrics
	var out bytes.Buffer
	d := &Dispatcher{Clock: clock.NewManual(time.Unix(0, 0)), Metrics: &out}

	// WHEN a job's failure is recorded
	d.jobMetric("loyalty-timers", 1, 0)

	// THEN the line carries JobFailed 1 and JobSkipped 0 for that job
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if line["Job"] != "loyalty-timers" || line["JobFailed"] != 1.0 || line["JobSkipped"] != 0.0 {
		t.Errorf("line = %s", out.String())
	}
}
