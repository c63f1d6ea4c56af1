package app_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// buildHealth builds the health function as Lambda would, over the test's tables.
func buildHealth(t *testing.T, env *testenv.Env, clk clock.Clock) app.Function {
	t.Helper()
	row, _ := wiring.FunctionByName("health")
	fn, err := app.Build("health", app.Health, config.FromMap(env.FunctionEnv(row)), app.Deps{Clients: env.Clients, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

// invoke sends an API Gateway v2 request through the Lambda handler, with the
// authorizer's claims when given.
func invoke(t *testing.T, ctx context.Context, fn app.Function, path string, claims map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "GET " + path, RawPath: path,
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: path}}}
	if claims != nil {
		ev.RequestContext.Authorizer = auth.Authorizer(claims)
	}
	payload, _ := json.Marshal(ev)
	out, err := fn.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

var admin = map[string]string{"sub": "ops", auth.ClaimTokenUse: "id", auth.ClaimGroups: "[admin]", auth.ClaimLocations: "*"}

func putHeartbeat(t *testing.T, env *testenv.Env, at time.Time) {
	t.Helper()
	_, err := env.Clients.DynamoDB.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: aws.String(env.Names("followups")),
		Item: map[string]types.AttributeValue{"pk": dynamo.S(app.HeartbeatPK), "sk": dynamo.S(app.HeartbeatSK),
			app.HeartbeatAt: dynamo.S(at.UTC().Format(app.HeartbeatTime)), app.HeartbeatOK: &types.AttributeValueMemberBOOL{Value: true}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHealthPublicAsksNothing: the public check answers ok with no AWS call at all,
// while the deep one asks every dependency.
func TestHealthPublicAsksNothing(t *testing.T) {
	env := testenv.New(t)
	fn := buildHealth(t, env, clock.System{})

	ctx, meter := cloud.WithMeter(t.Context())
	resp := invoke(t, ctx, fn, "/v1/health", nil)
	if resp.StatusCode != 200 || strings.TrimSpace(resp.Body) != `{"status":"ok"}` || meter.Total() != 0 {
		t.Errorf("GET /v1/health = %d %s with %d AWS calls; want 200 {\"status\":\"ok\"} and none", resp.StatusCode, resp.Body, meter.Total())
	}

	ctx, meter = cloud.WithMeter(t.Context())
	invoke(t, ctx, fn, "/v1/health/deep", admin)
	// Five tables, the heartbeat, the three queues.
	if meter.Total() != 9 {
		t.Errorf("deep health made %d AWS calls (%v), want 9", meter.Total(), meter.Calls)
	}
}

// TestDeepHealth runs the deep check through the Lambda handler against the real
// emulators: each way a dependency can fail shows as 503 naming that check alone.
func TestDeepHealth(t *testing.T) {
	env := testenv.New(t)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	clk := clock.NewManual(now)
	fn := buildHealth(t, env, clk)
	ctx := t.Context()
	// Two messages waiting on the follow-up queue.
	for range 2 {
		if _, err := env.Clients.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(env.Queues["followups"]), MessageBody: aws.String(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	deep := func(t *testing.T, fn app.Function, claims map[string]string) (int, app.Report, events.APIGatewayV2HTTPResponse) {
		t.Helper()
		resp := invoke(t, ctx, fn, "/v1/health/deep", claims)
		var rep app.Report
		_ = json.Unmarshal([]byte(resp.Body), &rep)
		return resp.StatusCode, rep, resp
	}
	check := func(rep app.Report, name string) app.Check {
		for _, c := range rep.Checks {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no check %s in %+v", name, rep)
		return app.Check{}
	}

	t.Run("only admin and system", func(t *testing.T) {
		if code, _, _ := deep(t, fn, nil); code != 401 {
			t.Errorf("no token: %d, want 401", code)
		}
		agent := map[string]string{"sub": "a", auth.ClaimTokenUse: "id", auth.ClaimGroups: "[manager]", auth.ClaimLocations: "*"}
		if code, _, _ := deep(t, fn, agent); code != 403 {
			t.Errorf("manager: %d, want 403", code)
		}
	})

	t.Run("no heartbeat", func(t *testing.T) {
		code, rep, resp := deep(t, fn, admin)
		if code != 503 || rep.Status != "failing" || !slices.Equal(rep.Failed, []string{"dispatcher"}) || resp.Headers["Retry-After"] == "" {
			t.Fatalf("= %d %s; want 503 failing [dispatcher] with Retry-After", code, resp.Body)
		}
		if d := check(rep, "dispatcher").Detail; !strings.Contains(d, "never") {
			t.Errorf("dispatcher detail %q", d)
		}
		q := check(rep, "queue:followups")
		if !q.OK || q.Messages == nil || *q.Messages != 2 || q.MessagesInFlight == nil || *q.MessagesInFlight != 0 {
			t.Errorf("queue check %+v, want ok with 2 messages, none in flight", q)
		}
		for _, name := range []string{"emails", "texts"} {
			if q := check(rep, "queue:"+name); !q.OK || q.Messages == nil || *q.Messages != 0 {
				t.Errorf("queue:%s check %+v, want ok and empty", name, q)
			}
		}
		for _, name := range []string{"surveys", "followups", "complaints", "loyalty", "customers"} {
			if !check(rep, "table:"+name).OK {
				t.Errorf("table:%s failed: %+v", name, check(rep, "table:"+name))
			}
		}
	})

	t.Run("recent heartbeat", func(t *testing.T) {
		putHeartbeat(t, env, now.Add(-90*time.Second))
		code, rep, resp := deep(t, fn, admin)
		if code != 200 || rep.Status != "ok" || len(rep.Failed) != 0 {
			t.Fatalf("= %d %s; want 200 ok", code, resp.Body)
		}
		d := check(rep, "dispatcher")
		if d.AgeSeconds == nil || *d.AgeSeconds != 90 || d.LastRun != "2026-12-06T08:58:30Z" || d.LastRunFailed {
			t.Errorf("dispatcher check %+v, want age 90 s, last run 08:58:30", d)
		}
	})

	t.Run("stale heartbeat", func(t *testing.T) {
		putHeartbeat(t, env, now.Add(-5*time.Minute-time.Second))
		code, rep, resp := deep(t, fn, admin)
		if code != 503 || !slices.Equal(rep.Failed, []string{"dispatcher"}) {
			t.Fatalf("= %d %s; want 503 naming the dispatcher", code, resp.Body)
		}
		if d := check(rep, "dispatcher"); d.AgeSeconds == nil || *d.AgeSeconds != 301 || !strings.Contains(d.Detail, "5m1s ago") {
			t.Errorf("dispatcher check %+v", d)
		}
	})

	t.Run("a missing table and a missing queue", func(t *testing.T) {
		putHeartbeat(t, env, now)
		row, _ := wiring.FunctionByName("health")
		vars := env.FunctionEnv(row)
		vars["LOYALTY_TABLE"] = "no-such-table"
		vars["FOLLOWUPS_QUEUE_URL"] = env.Queues["followups"] + "-gone"
		// Not through app.Build: calls to resources no row names would be recorded as
		// the function's, and the grants test would rightly call them denied.
		broken, err := app.Health(row, config.FromMap(vars), app.Deps{Clients: env.Clients, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		code, rep, resp := deep(t, broken, admin)
		if code != 503 || !slices.Equal(rep.Failed, []string{"table:loyalty", "queue:followups"}) {
			t.Fatalf("= %d %s; want 503 naming table:loyalty and queue:followups", code, resp.Body)
		}
		if d := check(rep, "table:loyalty").Detail; d != "ResourceNotFoundException" {
			t.Errorf("table:loyalty detail %q, want the error code", d)
		}
		if d := check(rep, "queue:followups").Detail; d == "" || strings.Contains(d, "{") {
			t.Errorf("queue detail %q, want an error code", d)
		}
	})

	t.Run("an emulator that does not answer", func(t *testing.T) {
		// Nothing listens on port 9 (discard): every DynamoDB check fails, quickly.
		dead, err := cloud.Local(ctx, "http://127.0.0.1:9", *env.Clients.SQS.Options().BaseEndpoint, testenv.Region)
		if err != nil {
			t.Fatal(err)
		}
		row, _ := wiring.FunctionByName("health")
		fn, err := app.Health(row, config.FromMap(env.FunctionEnv(row)), app.Deps{Clients: dead, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		code, rep, resp := deep(t, fn, admin)
		if code != 503 || len(rep.Failed) != 6 || slices.ContainsFunc(rep.Failed, func(f string) bool { return strings.HasPrefix(f, "queue:") }) {
			t.Fatalf("= %d %s; want 503 naming the five tables and the dispatcher", code, resp.Body)
		}
		if took := time.Since(start); took > 4*time.Second {
			t.Errorf("took %s: checks must give up within the function's timeout", took)
		}
	})
}
