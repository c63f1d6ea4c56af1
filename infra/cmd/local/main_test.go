package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/emulator"
)

// A make run on a port other than 8080 writes .local/run.json, and token, invoke,
// redrive and reconcile, given no port, reach it through that file; given PORT they go
// there instead, and a make run that is gone is reported as such. The binary runs in a
// checkout of its own (a temporary root sharing node_modules and DynamoDB Local's jar),
// so a developer's own make run and its .local are left alone.
func TestCommandsFindTheMakeRunStartedLast(t *testing.T) {
	repo, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	state := filepath.Join(root, ".local")
	must(t, os.MkdirAll(state, 0o755))
	must(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+emulator.RootModule+"\n"), 0o644))
	must(t, os.Symlink(filepath.Join(repo, "node_modules"), filepath.Join(root, "node_modules")))
	must(t, os.Symlink(filepath.Join(repo, emulator.DynamoDBDir), filepath.Join(root, emulator.DynamoDBDir)))
	bin := filepath.Join(state, "bin", "rapport-local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// PORT=0: the runner listens on a free port, as PORT=9090 make run does on 9090.
	var runOut, runErr bytes.Buffer
	run := exec.Command(bin, "run")
	run.Dir, run.Env, run.Stdout, run.Stderr = root, env("PORT=0", "TICK=1h"), &runOut, &runErr
	must(t, run.Start())
	exited := make(chan struct{})
	go func() { _ = run.Wait(); close(exited) }()
	// Ctrl-C, as make run stops; it stops its emulators too.
	stop := func() {
		_ = run.Process.Signal(syscall.SIGINT)
		<-exited
	}
	t.Cleanup(stop)
	var st local.RunState
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if b, err := os.ReadFile(local.LastRunPath(state)); err == nil && json.Unmarshal(b, &st) == nil {
			break
		}
		select {
		case <-exited:
			t.Fatalf("make run stopped: %v\nstdout:\n%s\nstderr:\n%s", run.ProcessState, runOut.String(), runErr.String())
		default:
		}
		if time.Now().After(deadline) {
			stop() // before reading its output
			t.Fatalf("no .local/run.json after 2 minutes\nstdout:\n%s\nstderr:\n%s", runOut.String(), runErr.String())
		}
	}
	_, port, _ := strings.Cut(strings.TrimPrefix(st.BaseURL, "http://"), ":")
	if port == "" || port == local.DefaultPort {
		t.Fatalf("run.json has baseURL %q, want a free port", st.BaseURL)
	}
	if _, err := os.Stat(local.RunStatePath(state, port)); err != nil {
		t.Errorf("no state for port %s: %v", port, err)
	}

	// The commands as make runs them with no PORT: in the checkout, PORT unset.
	cmd := func(t *testing.T, extra []string, args ...string) (string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c := exec.CommandContext(ctx, bin, args...)
		c.Dir, c.Env = root, env(extra...)
		var stderr bytes.Buffer
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			return string(out) + stderr.String(), err
		}
		return string(out), nil
	}
	ok := func(t *testing.T, args ...string) string {
		t.Helper()
		out, err := cmd(t, nil, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return out
	}

	// Each command must reach this runner, not another make run (on 8080, say): the
	// token verifies only at this runner's issuer, and the invoke and the redrive
	// leave traces only in its data and queues.
	var manager string
	get := func(t *testing.T, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, st.BaseURL+path, nil)
		req.Header.Set("Authorization", "Bearer "+manager)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	t.Run("token", func(t *testing.T) {
		manager = strings.TrimSpace(ok(t, "token", "-role", "manager", "-locations", "loc-1"))
		if status, body := get(t, "/v1/surveys/"+local.DemoSurveyID); status != http.StatusOK {
			t.Fatalf("GET the demo survey with the token: %d, want 200 (a token for %s's issuer): %s", status, st.BaseURL, body)
		}
	})
	t.Run("invoke", func(t *testing.T) {
		out := ok(t, "invoke", "-fn", "surveys-public", "-event", filepath.Join(repo, "events", "apigw-survey-response.json"))
		if !strings.Contains(out, `"statusCode":201`) {
			t.Fatalf("invoke surveys-public with a response: %s", out)
		}
		if status, body := get(t, "/v1/surveys/"+local.DemoSurveyID+"/results"); status != http.StatusOK || !strings.Contains(body, `"responses":1,`) {
			t.Errorf("results at %s after the invoke: %d %s", st.BaseURL, status, body)
		}
	})
	t.Run("redrive", func(t *testing.T) {
		ctx := context.Background()
		clients, err := cloud.Local(ctx, st.DynamoDB, st.SQS, st.Region)
		must(t, err)
		dlq, err := clients.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(st.TablePrefix + "followups-dlq")})
		must(t, err)
		_, err = clients.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: dlq.QueueUrl, MessageBody: aws.String("{}")})
		must(t, err)
		if out := ok(t, "redrive", "-queue", "followups"); strings.TrimSpace(out) != `{"moved":1}` {
			t.Errorf("redrive of the one dead letter: %s", out)
		}
	})
	t.Run("reconcile", func(t *testing.T) {
		if out := ok(t, "reconcile"); !strings.Contains(out, "loyalty reconciliation of rapport-loyalty at "+st.DynamoDB) {
			t.Errorf("reconcile: %s", out)
		}
	})
	t.Run("PORT= wins over run.json", func(t *testing.T) {
		closed := closedPort(t)
		for _, args := range [][]string{
			{"invoke", "-fn", "health", "-event", filepath.Join(repo, "events", "apigw-health.json")},
			{"redrive", "-queue", "followups"},
			{"reconcile"},
		} {
			out, err := cmd(t, []string{"PORT=" + closed}, args...)
			if err == nil || !strings.Contains(out, "127.0.0.1:"+closed) || !strings.Contains(out, "PORT="+closed) {
				t.Errorf("%v with PORT=%s: %v\n%s", args, closed, err, out)
			}
			// The flag, as make passes PORT=, says the same.
			out, err = cmd(t, nil, append(args, "-port", closed)...)
			if err == nil || !strings.Contains(out, "127.0.0.1:"+closed) {
				t.Errorf("%v -port %s: %v\n%s", args, closed, err, out)
			}
		}
		// A token need not reach its make run: it is signed for the issuer on that port.
		tok := strings.TrimSpace(ok(t, "token", "-port", closed))
		if iss := issuerOf(t, tok); iss != "http://127.0.0.1:"+closed+local.IssuerPath {
			t.Errorf("token -port %s has iss %s", closed, iss)
		}
	})

	stop()
	for _, path := range []string{local.LastRunPath(state), local.RunStatePath(state, port)} {
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s is still there after the runner stopped (%v)", path, err)
		}
	}
	if !strings.Contains(runOut.String(), "curl -s "+st.BaseURL+"/v1/health") {
		t.Errorf("the banner does not show the runner's URL %s:\n%s", st.BaseURL, runOut.String())
	}

	t.Run("a make run that is gone", func(t *testing.T) {
		// What a killed make run leaves behind.
		_, err := local.PublishRun(state, port, st)
		must(t, err)
		out, err := cmd(t, nil, "redrive")
		if err == nil || !strings.Contains(out, st.BaseURL) || !strings.Contains(out, "run.json") || !strings.Contains(out, "start make run again") {
			t.Errorf("redrive after the make run died: %v\n%s", err, out)
		}
	})
}

// env is this process's environment without what would choose a make run or leak
// from a make that runs the test, plus extra.
func env(extra ...string) []string {
	e := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"PORT", "TICK", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}, name)
	})
	return append(e, extra...)
}

// closedPort is a port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	return port
}

func issuerOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	var claims struct{ Iss string }
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	must(t, err)
	must(t, json.Unmarshal(b, &claims))
	return claims.Iss
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
