// Package app builds each function's handler from its configuration. The Lambda
// entry points in functions/ and the local runner both call it, so a function is put
// together the same way on a laptop and in AWS.
package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function is a built function: exactly one of its handlers is set, as its trigger.
type Function struct {
	HTTP     http.Handler
	Queue    func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)
	Schedule func(context.Context, events.EventBridgeEvent) error
	// Manual serves a manually invoked row: any JSON event in, its result out.
	Manual func(context.Context, json.RawMessage) (any, error)
}

// Deps are what builders share: clients made once per process, the clock, and the
// openers of signing keys kept in AWS.
type Deps struct {
	Clients cloud.Clients
	Clock   clock.Clock
	Keys    Keys
	// Keep is how long a warm function keeps the complaint settings, loyalty rules,
	// survey definitions, public links and locations it read (shared/cache): KeepReads
	// in AWS; 0 in the local runner and in tests, so that a change applies at once.
	Keep time.Duration
	// Failures is where failed work is reported (the Rapport/Failures metric).
	Failures Failures
}

// KeepReads is how long a function in AWS keeps what seldom changes: a change saved
// by one function applies in the others within this time.
const KeepReads = 30 * time.Second

// Keys open the signing keys kept in AWS: MACs is keyring/kms.MACRing (KMS keys),
// Secrets is keyring/secrets.New (Secrets Manager secrets). A function's main passes
// the ones its wiring row's keys need, so a binary links only the key services it
// calls (a test holds each main to its row); without one, only key files open.
type Keys struct {
	MACs    func(ref string, cfg aws.Config) ([]*keyring.MAC, error)
	Secrets func(ref string, cfg aws.Config, ttl time.Duration) (*keyring.Secret, error)
}

// MACRing opens a MAC key by its reference (an environment variable of the row).
func (d Deps) MACRing(ref string) ([]*keyring.MAC, error) {
	if d.Keys.MACs == nil {
		return keyring.MACRing(ref, nil)
	}
	return d.Keys.MACs(ref, d.Clients.Config)
}

// Secret opens a secret key by its reference, read again at most once per ttl.
func (d Deps) Secret(ref string, ttl time.Duration) (*keyring.Secret, error) {
	if d.Keys.Secrets == nil {
		return keyring.NewSecret(ref, nil, ttl)
	}
	return d.Keys.Secrets(ref, d.Clients.Config, ttl)
}

// Builder makes one function from its environment.
type Builder func(row wiring.Function, env *config.Env, d Deps) (Function, error)

// Build makes the named function with its builder and fails, naming every missing
// setting, if its environment is incomplete.
func Build(name string, b Builder, env *config.Env, d Deps) (Function, error) {
	row, ok := wiring.FunctionByName(name)
	if !ok {
		return Function{}, fmt.Errorf("no function %q in the wiring table", name)
	}
	d.Clients = d.Clients.For(name) // attributes its AWS calls to it when tests record them
	fn, err := b(row, env, d)
	if err := env.Err(); err != nil {
		return Function{}, fmt.Errorf("%s: %w", name, err)
	}
	if err != nil {
		return Function{}, fmt.Errorf("%s: %w", name, err)
	}
	return fn, nil
}

// Lambda is the handler to give lambda.Start: API Gateway v2 events go through the
// HTTP adapter into the function's mux.
func (f Function) Lambda() any {
	switch {
	case f.HTTP != nil:
		adapter := httpadapter.NewV2(f.HTTP)
		return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			// The adapter splits header values on commas; keep them whole as well.
			return adapter.ProxyWithContext(web.WithRawHeaders(ctx, ev.Headers), ev)
		}
	case f.Queue != nil:
		return f.Queue
	case f.Manual != nil:
		return f.Manual
	default:
		return f.Schedule
	}
}

// Invoke runs the function on a raw event through the Lambda library's own handler
// (the same decoding the runtime does); the local runner uses it.
func (f Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return lambda.NewHandler(f.Lambda()).Invoke(ctx, payload)
}

// Start is a Lambda entry point: JSON logs, configuration loaded once, the function
// built once at cold start, then served, its failures reported, until the runtime
// stops it. Each main passes
// only its own builder and the key openers its keys need, so a binary links only its
// own domains and key services.
func Start(name string, b Builder, keys Keys) {
	slog.SetDefault(slog.New(lambdacontext.NewLogHandler()))
	cfg, err := cloud.FromEnvironment(config.FromOS())
	if err != nil {
		fail(name, err)
	}
	failures := FailuresFromEnvironment()
	fn, err := Build(name, b, config.FromOS(), Deps{Clients: cloud.NewClients(cfg), Clock: clock.System{}, Keys: keys, Keep: KeepReads,
		Failures: failures})
	if err != nil {
		fail(name, err)
	}
	lambda.Start(fn.Reporting(name, failures))
}

func fail(name string, err error) {
	slog.Error("cannot start", "function", name, "error", err.Error())
	os.Exit(1)
}

// Mux serves a row's routes with the handlers a domain provides: each route gets
// request logging, its roles from the wiring table, the length limits of its path
// parameters and query values (web.Bounds), on every method with a body (POST, PUT,
// PATCH) the 64 KiB limit and the content-type check, and on POST and PUT the
// Idempotency-Key handling.
func Mux(row wiring.Function, handlers map[string]http.Handler, idem *idempotency.Store) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	for _, route := range row.Trigger.Routes {
		h, ok := handlers[route.Pattern()]
		if !ok {
			return nil, fmt.Errorf("route %s has no handler", route.Pattern())
		}
		if route.Method == http.MethodPost || route.Method == http.MethodPut {
			if idem == nil {
				return nil, fmt.Errorf("route %s needs an idempotency store", route.Pattern())
			}
			h = idem.Middleware(scope(route), h)
		}
		if route.Method == http.MethodPost || route.Method == http.MethodPut || route.Method == http.MethodPatch {
			if route.Form {
				h = web.LimitForm(web.MaxBody, h)
			} else {
				h = web.LimitJSON(web.MaxBody, h)
			}
		}
		h = web.Bounds(web.PathParams(route.Path), h)
		h = web.Log(route.Pattern(), auth.RequestID, auth.Require(route, h))
		mux.Handle(route.Pattern(), h)
	}
	if len(handlers) != len(row.Trigger.Routes) {
		return nil, fmt.Errorf("%s: %d handlers for %d routes", row.Name, len(handlers), len(row.Trigger.Routes))
	}
	return mux, nil
}

// scope keeps idempotency keys apart per route and, for staff and systems, per caller
// and per what the caller may do: a stored reply is replayed only to a caller with the
// same subject, roles and locations as the one whose request passed the access policy,
// so a replay cannot hand a reply to a token that could not have made the request.
func scope(route wiring.Route) func(*http.Request) string {
	return func(r *http.Request) string {
		if p, ok := auth.From(r.Context()); ok {
			return route.Pattern() + "#" + p.Fingerprint()
		}
		return route.Pattern()
	}
}

// JSONHandler serves a fixed JSON value (health).
func JSONHandler(v any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { web.JSON(w, http.StatusOK, v) })
}

// ScheduleLog wraps a scheduled job with one log line per run.
func ScheduleLog[R any](name string, run func(context.Context) (R, error)) func(context.Context, events.EventBridgeEvent) error {
	return func(ctx context.Context, ev events.EventBridgeEvent) error {
		rep, err := run(ctx)
		out, _ := json.Marshal(rep)
		if err != nil {
			slog.ErrorContext(ctx, "scheduled run failed", "function", name, "report", string(out), "error", err.Error())
			return err
		}
		slog.InfoContext(ctx, "scheduled run", "function", name, "report", string(out))
		return nil
	}
}

// StaffJSON runs a staff handler with the caller's principal and writes its JSON reply,
// or the problem its error names.
func StaffJSON(h func(*http.Request, auth.Principal) (int, any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.From(r.Context())
		status, v, err := h(r, p)
		if err != nil {
			problem.Write(w, r, err)
			return
		}
		web.JSON(w, status, v)
	})
}
