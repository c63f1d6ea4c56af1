package emulator

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if mod, err := modulePath(filepath.Join(root, "go.mod")); err != nil || mod != RootModule {
		t.Fatalf("RepoRoot() = %s, whose go.mod declares %q (%v)", root, mod, err)
	}
	wd, _ := os.Getwd()
	if !strings.HasPrefix(wd, root) {
		t.Fatalf("RepoRoot() = %s, not above the working directory %s", root, wd)
	}
}

func TestModulePath(t *testing.T) {
	tests := []struct{ name, gomod, want string }{
		{"plain", "module github.com/rapport-crm/rapport\n\ngo 1.26\n", RootModule},
		{"comment first", "// Rapport\nmodule github.com/rapport-crm/rapport // root\n", RootModule},
		{"quoted", "module \"github.com/rapport-crm/rapport/infra\"\n", RootModule + "/infra"},
		{"not a module line", "modules x\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "go.mod")
			if err := os.WriteFile(path, []byte(tt.gomod), 0o644); err != nil {
				t.Fatal(err)
			}
			if got, err := modulePath(path); err != nil || got != tt.want {
				t.Fatalf("modulePath = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestStartMissingTools(t *testing.T) {
	_, err := Start(t.Context(), Options{Root: t.TempDir()})
	if err == nil {
		t.Fatal("Start with no tools installed succeeded")
	}
	for _, want := range []string{"make tools", "DynamoDBLocal.jar", "fauxqs"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestEmulators(t *testing.T) {
	ctx := t.Context()
	begin := time.Now()
	e, err := Start(ctx, Options{Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("started both in %v: dynamodb %s, sqs %s", time.Since(begin).Round(time.Millisecond), e.DynamoDBEndpoint, e.SQSEndpoint)
	pids := e.pids()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			e.Stop()
		}
	})

	t.Run("both answer", func(t *testing.T) {
		assertDynamoDB(t, e.DynamoDBEndpoint)
		assertSQS(t, e.SQSEndpoint)
	})

	t.Run("sqs restarts on the same port", func(t *testing.T) {
		before := e.SQSEndpoint
		sqsPid := e.sqs.cmd.Process.Pid
		if err := e.StopSQS(); err != nil {
			t.Fatal(err)
		}
		if alive(sqsPid) {
			t.Errorf("fauxqs (pid %d) still running after StopSQS", sqsPid)
		}
		if _, err := http.Get(before + "/health"); err == nil {
			t.Errorf("%s still answers after StopSQS", before)
		}
		if err := e.StartSQS(ctx); err != nil {
			t.Fatal(err)
		}
		if e.SQSEndpoint != before {
			t.Fatalf("SQSEndpoint = %s after restart, was %s", e.SQSEndpoint, before)
		}
		assertSQS(t, e.SQSEndpoint)
		assertDynamoDB(t, e.DynamoDBEndpoint)
		pids = e.pids()
	})

	t.Run("stop leaves no child", func(t *testing.T) {
		if err := e.Stop(); err != nil {
			t.Fatal(err)
		}
		stopped = true
		for _, pid := range pids {
			if alive(pid) {
				t.Errorf("child pid %d still running after Stop", pid)
			}
		}
		if err := e.Stop(); err != nil {
			t.Errorf("second Stop: %v", err)
		}
	})
}

func TestStartDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ddb")
	e, err := Start(t.Context(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	assertDynamoDB(t, e.DynamoDBEndpoint)
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("DataDir not created: %v", err)
	}
}

// TestPortTaken starts each emulator on a port where another HTTP server listens:
// Start must notice that the answers come from someone else and that its child
// could not bind, and fail fast instead of handing out the wrong endpoint.
func TestPortTaken(t *testing.T) {
	for _, name := range []string{"dynamodb", "sqs"} {
		t.Run(name, func(t *testing.T) {
			squatter := httptest.NewUnstartedServer(http.NotFoundHandler())
			l, err := net.Listen("tcp", ":0")
			if err != nil {
				t.Fatal(err)
			}
			squatter.Listener = l
			squatter.Start()
			defer squatter.Close()
			o := Options{Log: testLog{t}}
			if name == "dynamodb" {
				o.DynamoDBPort = l.Addr().(*net.TCPAddr).Port
			} else {
				o.SQSPort = l.Addr().(*net.TCPAddr).Port
			}
			e, err := Start(t.Context(), o)
			if err == nil {
				e.Stop()
				t.Fatalf("Start on a taken %s port succeeded", name)
			}
			if !errors.Is(err, errPortInUse) || strings.Contains(err.Error(), "canceled") {
				t.Fatalf("Start on a taken %s port: %v; want only port in use", name, err)
			}
			t.Log(err)
		})
	}
}

// TestChildrenDieWithParent kills a process that started the emulators with
// SIGKILL, which runs no cleanup, and checks that the kernel killed the emulators.
func TestChildrenDieWithParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux only")
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "EMULATOR_HELPER_PARENT=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var pids []int
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "PIDS "); ok {
			for _, f := range strings.Fields(rest) {
				pid, _ := strconv.Atoi(f)
				pids = append(pids, pid)
			}
			break
		}
	}
	if len(pids) != 2 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper did not report two pids: %v (%v)", pids, sc.Err())
	}
	cmd.Process.Kill()
	cmd.Wait()
	go io.Copy(io.Discard, stdout)
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("child pid %d outlived its killed parent", pid)
		}
	}
}

// TestMain doubles as the parent process of TestChildrenDieWithParent: run with
// EMULATOR_HELPER_PARENT=1, it starts the emulators, reports their pids and waits to
// be killed.
func TestMain(m *testing.M) {
	if os.Getenv("EMULATOR_HELPER_PARENT") == "1" {
		helperParent()
		return
	}
	os.Exit(m.Run())
}

func helperParent() {
	e, err := Start(context.Background(), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pids := e.pids()
	fmt.Printf("PIDS %d %d\n", pids[0], pids[1])
	time.Sleep(time.Minute) // killed by the test long before
	e.Stop()
}

func assertDynamoDB(t *testing.T, endpoint string) {
	t.Helper()
	req, _ := http.NewRequest("POST", endpoint+"/", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	// DynamoDB Local wants a well-formed SigV4 header but does not check the signature.
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00")
	body := do(t, req)
	if !strings.Contains(body, `"TableNames"`) {
		t.Errorf("DynamoDB ListTables answered %s", body)
	}
}

func assertSQS(t *testing.T, endpoint string) {
	t.Helper()
	req, _ := http.NewRequest("POST", endpoint+"/", strings.NewReader(`{"QueueName":"probe"}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS.CreateQueue")
	if body := do(t, req); !strings.Contains(body, "QueueUrl") {
		t.Errorf("SQS CreateQueue answered %s", body)
	}
}

func do(t *testing.T, req *http.Request) string {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

// alive reports whether pid runs; a zombie nobody has reaped yet counts as gone.
func alive(pid int) bool {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// pid (comm) state ...: comm may hold spaces, so look after the last ')'.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndex(s, ")")+1:])
		return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
	}
	return syscall.Kill(pid, 0) == nil
}

// testLog sends the emulators' output to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// TestDeathIsReported kills an emulator the way the OOM killer or a stray kill would:
// Died names it and how it ended; a stop asked for (StopSQS, Stop) is never reported.
func TestDeathIsReported(t *testing.T) {
	e, err := Start(t.Context(), Options{Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Stop() })

	// GIVEN fauxqs stopped on purpose
	if err := e.StopSQS(); err != nil {
		t.Fatal(err)
	}
	// WHEN DynamoDB Local is killed
	pid := e.ddb.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// THEN the first (and only) report is DynamoDB Local's, with the signal
	select {
	case err := <-e.Died():
		var d *DeathError
		if !errors.As(err, &d) || d.Emulator != "DynamoDB Local" || d.Pid != pid || d.How != "signal: killed" || d.Endpoint != e.DynamoDBEndpoint {
			t.Fatalf("Died() = %v, want DynamoDB Local (pid %d) killed", err, pid)
		}
		if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("DynamoDB Local (pid %d, %s) died: signal: killed", pid, e.DynamoDBEndpoint)) {
			t.Errorf("message %q", msg)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no report 30 s after DynamoDB Local was killed")
	}

	// WHEN the restarted fauxqs is terminated by someone else, not through Stop
	if err := e.StartSQS(t.Context()); err != nil {
		t.Fatal(err)
	}
	sqsPid := e.sqs.cmd.Process.Pid
	if err := syscall.Kill(sqsPid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-e.Died():
		var d *DeathError
		if !errors.As(err, &d) || d.Emulator != "the SQS emulator (fauxqs)" || d.Pid != sqsPid || d.How == "" {
			t.Fatalf("Died() = %v, want the SQS emulator (pid %d)", err, sqsPid)
		}
		t.Logf("reported: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no report 30 s after fauxqs was terminated")
	}
	select {
	case err := <-e.Died():
		t.Fatalf("a third report: %v", err)
	default:
	}
}
