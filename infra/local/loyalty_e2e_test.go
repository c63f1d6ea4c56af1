package local_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// fieldsNamed are the fields a problem body's errors name.
func fieldsNamed(t *testing.T, r reply) []string {
	t.Helper()
	var p struct {
		Errors []struct{ Field string }
	}
	problemOf(t, r)
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// A point of sale and the front desk earn and redeem, staff read, a manager adjusts
// with a reason:
// through the runner's real routes, tokens and roles, over DynamoDB Local.
func TestLoyaltyOverHTTP(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	const base = "/v1/loyalty/c-77"
	// The guest is at home at loc-1, whose staff serve the account.
	if err := local.SeedLocation(t.Context(), &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}, s.cfg.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/customers", `{"customerId":"c-77","name":"Chen Jie","locationId":"loc-1"}`); r.status != http.StatusCreated {
		t.Fatalf("profile: %d %s", r.status, r.body)
	}

	// A system client earns; the same sourceId again is the same entry, marked replayed.
	earn := `{"sourceId":"till-4:receipt-1001","amount":128.5,"currency":"CNY","locationId":"loc-1"}`
	first := s.staffCall(t, "system", "*", "POST", base+"/earn", earn)
	if first.status != http.StatusCreated || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("earn: %d %v %s", first.status, first.header, first.body)
	}
	e := decode[loyalty.Entry](t, first)
	if e.Type != loyalty.TypeEarn || e.Points != 128 || e.SourceID != "till-4:receipt-1001" || e.Rule == nil || e.Lot == nil || e.Actor != local.MachineClientID {
		t.Fatalf("earned %+v", e)
	}
	again := s.staffCall(t, "system", "*", "POST", base+"/earn", earn)
	if again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the same sourceId again: %d %v %s", again.status, again.header, again.body)
	}
	if re := decode[loyalty.Entry](t, again); re.ID != e.ID || re.Points != e.Points {
		t.Fatalf("replayed %+v, want entry %s", re, e.ID)
	}
	other := s.staffCall(t, "system", "*", "POST", base+"/earn", `{"sourceId":"till-4:receipt-1001","amount":999,"currency":"CNY"}`)
	if other.status != http.StatusConflict {
		t.Fatalf("the same sourceId with another amount: %d %s", other.status, other.body)
	}
	problemOf(t, other)

	// The front desk earns for the guests it sees: an agent of another location finds
	// no such account; an agent of loc-1 keying in the till's receipt again gets its
	// entry, not a second earn.
	for _, op := range []string{"/earn", "/redeem"} {
		if r := s.staffCall(t, "agent", "loc-2", "POST", base+op, `{"sourceId":"desk-elsewhere","points":1}`); r.status != http.StatusNotFound {
			t.Fatalf("an agent of loc-2 at %s: %d %s", op, r.status, r.body)
		}
	}
	if r := s.staffCall(t, "agent", "loc-1", "POST", base+"/earn", `{"sourceId":"desk-loc-2","points":1,"locationId":"loc-2"}`); r.status != http.StatusNotFound {
		t.Fatalf("an agent of loc-1 earning at loc-2: %d %s", r.status, r.body)
	}
	desk := s.staffCall(t, "agent", "loc-1", "POST", base+"/earn", earn)
	if desk.status != http.StatusCreated || desk.header.Get("Idempotent-Replayed") != "true" || decode[loyalty.Entry](t, desk).ID != e.ID {
		t.Fatalf("an agent repeating the till's earn: %d %v %s, want entry %s replayed", desk.status, desk.header, desk.body, e.ID)
	}
	// Agents read; only managers adjust. The plain read is eventually consistent,
	// ?fresh=true strongly (a client's read of its own change); both see the earn here.
	if b := decode[loyalty.Balance](t, s.staffCall(t, "agent", "loc-1", "GET", base, "")); b.Balance != 128 || b.Tier != "member" {
		t.Fatalf("an agent reading the balance: %+v", b)
	}
	if b := decode[loyalty.Balance](t, s.staffCall(t, "agent", "loc-1", "GET", base+"?fresh=true", "")); b.Balance != 128 {
		t.Fatalf("a fresh read of the balance: %+v", b)
	}
	if r := s.staffCall(t, "agent", "loc-1", "GET", base+"?fresh=yes", ""); r.status != http.StatusBadRequest || strings.Join(fieldsNamed(t, r), ",") != "fresh" {
		t.Fatalf("fresh=yes: %d %s, want a 400 naming fresh", r.status, r.body)
	}
	if p := decode[loyalty.LedgerPage](t, s.staffCall(t, "agent", "loc-1", "GET", base+"/ledger", "")); len(p.Items) != 1 || p.Items[0].ID != e.ID {
		t.Fatalf("an agent reading the ledger: %+v", p)
	}
	if r := s.staffCall(t, "system", "*", "POST", base+"/adjust", `{"sourceId":"adj-0","points":5,"reason":"till said so"}`); r.status != http.StatusForbidden {
		t.Fatalf("a system client adjusting: %d %s", r.status, r.body)
	}
	adj := s.staffCall(t, "manager", "loc-1", "POST", base+"/adjust", `{"sourceId":"goodwill-1","points":22,"reason":"late delivery, goodwill"}`)
	if adj.status != http.StatusCreated {
		t.Fatalf("a manager adjusting: %d %s", adj.status, adj.body)
	}
	if a := decode[loyalty.Entry](t, adj); a.Type != loyalty.TypeAdjust || a.Points != 22 || a.Reason != "late delivery, goodwill" || a.Actor != "staff-manager" {
		t.Fatalf("adjusted %+v", a)
	}
	noReason := s.staffCall(t, "manager", "loc-1", "POST", base+"/adjust", `{"sourceId":"goodwill-2","points":-5}`)
	if got := fieldsNamed(t, noReason); noReason.status != http.StatusBadRequest || strings.Join(got, ",") != "reason" {
		t.Fatalf("an adjustment without a reason: %d %v", noReason.status, got)
	}

	// Redeeming more than is available is refused, never clamped (here at the front desk).
	over := s.staffCall(t, "agent", "loc-1", "POST", base+"/redeem", `{"sourceId":"gift-1","points":1000}`)
	if over.status != http.StatusConflict {
		t.Fatalf("redeem beyond the balance: %d %s", over.status, over.body)
	}
	if p := problemOf(t, over); !strings.Contains(p["detail"].(string), "150 available") {
		t.Fatalf("problem %v", p)
	}
	if r := s.staffCall(t, "agent", "loc-1", "POST", base+"/redeem", `{"sourceId":"gift-1","points":50}`); r.status != http.StatusCreated || decode[loyalty.Entry](t, r).Actor != "staff-agent" {
		t.Fatalf("an agent redeeming: %d %s", r.status, r.body)
	}

	// Rules are data and apply to every location: a location's manager may read them
	// but not change them; an incomplete document is refused naming what it lacks and
	// changes nothing; head office makes new points pending for 14 days.
	before := s.staffCall(t, "manager", "loc-1", "GET", "/v1/settings/loyalty", "")
	rules := decode[map[string]any](t, before)
	rules["pendingDays"] = 14
	if r := s.staffCall(t, "manager", "loc-1", "PUT", "/v1/settings/loyalty", jsonOf(rules)); r.status != http.StatusForbidden {
		t.Fatalf("a location's manager changes every location's rules: %d %s", r.status, r.body)
	}
	partial := s.staffCall(t, "admin", "*", "PUT", "/v1/settings/loyalty", `{"pendingDays":14,"version":0}`)
	if got := fieldsNamed(t, partial); partial.status != http.StatusBadRequest || !slices.Contains(got, "currency") || !slices.Contains(got, "tiers") {
		t.Fatalf("an incomplete rules document: %d %v", partial.status, got)
	}
	if after := s.staffCall(t, "manager", "loc-1", "GET", "/v1/settings/loyalty", ""); after.body != before.body {
		t.Fatalf("refused PUTs changed the rules:\n%s\n%s", before.body, after.body)
	}
	saved := s.staffCall(t, "admin", "*", "PUT", "/v1/settings/loyalty", jsonOf(rules))
	if saved.status != http.StatusOK || decode[loyalty.Rules](t, saved).Version != 1 {
		t.Fatalf("save rules: %d %s", saved.status, saved.body)
	}
	if r := s.staffCall(t, "system", "*", "POST", base+"/earn", `{"sourceId":"till-4:receipt-1002","amount":40,"currency":"CNY"}`); r.status != http.StatusCreated {
		t.Fatalf("earn pending: %d %s", r.status, r.body)
	}

	bal := s.staffCall(t, "agent", "loc-1", "GET", base, "")
	for _, field := range []string{`"balance":100`, `"tier":"member"`, `"pending":40`, `"expiring":[`} {
		if !strings.Contains(bal.body, field) {
			t.Fatalf("balance %d %s lacks %s", bal.status, bal.body, field)
		}
	}
	b := decode[loyalty.Balance](t, bal)
	sum := 0
	for _, x := range b.Expiring {
		sum += x.Points
		if d := x.ExpiresAt.Sub(s.cfg.Clock.Now()); d < 364*24*time.Hour || d > 366*24*time.Hour {
			t.Errorf("points expiring at %v, want in a year", x.ExpiresAt)
		}
	}
	if sum != b.Balance || b.NextTier == nil || b.NextTier.Tier != "silver" || b.NextTier.PointsNeeded != 1000-b.Earned12m {
		t.Fatalf("balance %+v", b)
	}

	// Bad input names the field.
	noSource := s.staffCall(t, "system", "*", "POST", base+"/earn", `{"points":10}`)
	if got := fieldsNamed(t, noSource); noSource.status != http.StatusBadRequest || strings.Join(got, ",") != "sourceId" {
		t.Fatalf("an earn without a sourceId: %d %v", noSource.status, got)
	}

	// The ledger, newest first, a page at a time.
	page := decode[loyalty.LedgerPage](t, s.staffCall(t, "manager", "loc-1", "GET", base+"/ledger?limit=2", ""))
	if len(page.Items) != 2 || page.NextCursor == nil || page.Items[0].SourceID != "till-4:receipt-1002" || page.Items[1].Type != loyalty.TypeRedeem {
		t.Fatalf("first page %+v", page)
	}
	rest := decode[loyalty.LedgerPage](t, s.staffCall(t, "manager", "loc-1", "GET", base+"/ledger?limit=2&cursor="+*page.NextCursor, ""))
	if len(rest.Items) != 2 || rest.Items[0].Reason != "late delivery, goodwill" || rest.Items[1].ID != e.ID {
		t.Fatalf("second page %+v", rest)
	}

	rep, err := loyalty.Reconcile(context.Background(), s.env.Clients.DynamoDB, s.env.Names("loyalty"))
	if err != nil || !rep.Clean() || rep.Entries != 4 {
		t.Fatalf("reconciliation %+v %v", rep, err)
	}
}
