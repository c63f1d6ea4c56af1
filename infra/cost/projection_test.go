package cost

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// shapeOf is a wiring table as this package prices it; with before, every index that
// replaces another projects everything, as the one it replaces did.
func shapeOf(t *testing.T, name string, before bool) Table {
	t.Helper()
	def, ok := wiring.TableByName(name)
	if !ok {
		t.Fatalf("no table %s", name)
	}
	keys := func(pk wiring.Key, sk *wiring.Key) []string {
		if sk == nil {
			return []string{pk.Name}
		}
		return []string{pk.Name, sk.Name}
	}
	out := Table{Name: name, Keys: keys(def.PartitionKey, def.SortKey)}
	for _, ix := range def.Indexes {
		c := Index{Name: ix.Name, Keys: keys(ix.PartitionKey, ix.SortKey), NonKey: ix.Projection.NonKey}
		switch {
		case before && ix.Replaces != "":
			c.Projection, c.NonKey = ProjectAll, nil
		case ix.Projection.ProjectionType() == wiring.ProjectKeysOnly:
			c.Projection = ProjectKeysOnly
		case ix.Projection.ProjectionType() == wiring.ProjectInclude:
			c.Projection = ProjectInclude
		}
		out.Indexes = append(out.Indexes, c)
	}
	return out
}

// The indexes this release narrows, priced on the wiring's own tables, before (the
// index projected everything) and now, with item images like the stores write.
func TestNarrowedIndexesWorkedExamples(t *testing.T) {
	// A follow-up from a location to a staff address (not in byCustomerKeys), queued: 7 +
	// 4 + 4 + 9 + 12 + 13 + 32 + 19 + 37 + 23 + 100 = 260 bytes; claimed, 286.
	fu := item{
		"pk": s("FU#o1"), "sk": s("FU"), "id": s("o1"), "kind": s("alert"), "status": s("queued"),
		"duePk": s("QUEUED#3"), "dueSk": s("2026-12-06T10:00:00.000Z#o1"),
		"locationPk": s("LOC#loc-1"), "locationSk": s("2026-12-06T09:59:00.000Z#o1"),
		"subject": s("Service recovery"), "pad": s(strings.Repeat("p", 97)),
	}
	claimed := with(fu, item{"status": s("sending"), "leaseOwner": s("req-1"), "attempts": n("1")})
	sent := with(claimed, item{"status": s("sent"), "duePk": nil, "dueSk": nil, "leaseOwner": nil, "sentAt": s("2026-12-06T10:00:01Z")})

	// A loyalty account with its tier review timer and a birthday, before and after
	// an earn changes its balance.
	acct := item{"pk": s("ACCT#c1"), "sk": s("L"), "customerId": s("c1"), "balance": n("10"), "rev": n("1"),
		"duePk": s("DUE#2"), "dueSk": s("2027-12-06T00:00:00.000Z#TIER#c1#-"), "bdayPk": s("BDAY#03-14"), "bdaySk": s("c1")}
	earned := with(acct, item{"balance": n("20"), "rev": n("2")})

	// A case linked to a customer, in its location's queue, before and after a note
	// (its version and updatedAt move; its status and what the timeline shows do not).
	kase := item{"pk": s("CASE#k1"), "sk": s("CASE"), "id": s("k1"), "status": s("acknowledged"), "version": n("3"),
		"customerPk": s("CUST#c1"), "customerSk": s("2026-12-06T10:00:00.000Z#k1"),
		"queuePk": s("Q#loc-1"), "queueSk": s("acknowledged#2026-12-06T10:00:00.000Z#k1"), "updatedAt": s("2026-12-06T10:05:00Z")}
	noted := with(kase, item{"version": n("4"), "updatedAt": s("2026-12-06T10:09:00Z")})

	// A survey response with a 1,500-byte comment (500 Chinese characters): value 5 +
	// 1,517, keys 18 + 9 + 14 + 36, 1,599 bytes whole; its comment-index entry as
	// keys only 77 + 100 bytes.
	resp := item{"pk": s("SURVEY#demo-stay"), "sk": s("RESP#r1"), "commentPk": s("CMT#1"), "commentSk": s("2026-12-06T10:00:00.000Z#r1"),
		"value": &types.AttributeValueMemberM{Value: item{"comment": s(strings.Repeat("房", 500)), "nps": n("3")}}}

	for _, sz := range []struct {
		what string
		it   item
		want int
	}{{"queued follow-up", fu, 260}, {"claimed follow-up", claimed, 286}, {"response", resp, 1599}} {
		if got := Size(sz.it); got != sz.want {
			t.Fatalf("%s is %d bytes, want %d", sz.what, got, sz.want)
		}
	}
	cases := []struct {
		name        string
		table       string
		write       Write
		before, now float64
	}{
		// Table ceil(286/1024) = 1; due: same keys, status changed: 1 when it copied
		// everything, 0 copying id and queuedAt (neither changed); byLocation: 1 when it
		// copied everything, 0 holding keys only.
		{"follow-up claimed", "followups", Write{Before: fu, After: claimed}, 1 + 1 + 1, 1 + 0 + 0},
		// Table 1; due: the entry goes, 1; byLocation as above.
		{"follow-up sent", "followups", Write{Before: claimed, After: sent}, 1 + 1 + 1, 1 + 1 + 0},
		// Table 1; due: 1 before, 0 now; birthday: 1 before (ALL), 0 now (it copies
		// neither the balance nor rev).
		{"loyalty account earns", "loyalty", Write{Before: acct, After: earned}, 1 + 1 + 1, 1 + 0 + 0},
		// Table 1; queue (ALL): 1; the customer's cases: 1 when it copied everything,
		// 0 copying what the timeline shows.
		{"complaint noted, linked to a customer", "complaints", Write{Before: kase, After: noted}, 1 + 1 + 1, 1 + 1 + 0},
		// Table ceil(1599/1024) = 2; comment entry: ceil(1699/1024) = 2 before,
		// ceil(177/1024) = 1 now.
		{"response with a long comment saved", "surveys", Write{After: resp}, 2 + 2, 2 + 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range []struct {
				when   string
				before bool
				want   float64
			}{{"before", true, c.before}, {"now", false, c.now}} {
				w := c.write
				w.Table = shapeOf(t, c.table, p.before)
				if got := w.Units().Write; got != p.want {
					t.Errorf("%s: %v write units, want %v", p.when, got, p.want)
				}
			}
		})
	}
}
