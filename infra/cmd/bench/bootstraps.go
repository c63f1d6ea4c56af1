package main

import (
	"bytes"
	"fmt"
	"go/format"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/wiring"
)

const (
	// sizeBudget is the most a stripped linux/arm64 bootstrap should weigh, in bytes.
	sizeBudget = 10_000_000
	// initBudget is the most a function's cold init may take over its SDK baseline's.
	initBudget = 1.3

	functionPrefix = "github.com/rapport-crm/rapport/functions/"
	sharedPrefix   = "github.com/rapport-crm/rapport/shared/"
	servicePrefix  = "github.com/aws/aws-sdk-go-v2/service/"
	configPackage  = "github.com/aws/aws-sdk-go-v2/config"

	nextPath    = "/2018-06-01/runtime/invocation/next"
	startLimit  = 30 * time.Second
	benchRegion = "us-east-1"
)

// program is one main package the bench builds twice, with the Makefile's flags: for
// Lambda (linux/arm64, whose size is the figure) and for this machine (to start it).
type program struct {
	name     string
	dir, pkg string // go build runs in dir on pkg
	env      map[string]string
	deployed string // the linux/arm64 bootstrap
	native   string // the same code built for this machine
	links    string // what a baseline links, for the table
	size     int64
	starts   int
	inits    []time.Duration
	failure  string         // why it did not reach the Runtime API, if it did not
	outside  map[string]int // requests that tried to leave the machine during init, by target
}

// function is a wiring row's program with its SDK baseline and what it links.
type function struct {
	program
	sdk    *program
	shared []string
}

// bootstraps measures every function's bootstrap: its size as deployed and its cold
// init (process start to the first GET /next of a fake Runtime API), next to a
// hello-world and to a baseline creating the same SDK clients, built and started in
// the same run, interleaved, so that the machine's noise hits all of them alike.
func bootstraps() error {
	// 41 starts: with 15, the medians of the same code moved by up to 0.3x between runs
	// on the shared 2-core machine, more than the differences they are read for.
	starts := 41
	if v, err := strconv.Atoi(os.Getenv("BENCH_STARTS")); err == nil && v > 0 {
		starts = v
	}
	root, err := emulator.RepoRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "rapport-bench-bootstraps")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	deps, err := goDeps(root, "./functions/...")
	if err != nil {
		return err
	}
	baseDir := filepath.Join(dir, "baseline")
	hello := &program{name: "hello-world", dir: baseDir, pkg: "./hello", links: "aws-lambda-go only"}
	if err := writeMain(baseDir, "hello", []byte(helloMain)); err != nil {
		return err
	}
	baselines := []*program{hello}
	sdks := map[string]*program{} // by the services they create
	var fns []*function
	for _, row := range wiring.Functions {
		d, ok := deps[functionPrefix+row.Name]
		if !ok {
			return fmt.Errorf("no package functions/%s for wiring row %s", row.Name, row.Name)
		}
		services := sdkServices(d, nil)
		key := strings.Join(services, " ")
		sdk, ok := sdks[key]
		if !ok {
			name := fmt.Sprintf("sdk-%d", len(sdks)+1)
			if err := writeMain(baseDir, name, sdkMain(services)); err != nil {
				return err
			}
			sdk = &program{name: name, dir: baseDir, pkg: "./" + name, links: "env credentials + " + key}
			sdks[key] = sdk
			baselines = append(baselines, sdk)
		}
		fns = append(fns, &function{
			program: program{name: row.Name, dir: root, pkg: "./functions/" + row.Name, env: functionEnv(row, filepath.Join(dir, "keys"))},
			sdk:     sdk, shared: sharedPackages(d),
		})
	}
	if err := baselineModule(root, baseDir); err != nil {
		return err
	}

	all := slices.Concat(baselines, functionPrograms(fns))
	fmt.Fprintf(os.Stderr, "bench: building %d programs for linux/arm64 and %s/%s\n", len(all), runtime.GOOS, runtime.GOARCH)
	for _, p := range all {
		if err := p.build(dir); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "bench: starting each %d times (and once to warm up)\n", starts)
	measureInits(all, starts)
	printBootstraps(os.Stdout, baselines, fns, starts)
	return nil
}

// goDeps lists each package's transitive dependencies as a linux/arm64 Lambda build sees them.
func goDeps(dir string, patterns ...string) (map[string][]string, error) {
	args := append([]string{"list", "-tags", "lambda.norpc", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v\n%s", err, stderr.Bytes())
	}
	return parseDeps(string(out)), nil
}

// parseDeps reads go list lines of "<package> <dep> <dep>...".
func parseDeps(out string) map[string][]string {
	deps := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			deps[f[0]] = f[1:]
		}
	}
	return deps
}

// sdkServices are the AWS SDK service clients a program links beyond those the
// configuration loader brings itself (STS, SSO for credentials): the clients the
// program creates. Sub-packages (types, internal helpers) are not clients.
func sdkServices(deps, loaderDeps []string) []string {
	var out []string
	for _, d := range deps {
		name, ok := strings.CutPrefix(d, servicePrefix)
		if !ok || strings.Contains(name, "/") || slices.Contains(loaderDeps, d) {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// sharedPackages are the Rapport packages a program links, by their path under shared/.
func sharedPackages(deps []string) []string {
	var out []string
	for _, d := range deps {
		if name, ok := strings.CutPrefix(d, sharedPrefix); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

const helloMain = `// Command hello is the bench's smallest Go Lambda function: the runtime client and a trivial handler.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context) (string, error) { return "hello", nil })
}
`

var notIdent = regexp.MustCompile(`[^A-Za-z0-9_]`)

// sdkMain is the source of a baseline that makes the AWS configuration as a function
// does in Lambda (shared/cloud.FromEnvironment: the region and the role's credentials
// from the environment) and creates one client of each service, as a function does at
// cold start, then serves a trivial handler.
func sdkMain(services []string) []byte {
	var imports, clients strings.Builder
	for _, s := range services {
		alias := notIdent.ReplaceAllString(s, "")
		fmt.Fprintf(&imports, "\t%s %q\n", alias, servicePrefix+s)
		fmt.Fprintf(&clients, "\t\t%s.NewFromConfig(cfg),\n", alias)
	}
	src := fmt.Sprintf(`// Command sdk is a bench baseline: the AWS configuration and the SDK clients of a function, then a trivial handler.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
%s)

func main() {
	cfg := aws.Config{Region: os.Getenv("AWS_REGION"), Credentials: credentials.NewStaticCredentialsProvider(
		os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_SESSION_TOKEN"))}
	clients := []any{
%s	}
	lambda.Start(func(context.Context) (int, error) { return len(clients), nil })
}
`, imports.String(), clients.String())
	if b, err := format.Source([]byte(src)); err == nil {
		return b
	}
	return []byte(src) // the build reports the error with line numbers
}

func writeMain(dir, name string, src []byte) error {
	if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name, "main.go"), src, 0o644)
}

// baselineModule makes the baselines' directory a module with the repository's own
// requirements, so that they link the very versions the functions link.
func baselineModule(root, dir string) error {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return err
	}
	mod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(mod, []byte("module rapport.bench/baseline"))
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), mod, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
}

// build builds p as make build does, for Lambda and for this machine.
func (p *program) build(dir string) error {
	p.deployed = filepath.Join(dir, "arm64", p.name, "bootstrap")
	p.native = filepath.Join(dir, runtime.GOARCH, p.name, "bootstrap")
	for _, b := range []struct{ out, goos, goarch string }{{p.deployed, "linux", "arm64"}, {p.native, runtime.GOOS, runtime.GOARCH}} {
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", b.out, p.pkg)
		cmd.Dir = p.dir
		cmd.Env = append(os.Environ(), "GOOS="+b.goos, "GOARCH="+b.goarch, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s for %s/%s: %v\n%s", p.name, b.goos, b.goarch, err, out)
		}
	}
	st, err := os.Stat(p.deployed)
	if err != nil {
		return err
	}
	p.size = st.Size()
	return nil
}

// functionEnv is a row's environment as the local runner gives it, except that the
// places it names (queues, the API) are hosts off this machine, so that reaching one
// during init goes through the recording proxy (start) instead of a local port.
func functionEnv(row wiring.Function, keyDir string) map[string]string {
	names := dynamo.Prefixed("bench-")
	queueURL := func(q string) string {
		return "https://sqs." + benchRegion + ".amazonaws.com/000000000000/" + names(q)
	}
	env := row.Environment(names, queueURL, "https://api.rapport.example", keyring.LocalRefs(keyDir))
	if _, ok := env[local.WebhookAllowPrivate]; ok {
		env[local.WebhookAllowPrivate] = "true"
	}
	env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(row.MemoryMB)
	return env
}

// measureInits starts every program once to warm up (key files, the page cache), then n
// more times, round after round, so that each round starts every program once.
func measureInits(all []*program, n int) {
	for round := 0; round <= n; round++ {
		for _, p := range all {
			if p.failure != "" {
				continue
			}
			d, err := p.start()
			p.starts++
			if err != nil {
				p.failure = err.Error()
				continue
			}
			if round > 0 {
				p.inits = append(p.inits, d)
			}
		}
	}
}

// runtimeAPI is a fake Lambda Runtime API for one start. It notes when the first GET
// /next arrives and holds it until the process is stopped. As the process's proxy, it
// also answers every request meant for another host with 403 and records it: a
// function must initialise without the network.
type runtimeAPI struct {
	addr    string
	next    chan time.Time
	release chan struct{}
	mu      sync.Mutex
	outside []string
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Host == "" && r.Method == http.MethodGet && r.URL.Path == nextPath:
		select {
		case a.next <- time.Now():
		default:
		}
		select {
		case <-r.Context().Done():
		case <-a.release:
		}
		http.Error(w, "the bench stops here", http.StatusServiceUnavailable)
	case r.URL.Host == "" && strings.HasPrefix(r.URL.Path, "/2018-06-01/"):
		w.WriteHeader(http.StatusAccepted) // init errors show in the process's exit
	default:
		a.mu.Lock()
		a.outside = append(a.outside, r.Method+" "+r.Host)
		a.mu.Unlock()
		http.Error(w, "no network during a cold-start measurement", http.StatusForbidden)
	}
}

// listen serves a fresh fake Runtime API on loopback; stop ends it and adds to p the
// requests that tried to leave the machine.
func (p *program) listen() (api *runtimeAPI, stop func()) {
	api = &runtimeAPI{next: make(chan time.Time, 1), release: make(chan struct{})}
	srv := httptest.NewServer(api)
	api.addr = srv.Listener.Addr().String()
	return api, func() {
		close(api.release)
		srv.Close()
		api.mu.Lock()
		defer api.mu.Unlock()
		for _, o := range api.outside {
			if p.outside == nil {
				p.outside = map[string]int{}
			}
			p.outside[o]++
		}
	}
}

// start runs the program's native build until its first GET /next and returns the time
// from starting the process to that request.
func (p *program) start() (time.Duration, error) {
	api, stop := p.listen()
	defer stop()
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + api.addr,
		"AWS_LAMBDA_FUNCTION_NAME=" + p.name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_REGION=" + benchRegion,
		"AWS_DEFAULT_REGION=" + benchRegion,
		"AWS_ACCESS_KEY_ID=AKIDBENCH",
		"AWS_SECRET_ACCESS_KEY=bench",
		"AWS_SESSION_TOKEN=bench",
		"TZ=:UTC",
		// The runtime client's loopback address is never proxied; everything else is.
		"HTTPS_PROXY=http://" + api.addr,
		"HTTP_PROXY=http://" + api.addr,
	}
	for k, v := range p.env {
		env = append(env, k+"="+v)
	}
	var out bytes.Buffer
	cmd := exec.Command(p.native)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	var d time.Duration
	var err error
	select {
	case at := <-api.next:
		d = at.Sub(begin)
	case werr := <-exited:
		exited <- werr
		err = fmt.Errorf("exited before its first GET /next (%v): %s", werr, firstLine(out.String()))
	case <-time.After(startLimit):
		err = fmt.Errorf("no GET /next within %s", startLimit)
	}
	_ = cmd.Process.Kill()
	<-exited
	return d, err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// median of the durations; 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// breaches names the budgets a function exceeds and by how much; ratio 0 is unknown.
func breaches(size int64, ratio float64) string {
	var out []string
	if size > sizeBudget {
		out = append(out, fmt.Sprintf("size +%.1f MB", float64(size-sizeBudget)/1e6))
	}
	if ratio > initBudget {
		out = append(out, fmt.Sprintf("init %.2fx", ratio))
	}
	return strings.Join(out, ", ")
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

func printBootstraps(w io.Writer, baselines []*program, fns []*function, starts int) {
	fmt.Fprintf(w, "Lambda bootstraps: size as deployed (linux/arm64, -s -w, as make build; budget %s) and cold init, from process\n", mb(sizeBudget))
	fmt.Fprintf(w, "start to the first GET /next of a fake Runtime API, median of %d interleaved starts of %s/%s builds of the same\n", starts, runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "code on this machine (budget %.1fx the function's SDK baseline: the configuration and the same SDK clients).\n\n", initBudget)
	fmt.Fprintf(w, "%-20s %9s %10s  %s\n", "baseline", "size", "init p50", "what it links")
	for _, p := range baselines {
		fmt.Fprintf(w, "%-20s %9s %10s  %s\n", p.name, mb(p.size), initText(p), p.links)
	}
	fmt.Fprintf(w, "\n%-20s %9s %9s %10s %10s %7s  %s\n", "function", "size", "SDK base", "init p50", "SDK p50", "ratio", "over budget")
	over := 0
	for _, f := range fns {
		ratio, ratioText := 0.0, "-"
		if f.failure == "" && f.sdk.failure == "" {
			ratio = float64(median(f.inits)) / float64(median(f.sdk.inits))
			ratioText = fmt.Sprintf("%.2fx", ratio)
		}
		b := breaches(f.size, ratio)
		if b != "" {
			over++
		}
		fmt.Fprintf(w, "%-20s %9s %9s %10s %10s %7s  %s\n", f.name, mb(f.size), mb(f.sdk.size), initText(&f.program), initText(f.sdk), ratioText, b)
	}
	fmt.Fprintf(w, "%d of %d functions over a budget.\n", over, len(fns))

	fmt.Fprintln(w, "\nInit failures and requests that tried to leave the machine during init:")
	quiet := true
	for _, p := range slices.Concat(baselines, functionPrograms(fns)) {
		if p.failure != "" {
			fmt.Fprintf(w, "  %s: %s\n", p.name, p.failure)
			quiet = false
		}
		for _, o := range slices.Sorted(maps.Keys(p.outside)) {
			fmt.Fprintf(w, "  %s: %s, %d times in %d starts\n", p.name, o, p.outside[o], p.starts)
			quiet = false
		}
	}
	if quiet {
		fmt.Fprintln(w, "  none")
	}

	fmt.Fprintln(w, "\nRapport packages each function links (shared/...):")
	for _, f := range fns {
		fmt.Fprintf(w, "%-20s %s\n", f.name, strings.Join(f.shared, " "))
	}
}

func initText(p *program) string {
	if p.failure != "" {
		return "failed"
	}
	return ms(median(p.inits))
}

func functionPrograms(fns []*function) []*program {
	out := make([]*program, len(fns))
	for i, f := range fns {
		out[i] = &f.program
	}
	return out
}
