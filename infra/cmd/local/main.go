// Command local runs Rapport on a laptop: `run` starts the emulators and every
// function behind one HTTP server; `token` prints a development JWT; `invoke` fires one
// function with a sample event; `redrive` moves dead letters back; `reconcile` checks the
// loyalty ledger of the running stack; `with-emulators` runs a command (the tests)
// against fresh emulators on free ports. token, invoke, redrive and reconcile find the
// running make run the same way (local.FindRun): -port, else PORT, else the make run
// started last (.local/run.json), else port 8080.
package main

import (
	"bytes"
	"cmp"
	"context"
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
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/wiring"
)

const usage = `usage: local <command>
  run [-console <dir>]               start everything (PORT, default 8080; TICK overrides schedules),
                                     the staff console's build served at / (default console/dist)
  token -role manager -locations loc-1   print a development token for the running make run
  invoke -fn <name> -event <file>    fire one function once through the running make run
  redrive -queue followups           move the queue's DLQ messages back, through the running make run
                                     (emails, texts: their own, from the deliveries-dlq they share)
  reconcile                          check loyalty balances against ledger and lots in the running make run's DynamoDB Local
  with-emulators -- <command...>     run a command against fresh emulators
token, invoke, redrive and reconcile take -port; without it they use PORT, else the
make run started last (.local/run.json), else port 8080.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = run(os.Args[2:])
	case "token":
		err = token(os.Args[2:])
	case "invoke":
		err = invoke(os.Args[2:])
	case "redrive":
		err = redrive(os.Args[2:])
	case "reconcile":
		err = reconcile(os.Args[2:])
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

// stateDir is where a running make run publishes its state (local.PublishRun):
// DynamoDB Local listens on a free port and the runner on PORT, and the other commands
// find both there.
func stateDir() string { return filepath.Join(root(), ".local") }

// findRun is the make run a command talks to: -port (given), else PORT, else the make
// run started last, else the default port.
func findRun(port string) (local.Run, error) {
	return local.FindRun(stateDir(), cmp.Or(port, os.Getenv("PORT")))
}

// portFlag is the -port flag every command that talks to a make run takes.
func portFlag(fs *flag.FlagSet) *string {
	return fs.String("port", "", "port of the make run to talk to (default: PORT, else the make run started last, from .local/run.json, else 8080)")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	consoleDir := fs.String("console", filepath.Join(root(), "console", "dist"), "the staff console's build (make console), served at /")
	if err := fs.Parse(args); err != nil {
		return err
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	port := envOr("PORT", local.DefaultPort)
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
		KeyDir: filepath.Join(root(), ".local", "keys"), ConsoleDir: *consoleDir})
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
	unpublish, err := local.PublishRun(stateDir(), port, local.RunState{DynamoDB: em.DynamoDBEndpoint, SQS: em.SQSEndpoint, Region: em.Region,
		TablePrefix: tablePrefix, BaseURL: base, Issuer: issuer.URL()})
	if err != nil {
		return err
	}
	defer unpublish()
	// An emulator that dies is not restarted (emulator.Emulators.Died says why): the
	// runner says which one and how it ended, stops everything and exits non-zero.
	died := make(chan error, 1)
	go func() {
		select {
		case err := <-em.Died():
			fmt.Fprintf(os.Stderr, "\nlocal run: an emulator died; stopping everything\n")
			died <- err
			stop()
		case <-ctx.Done():
		}
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	// The dispatcher's first run now rather than a tick later, as EventBridge would
	// within the minute: deep health then judges a heartbeat from this run.
	if _, err := r.Invoke(ctx, "followup-dispatcher", local.ScheduledEvent(clk.Now(), "followup-dispatcher")); err != nil {
		slog.Warn("first dispatcher run failed", "error", err.Error())
	}
	// Each periodic job's first run now too, so that the daily ones run in a make run
	// shorter than their day.
	for _, row := range wiring.Functions {
		if s := row.Trigger.Schedule; s != nil && s.Job {
			if _, err := r.Invoke(ctx, row.Name, local.ScheduledEvent(clk.Now(), row.Name)); err != nil {
				slog.Warn("first run failed", "function", row.Name, "error", err.Error())
			}
		}
	}
	verdict, healthy := local.HealthVerdict(ctx, base, issuer, clk.Now())
	if !healthy {
		fmt.Fprintln(os.Stderr, "local run: deep health is failing:", verdict)
	}
	local.Banner{BaseURL: base, IssuerURL: issuer.URL(), DynamoDB: em.DynamoDBEndpoint, SQS: em.SQSEndpoint,
		FollowupsQueue: urls["followups"], ConsoleBuilt: local.ConsoleBuilt(*consoleDir), Tick: tick, Took: time.Since(started), Health: verdict}.Print(os.Stdout)
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	wait()
	select {
	case err := <-died:
		return fmt.Errorf("stopped because %w\nstart make run again", err)
	default:
	}
	fmt.Fprintln(os.Stderr, "stopped: runner, DynamoDB Local, SQS emulator")
	return nil
}

func token(args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	role := fs.String("role", "manager", "agent, manager or admin (comma-separated for several): a person's ID token; system: a machine client's access token")
	locations := fs.String("locations", "", `locations, comma-separated; "*" for all (honoured for admin and system); empty for none`)
	sub := fs.String("sub", "", "subject of a person's token (default dev-<role>)")
	ttl := fs.Duration("ttl", 12*time.Hour, "lifetime")
	port := portFlag(fs)
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
		if l != auth.AllLocations && !id.Valid(l) {
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
	run, err := findRun(*port)
	if err != nil {
		return err
	}
	// The token is for that make run's issuer; it need not be running yet.
	issuer.SetBaseURL(run.BaseURL)
	t, err := issuer.Token(*sub, roles, locs, time.Now(), *ttl)
	if err != nil {
		return err
	}
	fmt.Println(t)
	return nil
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
	port := portFlag(fs)
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
	return postRunner(*port, "/dev/invoke/"+*fn, body)
}

// postRunner posts a JSON body to a /dev route of the running make run, with the
// header that tells it apart from a cross-site form, and prints its answer.
func postRunner(port, path string, body []byte) error {
	run, err := findRun(port)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, run.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(local.DevHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return notRunning(run, err)
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
	q := fs.String("queue", "followups", "queue whose messages to move back from its DLQ")
	port := portFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return postRunner(*port, "/dev/redrive/"+*q, []byte("{}"))
}

// notRunning explains a make run that does not answer, and how it was chosen.
func notRunning(run local.Run, err error) error {
	hint := "start make run, or give PORT= of the one running"
	switch {
	case strings.HasPrefix(run.From, "PORT="):
		hint = "start one with " + run.From + " make run, or give the PORT= of the one running"
	case run.Published:
		hint = run.Path + " was left by a make run that is gone (killed?): start make run again, or give PORT= of the one running"
	}
	return fmt.Errorf("no make run answers at %s (%s): %w; %s", run.BaseURL, run.From, err, hint)
}

// reconcile runs the loyalty reconciliation on the running make run's loyalty table,
// straight against its DynamoDB Local, and fails when an account differs.
func reconcile(args []string) error {
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	port := portFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	run, err := findRun(*port)
	if err != nil {
		return err
	}
	if !run.Published {
		return fmt.Errorf("no make run at %s (%s) has published its DynamoDB Local endpoint in .local; start make run, or give PORT= of the one running", run.BaseURL, run.From)
	}
	st := run.RunState
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	clients, err := cloud.Local(ctx, st.DynamoDB, st.SQS, st.Region)
	if err != nil {
		return err
	}
	table := dynamo.Prefixed(st.TablePrefix)("loyalty")
	rep, err := loyalty.Reconcile(ctx, clients.DynamoDB, table)
	if err != nil {
		return fmt.Errorf("reconcile %s at %s (the DynamoDB Local of the make run at %s, %s; is it still running?): %w", table, st.DynamoDB, st.BaseURL, run.From, err)
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
