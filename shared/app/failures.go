package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/rapport-crm/rapport/shared/config"
)

// StageVariable names the environment variable that holds the function's stage (dev,
// prod). The stack sets it on every function besides the row's Env, and only it: it is
// the Failures metric's one dimension, so that one stage's failures never fire another
// stage's alarm in a shared account.
const StageVariable = "RAPPORT_STAGE"

// Failure kinds, the Kind property of a Failures line.
const (
	FailedRequest = "http"  // an HTTP answer of 5xx
	FailedRecord  = "queue" // a queue record reported failed
	FailedRun     = "job"   // a periodic job's run
)

// Failures reports failed work as one CloudWatch metric, Rapport/Failures by Stage:
// one embedded-metric-format line on standard output, which Lambda sends to the
// function's log group, where CloudWatch turns it into the metric with no SDK call.
// The function and kind ride along as plain properties (in the log line, for Logs
// Insights), not as dimensions, so the whole stage is one metric and one alarm.
//
// A line is written only when something failed: a metric is billed for the hours it
// is written in, so a stage where nothing fails pays nothing for it.
type Failures struct {
	// Stage is the dimension's value; "" is "local" (the local runner and tests).
	Stage string
	// Out receives the lines; nil is standard output.
	Out io.Writer
}

// FailuresFromEnvironment reads the stage the stack set (StageVariable), apart from
// the function's own settings (which read exactly their row's variables).
func FailuresFromEnvironment() Failures {
	return Failures{Stage: config.FromOS().Optional(StageVariable, "")}
}

// Report writes one line counting n failures of function (a job's function is named
// after the job) of the given kind, at at. It writes nothing for n < 1.
func (f Failures) Report(at time.Time, function, kind string, n int) {
	if n < 1 {
		return
	}
	stage := f.Stage
	if stage == "" {
		stage = "local"
	}
	line, err := json.Marshal(map[string]any{
		"_aws": map[string]any{
			"Timestamp": at.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  "Rapport",
				"Dimensions": [][]string{{"Stage"}},
				"Metrics":    []any{map[string]string{"Name": "Failures", "Unit": "Count"}},
			}},
		},
		"Stage": stage, "Failures": n, "Function": function, "Kind": kind,
	})
	if err != nil {
		return
	}
	out := f.Out
	if out == nil {
		out = os.Stdout
	}
	fmt.Fprintln(out, string(line))
}

// Reporting is the handler to give lambda.Start, reporting failures as Failures:
// an HTTP answer of 5xx (or an error, which API Gateway answers with a 500) counts
// one; a queue batch counts its records reported failed (all of them when the handler
// errs). A periodic job reports its failed runs itself (shared/job); other scheduled
// and manual runs are left to Lambda (the on-failure destination, the invoker).
func (f Function) Reporting(name string, r Failures) any {
	switch {
	case f.HTTP != nil:
		serve := f.Lambda().(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error))
		return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			resp, err := serve(ctx, ev)
			if err != nil || resp.StatusCode >= http.StatusInternalServerError {
				r.Report(time.Now(), name, FailedRequest, 1)
			}
			return resp, err
		}
	case f.Queue != nil:
		return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			resp, err := f.Queue(ctx, ev)
			failed := len(resp.BatchItemFailures)
			if err != nil {
				failed = len(ev.Records)
			}
			r.Report(time.Now(), name, FailedRecord, failed)
			return resp, err
		}
	default:
		return f.Lambda()
	}
}
