package app_test

import (
	"context"
	"encoding/json"
	"net/http"
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
