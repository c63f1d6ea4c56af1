package local_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/kpi"
)

// Over HTTP: staff intake names the staff member served (a wrong staffId is a 400
// naming it, and nothing is stored), and an acknowledgement sent twice with one
// Idempotency-Key, then once more without, is one acknowledgement in the acting staff
// member's counters.
func TestComplaintStaffOnTheRecord(t *testing.T) {
	s, clk, _ := complaintStack(t)
	ctx := context.Background()
	intake := func(staffID string) reply {
		body := `{"channel":"walk-in","category":"billing","description":"Charged twice.","locationId":"sh-01","contact":{"name":"Han"},"staffId":"` + staffID + `"}`
		return s.staffCall(t, "agent", "sh-01", "POST", "/v1/complaints/intake", body)
	}
	bad := intake("clerk#7")
	if p := problemOf(t, bad); bad.status != http.StatusBadRequest || !strings.Contains(jsonOf(p["errors"]), `"field":"staffId"`) {
		t.Fatalf("bad staffId: %d %s", bad.status, bad.body)
	}
	if q := s.staffCall(t, "manager", "sh-01", "GET", "/v1/complaints?locationId=sh-01", ""); q.status != http.StatusOK || !strings.Contains(q.body, `"items":[]`) {
		t.Fatalf("queue after a refused intake: %d %s", q.status, q.body)
	}
	ok := intake("pos:clerk-7")
	if ok.status != http.StatusCreated {
		t.Fatalf("intake: %d %s", ok.status, ok.body)
	}
	rc := decode[complaint.Receipt](t, ok)
	if c := s.caseOf(t, rc.ComplaintID); c.StaffID != "pos:clerk-7" {
		t.Fatalf("case staffId %q", c.StaffID)
	}
	clk.Advance(10 * time.Minute)
	tok, err := s.issuer.Token("staff-agent", []string{"agent"}, []string{"sh-01"}, clk.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	path := "/v1/complaints/" + rc.ComplaintID + "/actions"
	headers := map[string]string{"Authorization": "Bearer " + tok, "Idempotency-Key": "ack-1"}
	first := s.do(t, "POST", path, "application/json", []byte(`{"action":"acknowledge"}`), headers)
	again := s.do(t, "POST", path, "application/json", []byte(`{"action":"acknowledge"}`), headers)
	if first.status != http.StatusOK || again.status != http.StatusOK || again.body != first.body {
		t.Fatalf("acknowledge and its replay: %d / %d %s", first.status, again.status, again.body)
	}
	if r := s.staffCall(t, "agent", "sh-01", "POST", path, `{"action":"acknowledge"}`); r.status != http.StatusConflict {
		t.Fatalf("acknowledge again: %d %s", r.status, r.body)
	}
	days, err := kpi.ReadStaff(ctx, s.env.Clients.DynamoDB, s.env.Names("complaints"), "sh-01", "2026-11-23", "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]kpi.Counts{}
	for _, d := range days {
		got[d.StaffID] = d.Counts
	}
	if len(got) != 2 || got["pos:clerk-7"][kpi.Attributed] != 1 || len(got["pos:clerk-7"]) != 1 ||
		got["staff-agent"][kpi.Acknowledged] != 1 || got["staff-agent"][kpi.AcknowledgeMet] != 1 || got["staff-agent"]["ackMin_10"] != 1 {
		t.Fatalf("staff counters %v", got)
	}
}

// Over HTTP: a resolution compensating with points and a voucher grants both in its
// transaction (the loyalty ledger, the rewards table), and the resolver's counters say
// so; the case shows the voucher's code.
func TestComplaintCompensationOverHTTP(t *testing.T) {
	s, clk, _ := complaintStack(t)
	ctx := context.Background()
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/customers", `{"customerId":"comp-c1","name":"Han","phone":"+8613900139000","locationId":"sh-01"}`); r.status != http.StatusCreated {
		t.Fatalf("customer: %d %s", r.status, r.body)
	}
	r := s.staffCall(t, "agent", "sh-01", "POST", "/v1/complaints/intake",
		`{"channel":"phone","category":"billing","description":"Charged twice.","locationId":"sh-01","customerId":"comp-c1","contact":{"name":"Han"}}`)
	if r.status != http.StatusCreated {
		t.Fatalf("intake: %d %s", r.status, r.body)
	}
	id := decode[complaint.Receipt](t, r).ComplaintID
	clk.Advance(5 * time.Minute)
	r = s.staffCall(t, "agent", "sh-01", "POST", "/v1/complaints/"+id+"/actions",
		`{"action":"resolve","resolution":"Refunded.","rootCause":"process","compensation":{"points":50,"voucher":{"value":{"amountOff":30,"currency":"CNY"},"validDays":30}}}`)
	if r.status != http.StatusOK {
		t.Fatalf("resolve: %d %s", r.status, r.body)
	}
	c := decode[complaint.Case](t, r)
	if c.CompensationPoints != 50 || c.CompensationVoucher == nil || len(c.CompensationVoucher.Code) < 10 || c.ResolvedBy != "staff-agent" {
		t.Fatalf("resolved case %+v", c.Complaint)
	}
	days, err := kpi.ReadStaff(ctx, s.env.Clients.DynamoDB, s.env.Names("complaints"), "sh-01", "2026-11-23", "2026-11-23")
	if err != nil || len(days) != 1 {
		t.Fatalf("staff counters %v %v", days, err)
	}
	if got := days[0].Counts; days[0].StaffID != "staff-agent" || got[kpi.CompPoints] != 50 || got[kpi.CompVouchers] != 1 || got[kpi.Resolved] != 1 || got[kpi.Attributed] != 1 {
		t.Fatalf("staff-agent's counters %v", got)
	}
}
