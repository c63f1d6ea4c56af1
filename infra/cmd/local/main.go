// Command local runs Rapport on a laptop: `run` starts the emulators and every
// function behind one HTTP server; `token` prints a development JWT; `invoke` fires one
// function with a sample event; `reconcile` checks the loyalty ledger of the running
// stack; `with-emulators` runs a command (the tests) against fresh emulators on free ports.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/queue"
	"github.com/rapport-crm/rapport/shared/wiring"
)

const usage = `usage: local <command>
  run                                start everything (PORT, default 8080; TICK overrides schedules)
  token -role manager -locations loc-1   print a development token for the running make run (-port, else .local/run.json)
  invoke -fn <name> -event <file>    fire one function once through the running runner
  redrive -queue followups           move the queue's DLQ messages back, through the running runner
  reconcile                          check loyalty balances against ledger and lots in the running runner's DynamoDB Local
  with-emulators -- <command...>     run a command against fresh emulators
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run()
	case "token":
		err = token(os.Args[2:])
	case "invoke":
		err = invoke(os.Args[2:])
	case "redrive":
		err = redrive(os.Args[2:])
	case "reconcile":
		err = reconcile()
	case "with-emulators":
		var code int
		code, err = withEmulators(os.Args[2:])
		if err == nil {
			os.Exit(code)
		}
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

func root() string {
	r, err := emulator.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
	return r
}

func issuerPath() string { return filepath.Join(root(), ".local", "dev-issuer.pem") }

// tablePrefix names the tables of make run: rapport-<table>.
const tablePrefix = "rapport-"

// stack is where a running make run keeps its emulators. DynamoDB Local listens on a
// free port, so commands that read the data directly (reconcile) find it in this file,
// one per runner PORT, removed when the runner stops.
type stack struct {
	DynamoDB    string `json:"dynamoDBEndpoint"`
	SQS         string `json:"sqsEndpoint"`
	Region      string `json:"region"`
	TablePrefix string `json:"tablePrefix"`
	// BaseURL is the runner's URL; its issuer is BaseURL + local.IssuerPath.
	BaseURL string `json:"baseURL"`
	Issuer  string `json:"issuer"`
}

func stackPath(port string) string { return filepath.Join(root(), ".local", "run-"+port+".json") }

// lastRunPath holds the stack of the make run started last, whatever its port: make
// token signs for its issuer when no PORT is given.
func lastRunPath() string { return filepath.Join(root(), ".local", "run.json") }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run() error {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	port := envOr("PORT", "8080")
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return fmt.Errorf("port %s: %w (set PORT= to use another)", port, err)
	}
	tick, err := time.ParseDuration(envOr("TICK", "0s"))
	if err != nil {
		return fmt.Errorf("TICK: %w", err)
	}
	started := time.Now()
	em, err := emulator.Start(ctx, emulator.Options{Root: root(), DataDir: ".local/ddb-data"})
	if err != nil {
		return err
	}
	defer em.Stop()
	clients, err := cloud.Local(ctx, em.DynamoDBEndpoint, em.SQSEndpoint, em.Region)
	if err != nil {
		return err
	}
	names := dynamo.Prefixed(tablePrefix)
	clk := clock.System{}
	urls, err := local.Provision(ctx, clients, names, clk.Now())
	if err != nil {
		return err
	}
	issuer, err := local.LoadIssuer(issuerPath())
	if err != nil {
		return err
	}
	// The port really listened on (PORT=0 picks a free one) names the issuer.
	port = fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	base := "http://127.0.0.1:" + port
	r, err := local.New(local.Config{Clients: clients, Names: names, Queues: urls, Region: em.Region, Issuer: issuer, Clock: clk, Tick: tick, PublicURL: base,
		KeyDir: filepath.Join(root(), ".local", "keys")})
	if err != nil {
		return err
	}
	wait, err := r.Start(ctx)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: r.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	state, err := json.MarshalIndent(stack{DynamoDB: em.DynamoDBEndpoint, SQS: em.SQSEndpoint, Region: em.Region, TablePrefix: tablePrefix,
		BaseURL: base, Issuer: issuer.URL()}, "", "  ")
	if err != nil {
		return err
	}
	for _, path := range []string{stackPath(port), lastRunPath()} {
		if err := os.WriteFile(path, state, 0o644); err != nil {
			return err
		}
	}
	defer os.Remove(stackPath(port))
	defer func() {
		// Another make run may have started since; its file stays.
		if b, err := os.ReadFile(lastRunPath()); err == nil && bytes.Equal(b, state) {
			_ = os.Remove(lastRunPath())
		}
	}()
	banner(port, issuer.URL(), em, urls, tick, time.Since(started))
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	wait()
	fmt.Fprintln(os.Stderr, "stopped: runner, DynamoDB Local, SQS emulator")
	return nil
}

func banner(port, issuerURL string, em *emulator.Emulators, urls queue.URLs, tick, took time.Duration) {
	base := "http://127.0.0.1:" + port
	every := "as the wiring table says (TICK=10s make run to speed up)"
	if tick > 0 {
		every = "every " + tick.String() + " (TICK)"
	}
	fmt.Printf(`
Rapport is running (up in %s)
  API              %s   (every route of the wiring table; GET /dev/outbox for sent email and SMS)
  DynamoDB Local   %s   (data kept in .local/ddb-data; tables rapport-*)
  SQS emulator     %s   (queue %s)
  schedules        %s
  issuer           %s   (OIDC; sign-in page for demo users)
    console client   %s   (authorization code + PKCE, redirect URIs on localhost)
    machine client   %s / %s   (client credentials; local only)
Try:
  curl -s %s/v1/health
  curl -s -X POST %s/v1/surveys/%s/responses -H 'Content-Type: application/json' \
    -d '{"answers":[{"questionId":"nps","value":3}],"comment":"The room was cold"}'
  curl -s -u %s:%s -d grant_type=client_credentials %s/oauth2/token
Ctrl-C stops everything.
`, took.Round(100*time.Millisecond), base, em.DynamoDBEndpoint, em.SQSEndpoint, urls["followups"], every,
		issuerURL, local.ConsoleClientID, local.MachineClientID, local.MachineClientSecret,
		base, base, local.DemoSurveyID, local.MachineClientID, local.MachineClientSecret, issuerURL)
}

func token(args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	role := fs.String("role", "manager", "agent, manager or admin (comma-separated for several): a person's ID token; system: a machine client's access token")
	locations := fs.String("locations", "", `locations, comma-separated; "*" for all (honoured for admin and system); empty for none`)
	sub := fs.String("sub", "", "subject of a person's token (default dev-<role>)")
	ttl := fs.Duration("ttl", 12*time.Hour, "lifetime")
	port := fs.String("port", "", "port of the make run to sign for (default: PORT, else the make run started last, from .local/run.json, else 8080)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	roles := split(*role)
	if len(roles) == 0 {
		return fmt.Errorf("no role (roles: %s)", strings.Join(wiring.AllRoles, ", "))
	}
	for _, r := range roles {
		if !contains(wiring.AllRoles, r) {
			return fmt.Errorf("unknown role %q (roles: %s)", r, strings.Join(wiring.AllRoles, ", "))
		}
	}
	locs := split(*locations)
	for _, l := range locs {
		if l != auth.AllLocations && !auth.LocationID.MatchString(l) {
			return fmt.Errorf("%q is not a location id", l)
		}
	}
	if contains(locs, auth.AllLocations) && len(locs) > 1 {
		return fmt.Errorf(`"*" means every location and goes alone, not with %v`, locs)
	}
	if contains(locs, auth.AllLocations) && !contains(roles, wiring.RoleAdmin) && !contains(roles, wiring.RoleSystem) {
		fmt.Fprintln(os.Stderr, `local token: note: "*" is honoured for admin and system only; the API reads this token as having no location`)
	}
	if *sub == "" {
		*sub = "dev-" + strings.Join(roles, "-")
	}
	issuer, err := local.LoadIssuer(issuerPath())
	if err != nil {
		return err
	}
	base, err := runnerBase(*port)
	if err != nil {
		return err
	}
	issuer.SetBaseURL(base)
	t, err := issuer.Token(*sub, roles, locs, time.Now(), *ttl)
	if err != nil {
		return err
	}
	fmt.Println(t)
	return nil
}

// runnerBase is the URL of the make run a token is for: the port given (flag, then
// PORT), else the make run started last (.local/run.json), else the default port.
func runnerBase(port string) (string, error) {
	if port == "" {
		port = os.Getenv("PORT")
	}
	if port != "" {
		return "http://127.0.0.1:" + port, nil
	}
	b, err := os.ReadFile(lastRunPath())
	if errors.Is(err, os.ErrNotExist) {
		return local.DefaultBaseURL, nil
	}
	if err != nil {
		return "", err
	}
	var st stack
	if err := json.Unmarshal(b, &st); err != nil || st.BaseURL == "" {
		return "", fmt.Errorf("%s holds no baseURL (%v); give -port or PORT=", lastRunPath(), err)
	}
	return st.BaseURL, nil
}

func split(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func invoke(args []string) error {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fn := fs.String("fn", "", "function name (a folder under functions/)")
	event := fs.String("event", "", "event file (JSON)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, ok := wiring.FunctionByName(*fn); !ok {
		return fmt.Errorf("no function %q; functions: %s", *fn, strings.Join(functionNames(), ", "))
	}
	body, err := os.ReadFile(*event)
	if err != nil {
		return err
	}
	return postRunner("/dev/invoke/"+*fn, body)
}

// postRunner posts a JSON body to a /dev route of the running make run, with the
// header that tells it apart from a cross-site form, and prints its answer.
func postRunner(path string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:"+envOr("PORT", "8080")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(local.DevHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("is make run running? %w", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	fmt.Println(strings.TrimSpace(string(out)))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", path, resp.Status)
	}
	return nil
}

func redrive(args []string) error {
	fs := flag.NewFlagSet("redrive", flag.ContinueOnError)
	q := fs.String("queue", "followups", "queue whose DLQ to move back")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return postRunner("/dev/redrive/"+*q, []byte("{}"))
}

// reconcile runs the loyalty reconciliation on the running make run's loyalty table,
// straight against its DynamoDB Local, and fails when an account differs.
func reconcile() error {
	port := envOr("PORT", "8080")
	b, err := os.ReadFile(stackPath(port))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no make run on port %s (no %s); start make run, or set PORT= to its port", port, stackPath(port))
	}
	if err != nil {
		return err
	}
	var st stack
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("%s: %w", stackPath(port), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	clients, err := cloud.Local(ctx, st.DynamoDB, st.SQS, st.Region)
	if err != nil {
		return err
	}
	table := dynamo.Prefixed(st.TablePrefix)("loyalty")
	rep, err := loyalty.Reconcile(ctx, clients.DynamoDB, table)
	if err != nil {
		return fmt.Errorf("reconcile %s at %s (is make run on port %s still running?): %w", table, st.DynamoDB, port, err)
	}
	fmt.Printf("loyalty reconciliation of %s at %s\n  accounts     %d\n  entries      %d\n  differences  %d\n",
		table, st.DynamoDB, rep.Accounts, rep.Entries, len(rep.Differences))
	for _, d := range rep.Differences {
		fmt.Printf("  %s: balance %d + pending %d, ledger sum %d; lots available %d, pending %d\n",
			d.CustomerID, d.Balance, d.Pending, d.LedgerSum, d.LotsAvailable, d.LotsPending)
	}
	if !rep.Clean() {
		return fmt.Errorf("%d of %d loyalty accounts differ from their ledger or lots", len(rep.Differences), rep.Accounts)
	}
	return nil
}

func functionNames() []string {
	var names []string
	for _, f := range wiring.Functions {
		names = append(names, f.Name)
	}
	return names
}

func withEmulators(args []string) (int, error) {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return 0, errors.New("with-emulators needs a command after --")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	em, err := emulator.Start(ctx, emulator.Options{Root: root()})
	cancel()
	if err != nil {
		return 0, err
	}
	defer em.Stop()
	fmt.Fprintf(os.Stderr, "emulators: DynamoDB Local %s, SQS %s\n", em.DynamoDBEndpoint, em.SQSEndpoint)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "RAPPORT_DYNAMODB_ENDPOINT="+em.DynamoDBEndpoint, "RAPPORT_SQS_ENDPOINT="+em.SQSEndpoint)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	go func() {
		for s := range sig {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}
