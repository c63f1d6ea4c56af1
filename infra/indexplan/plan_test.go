package indexplan

import (
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/wiring"
)

func names(ixs []wiring.Index) string {
	var out []string
	for _, ix := range ixs {
		out = append(out, ix.Name)
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func table(t *testing.T, name string) wiring.Table {
	t.Helper()
	for _, def := range wiring.Tables {
		if def.Name == name {
			return def
		}
	}
	t.Fatalf("no wiring table %s", name)
	return wiring.Table{}
}

// replaced is the index a wiring index takes over from, as a stage that predates it has it.
func replaced(def wiring.Table, name string) wiring.Index {
	for _, ix := range def.Indexes {
		if ix.Replaces == name {
			return wiring.Index{Name: name, PartitionKey: ix.PartitionKey, SortKey: ix.SortKey}
		}
	}
	panic("nothing replaces " + name)
}

// only is def's indexes named in keep, in the wiring's shape.
func only(def wiring.Table, keep ...string) []wiring.Index {
	var out []wiring.Index
	for _, ix := range def.Indexes {
		if slices.Contains(keep, ix.Name) {
			out = append(out, ix)
		}
	}
	return out
}

// Worked examples: the followups table of a stage from before its location index, and
// of one with the location index that projects everything; both have the due index of
// every attribute.
func TestEachStepCreatesOrDeletesOneIndex(t *testing.T) {
	followups := table(t, "followups")
	cases := []struct {
		name     string
		deployed []wiring.Index
		exists   bool
		want     []string // each step's declared indexes, then the change
	}{
		{name: "a new table has every index at once", exists: false,
			want: []string{names(followups.Indexes) + " ()"}},
		{name: "before the location index: it first (no old index answers for it), then dueIds and byCustomerKeys, then the old ones go", exists: true,
			deployed: []wiring.Index{replaced(followups, "due"), replaced(followups, "byCustomer")},
			want: []string{
				"byCustomer,byLocationKeys,due (create byLocationKeys)",
				"byCustomer,byLocationKeys,due,dueIds (create dueIds)",
				"byCustomer,byCustomerKeys,byLocationKeys,due,dueIds (create byCustomerKeys)",
				"byCustomerKeys,byLocationKeys,due,dueIds (delete byCustomer)",
				"byCustomerKeys,byLocationKeys,dueIds (delete due)",
			}},
		{name: "with the location index of every attribute: the successors, then the old ones go", exists: true,
			deployed: []wiring.Index{replaced(followups, "due"), replaced(followups, "byCustomer"), replaced(followups, "byLocation")},
			want: []string{
				"byCustomer,byLocation,due,dueIds (create dueIds)",
				"byCustomer,byCustomerKeys,byLocation,due,dueIds (create byCustomerKeys)",
				"byCustomer,byCustomerKeys,byLocation,byLocationKeys,due,dueIds (create byLocationKeys)",
				"byCustomerKeys,byLocation,byLocationKeys,due,dueIds (delete byCustomer)",
				"byCustomerKeys,byLocationKeys,due,dueIds (delete byLocation)",
				"byCustomerKeys,byLocationKeys,dueIds (delete due)",
			}},
		{name: "at the wiring: nothing to change", exists: true, deployed: followups.Indexes,
			want: []string{names(followups.Indexes) + " ()"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			deployed, exists := c.deployed, c.exists
			var got []string
			for range 10 {
				step, err := Next(followups, deployed, exists)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, names(step.Indexes)+" ("+step.Change+")")
				deployed, exists = step.Indexes, true
				if step.Final {
					break
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("steps\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// From any mix of the wiring's indexes and those they replace, every table reaches the
// wiring's indexes, each step one index apart from the last, an index another replaces
// kept until its successor exists, and the step that gets there says so.
func TestEveryTableReachesTheWiringOneIndexAtATime(t *testing.T) {
	for _, def := range wiring.Tables {
		all := slices.Clone(def.Indexes)
		for _, ix := range def.Indexes {
			if ix.Replaces != "" {
				all = append(all, replaced(def, ix.Replaces))
			}
		}
		for mask := range 1 << len(all) {
			var deployed []wiring.Index
			for i, ix := range all {
				if mask&(1<<i) != 0 {
					deployed = append(deployed, ix)
				}
			}
			start := names(deployed)
			for n := 0; ; n++ {
				if n > len(all) {
					t.Fatalf("%s from [%s]: not at the wiring after %d steps", def.Name, start, n)
				}
				step, err := Next(def, deployed, true)
				if err != nil {
					t.Fatal(err)
				}
				if d := symmetricDifference(deployed, step.Indexes); d > 1 || (d == 0) != (step.Change == "") {
					t.Fatalf("%s from [%s]: step [%s] → [%s] (%q) changes %d indexes", def.Name, start, names(deployed), names(step.Indexes), step.Change, d)
				}
				for _, ix := range def.Indexes {
					if ix.Replaces != "" && containsName(deployed, ix.Replaces) && !containsName(deployed, ix.Name) && !containsName(step.Indexes, ix.Replaces) {
						t.Fatalf("%s from [%s]: %s dropped before %s exists", def.Name, start, ix.Replaces, ix.Name)
					}
				}
				deployed = step.Indexes
				if step.Final != (names(deployed) == names(def.Indexes)) {
					t.Fatalf("%s from [%s]: Final %v at [%s]", def.Name, start, step.Final, names(deployed))
				}
				if step.Final {
					break
				}
			}
		}
	}
}

func containsName(ixs []wiring.Index, name string) bool {
	return slices.ContainsFunc(ixs, func(ix wiring.Index) bool { return ix.Name == name })
}

func symmetricDifference(a, b []wiring.Index) int {
	n := 0
	for _, ix := range a {
		if !containsName(b, ix.Name) {
			n++
		}
	}
	for _, ix := range b {
		if !containsName(a, ix.Name) {
			n++
		}
	}
	return n
}

// An index deployed under a wiring name with other keys or another projection cannot be
// changed in place: the plan refuses it, naming the table and the index.
func TestAChangedIndexUnderItsOldNameIsRefused(t *testing.T) {
	followups := table(t, "followups")
	deployed := slices.Clone(followups.Indexes)
	i := slices.IndexFunc(deployed, func(ix wiring.Index) bool { return ix.Name == "byLocationKeys" })
	deployed[i].Projection = wiring.Projection{} // ALL
	_, err := Next(followups, deployed, true)
	if err == nil || !strings.Contains(err.Error(), "followups") || !strings.Contains(err.Error(), "byLocationKeys") {
		t.Fatalf("err = %v, want one naming followups and byLocationKeys", err)
	}
	// The same projection listed in another order is the same index.
	a := wiring.Index{Name: "x", PartitionKey: wiring.Key{Name: "p", Type: wiring.String}, Projection: wiring.Projection{Type: wiring.ProjectInclude, NonKey: []string{"a", "b"}}}
	b := a
	b.Projection.NonKey = []string{"b", "a"}
	if !Same(a, b) {
		t.Error("INCLUDE a,b and INCLUDE b,a differ")
	}
}

// The plan of a stage: every table's step, final only when each table's is.
func TestPlanIsFinalWhenEveryTableIs(t *testing.T) {
	customers, followups := table(t, "customers"), table(t, "followups")
	d := Deployed{
		"customers": append(only(customers, "home", "visitEffects"), replaced(customers, "byName")),
		"followups": followups.Indexes,
	}
	steps, final, err := Plan(wiring.Tables, d)
	if err != nil {
		t.Fatal(err)
	}
	if final || steps["customers"].Change != "create byNameKeys" || steps["followups"].Change != "" || !steps["surveys"].Final {
		t.Fatalf("final %v, steps %+v", final, steps)
	}
	path := t.TempDir() + "/d.json"
	if err := Write(path, d); err != nil {
		t.Fatal(err)
	}
	back, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if names(back["customers"]) != names(d["customers"]) || !Same(back["followups"][0], d["followups"][0]) {
		t.Fatalf("read back %+v", back)
	}
}
