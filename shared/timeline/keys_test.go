package timeline

import (
	"testing"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// Each source read through an index names the wiring table that has it, so a query
// DynamoDB refuses while a renamed index fills goes to the index it replaced
// (dynamo.Backfilled): a wrong name would ask the new index only. One whose index
// holds keys only reads its items by key.
func TestIndexedSourcesNameTheirWiringTable(t *testing.T) {
	s := &Service{Tables: Tables{Customers: "c", Loyalty: "l", Followups: "f", Complaints: "k", Surveys: "s"}}
	indexed := 0
	for _, src := range s.sources("cust-1") {
		if src.index == "" {
			continue
		}
		indexed++
		def, ok := wiring.TableByName(src.wiringTable)
		if !ok {
			t.Errorf("%s: %q is no wiring table", src.typ, src.wiringTable)
			continue
		}
		ix, ok := def.Index(src.index)
		if !ok {
			t.Errorf("%s: the %s table has no index %s", src.typ, src.wiringTable, src.index)
		}
		// AND a source whose index holds keys only reads its items by key: its entries
		// alone would decode into empty items
		if keysOnly := ix.Projection.Type == wiring.ProjectKeysOnly; src.byKey != keysOnly {
			t.Errorf("%s: read by key %v, but the index %s holds keys only: %v", src.typ, src.byKey, src.index, keysOnly)
		}
	}
	if indexed != 3 {
		t.Errorf("%d sources read through an index, want 3 (follow-ups, complaints, surveys)", indexed)
	}
}
