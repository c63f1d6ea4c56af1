package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/emulator"
)

// make run prints deep health's verdict in its banner; and when an emulator dies under
// it, it says which one and how on stderr, stops everything and exits non-zero. The
// binary runs in a checkout of its own, as in TestCommandsFindTheMakeRunStartedLast.
func TestRunStopsWhenAnEmulatorDies(t *testing.T) {
	repo, err := emulator.RepoRoot()
	must(t, err)
	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, ".local"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+emulator.RootModule+"\n"), 0o644))
	must(t, os.Symlink(filepath.Join(repo, "node_modules"), filepath.Join(root, "node_modules")))
	must(t, os.Symlink(filepath.Join(repo, emulator.DynamoDBDir), filepath.Join(root, emulator.DynamoDBDir)))
	bin := filepath.Join(root, ".local", "bin", "rapport-local")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	var stdout, stderr syncBuffer
	run := exec.Command(bin, "run")
	run.Dir, run.Env, run.Stdout, run.Stderr = root, env("PORT=0", "TICK=1h"), &stdout, &stderr
	must(t, run.Start())
	exited := make(chan struct{})
	go func() { _ = run.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = run.Process.Signal(syscall.SIGINT)
		<-exited
	})

	// GIVEN make run up, its banner printed with deep health's verdict
	for deadline := time.Now().Add(2 * time.Minute); !strings.Contains(stdout.String(), "Ctrl-C stops everything"); time.Sleep(200 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("make run stopped: %v\nstdout:\n%s\nstderr:\n%s", run.ProcessState, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner after 2 minutes\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "deep health      ok: 9 checks;") {
		t.Errorf("the banner does not say deep health is ok:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	// This checkout has no console build: the banner says how to make one.
	if !strings.Contains(stdout.String(), "\n  console          not built: run make console, then open http://127.0.0.1:") {
		t.Errorf("the banner does not say the console is not built:\n%s", stdout.String())
	}

	// WHEN its DynamoDB Local is killed
	java, fauxqs := childWith(t, run.Process.Pid, "DynamoDBLocal.jar"), childWith(t, run.Process.Pid, "fauxqs")
	must(t, syscall.Kill(java, syscall.SIGKILL))

	// THEN make run says so, stops and exits non-zero
	select {
	case <-exited:
	case <-time.After(time.Minute):
		t.Fatalf("make run still running a minute after DynamoDB Local was killed\nstderr:\n%s", stderr.String())
	}
	if code := run.ProcessState.ExitCode(); code == 0 {
		t.Errorf("make run exited 0 after DynamoDB Local died")
	}
	if want := fmt.Sprintf("DynamoDB Local (pid %d, ", java); !strings.Contains(stderr.String(), want) ||
		!strings.Contains(stderr.String(), "died: signal: killed") {
		t.Errorf("stderr does not name DynamoDB Local (pid %d) and its signal:\n%s", java, stderr.String())
	}
	t.Logf("banner:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	if syscall.Kill(fauxqs, 0) == nil {
		t.Errorf("the SQS emulator (pid %d) still runs after make run stopped", fauxqs)
	}
}

// childWith is the pid of the child of parent whose command line contains s.
func childWith(t *testing.T, parent int, s string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	must(t, err)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) < 2 || fields[1] != strconv.Itoa(parent) {
			continue
		}
		if cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil && bytes.Contains(cmdline, []byte(s)) {
			return pid
		}
	}
	t.Fatalf("no child of pid %d runs %s", parent, s)
	return 0
}

// syncBuffer is a bytes.Buffer the child's output and the test may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
