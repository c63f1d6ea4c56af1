package layers_test

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/layers"
)

const module = "github.com/rapport-crm/rapport/shared/"

// pkg is what go list says of a package: its path and everything it depends on.
type pkg struct {
	ImportPath string
	Deps       []string
}

// list runs go list -deps -json on patterns and keeps the rapport packages.
func list(t *testing.T, patterns ...string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json=ImportPath,Deps"}, patterns...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		deps[p.ImportPath] = p.Deps
	}
	return deps
}

// domainsIn names the domain packages among deps.
func domainsIn(deps []string) []string {
	var out []string
	for _, d := range deps {
		if name, ok := strings.CutPrefix(d, module); ok && slices.Contains(layers.Domains, name) {
			out = append(out, name)
		}
	}
	return out
}

// TestNoDomainImportsAnother: no domain package depends, directly or through a kernel
// package, on another domain. (A kernel package that reached a domain would show here
// too, in the deps of every domain that uses it.)
func TestNoDomainImportsAnother(t *testing.T) {
	patterns := make([]string, len(layers.Domains))
	for i, d := range layers.Domains {
		patterns[i] = module + d
	}
	deps := list(t, patterns...)
	for _, d := range layers.Domains {
		got, ok := deps[module+d]
		if !ok {
			t.Fatalf("go list said nothing of %s", d)
		}
		if others := domainsIn(got); len(others) > 0 {
			t.Errorf("domain %s depends on %v: join them in a flow package instead", d, others)
		}
	}
}
