package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/queue"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

type stack struct {
	env    *testenv.Env
	runner *local.Runner
	srv    *httptest.Server
	issuer *local.Issuer
	cfg    local.Config
}

// newStack builds the runner over this test's tables and queues and serves it.
func newStack(t *testing.T, env *testenv.Env, tweak func(*local.Config)) *stack {
	t.Helper()
	issuer, err := local.LoadIssuer(filepath.Join(t.TempDir(), "issuer.pem"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg := local.Config{Clients: env.Clients, Names: env.Names, Queues: env.Queues, Region: testenv.Region,
		Issuer: issuer, Clock: clock.AtHour(12), PollWait: 1, KeyDir: env.KeyDir, PublicURL: "http://" + srv.Listener.Addr().String()}
	if tweak != nil {
		tweak(&cfg)
	}
	r, err := local.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := local.Seed(context.Background(), &survey.Store{DB: env.Clients.DynamoDB, Table: env.Names("surveys")}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, err := published()
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = c.wrap(t, r.Handler())
	srv.Start()
	t.Cleanup(srv.Close)
	return &stack{env: env, runner: r, srv: srv, issuer: issuer, cfg: cfg}
}

// start runs the schedules' and queues' emulation until the test ends.
func (s *stack) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	wait, err := s.runner.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); wait() })
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (s *stack) do(t *testing.T, method, path, contentType string, body []byte, headers map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

const responsesPath = "/v1/surveys/" + local.DemoSurveyID + "/responses"

func (s *stack) submit(t *testing.T, body, key string) reply {
	h := map[string]string{}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	return s.do(t, http.MethodPost, responsesPath, "application/json", []byte(body), h)
}

func (s *stack) responses(t *testing.T) []survey.Response {
	t.Helper()
	rs, err := (&survey.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("surveys")}).Responses(context.Background(), local.DemoSurveyID)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func (s *stack) outbox(t *testing.T) []followup.Message {
	t.Helper()
	r := s.do(t, http.MethodGet, "/dev/outbox?limit=200", "", nil, nil)
	var out struct{ Items []followup.Message }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &out) != nil {
		t.Fatalf("outbox: %d %s", r.status, r.body)
	}
	return out.Items
}

// waitOutbox waits until the outbox holds n messages (and fails on more).
func (s *stack) waitOutbox(t *testing.T, n int) []followup.Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		msgs := s.outbox(t)
		if len(msgs) > n {
			t.Fatalf("outbox holds %d messages, want %d", len(msgs), n)
		}
		if len(msgs) == n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox holds %d messages after 30s, want %d", len(msgs), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *stack) dispatch(t *testing.T) (followup.Report, error) {
	t.Helper()
	out, err := s.runner.Invoke(context.Background(), "followup-dispatcher", local.ScheduledEvent(time.Now(), "test"))
	if err != nil {
		return followup.Report{}, err
	}
	if string(out) != "null" {
		t.Fatalf("dispatcher returned %s", out)
	}
	return followup.Report{}, nil
}

// runJob runs one periodic job's function once at the runner's clock, as its
// schedule does.
func (s *stack) runJob(t *testing.T, name string) {
	t.Helper()
	out, err := s.runner.Invoke(context.Background(), name, local.ScheduledEvent(s.cfg.Clock.Now(), name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if string(out) != "null" {
		t.Fatalf("%s returned %s", name, out)
	}
}

func TestEveryWiringRouteIsServedByTheRunnersMux(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	mux := s.runner.Handler()
	for _, route := range wiring.Routes() {
		path := route.Path
		for _, seg := range strings.Split(route.Path, "/") {
			if strings.HasPrefix(seg, "{") {
				path = strings.Replace(path, seg, "x1", 1)
			}
		}
		req := httptest.NewRequest(route.Method, path, nil)
		if _, pattern := mux.Handler(req); pattern != route.Pattern() {
			t.Errorf("%s is served by %q", route.Pattern(), pattern)
		}
	}
}

func problemOf(t *testing.T, r reply) map[string]any {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json (status %d, body %s)", ct, r.status, r.body)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatal(err)
	}
	if int(p["status"].(float64)) != r.status || p["title"] == "" || p["type"] == "" {
		t.Fatalf("problem body %v does not match status %d", p, r.status)
	}
	return p
}

func TestSurveyResponseContract(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	good := `{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":9},{"questionId":"service","value":5}],"comment":"Lovely"}`

	t.Run("same key and body: stored once, identical replies", func(t *testing.T) {
		first := s.submit(t, good, "idem-1")
		second := s.submit(t, good, "idem-1")
		if first.status != http.StatusCreated || second.status != http.StatusCreated {
			t.Fatalf("statuses %d, %d: %s", first.status, second.status, second.body)
		}
		if first.body != second.body {
			t.Fatalf("replies differ:\n%s\n%s", first.body, second.body)
		}
		var rc survey.Receipt
		if err := json.Unmarshal([]byte(first.body), &rc); err != nil || rc.ResponseID == "" || rc.Score.NPS == nil || *rc.Score.NPS != 9 {
			t.Fatalf("receipt %s", first.body)
		}
		if n := len(s.responses(t)); n != 1 {
			t.Fatalf("%d responses stored, want 1", n)
		}
	})
	t.Run("same key, other body: 422", func(t *testing.T) {
		r := s.submit(t, strings.Replace(good, "Lovely", "Fine", 1), "idem-1")
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", r.status)
		}
		problemOf(t, r)
	})
	cases := []struct {
		name, contentType string
		body              []byte
		status            int
		field             string
	}{
		{"malformed JSON", "application/json", []byte(`{"invitationToken":"demo-stay-loc-1","answers":[`), 400, ""},
		{"wrong type names the field", "application/json", []byte(`{"invitationToken":"demo-stay-loc-1","answers":"nine"}`), 400, "answers"},
		{"unknown field is named", "application/json", []byte(`{"answer":[]}`), 400, "answer"},
		{"out of range value is named", "application/json", []byte(`{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":11}]}`), 400, "answers[0].value"},
		{"missing required question", "application/json", []byte(`{"invitationToken":"demo-stay-loc-1","answers":[]}`), 400, "answers"},
		{"65 KiB body", "application/json", []byte(`{"comment":"` + strings.Repeat("x", 65<<10) + `"}`), 413, ""},
		{"wrong content type", "text/plain", []byte(good), 415, ""},
		{"no content type", "", []byte(good), 415, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(s.responses(t))
			r := s.do(t, http.MethodPost, responsesPath, c.contentType, c.body, nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			p := problemOf(t, r)
			if c.field != "" {
				errs, _ := p["errors"].([]any)
				if len(errs) == 0 || errs[0].(map[string]any)["field"] != c.field {
					t.Fatalf("errors %v do not name %q", p["errors"], c.field)
				}
			}
			if after := len(s.responses(t)); after != before {
				t.Fatal("a refused request stored a response")
			}
		})
	}
	t.Run("unknown survey: 404", func(t *testing.T) {
		r := s.do(t, http.MethodPost, "/v1/surveys/no-such-survey/responses", "application/json", []byte(good), nil)
		if r.status != http.StatusNotFound {
			t.Fatalf("status %d", r.status)
		}
		problemOf(t, r)
	})
	t.Run("health", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/v1/health", "", nil, nil)
		if r.status != 200 || strings.TrimSpace(r.body) != `{"status":"ok"}` {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

func TestLowScoreClosesTheLoopThroughSQSIntoTheOutboxOnce(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	s.start(t)
	if r := s.submit(t, `{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":2}],"comment":"Noisy room"}`, ""); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := s.submit(t, `{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":10}]}`, ""); r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	msgs := s.waitOutbox(t, 1)
	m := msgs[0]
	if m.To != "frontdesk@loc-1.example" || m.Kind != followup.KindRecoveryCallback || !strings.Contains(m.Body, "Noisy room") {
		t.Fatalf("outbox message %+v", m)
	}
	// Dispatching again sends nothing more.
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	s.waitOutbox(t, 1)
}

func TestJWTAuthorizerRolesAndLocations(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	path := "/v1/surveys/" + local.DemoSurveyID
	tok := func(roles, locations []string, ttl time.Duration) map[string]string {
		raw, err := s.issuer.Token("user-1", roles, locations, s.cfg.Clock.Now(), ttl)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"Authorization": "Bearer " + raw}
	}
	other, err := local.LoadIssuer(filepath.Join(t.TempDir(), "other.pem"))
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := other.Token("user-1", []string{"admin"}, nil, s.cfg.Clock.Now(), time.Hour)
	cases := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"no token", nil, 401},
		{"forged signature", map[string]string{"Authorization": "Bearer " + forged}, 401},
		{"expired", tok([]string{"manager"}, nil, -time.Minute), 401},
		{"agent at the survey's location", tok([]string{"agent"}, []string{"loc-1"}, time.Hour), 200},
		{"agent with no locations sees none", tok([]string{"agent"}, nil, time.Hour), 404},
		{"agent with every location is none: * is for admins", tok([]string{"agent"}, []string{"*"}, time.Hour), 404},
		{"admin with every location", tok([]string{"admin"}, []string{"*"}, time.Hour), 200},
		{"manager at the survey's location", tok([]string{"manager"}, []string{"loc-1"}, time.Hour), 200},
		{"manager of another location", tok([]string{"manager"}, []string{"loc-9"}, time.Hour), 404},
		{"system client lacks a staff role", tok([]string{"system"}, nil, time.Hour), 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(t, http.MethodGet, path, "", nil, c.headers)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.status == 200 && !strings.Contains(r.body, `"surveyId":"demo-stay"`) {
				t.Fatalf("body %s", r.body)
			}
		})
	}
}

func TestPublicRouteThrottling(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	// Requests far faster than the steady rate run out the burst; on a slow machine
	// the bucket refills meanwhile, so keep going (bounded) until one is refused.
	sent, limited := 0, false
	for ; sent < 20*wiring.DefaultThrottle.Burst && !limited; sent++ {
		limited = s.do(t, http.MethodGet, "/v1/health", "", nil, nil).status == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatalf("no request throttled after %d", sent)
	}
	if sent <= wiring.DefaultThrottle.Burst {
		t.Fatalf("throttled after only %d requests, within the burst of %d", sent, wiring.DefaultThrottle.Burst)
	}
}

// A message that always fails is retried until maxReceiveCount and then lands in the
// DLQ, while the good messages of the same batches are delivered once.
func TestQueueEmulationReportsPartialFailuresAndRedrivesToTheDLQ(t *testing.T) {
	env := testenv.New(t)
	fast := []wiring.Queue{{Name: "followups", VisibilityTimeoutSeconds: 1, MaxReceiveCount: 2, DLQRetentionDays: 1}}
	names := func(q string) string { return env.Names("fast-" + q) }
	urls, err := queue.Create(context.Background(), env.Clients.SQS, names, fast)
	if err != nil {
		t.Fatal(err)
	}
	for name, url := range env.Queues { // the other queues' consumers poll theirs as usual
		if _, ok := urls[name]; !ok {
			urls[name] = url
		}
	}
	s := newStack(t, env, func(c *local.Config) {
		c.Queues = urls
		c.Override = map[string]map[string]string{"followup-sender": {"FOLLOWUP_RETRY_BASE": "1s"}}
	})
	s.start(t)
	if r := s.submit(t, `{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":1}]}`, ""); r.status != 201 {
		t.Fatal(r.body)
	}
	if _, err := env.Clients.SQS.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(urls["followups"]), MessageBody: aws.String(`{"followupId":"poison"}`),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	s.waitOutbox(t, 1)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := env.Clients.SQS.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(urls["followups-dlq"]), WaitTimeSeconds: 1, VisibilityTimeout: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 1 && aws.ToString(out.Messages[0].Body) == `{"followupId":"poison"}` {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the poison message did not reach the DLQ")
		}
	}
	s.waitOutbox(t, 1)
	// After a fix, make redrive moves it back to the queue (visible again once the
	// receive above lets go of it).
	time.Sleep(1500 * time.Millisecond)
	r := s.do(t, http.MethodPost, "/dev/redrive/followups", "application/json", []byte("{}"), map[string]string{local.DevHeader: "1"})
	if r.status != http.StatusOK || strings.TrimSpace(r.body) != `{"moved":1}` {
		t.Fatalf("redrive: %d %s", r.status, r.body)
	}
}

// make invoke posts a sample event to /dev/invoke/<function>: each sample in events/
// runs its function once through the Lambda handler.
func TestInvokeRunsFunctionsOnTheSampleEvents(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	cases := []struct{ fn, file, want string }{
		{"health", "apigw-health.json", `"statusCode":200`},
		{"surveys-public", "apigw-survey-response.json", `"statusCode":201`},
		{"surveys-staff", "apigw-survey-get.json", `"statusCode":200`},
		{"followup-dispatcher", "schedule-dispatcher.json", `null`},
		{"followup-sender", "sqs-followups.json", `"batchItemFailures":[{"itemIdentifier"`},
		// The rendered message lands in the outbox; the other is no message (the DLQ's).
		{"followup-email", "sqs-emails.json", `{"batchItemFailures":[{"itemIdentifier":"9d1f0e77-2b5a-4c08-8e41-5a6b7c8d9e02"}]}`},
		{"followup-sms", "sqs-texts.json", `{"batchItemFailures":[{"itemIdentifier":"7f8e9d0c-1b2a-4394-8576-a7b8c9d0e1f2"}]}`},
		// Neither address is a customer's: both messages succeed, changing nothing.
		{"mail-feedback", "sqs-mail-feedback.json", `{"batchItemFailures":null}`},
		// The seed writes every item with its keys: the upgrade finds nothing to do.
		{"reindex", "manual-reindex.json", `{"customers":0,"surveys":0,"followups":0,"rewards":0,"more":false}`},
	}
	// Each periodic job is a function of its own: make invoke FN=<job> runs it once
	// on a schedule's event (JSON null: the run succeeded).
	for _, row := range wiring.Functions {
		if row.Trigger.Schedule != nil && row.Trigger.Schedule.Job {
			cases = append(cases, struct{ fn, file, want string }{row.Name, "schedule-dispatcher.json", `null`})
		}
	}
	if len(cases) != 9+9 {
		t.Errorf("%d cases, want the 9 samples and the 9 periodic jobs", len(cases))
	}
	for _, c := range cases {
		t.Run(c.fn, func(t *testing.T) {
			ev, err := os.ReadFile(filepath.Join("..", "..", "events", c.file))
			if err != nil {
				t.Fatal(err)
			}
			r := s.do(t, http.MethodPost, "/dev/invoke/"+c.fn, "application/json", ev, map[string]string{local.DevHeader: "1"})
			if r.status != http.StatusOK || !strings.Contains(r.body, c.want) {
				t.Fatalf("%d %s; want %s", r.status, r.body, c.want)
			}
		})
	}
	if r := s.do(t, http.MethodPost, "/dev/invoke/no-such-function", "application/json", []byte(`{}`), map[string]string{local.DevHeader: "1"}); r.status != http.StatusBadGateway {
		t.Fatalf("unknown function: %d", r.status)
	}
}
