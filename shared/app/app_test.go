package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/web"
)

// Through the Lambda HTTP adapter a header value is split on its commas: r.Header keeps
// only the part before the first one. The raw header, kept from the API Gateway event,
// is the whole value.
func TestLambdaKeepsHeaderValuesWhole(t *testing.T) {
	var raw, split string
	fn := app.Function{HTTP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, split = web.RawHeader(r, "Idempotency-Key"), r.Header.Get("Idempotency-Key")
		w.WriteHeader(http.StatusNoContent)
	})}
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/v1/things", Headers: map[string]string{"idempotency-key": "order-7, retry,2"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/v1/things"}}}
	payload, _ := json.Marshal(ev)
	out, err := fn.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("%s %v", out, err)
	}
	if raw != "order-7, retry,2" {
		t.Fatalf("raw header %q, want the whole value", raw)
	}
	if split != "order-7" {
		t.Logf("the adapter no longer splits header values (r.Header gave %q): web.RawHeader may be retired", split)
	}
}

// A function in AWS reports its failed work as one line of the stage's Failures
// metric: an HTTP answer of 5xx counts one, a 4xx none; a queue batch counts its
// records reported failed, and all of them when the handler errs.
func TestReportingCountsFailures(t *testing.T) {
	line := func(t *testing.T, out *bytes.Buffer) (m struct {
		Stage, Function, Kind string
		Failures              int
	}) {
		t.Helper()
		if n := strings.Count(out.String(), "\n"); n != 1 {
			t.Fatalf("%d lines, want 1: %s", n, out)
		}
		if err := json.Unmarshal(out.Bytes(), &m); err != nil || !strings.Contains(out.String(), `"Dimensions":[["Stage"]]`) {
			t.Fatalf("line %s: %v", out, err)
		}
		return m
	}
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: "/v1/things",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/v1/things"}}}
	for _, tt := range []struct {
		status int
		want   int
	}{{http.StatusServiceUnavailable, 1}, {http.StatusInternalServerError, 1}, {http.StatusNotFound, 0}, {http.StatusOK, 0}} {
		// GIVEN an HTTP function answering tt.status
		var out bytes.Buffer
		fn := app.Function{HTTP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tt.status) })}
		serve := fn.Reporting("customers", app.Failures{Stage: "prod", Out: &out}).(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error))

		// WHEN it serves a request
		resp, err := serve(context.Background(), ev)

		// THEN its answer is untouched and a 5xx is one failure of the prod stage
		if err != nil || resp.StatusCode != tt.status {
			t.Fatalf("%d: answered %d, %v", tt.status, resp.StatusCode, err)
		}
		if tt.want == 0 {
			if out.Len() != 0 {
				t.Errorf("%d: reported %s, want nothing", tt.status, out.String())
			}
			continue
		}
		if m := line(t, &out); m.Stage != "prod" || m.Function != "customers" || m.Kind != app.FailedRequest || m.Failures != 1 {
			t.Errorf("%d: line %+v", tt.status, m)
		}
	}

	batch := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "a"}, {MessageId: "b"}, {MessageId: "c"}}}
	for _, tt := range []struct {
		name   string
		failed []string
		err    error
		want   int
	}{{"two records fail", []string{"a", "c"}, nil, 2}, {"the handler errs", nil, errors.New("boom"), 3}} {
		var out bytes.Buffer
		fn := app.Function{Queue: func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
			var resp events.SQSEventResponse
			for _, id := range tt.failed {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
			}
			return resp, tt.err
		}}
		handle := fn.Reporting("followup-sender", app.Failures{Out: &out}).(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error))
		if _, err := handle(context.Background(), batch); !errors.Is(err, tt.err) {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if m := line(t, &out); m.Stage != "local" || m.Kind != app.FailedRecord || m.Failures != tt.want {
			t.Errorf("%s: line %+v, want %d failures of stage local", tt.name, m, tt.want)
		}
	}
}
