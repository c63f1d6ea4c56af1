package api

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rapport-crm/rapport/shared/wiring"
)

type document struct {
	OpenAPI string `yaml:"openapi"`
	Paths   map[string]map[string]struct {
		Security []map[string][]string `yaml:"security"`
	} `yaml:"paths"`
}

// The document lists exactly the wiring table's routes, with the same auth.
func TestOpenAPIMatchesTheWiringTable(t *testing.T) {
	var doc document
	if err := yaml.Unmarshal(OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	var inDoc, inTable []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			pattern := strings.ToUpper(method) + " " + path
			inDoc = append(inDoc, pattern)
			for _, r := range wiring.Routes() {
				if r.Pattern() != pattern {
					continue
				}
				public := len(op.Security) == 0
				if public != (r.Auth == wiring.Public) {
					t.Errorf("%s: document security %v, table auth %s", pattern, op.Security, r.Auth)
				}
			}
		}
	}
	for _, r := range wiring.Routes() {
		inTable = append(inTable, r.Pattern())
	}
	sort.Strings(inDoc)
	sort.Strings(inTable)
	if !slices.Equal(inDoc, inTable) {
		t.Fatalf("document routes %v\n   table routes %v", inDoc, inTable)
	}
}
