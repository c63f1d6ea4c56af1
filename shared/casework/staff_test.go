package casework_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
)

// agentB is a second agent of the location, who handles the case agent (A) entered.
var agentB = auth.Principal{Subject: "agent-2", Roles: []string{"agent"}, Locations: []string{"sh-01"}}

// staffCounters are the location's staff counters of a period, as "<day> <staffId>" →
// counts.
func (f *fixture) staffCounters(t *testing.T, from, to string) map[string]kpi.Counts {
	t.Helper()
	days, err := kpi.ReadStaff(context.Background(), f.env.Clients.DynamoDB, f.env.Names("complaints"), "sh-01", from, to)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]kpi.Counts{}
	for _, d := range days {
		out[d.Day+" "+d.StaffID] = d.Counts
	}
	return out
}

// A case's life as its staff counters tell it, over the real tables (the compensation
// in the real ledger). Agent A enters a walk-in complaint on Monday 23 November 2026 at
// 10:00 in Shanghai (normal severity: acknowledge within 240 business minutes, resolve
// within 1,440); agent B acknowledges it at 13:40 (160 business minutes: the lunch hour
// does not count), resolves it on Thursday at 11:00 with 50 points (1,500 business
// minutes, past Thursday 10:00's deadline); a manager reopens it on Friday at 10:00 and
// A resolves it again at 11:00 (60 business minutes from the reopen, within the SLA;
// the points were granted once and are not A's).
func TestStaffCountersOfACaseLife(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.customers.DB.TransactWriteItems(ctx, transact(f.customers.ContactIndex("cust-1", "13800138000", ""))); err != nil {
		t.Fatal(err)
	}
	in := intake("normal")
	in.Channel = "walk-in"
	rc, err := f.svc.Submit(ctx, &agent, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := rc.ComplaintID
	f.clk.Set(f.local("2026-11-23 13:40"))
	acked := f.act(t, agentB, id, complaint.ActionRequest{Action: complaint.Acknowledge})
	if acked.StaffID != "agent-1" || acked.Acknowledge.BusinessMinutes != 160 || !*acked.Acknowledge.Met {
		t.Fatalf("acknowledged case: staffId %q, clock %+v", acked.StaffID, acked.Acknowledge)
	}
	f.clk.Set(f.local("2026-11-26 11:00"))
	resolved := f.act(t, agentB, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded the wait.", RootCause: "capacity", CompensationPoints: 50})
	if resolved.ResolvedBy != "agent-2" || resolved.Resolve.BusinessMinutes != 1500 || *resolved.Resolve.Met {
		t.Fatalf("resolved case: resolvedBy %q, clock %+v", resolved.ResolvedBy, resolved.Resolve)
	}
	if acct, _, _, err := f.loyalty.Account(ctx, "cust-1"); err != nil || acct.Balance != 50 {
		t.Fatalf("the compensation: %+v %v", acct, err)
	}
	// Each action counts once: repeated, the status no longer allows it (409).
	repeat := func(p auth.Principal, req complaint.ActionRequest) {
		t.Helper()
		if _, err := f.svc.Act(ctx, p, id, req); problem.KindOf(err) != problem.Conflict {
			t.Fatalf("%s repeated: %v, want 409", req.Action, err)
		}
	}
	repeat(agentB, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded the wait.", RootCause: "capacity", CompensationPoints: 50})
	f.clk.Set(f.local("2026-11-27 10:00"))
	f.act(t, manager, id, complaint.ActionRequest{Action: complaint.Reopen})
	repeat(manager, complaint.ActionRequest{Action: complaint.Reopen})
	f.clk.Set(f.local("2026-11-27 11:00"))
	again := f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Checked the queue again.", RootCause: "capacity", CompensationPoints: 50})
	if again.ResolvedBy != "agent-1" || again.Resolve.BusinessMinutes != 60 {
		t.Fatalf("resolved again: resolvedBy %q, clock %+v", again.ResolvedBy, again.Resolve)
	}
	want := map[string]kpi.Counts{
		"2026-11-23 agent-1": {"attributed": 1},
		"2026-11-23 agent-2": {"acked": 1, "ackedMet": 1, "ackMin_180": 1},
		"2026-11-26 agent-2": {"resolved": 1, "resMin_2880": 1, "compPoints": 50},
		"2026-11-27 agent-2": {"reopened": 1},
		"2026-11-27 agent-1": {"resolved": 1, "resolvedMet": 1, "resMin_60": 1},
	}
	got := f.staffCounters(t, "2026-11-23", "2026-11-30")
	if !maps.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("staff counters\n got %v\nwant %v", got, want)
	}
	// B's week: one resolution, missed, reopened once; the median resolve time lies in
	// the (1440, 2880] bucket.
	b := kpi.Counts{}
	for k, c := range got {
		if strings.HasSuffix(k, " agent-2") {
			for n, v := range c {
				b[n] += v
			}
		}
	}
	if m, ok, _ := kpi.Median(b, kpi.ResolveMinutes); !ok || m != 2880 || b[kpi.Reopened] != 1 || b[kpi.Resolved] != 1 {
		t.Fatalf("B's week %v: median %d", b, m)
	}
	// The location's counters are as they were: one opened, two resolutions, one met.
	loc, err := kpi.Read(ctx, f.env.Clients.DynamoDB, f.env.Names("complaints"), "sh-01", kpi.Day, "2026-11-23", "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	if loc["2026-11-23"][kpi.Opened] != 1 || loc["2026-11-26"][kpi.Resolved] != 1 || loc["2026-11-26"][kpi.ResolvedMet] != 0 ||
		loc["2026-11-27"][kpi.Resolved] != 1 || loc["2026-11-27"][kpi.ResolvedMet] != 1 {
		t.Fatalf("location counters %v", loc)
	}
	// The case shows who it is about and who resolved it; the customer's view does not.
	c, err := f.svc.Get(ctx, manager, id)
	if err != nil || c.StaffID != "agent-1" || c.ResolvedBy != "agent-1" || c.Timeline[0].Details["staffId"] != "agent-1" {
		t.Fatalf("case %+v %v", c.Complaint, err)
	}
	tr, err := f.svc.Track(ctx, rc.TrackingToken)
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := json.Marshal(tr); strings.Contains(string(body), "agent-") {
		t.Fatalf("the customer's view names staff: %s", body)
	}
}

// A resolution may compensate with a voucher beside the points: issued in the
// resolution's transaction, keyed by the case, so a second resolution after a reopen
// issues none (and counts none); the resolver's compVouchers counts the one issued.
func TestResolutionCompensatesWithAVoucherOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.customers.DB.TransactWriteItems(ctx, transact(f.customers.ContactIndex("cust-1", "13800138000", ""))); err != nil {
		t.Fatal(err)
	}
	id := f.submit(t, intake("normal")).ComplaintID
	comp := &complaint.Compensation{Points: 50, Voucher: &complaint.VoucherGrant{Value: complaint.VoucherValue{AmountOff: 30, Currency: "CNY"}, ValidDays: 30}}
	resolved := f.act(t, agentB, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded the wait.", RootCause: "capacity", Compensation: comp})
	src := reward.Source{Kind: reward.SourceComplaint, ID: id}
	v, err := f.rewards.Issued(ctx, src, "cust-1")
	if err != nil {
		t.Fatal(err)
	}
	if v.Value != (reward.Value{AmountOff: 30, Currency: "CNY"}) || !v.ExpiresAt.Equal(f.local("2026-12-23 10:00")) || v.IssuedBy != "agent-2" ||
		v.LocationID != "sh-01" || v.Name["en"] != "Compensation for "+resolved.Reference || v.Name["zh-CN"] != "投诉补偿 "+resolved.Reference || v.Status(f.clk.Now()) != reward.StatusIssued {
		t.Fatalf("voucher %+v", v)
	}
	last := resolved.Timeline[len(resolved.Timeline)-1]
	if resolved.CompensationVoucher == nil || resolved.CompensationVoucher.Code != v.Code || resolved.CompensationPoints != 50 || last.Details["compensationVoucher"] != v.Code {
		t.Fatalf("resolved case %+v, event %+v", resolved.Complaint, last)
	}
	if acct, _, _, err := f.loyalty.Account(ctx, "cust-1"); err != nil || acct.Balance != 50 {
		t.Fatalf("points %+v %v", acct, err)
	}
	f.act(t, manager, id, complaint.ActionRequest{Action: complaint.Reopen})
	again := f.act(t, agentB, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Checked again.", RootCause: "capacity", Compensation: comp})
	if last := again.Timeline[len(again.Timeline)-1]; last.Details["compensationVoucher"] != "already issued for this case: "+v.Code || again.CompensationVoucher.Code != v.Code {
		t.Fatalf("second resolution's voucher: %+v", last)
	}
	if all, err := f.rewards.Vouchers(ctx, "cust-1", 10); err != nil || len(all) != 1 {
		t.Fatalf("the customer's vouchers: %d %v", len(all), err)
	}
	got := f.staffCounters(t, "2026-11-23", "2026-11-23")
	want := map[string]kpi.Counts{"2026-11-23 agent-2": {"acked": 1, "ackedMet": 1, "ackMin_5": 1, "resolved": 2, "resolvedMet": 2, "resMin_5": 2,
		"compPoints": 50, "compVouchers": 1, "reopened": 1}}
	if !maps.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("staff counters\n got %v\nwant %v", got, want)
	}
}

// A voucher is refused, naming its field, when its value is wrong or the case has no
// customer to give it to; nothing is written.
func TestABadCompensationVoucherWritesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.submit(t, intake("normal")).ComplaintID // no customer matches its contact
	resolve := func(g complaint.VoucherGrant) error {
		_, err := f.svc.Act(ctx, agentB, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded.", RootCause: "capacity",
			Compensation: &complaint.Compensation{Voucher: &g}})
		return err
	}
	for field, g := range map[string]complaint.VoucherGrant{
		"compensation.voucher.value.percentOff": {Value: complaint.VoucherValue{PercentOff: 101}, ValidDays: 30},
		"compensation.voucher.value.amountOff":  {Value: complaint.VoucherValue{AmountOff: 0.005, Currency: "CNY"}, ValidDays: 30},
		"compensation.voucher.value":            {ValidDays: 30},
		"compensation.voucher.validDays":        {Value: complaint.VoucherValue{PercentOff: 10}},
		"compensation.voucher":                  {Value: complaint.VoucherValue{PercentOff: 10}, ValidDays: 30},
	} {
		if err := resolve(g); !hasField(err, field) {
			t.Errorf("%+v: %v, want a 400 naming %s", g, err, field)
		}
	}
	if c, _ := f.svc.Get(ctx, manager, id); c.Status != complaint.Received || c.Version != 1 {
		t.Fatalf("the case changed: %+v", c.Complaint)
	}
	if got := f.staffCounters(t, "2026-11-23", "2026-11-23"); len(got) != 0 {
		t.Fatalf("staff counters %v", got)
	}
}
