package timeline

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/testenv"
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

// A follow-up read by key that left the customer since the index named it (moved to a
// merge's survivor, or erased: no index key at all) is not in their timeline.
func TestTheTimelineLeavesOutFollowupsThatLeftTheCustomer(t *testing.T) {
	record := func(id string, pk types.AttributeValue) map[string]types.AttributeValue {
		it := dynamo.Key("FU#"+id, "FU")
		it["customerSk"] = dynamo.S("2026-12-07T10:00:00.000Z#" + id)
		if pk != nil {
			it["customerPk"] = pk
		}
		return it
	}
	s := &Service{Tables: Tables{Followups: "followups"}, DB: testenv.StaleIndex{Records: []map[string]types.AttributeValue{
		record("kept", dynamo.S("CUST#cust-1")), record("moved", dynamo.S("CUST#cust-2")), record("erased", nil),
	}}}
	var src source
	for _, x := range s.sources("cust-1") {
		if x.typ == TypeFollowup {
			src = x
		}
	}
	keys := []map[string]types.AttributeValue{dynamo.Key("FU#kept", "FU"), dynamo.Key("FU#moved", "FU"), dynamo.Key("FU#erased", "FU")}
	items, err := s.byKey(context.Background(), src, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0]["pk"].(*types.AttributeValueMemberS).Value != "FU#kept" {
		t.Errorf("items %v, want FU#kept alone", items)
	}
}
