package catalog

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// The CDK stack alarms per job on the names the wiring row lists; the dispatcher's
// metric lines carry the names of the jobs it was built with. They must be the same.
func TestScheduledJobsMatchWiring(t *testing.T) {
	for _, row := range wiring.Functions {
		if row.Trigger.Schedule == nil {
			continue
		}
		t.Run(row.Name, func(t *testing.T) {
			// GIVEN the function built as its Lambda builds it
			fn, err := app.Build(row.Name, Builders[row.Name], config.FromMap(fullEnv(row)), offlineDeps())
			if err != nil {
				t.Fatal(err)
			}

			// WHEN it runs with no time left (no AWS call: every job is skipped), its
			// standard output captured
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout := os.Stdout
			os.Stdout = w
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Millisecond))
			runErr := fn.Schedule(ctx, events.EventBridgeEvent{})
			cancel()
			os.Stdout = stdout
			w.Close()
			var jobs []string
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				var line struct {
					AWS json.RawMessage `json:"_aws"`
					Job string
				}
				if json.Unmarshal(sc.Bytes(), &line) == nil && line.AWS != nil {
					jobs = append(jobs, line.Job)
				}
			}
			if runErr != nil {
				t.Fatalf("run: %v", runErr)
			}

			// THEN its metric lines name exactly the row's jobs
			slices.Sort(jobs)
			want := slices.Sorted(slices.Values(row.Trigger.Schedule.Jobs))
			if !slices.Equal(jobs, want) {
				t.Errorf("the dispatcher's jobs are %v; the wiring row lists %v", jobs, want)
			}
		})
	}
}
