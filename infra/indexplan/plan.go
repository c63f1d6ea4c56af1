// Package indexplan takes a deployed stage's tables to the wiring's indexes in steps
// CloudFormation can make. DynamoDB creates or deletes at most one global secondary
// index of a table per UpdateTable, and a stack update is one UpdateTable per table, so
// a release that adds two indexes to a table, or renames one (a projection changes
// only under a new name), is more than one stack update. `make deploy` reads what each
// table has (cmd/deploy), the stack declares the next step (Next), and the deploy runs
// again until every table has the wiring's indexes.
package indexplan

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// Deployed is what a stage's own tables hold, by wiring table name: each index with its
// keys and projection. A table missing from it is new to the stage; a nil Deployed is
// a stage that does not exist yet.
type Deployed map[string][]wiring.Index

// AdoptedNote ends the description of a table's stack output when the stack uses a
// table made outside it (tableNames): its indexes are not the stack's to change.
const AdoptedNote = "(adopted by tableNames)"

// OutputKey is the stack output holding the name of the wiring table's DynamoDB table.
func OutputKey(table string) string { return wiring.Pascal(table) + "TableName" }

// Step is a table's indexes in the next stack update.
type Step struct {
	// Indexes are what the template declares: those the table has, with at most one
	// added or left out.
	Indexes []wiring.Index
	// Change says what the update does to the table's indexes ("create byNameKeys",
	// "delete byName"); "" for nothing.
	Change string
	// Final is true when, after the update, the table has exactly the wiring's indexes.
	Final bool
}

// Next is the step that takes def's table from the indexes it has (deployed; exists
// false for a table the stage does not have yet, which is created with all of them)
// toward the wiring's. Indexes are created first, in the wiring's order, those with no
// old index to fall back on before those with one, then the ones the wiring no longer
// has are deleted, so an index another replaces stays until its successor is built and
// readable (shared/dynamo.Backfilled falls back to it until then). An index of the wiring's name whose keys or projection differ is an error: a
// changed index needs a new name.
func Next(def wiring.Table, deployed []wiring.Index, exists bool) (Step, error) {
	if !exists {
		return Step{Indexes: def.Indexes, Final: true}, nil
	}
	has := map[string]wiring.Index{}
	for _, ix := range deployed {
		has[ix.Name] = ix
	}
	var missing []wiring.Index
	for _, want := range def.Indexes {
		got, ok := has[want.Name]
		if !ok {
			missing = append(missing, want)
			continue
		}
		if !Same(got, want) {
			return Step{}, fmt.Errorf("table %s: index %s is deployed with other keys or another projection than the wiring's; a changed index needs a new name (wiring.Index.Replaces)", def.Name, want.Name)
		}
	}
	// An index with no old one to fall back on is missed by its queries until it is
	// built: those go first.
	slices.SortStableFunc(missing, func(a, b wiring.Index) int {
		return boolInt(a.Replaces != "" && has[a.Replaces].Name != "") - boolInt(b.Replaces != "" && has[b.Replaces].Name != "")
	})
	var extra []wiring.Index
	for _, ix := range deployed {
		if _, ok := def.Index(ix.Name); !ok {
			extra = append(extra, ix)
		}
	}
	slices.SortFunc(extra, func(a, b wiring.Index) int { return strings.Compare(a.Name, b.Name) })

	switch {
	case len(missing) > 0:
		// What the table has, in the wiring's order, the others after, and the first missing one.
		var out []wiring.Index
		for _, want := range def.Indexes {
			if _, ok := has[want.Name]; ok || want.Name == missing[0].Name {
				out = append(out, want)
			}
		}
		out = append(out, extra...)
		return Step{Indexes: out, Change: "create " + missing[0].Name, Final: len(missing) == 1 && len(extra) == 0}, nil
	case len(extra) > 0:
		return Step{Indexes: append(slices.Clone(def.Indexes), extra[1:]...), Change: "delete " + extra[0].Name, Final: len(extra) == 1}, nil
	default:
		return Step{Indexes: def.Indexes, Final: true}, nil
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Same reports whether two indexes have the same keys and projection.
func Same(a, b wiring.Index) bool {
	return a.PartitionKey == b.PartitionKey && sameKey(a.SortKey, b.SortKey) &&
		a.Projection.ProjectionType() == b.Projection.ProjectionType() &&
		slices.Equal(sorted(a.Projection.NonKey), sorted(b.Projection.NonKey))
}

func sameKey(a, b *wiring.Key) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// Plan is every wiring table's next step, by name, and whether the stage is then at
// the wiring's indexes.
func Plan(tables []wiring.Table, d Deployed) (map[string]Step, bool, error) {
	steps := map[string]Step{}
	final := true
	for _, t := range tables {
		indexes, exists := d[t.Name]
		step, err := Next(t, indexes, exists)
		if err != nil {
			return nil, false, err
		}
		steps[t.Name] = step
		final = final && step.Final
	}
	return steps, final, nil
}

// Read reads a Deployed written by Write.
func Read(path string) (Deployed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d Deployed
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if d == nil {
		d = Deployed{}
	}
	return d, nil
}

// Write saves d as JSON for the CDK app (context deployedIndexes).
func Write(path string, d Deployed) error {
	if d == nil {
		d = Deployed{}
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
