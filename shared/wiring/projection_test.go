package wiring

import (
	"slices"
	"testing"
)

// copies reports whether an index of projection p holds attribute name of an item in
// it, given the keys every entry holds (the table's and the index's).
func (p Projection) copies(name string, keys []string) bool {
	if slices.Contains(keys, name) {
		return true
	}
	switch p.ProjectionType() {
	case ProjectAll:
		return true
	case ProjectInclude:
		return slices.Contains(p.NonKey, name)
	}
	return false
}

// keyNames are the table's and the index's key attributes, which every entry holds.
func (t Table) keyNames(ix Index) []string {
	names := []string{t.PartitionKey.Name, ix.PartitionKey.Name}
	for _, k := range []*Key{t.SortKey, ix.SortKey} {
		if k != nil {
			names = append(names, k.Name)
		}
	}
	return names
}

// read is one query of an index and the attributes its caller reads from the
// entries it returns; "*" is the whole item.
type read struct {
	caller string
	attrs  []string
}

// reads is every query of every index (grep IndexName in shared/), with what its
// caller reads from the entries. A keys-only index's callers read keys and then
// the items by key (BatchGetItem, GetItem); the store tests against DynamoDB Local
// run each of them on the projection made here.
var reads = map[string]map[string][]read{
	"surveys": {
		"byCustomer": {
			{"timeline (survey source)", []string{"value", "customerSk"}},
			{"segment.satisfaction (value job)", []string{"value"}},
			{"survey.Store.CustomerResponses (merge, export, erasure)", []string{"value"}},
		},
		"commentKeys": {{"survey.Store.CommentsBefore (retention), then BatchGetItem", []string{"pk", "sk"}}},
		"catalog":     {{"survey.Store.Catalog (GET /v1/surveys)", []string{"value"}}},
	},
	"followups": {
		"dueIds": {{"followup.Dispatcher (waiting)", []string{"id", "duePk", "dueSk", "queuedAt"}}},
		"byCustomerKeys": {
			{"followup.Store.ForCustomer (GET /v1/followups?customerId=), then BatchGetItem", []string{"pk", "sk"}},
			{"followup.Store.CustomerFollowups (merge, export, erasure), then BatchGetItem", []string{"pk", "sk"}},
			{"timeline (follow-up source), then BatchGetItem", []string{"pk", "sk", "customerSk"}},
		},
		"byLocationKeys": {{"followup.Store.ForLocation (GET /v1/followups?locationId=), then BatchGetItem", []string{"pk", "sk"}}},
	},
	"complaints": {
		"queue": {
			{"complaint.Service.Queue (GET /v1/complaints)", []string{"*"}},
			{"complaint.Store.ClosedBefore (retention; filter redactedAt)", []string{"id", "closedAt", "redactedAt"}},
		},
		"byAssignee": {{"complaint.Service.Queue (?assignee=)", []string{"*"}}},
		"slaKeys":    {{"complaint.Service.CheckSLAs, then the case by key", []string{"pk"}}},
		"customerCases": {
			{"complaint.Store.CustomerCaseIDs (merge, export, erasure)", []string{"id"}},
			{"timeline (complaint source)", []string{"id", "reference", "locationId", "category", "severity", "channel", "status", "breached", "createdAt", "customerSk"}},
		},
	},
	"loyalty": {
		"dueKeys":       {{"loyalty.Service.RunTimers, then the account by key", []string{"dueSk"}}},
		"birthdayDates": {{"loyalty.Service.Birthdays", []string{"customerId", "birthday", "timeZone", "lastBirthdayYear"}}},
	},
	"rewards": {
		"byCustomer": {{"reward.Store.Vouchers (GET /v1/customers/{customerId}/vouchers)", []string{"*"}}},
		"dueKeys":    {{"reward.Store.RunTimers (voucher-timers), then the voucher by key", []string{"pk"}}},
	},
	"customers": {
		"home":         {{"customer.Store.HomeProfiles (value job, segments, win-back)", []string{"*"}}},
		"byNameKeys":   {{"customer.Store.SearchByName (GET /v1/customers?q=), then BatchGetItem", []string{"pk", "sk"}}},
		"visitEffects": {{"customer.Store.PendingVisits (visit-effects retry)", []string{"*"}}},
	},
}

// Every index is listed with its queries, and copies all they read from it.
func TestIndexesProjectWhatTheirQueriesRead(t *testing.T) {
	for _, tbl := range Tables {
		for _, ix := range tbl.Indexes {
			rs, ok := reads[tbl.Name][ix.Name]
			if !ok {
				t.Errorf("%s/%s: no queries listed: list them in reads", tbl.Name, ix.Name)
			}
			keys := tbl.keyNames(ix)
			for _, r := range rs {
				for _, a := range r.attrs {
					if (a == "*" && ix.Projection.ProjectionType() != ProjectAll) || (a != "*" && !ix.Projection.copies(a, keys)) {
						t.Errorf("%s/%s: %s reads %s, which the index does not project", tbl.Name, ix.Name, r.caller, a)
					}
				}
			}
		}
		for name := range reads[tbl.Name] {
			if _, ok := tbl.Index(name); !ok {
				t.Errorf("%s: reads lists %s, which is no index", tbl.Name, name)
			}
		}
	}
}

// A renamed index replaces one that no other index is named or replaces. How many a
// table has is no matter: make deploy takes each table there one index change per
// stack update (infra/indexplan).
func TestReplacedIndexes(t *testing.T) {
	for _, tbl := range Tables {
		names := map[string]bool{}
		for _, ix := range tbl.Indexes {
			names[ix.Name] = true
		}
		for _, ix := range tbl.Indexes {
			if ix.Replaces == "" {
				continue
			}
			if names[ix.Replaces] || ix.Replaces == ix.Name {
				t.Errorf("%s/%s replaces %s, which is still an index of the table", tbl.Name, ix.Name, ix.Replaces)
			}
			names[ix.Replaces] = true
		}
	}
}

// copies holds the keys to every projection and the rest to its type.
func TestProjectionCopies(t *testing.T) {
	keys := []string{"pk", "sk", "slaPk", "slaSk"}
	cases := []struct {
		p    Projection
		attr string
		want bool
	}{
		{Projection{}, "status", true},
		{Projection{Type: ProjectKeysOnly}, "slaSk", true},
		{Projection{Type: ProjectKeysOnly}, "pk", true},
		{Projection{Type: ProjectKeysOnly}, "id", false},
		{Projection{Type: ProjectInclude, NonKey: []string{"id"}}, "id", true},
		{Projection{Type: ProjectInclude, NonKey: []string{"id"}}, "status", false},
	}
	for _, c := range cases {
		if got := c.p.copies(c.attr, keys); got != c.want {
			t.Errorf("%+v copies %s = %v, want %v", c.p, c.attr, got, c.want)
		}
	}
}
