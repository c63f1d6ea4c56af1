package local

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// RunState is what a running make run publishes about itself in .local, so that make
// token, invoke, redrive and reconcile find it whatever its port.
type RunState struct {
	DynamoDB    string `json:"dynamoDBEndpoint"`
	SQS         string `json:"sqsEndpoint"`
	Region      string `json:"region"`
	TablePrefix string `json:"tablePrefix"`
	// BaseURL is the runner's URL; its issuer is BaseURL + IssuerPath.
	BaseURL string `json:"baseURL"`
	Issuer  string `json:"issuer"`
}

// DefaultPort is make run's port when PORT is not set.
const DefaultPort = "8080"

// RunStatePath is where the make run on port keeps its state while it runs.
func RunStatePath(dir, port string) string { return filepath.Join(dir, "run-"+port+".json") }

// LastRunPath is where the make run started last keeps its state, whatever its port.
func LastRunPath(dir string) string { return filepath.Join(dir, "run.json") }

// PublishRun writes st for its port and as the make run started last. remove deletes
// both files when the runner stops; run.json only while it is still st's (another make
// run may have started since).
func PublishRun(dir, port string, st RunState) (remove func(), err error) {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, path := range []string{RunStatePath(dir, port), LastRunPath(dir)} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return nil, err
		}
	}
	return func() {
		_ = os.Remove(RunStatePath(dir, port))
		if got, err := os.ReadFile(LastRunPath(dir)); err == nil && bytes.Equal(got, b) {
			_ = os.Remove(LastRunPath(dir))
		}
	}, nil
}

// Run is the make run a command talks to.
type Run struct {
	RunState
	// From says how it was chosen, for messages: "PORT=9090", ".local/run.json", or
	// "the default port 8080".
	From string
	// Published is whether the make run wrote its state (endpoints, tables); without it
	// only BaseURL is known.
	Published bool
	// Path is the state file read, when Published.
	Path string
}

// FindRun finds the make run a command is for, the same way for every command: the
// port given (a -port flag, else PORT) when there is one, else the make run started
// last (dir/run.json), else the default port.
func FindRun(dir, port string) (Run, error) {
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return Run{}, fmt.Errorf("PORT %q is not a port number", port)
		}
		return readRun(RunStatePath(dir, port), port, "PORT="+port)
	}
	if _, err := os.Stat(LastRunPath(dir)); err == nil {
		return readRun(LastRunPath(dir), "", filepath.Join(filepath.Base(dir), "run.json"))
	}
	return readRun(RunStatePath(dir, DefaultPort), DefaultPort, "the default port "+DefaultPort)
}

// readRun reads a state file; when it is missing, only the port's URL is known.
func readRun(path, port, from string) (Run, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && port != "" {
		return Run{RunState: RunState{BaseURL: "http://127.0.0.1:" + port}, From: from}, nil
	}
	if err != nil {
		return Run{}, err
	}
	var st RunState
	if err := json.Unmarshal(b, &st); err != nil || st.BaseURL == "" {
		return Run{}, fmt.Errorf("%s holds no make run's baseURL (%v): delete it, or give PORT=", path, cmp.Or(err, errors.New("empty")))
	}
	return Run{RunState: st, From: from, Published: true, Path: path}, nil
}
