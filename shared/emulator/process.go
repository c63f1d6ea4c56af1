package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// errPortInUse means the emulator could not bind its port: someone else took it
// between our probe and the child's bind, so a fresh free port is worth a retry.
var errPortInUse = errors.New("port already in use")

// Timing knobs. DynamoDB Local (a JVM) needs about 3 s to answer on a 2-core machine,
// more while `go test` compiles beside it.
const (
	readyTimeout  = 90 * time.Second
	pollInterval  = 100 * time.Millisecond
	probeTimeout  = 2 * time.Second
	stopGrace     = 5 * time.Second
	freePortTries = 4
)

// spec describes how to run one emulator on a given port.
type spec struct {
	name  string // "dynamodb" or "sqs": log prefix and error context
	dir   string
	cmd   func(port int) (path string, args, env []string)
	probe func(ctx context.Context, endpoint string) error
}

// process is one running emulator child.
type process struct {
	spec spec
	port int
	cmd  *exec.Cmd
	out  *output
	done chan struct{} // closed once the child has exited and been reaped
	err  error         // cmd.Wait's result, valid after done
	// stopping is set before stop signals the child: its exit is then asked for, not
	// a death to report.
	stopping atomic.Bool
}

func (p *process) endpoint() string { return endpoint(p.port) }

func endpoint(port int) string { return fmt.Sprintf("http://127.0.0.1:%d", port) }

// startOnFreePort starts s on port, or, when port is 0, on a free port, trying
// again with another one if the port is taken before the child binds it.
func startOnFreePort(ctx context.Context, s spec, port int, log *logWriter) (*process, error) {
	if port != 0 {
		return startProcess(ctx, s, port, log)
	}
	var err error
	for range freePortTries {
		var free int
		if free, err = freePort(); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		var p *process
		if p, err = startProcess(ctx, s, free, log); !errors.Is(err, errPortInUse) {
			return p, err
		}
	}
	return nil, err
}

// freePort asks the kernel for a port that is free on all interfaces, which is how
// both emulators bind. The port is released before the child binds it; the caller
// retries on errPortInUse.
func freePort() (int, error) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startProcess starts s on port and waits until it answers over HTTP.
func startProcess(ctx context.Context, s spec, port int, log *logWriter) (*process, error) {
	path, args, env := s.cmd(port)
	cmd := exec.Command(path, args...) // not CommandContext: ctx bounds startup, not the child's life
	cmd.Dir = s.dir
	cmd.Env = env
	cmd.SysProcAttr = sysProcAttr()
	out := &output{name: s.name, log: log}
	cmd.Stdout, cmd.Stderr = out, out // one writer, so one copying goroutine
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", s.name, path, err)
	}
	p := &process{spec: s, port: port, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		out.flush()
		close(p.done)
	}()
	if err := p.waitReady(ctx); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// waitReady polls until the child answers on its port. It fails fast when the
// child exits or reports that its port is taken.
func (p *process) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if p.out.portInUse() {
			return fmt.Errorf("%s: port %d: %w", p.spec.name, p.port, errPortInUse)
		}
		select {
		case <-p.done:
			if p.out.portInUse() {
				return fmt.Errorf("%s: port %d: %w", p.spec.name, p.port, errPortInUse)
			}
			return fmt.Errorf("%s exited before answering on port %d: %v%s", p.spec.name, p.port, p.err, p.out.tail())
		default:
		}
		// An answer counts only if our child holds the listening socket: on a race for
		// the port, another server (even another emulator) may be the one answering.
		if p.spec.probe(ctx, p.endpoint()) == nil && ownsListener(p.cmd.Process.Pid, p.port) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer on port %d: %w%s", p.spec.name, p.port, ctx.Err(), p.out.tail())
		case <-tick.C:
		case <-p.done:
		}
	}
}

// stop sends SIGTERM to the child's process group, then SIGKILL after a grace
// period, and waits until the child is reaped. Stopping a stopped process is a no-op.
func (p *process) stop() {
	p.stopping.Store(true)
	select {
	case <-p.done:
		return
	default:
	}
	pgid := p.cmd.Process.Pid // Setpgid: the child leads its own group
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// httpClient talks to the emulators directly: never through a proxy, no pooling.
var httpClient = &http.Client{
	Timeout:   probeTimeout,
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
}

// probeHTTP sends req's method, path, headers and body to endpoint; any HTTP
// answer, whatever its status, means the server is up.
func probeHTTP(ctx context.Context, method, url string, header map[string]string, body string) error {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.Body.Close()
}

// output receives a child's stdout and stderr: it forwards whole lines to the log
// with the emulator's name as prefix, remembers the last lines for error messages,
// and notices a failure to bind the port.
type output struct {
	name string
	log  *logWriter

	mu      sync.Mutex
	partial []byte
	last    []string
	inUse   bool
}

const tailLines = 15

func (o *output) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, b...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		o.line(string(o.partial[:i]))
		o.partial = o.partial[i+1:]
	}
	return len(b), nil
}

func (o *output) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.partial) > 0 {
		o.line(string(o.partial))
		o.partial = nil
	}
}

func (o *output) line(s string) {
	s = strings.TrimRight(s, "\r")
	// DynamoDB Local (Jetty) prints "Failed to bind ... Address already in use" and
	// then hangs instead of exiting; Node prints EADDRINUSE and exits.
	if strings.Contains(s, "Address already in use") || strings.Contains(s, "EADDRINUSE") {
		o.inUse = true
	}
	o.last = append(o.last, s)
	if len(o.last) > tailLines {
		o.last = o.last[len(o.last)-tailLines:]
	}
	o.log.line(o.name, s)
}

func (o *output) portInUse() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.inUse
}

// tail returns the last lines of output, formatted to end an error message.
func (o *output) tail() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.last) == 0 {
		return ""
	}
	return "\n\t" + strings.Join(o.last, "\n\t")
}

// logWriter serialises the lines of both emulators onto one io.Writer.
type logWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logWriter) line(name, s string) {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s: %s\n", name, s)
}
