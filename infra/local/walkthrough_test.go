package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// liveRun is a runner as make run builds it (Provision's tables, queues and seeds, the
// schedules and pollers running, the system clock), on a free port over the test
// emulators, signing with make run's key so that make token's tokens verify, and
// published in .local/run-<port>.json so that make reconcile finds it with PORT=.
type liveRun struct {
	repo, port, base string
	issuer           *local.Issuer
}

func startLiveRun(t *testing.T) *liveRun {
	t.Helper()
	repo, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ddb, sqsEndpoint := testenv.Endpoints(t)
	clients, err := cloud.Local(ctx, ddb, sqsEndpoint, testenv.Region)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "w" + strings.ToLower(id.New(time.Now())[14:]) + "-"
	names := dynamo.Prefixed(prefix)
	urls, err := local.Provision(ctx, clients, names, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := local.LoadIssuer(filepath.Join(repo, ".local", "dev-issuer.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	base := "http://127.0.0.1:" + port
	r, err := local.New(local.Config{Clients: clients, Names: names, Queues: urls, Region: testenv.Region, Issuer: issuer,
		Clock: clock.System{}, PollWait: 1, PublicURL: base, KeyDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	wait, err := r.Start(runCtx)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: r.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(); cancel(); wait() })

	// Only this port's file: .local/run.json stays a developer's own make run's.
	state, err := json.Marshal(local.RunState{DynamoDB: ddb, SQS: sqsEndpoint, Region: testenv.Region, TablePrefix: prefix,
		BaseURL: base, Issuer: issuer.URL()})
	if err != nil {
		t.Fatal(err)
	}
	path := local.RunStatePath(filepath.Join(repo, ".local"), port)
	if err := os.WriteFile(path, state, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(path) })
	return &liveRun{repo: repo, port: port, base: base, issuer: issuer}
}

// bash runs a script in the checkout's root as a developer's shell would, with PORT
// naming this runner for the make targets, and returns its stdout.
func (l *liveRun) bash(t *testing.T, script string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = l.repo
	// Make's own variables and those of the make that may run this test stay out.
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PORT", "ROLE", "LOCATIONS", "FN", "EVENT", "QUEUE", "TICK"}, name)
	}), "PORT="+l.port)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// step is one command group of the walk-through and the output the README shows for it.
type step struct {
	line    int    // in README.md
	command string // one or more lines
	want    string // "" when the README shows no output; … stands for anything
	twice   bool   // the README says the output comes twice, the same
}

// outputComment tells a comment showing output (# {…}, # 201, # HTTP/1.1 …, and
// continuations indented under it) from prose.
var outputComment = regexp.MustCompile(`^# ([{\[]|HTTP/|\d{3}\b)|^#  `)

// annotation is a remark after shown output: `# {…}   (twice, the same entry)`.
var annotation = regexp.MustCompile(`\s{2,}\((.*)\)$`)

// walkThrough reads the README's walk-through: its one sh block, split into steps.
func walkThrough(t *testing.T, repo string) (apiLine string, steps []step) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "\n## Walk-through\n")
	if start < 0 {
		t.Fatal("README.md has no ## Walk-through")
	}
	first := strings.Count(text[:start], "\n") + 2
	lines := strings.Split(text[start:], "\n")
	i := slices.Index(lines, "```sh")
	if i < 0 {
		t.Fatal("the walk-through has no ```sh block")
	}
	var cur *step
	for i++; i < len(lines) && lines[i] != "```"; i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "API="):
			apiLine = l
		case strings.TrimSpace(l) == "":
			cur = nil
		case strings.HasPrefix(l, "#"):
			if cur == nil || !outputComment.MatchString(l) {
				cur = nil // prose
				continue
			}
			w := strings.TrimLeft(strings.TrimPrefix(l, "#"), " ")
			if m := annotation.FindStringSubmatch(w); m != nil {
				cur.twice = cur.twice || strings.Contains(m[1], "twice")
				w = strings.TrimSuffix(w, m[0])
			}
			cur.want += w
		default:
			if cur == nil || steps[len(steps)-1].want != "" {
				steps = append(steps, step{line: first + i - 1})
			}
			cur = &steps[len(steps)-1]
			cur.command += l + "\n"
		}
	}
	return apiLine, steps
}

// matches tells whether got (one line) is want with … standing for anything.
func matches(want, got string) bool {
	parts := strings.Split(want, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`^` + strings.Join(parts, `.*`) + `$`).MatchString(got)
}

// The README's walk-through runs top to bottom, as written but for its first line, on
// a port other than 8080, and every output it shows is what comes back: status codes
// exactly, JSON with … standing for what differs from run to run.
func TestReadmeWalkThrough(t *testing.T) {
	run := startLiveRun(t)
	apiLine, steps := walkThrough(t, run.repo)
	if !strings.HasPrefix(apiLine+" ", "API="+local.DefaultBaseURL+" ") {
		t.Fatalf("the walk-through's first line is %q, want API=%s", apiLine, local.DefaultBaseURL)
	}
	if len(steps) < 20 {
		t.Fatalf("read %d steps from the walk-through; the parser lost some", len(steps))
	}
	var script strings.Builder
	script.WriteString("set -e\nAPI=" + run.base + "\n")
	for i, s := range steps {
		// Every URL goes through $API: the walk-through works on any port.
		if strings.Contains(s.command, "127.0.0.1:8080") || strings.Contains(s.command, "localhost:8080") {
			t.Errorf("README.md:%d names port 8080 instead of $API:\n%s", s.line, s.command)
		}
		fmt.Fprintf(&script, "echo '@@step %d@@'\n%s", i, s.command)
	}
	script.WriteString("echo '@@end@@'\n")
	stdout, stderr, err := run.bash(t, script.String())
	outputs := regexp.MustCompile(`(?m)^@@step (\d+)@@\n`).Split(stdout, -1)[1:]
	if err != nil || !strings.HasSuffix(stdout, "@@end@@\n") || len(outputs) == 0 {
		if len(outputs) == 0 {
			t.Fatalf("the walk-through did not start (%v):\n%s\nstderr:\n%s", err, stdout, stderr)
		}
		last := steps[len(outputs)-1]
		t.Fatalf("the walk-through stopped at README.md:%d (%v):\n%s\noutput:\n%s\nstderr:\n%s", last.line, err, last.command, outputs[len(outputs)-1], stderr)
	}
	outputs[len(outputs)-1] = strings.TrimSuffix(outputs[len(outputs)-1], "@@end@@\n")
	if len(outputs) != len(steps) {
		t.Fatalf("%d outputs for %d steps", len(outputs), len(steps))
	}
	checked := 0
	for i, s := range steps {
		if s.want == "" {
			continue
		}
		checked++
		want := strings.ReplaceAll(s.want, local.DefaultBaseURL, run.base)
		var lines []string
		for _, l := range strings.Split(outputs[i], "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		// The output shown is the step's last line (make invoke, say, prints more before).
		n := 1
		if s.twice {
			n = 2
		}
		if len(lines) < n {
			t.Errorf("README.md:%d printed %d lines, want %d:\n%s", s.line, len(lines), n, outputs[i])
			continue
		}
		got := lines[len(lines)-n:]
		if s.twice && got[0] != got[1] {
			t.Errorf("README.md:%d: the two replies differ:\n%s\n%s", s.line, got[0], got[1])
		}
		for _, g := range got {
			if !matches(want, g) {
				t.Errorf("README.md:%d:\n%s\nprints\n  %s\nwhere the README shows\n  %s", s.line, s.command, g, s.want)
			}
		}
	}
	if checked < 15 {
		t.Errorf("checked %d outputs; the README shows more", checked)
	}
	if t.Failed() {
		t.Logf("stderr:\n%s", stderr)
	}
}

// Every command make run's banner offers to try works, on any port.
func TestBannerExamples(t *testing.T) {
	run := startLiveRun(t)
	examples := local.Examples(run.base, run.issuer.URL())
	want := []string{
		`^\{"status":"ok"\}$`,
		`^\{"responseId":"[^"]+","score":\{"nps":3,"npsCategory":"detractor".*\}$`,
		`^\{"access_token":"eyJ[^"]+","expires_in":3600,"token_type":"Bearer"\}$`,
	}
	if len(examples) != len(want) {
		t.Fatalf("the banner has %d examples; this test knows %d", len(examples), len(want))
	}
	var banner bytes.Buffer
	local.Banner{BaseURL: run.base, IssuerURL: run.issuer.URL()}.Print(&banner)
	for i, ex := range examples {
		if !strings.Contains(banner.String(), "  "+strings.ReplaceAll(ex, "\n", "\n  ")+"\n") {
			t.Errorf("the banner does not show example %d:\n%s", i, banner.String())
		}
		if strings.Contains(ex, "8080") {
			t.Errorf("example %d names port 8080: %s", i, ex)
		}
		out, stderr, err := run.bash(t, ex)
		if err != nil || !regexp.MustCompile(want[i]).MatchString(strings.TrimSpace(out)) {
			t.Errorf("example %d:\n%s\nprints %s (%v; %s), want %s", i, ex, out, err, stderr, want[i])
		}
	}
}

// make token ROLE=admin LOCATIONS= (an admin with no locations) gives a token with no
// custom:locations claim that the runner accepts: the empty value reaches the flag.
func TestMakeTokenAdminWithoutLocations(t *testing.T) {
	run := startLiveRun(t)
	out, stderr, err := run.bash(t, "make -s token ROLE=admin LOCATIONS=")
	if err != nil {
		t.Fatalf("make -s token ROLE=admin LOCATIONS=: %v\n%s", err, stderr)
	}
	tok := strings.TrimSpace(out)
	cl := claims(t, tok)
	if _, ok := cl["custom:locations"]; ok || asJSON(cl["cognito:groups"]) != `["admin"]` || cl["iss"] != run.issuer.URL() {
		t.Errorf("claims %v, want an admin's, no custom:locations, iss %s", cl, run.issuer.URL())
	}
	req, err := http.NewRequest(http.MethodGet, run.base+"/v1/locations", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		t.Errorf("the runner refuses the token: %d", resp.StatusCode)
	}
	var exit *exec.ExitError
	if _, stderr, err := run.bash(t, "make -s token ROLE=nobody LOCATIONS="); !errors.As(err, &exit) || !strings.Contains(stderr, `unknown role "nobody"`) {
		t.Errorf("an unknown role: %v %s", err, stderr)
	}
}
