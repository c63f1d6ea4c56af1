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
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// jobRows are the periodic jobs' rows.
func jobRows() []wiring.Function {
	var out []wiring.Function
	for _, row := range wiring.Functions {
		if row.Trigger.Schedule != nil && row.Trigger.Schedule.Job {
			out = append(out, row)
		}
	}
	return out
}

// runCaptured runs a scheduled function once and returns its error and, per function
// its embedded-metric-format lines name, their Failures values.
func runCaptured(t *testing.T, fn app.Function) (error, map[string][]int) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	runErr := fn.Schedule(ctx, events.EventBridgeEvent{})
	cancel()
	os.Stdout = stdout
	w.Close()
	jobs := map[string][]int{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var line struct {
			AWS      json.RawMessage `json:"_aws"`
			Function string
			Failures int
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.AWS != nil {
			jobs[line.Function] = append(jobs[line.Function], line.Failures)
		}
	}
	return runErr, jobs
}

// Each job is its own function: built as its Lambda builds it, against the emulators,
// one run does the job. The reconciliation, finding a balance its ledger does not
// explain, fails alone, in its own result and one Failures line under its row's name;
// the others still run, and write no line (a good run is not reported). And the dispatcher runs
// no job at all.
func TestEachJobIsItsOwnFunction(t *testing.T) {
	env := testenv.New(t)
	deps := app.Deps{Clients: env.Clients, Clock: clock.System{}}
	rows := jobRows()
	if len(rows) != 9 {
		t.Errorf("%d job rows, want the 9 periodic jobs", len(rows))
	}
	// An account whose balance of 7 points no ledger entry explains.
	if _, err := env.Clients.DynamoDB.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(env.Names("loyalty")),
		Item: map[string]types.AttributeValue{"pk": dynamo.S("ACCT#c-drift"), "sk": dynamo.S("L"),
			"balance": &types.AttributeValueMemberN{Value: "7"}},
	}); err != nil {
		t.Fatal(err)
	}
	const broken = "loyalty-reconcile"
	for _, row := range rows {
		t.Run(row.Name, func(t *testing.T) {
			// GIVEN the job's function
			fn, err := app.Build(row.Name, Builders[row.Name], config.FromMap(env.FunctionEnv(row)), deps)
			if err != nil {
				t.Fatal(err)
			}

			// WHEN it runs once
			runErr, jobs := runCaptured(t, fn)

			// THEN the broken one reports its failure, once; the others report nothing
			if row.Name == broken {
				if runErr == nil {
					t.Error("the reconciliation of a drifted account succeeded")
				}
				if len(jobs) != 1 || !slices.Equal(jobs[row.Name], []int{1}) {
					t.Errorf("metric lines %v, want one for %s with Failures 1", jobs, row.Name)
				}
				return
			}
			if runErr != nil {
				t.Errorf("run: %v", runErr)
			}
			if len(jobs) != 0 {
				t.Errorf("metric lines %v after a good run, want none", jobs)
			}
		})
	}
	t.Run("followup-dispatcher", func(t *testing.T) {
		row, _ := wiring.FunctionByName("followup-dispatcher")
		if row.Trigger.Schedule == nil || row.Trigger.Schedule.Job {
			t.Fatal("the dispatcher's row is not a scheduled non-job row")
		}
		fn, err := app.Build(row.Name, Builders[row.Name], config.FromMap(env.FunctionEnv(row)), deps)
		if err != nil {
			t.Fatal(err)
		}
		runErr, jobs := runCaptured(t, fn)
		if runErr != nil || len(jobs) != 0 {
			t.Errorf("dispatcher run: %v, job metric lines %v; want success and no job", runErr, jobs)
		}
	})
}
