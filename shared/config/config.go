// Package config reads a function's settings from its environment and fails fast,
// naming every missing variable at once.
package config

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Env is a source of settings that remembers what was asked of it, so a function can
// report all missing variables together and tests can compare reads to the wiring table.
type Env struct {
	lookup func(string) (string, bool)

	mu      sync.Mutex
	read    map[string]bool
	missing []string
	invalid []string
}

// FromOS reads the process environment (in Lambda).
func FromOS() *Env { return &Env{lookup: os.LookupEnv, read: map[string]bool{}} }

// FromMap reads a fixed map (the local runner gives each function only its row's env).
func FromMap(m map[string]string) *Env {
	return &Env{lookup: func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}, read: map[string]bool{}}
}

func (e *Env) get(name string) (string, bool) {
	e.mu.Lock()
	e.read[name] = true
	e.mu.Unlock()
	v, ok := e.lookup(name)
	return strings.TrimSpace(v), ok && strings.TrimSpace(v) != ""
}

// String is a required setting.
func (e *Env) String(name string) string {
	v, ok := e.get(name)
	if !ok {
		e.mu.Lock()
		if !slices.Contains(e.missing, name) {
			e.missing = append(e.missing, name)
		}
		e.mu.Unlock()
	}
	return v
}

// Optional is a setting with a default.
func (e *Env) Optional(name, def string) string {
	if v, ok := e.get(name); ok {
		return v
	}
	return def
}

// Duration is an optional duration setting ("90s", "15m").
func (e *Env) Duration(name string, def time.Duration) time.Duration {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		e.fail(name, "a positive duration such as 90s")
		return def
	}
	return d
}

// Int is an optional positive integer setting.
func (e *Env) Int(name string, def int) int {
	v, ok := e.get(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		e.fail(name, "a positive integer")
		return def
	}
	return n
}

func (e *Env) fail(name, want string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.invalid = append(e.invalid, fmt.Sprintf("%s must be %s", name, want))
}

// Err reports every missing or invalid setting read so far, or nil.
func (e *Env) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var parts []string
	if len(e.missing) > 0 {
		parts = append(parts, "missing environment variables: "+strings.Join(e.missing, ", "))
	}
	parts = append(parts, e.invalid...)
	if len(parts) == 0 {
		return nil
	}
	return fmt.Errorf("configuration: %s", strings.Join(parts, "; "))
}

// Read lists the names asked for so far, sorted.
func (e *Env) Read() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	names := make([]string, 0, len(e.read))
	for n := range e.read {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
