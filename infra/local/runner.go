// Package local is Rapport's local runner: every function of the wiring table in one
// process, with API Gateway (routes, JWT authorizer, throttling), EventBridge schedules
// and SQS event source mappings emulated around the real handlers, over DynamoDB Local
// and the SQS emulator.
package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/catalog"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	// The runner's functions record their AWS calls when make test asks
	// (RAPPORT_RECORD_CALLS), as the tests' do.
	_ "github.com/rapport-crm/rapport/shared/cloud/record"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/keyring/kms"
	"github.com/rapport-crm/rapport/shared/keyring/secrets"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/queue"
	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Config is what the runner needs: clients for the emulators and the names of the
// tables and queues created for it.
type Config struct {
	Clients cloud.Clients
	Names   dynamo.Names
	Queues  queue.URLs
	Region  string
	Issuer  *Issuer
	Clock   clock.Clock
	// Tick overrides every schedule's interval (0 keeps the wiring table's rate).
	Tick time.Duration
	// PollWait is the SQS long-poll wait in seconds (default 5).
	PollWait int32
	// Unthrottled turns API Gateway's throttling off (benchmarks).
	Unthrottled bool
	// PublicURL is the runner's base URL, given to functions whose row asks for the
	// API's URL (links in invitations).
	PublicURL string
	// KeyDir holds the signing keys' files (.local/keys for make run, a temporary
	// directory in tests): locally a key's variable points at a key file made at random
	// on first use, behind the same interface as the KMS key or secret it is in AWS.
	KeyDir string
	// Override replaces values of a function's environment: function → name → value
	// (tests that cannot wait for production timings). Names must be in the row.
	Override map[string]map[string]string
	// ConsoleDir is the staff console's build (console/dist), served at / with its
	// /config.json (console.go); "" serves no console. It needs the Issuer.
	ConsoleDir string
	// Keep is app.Deps.Keep for every function: 0 (the default) reads settings, rules,
	// definitions, links and locations on every request, so a change applies at once;
	// the bench sets app.KeepReads, as in AWS.
	Keep time.Duration
}

// WebhookAllowPrivate is the variable of the rows that send or schedule webhooks that
// lets them reach loopback and private addresses: the runner sets it to "true" in every
// row that declares it (a test turns it off with Override); in AWS it is "false".
const WebhookAllowPrivate = "NOTIFY_WEBHOOK_ALLOW_PRIVATE"

// Runner hosts every function.
type Runner struct {
	cfg       Config
	functions map[string]app.Function
	mux       *http.ServeMux
	outbox    *followup.Outbox
}

// New builds every function from its wiring row, with its row's environment only.
func New(cfg Config) (*Runner, error) {
	if cfg.PollWait == 0 {
		cfg.PollWait = 5
	}
	if cfg.KeyDir == "" {
		return nil, errors.New("local runner: no KeyDir for the signing key files")
	}
	if cfg.ConsoleDir != "" && cfg.Issuer == nil {
		return nil, errors.New("local runner: the console needs the Issuer to sign in with")
	}
	r := &Runner{cfg: cfg, functions: map[string]app.Function{}, mux: http.NewServeMux()}
	deps := app.Deps{Clients: cfg.Clients, Clock: cfg.Clock, Keys: app.Keys{MACs: kms.MACRing, Secrets: secrets.New}, Keep: cfg.Keep}
	for _, row := range wiring.Functions {
		env := row.Environment(cfg.Names, func(q string) string { return cfg.Queues[q] }, cfg.PublicURL, keyring.LocalRefs(cfg.KeyDir))
		if _, ok := env[WebhookAllowPrivate]; ok {
			// Webhooks reach receivers on this machine and its network: the runner's
			// own tests, a developer's receiver. Nothing else sets it (see the stack).
			env[WebhookAllowPrivate] = "true"
		}
		for name, v := range cfg.Override[row.Name] {
			if _, ok := env[name]; !ok {
				return nil, fmt.Errorf("%s: override of %s, which its row does not set", row.Name, name)
			}
			env[name] = v
		}
		fn, err := app.Build(row.Name, catalog.Builders[row.Name], config.FromMap(env), deps)
		if err != nil {
			return nil, err
		}
		r.functions[row.Name] = fn
		for _, route := range row.Trigger.Routes {
			g := &gateway{route: route, fn: fn, timeout: seconds(row.TimeoutSeconds), issuer: cfg.Issuer, now: cfg.Clock.Now}
			if route.Auth == wiring.Public && !cfg.Unthrottled {
				t := wiring.DefaultThrottle
				if route.Throttle != nil {
					t = *route.Throttle
				}
				g.throttle = newBucket(t)
			}
			r.mux.Handle(route.Pattern(), g)
		}
	}
	r.outbox = &followup.Outbox{DB: cfg.Clients.DynamoDB, Table: cfg.Names("followups")}
	r.mux.HandleFunc("GET /dev/outbox", r.listOutbox)
	r.mux.HandleFunc("POST /dev/invoke/{function}", devOnly(r.invoke))
	r.mux.HandleFunc("POST /dev/redrive/{queue}", devOnly(r.redrive))
	if cfg.Issuer != nil {
		// The issuer is the one served on this runner's own URL; tokens verify only
		// against it.
		if cfg.PublicURL != "" {
			cfg.Issuer.SetBaseURL(cfg.PublicURL)
		}
		newProvider(cfg.Issuer, cfg.Clock.Now, &location.Store{DB: cfg.Clients.DynamoDB, Table: cfg.Names("customers")}).mount(r.mux)
	}
	if cfg.ConsoleDir != "" {
		(&console{dir: cfg.ConsoleDir, issuer: cfg.Issuer}).mount(r.mux)
	}
	return r, nil
}

// DevHeader must be on every state-changing /dev request, with the value 1 and a JSON
// body: an HTML form of another site can send neither a custom header nor that
// content type, and a script of another site cannot send them without a CORS
// preflight, which the runner never allows. So a page the developer visits cannot
// make the runner invoke a function or move queues.
const DevHeader = "X-Rapport-Dev"

// devOnly lets through only requests that no cross-site form or script can make: the
// DevHeader, Content-Type application/json, and a Host of this machine (so a DNS name
// rebound to 127.0.0.1 gets nothing either).
func devOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		host := req.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host != "localhost" && host != "127.0.0.1" && host != "::1" {
			web.JSON(w, http.StatusForbidden, map[string]string{"error": req.URL.Path + " answers only requests to localhost or 127.0.0.1, not to " + req.Host})
			return
		}
		if req.Header.Get(DevHeader) != "1" {
			web.JSON(w, http.StatusForbidden, map[string]string{"error": req.URL.Path + " needs the header " + DevHeader + ": 1 and Content-Type: application/json (which no cross-site form can send); make invoke and make redrive send them"})
			return
		}
		if mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			web.JSON(w, http.StatusUnsupportedMediaType, map[string]string{"error": req.URL.Path + " needs Content-Type: application/json and a JSON body (which no cross-site form can send)"})
			return
		}
		next(w, req)
	}
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

// Handler is the one ServeMux with every route.
func (r *Runner) Handler() *http.ServeMux { return r.mux }

// Start runs the schedules on tickers and the queue pollers until ctx ends; the
// returned function waits for them to stop.
func (r *Runner) Start(ctx context.Context) (wait func(), err error) {
	var wg sync.WaitGroup
	for _, row := range wiring.Functions {
		fn := r.functions[row.Name]
		switch t := row.Trigger; {
		case t.Schedule != nil:
			every := r.cfg.Tick
			if every == 0 {
				if every, err = Rate(t.Schedule.Expression); err != nil {
					return nil, fmt.Errorf("%s: %w", row.Name, err)
				}
			}
			wg.Go(func() { r.tick(ctx, row, fn, every) })
		case t.Queue != nil:
			p, err := r.poller(ctx, row, fn)
			if err != nil {
				return nil, err
			}
			wg.Go(func() { p.run(ctx) })
		}
	}
	return wg.Wait, nil
}

func (r *Runner) poller(ctx context.Context, row wiring.Function, fn app.Function) (*poller, error) {
	url := r.cfg.Queues[row.Trigger.Queue.Queue]
	if url == "" {
		// An empty URL would poll nothing (and record calls on no queue): say so.
		return nil, fmt.Errorf("%s: queue %s has no URL in Config.Queues", row.Name, row.Trigger.Queue.Queue)
	}
	// Lambda's event source mapping polls with the function's role: its calls are the
	// function's when tests record them.
	client := r.cfg.Clients.For(row.Name).SQS
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: queue %s: %w", row.Name, row.Trigger.Queue.Queue, err)
	}
	return &poller{
		name: row.Name, fn: fn, trigger: *row.Trigger.Queue, client: client, queueURL: url,
		queueARN: out.Attributes[string(types.QueueAttributeNameQueueArn)], region: r.cfg.Region,
		timeout: seconds(row.TimeoutSeconds), wait: r.cfg.PollWait,
	}, nil
}

func (r *Runner) tick(ctx context.Context, row wiring.Function, fn app.Function, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := r.Invoke(ctx, row.Name, ScheduledEvent(r.cfg.Clock.Now(), row.Name)); err != nil {
				slog.Warn("scheduled run failed", "function", row.Name, "error", err.Error())
			}
		}
	}
}

// Invoke runs a function once on a raw event, within its timeout.
func (r *Runner) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	fn, ok := r.functions[name]
	if !ok {
		return nil, fmt.Errorf("no function %q", name)
	}
	row, _ := wiring.FunctionByName(name)
	ctx, cancel := context.WithTimeout(ctx, seconds(row.TimeoutSeconds))
	defer cancel()
	return fn.Invoke(ctx, payload)
}

func (r *Runner) invoke(w http.ResponseWriter, req *http.Request) {
	var payload json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 6<<20)).Decode(&payload); err != nil {
		web.JSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be a JSON event: " + err.Error()})
		return
	}
	out, err := r.Invoke(req.Context(), req.PathValue("function"), payload)
	if err != nil {
		web.JSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	web.Raw(w, http.StatusOK, "application/json", out)
}

func (r *Runner) listOutbox(w http.ResponseWriter, req *http.Request) {
	limit := 50
	if n, err := strconv.Atoi(req.URL.Query().Get("limit")); err == nil && n > 0 && n <= 200 {
		limit = n
	}
	msgs, err := r.outbox.List(req.Context(), limit)
	if err != nil {
		web.JSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
		return
	}
	if msgs == nil {
		msgs = []followup.Message{}
	}
	web.JSON(w, http.StatusOK, map[string]any{"items": msgs})
}

// ScheduledEvent is the event EventBridge sends a scheduled target.
func ScheduledEvent(at time.Time, rule string) []byte {
	b, _ := json.Marshal(events.EventBridgeEvent{
		Version: "0", ID: id.New(at), DetailType: "Scheduled Event", Source: "aws.events",
		AccountID: "000000000000", Time: at, Region: "us-east-1",
		Resources: []string{"arn:aws:events:us-east-1:000000000000:rule/" + rule}, Detail: json.RawMessage("{}"),
	})
	return b
}

// Rate is the interval of an EventBridge rate expression, as the wiring table reads it.
func Rate(expr string) (time.Duration, error) {
	return wiring.Schedule{Expression: expr}.Every()
}
