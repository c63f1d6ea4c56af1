package complaint_test

import (
	"context"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
)

// staffCounters are the location's staff counters on Monday 23 November 2026, by staff id.
func (f *fixture) staffCounters(t *testing.T) map[string]kpi.Counts {
	t.Helper()
	days, err := kpi.ReadStaff(context.Background(), f.env.Clients.DynamoDB, f.svc.Store.Table, "sh-01", "2026-11-23", "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]kpi.Counts{}
	for _, d := range days {
		out[d.StaffID] = d.Counts
	}
	return out
}

func phoneIntake(staffID string) complaint.Intake {
	in := intake("normal")
	in.Channel, in.StaffID = "phone", staffID
	return in
}

// The staff member a complaint is about: the staffId staff give, or else the staff
// member entering it; a machine client names nobody unless it gives one, and the public
// route takes none.
func TestStaffIntakeAttributesTheComplaint(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	system := auth.Principal{Subject: "pos-gateway", Roles: []string{"system"}, All: true}
	for _, c := range []struct {
		who   auth.Principal
		given string
		want  string
	}{{agent, "", "agent-1"}, {agent, "pos:clerk-7", "pos:clerk-7"}, {system, "", ""}, {system, "pos:clerk-7", "pos:clerk-7"}} {
		rc, err := f.svc.Submit(ctx, &c.who, phoneIntake(c.given), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.Get(ctx, manager, rc.ComplaintID); got.StaffID != c.want || got.Timeline[0].Details["staffId"] != c.want {
			t.Errorf("%s giving %q: staffId %q (%v), want %q", c.who.Subject, c.given, got.StaffID, got.Timeline[0].Details, c.want)
		}
	}
	if got, want := f.staffCounters(t), map[string]kpi.Counts{"agent-1": {"attributed": 1}, "pos:clerk-7": {"attributed": 2}}; !maps.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("staff counters %v, want %v", got, want)
	}
	rc := f.submit(t, intake("normal"))
	if got, _ := f.svc.Get(ctx, manager, rc.ComplaintID); got.StaffID != "" {
		t.Fatalf("a public complaint names %q", got.StaffID)
	}
}

// A wrong staffId is a 400 naming it, and nothing is written: no case, no counter.
func TestBadStaffIDWritesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, bad := range []string{"clerk#7", "clerk 7", strings.Repeat("a", 129)} {
		_, err := f.svc.Submit(ctx, &agent, phoneIntake(bad), nil)
		if !hasField(err, "staffId") || problem.KindOf(err).Status() != 400 {
			t.Errorf("staffId %q: %v, want 400 naming staffId", bad, err)
		}
	}
	public := intake("normal")
	public.StaffID = "agent-1"
	if _, err := f.svc.Submit(ctx, nil, public, nil); !hasField(err, "staffId") {
		t.Errorf("public intake with a staffId: %v, want 400 naming staffId", err)
	}
	page, err := f.svc.Queue(ctx, manager, complaint.QueueQuery{LocationID: "sh-01", Limit: 50})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("queue %+v %v", page, err)
	}
	if got := f.staffCounters(t); len(got) != 0 {
		t.Fatalf("staff counters %v", got)
	}
	if loc, err := kpi.Read(ctx, f.env.Clients.DynamoDB, f.svc.Store.Table, "sh-01", kpi.Day, "2026-11-23", "2026-11-23"); err != nil || len(loc) != 0 {
		t.Fatalf("location counters %v %v", loc, err)
	}
}

// An acknowledgement counts once: repeated it is a 409, starting the case afterwards
// stops no clock, and of eight agents acknowledging at once one wins and is counted.
func TestAnAcknowledgementCountsOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	one := f.submit(t, intake("normal")).ComplaintID
	f.clk.Advance(20 * time.Minute) // 20 business minutes
	f.act(t, agent, one, complaint.ActionRequest{Action: complaint.Acknowledge})
	if _, err := f.svc.Act(ctx, agent, one, complaint.ActionRequest{Action: complaint.Acknowledge}); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("repeated acknowledge: %v, want 409", err)
	}
	f.act(t, agent, one, complaint.ActionRequest{Action: complaint.Start})
	two := f.submit(t, intake("normal")).ComplaintID
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p := auth.Principal{Subject: "racer-" + string(rune('a'+i)), Roles: []string{"agent"}, Locations: []string{"sh-01"}}
			_, errs[i] = f.svc.Act(ctx, p, two, complaint.ActionRequest{Action: complaint.Acknowledge})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case problem.KindOf(err) != problem.Conflict:
			t.Fatalf("a loser got %v", err)
		}
	}
	got := f.staffCounters(t)
	acked := 0
	for id, c := range got {
		if id != "agent-1" {
			acked += c[kpi.Acknowledged]
			if c[kpi.Acknowledged] == 1 && (c[kpi.AcknowledgeMet] != 1 || c["ackMin_5"] != 1) {
				t.Errorf("%s: %v", id, c)
			}
		}
	}
	if won != 1 || acked != 1 || !maps.Equal(got["agent-1"], kpi.Counts{"acked": 1, "ackedMet": 1, "ackMin_30": 1}) {
		t.Fatalf("%d won; staff counters %v", won, got)
	}
}

// The compensation object: its points are compensationPoints (both given must agree),
// and a voucher's amount off is in the location's currency unless it names one.
func TestCompensationObject(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.customers.byContact["+8613800138000"] = "cust-1"
	id := f.submit(t, intake("normal")).ComplaintID
	resolve := func(points int, comp *complaint.Compensation) (complaint.Case, error) {
		return f.svc.Act(ctx, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded.", RootCause: "capacity",
			CompensationPoints: points, Compensation: comp})
	}
	voucher := &complaint.VoucherGrant{Value: complaint.VoucherValue{AmountOff: 20}, ValidDays: 7}
	if _, err := resolve(50, &complaint.Compensation{Points: 40}); !hasField(err, "compensation.points") {
		t.Fatalf("points given twice, differently: %v", err)
	}
	if _, err := resolve(0, &complaint.Compensation{Voucher: &complaint.VoucherGrant{Value: voucher.Value, ValidDays: 7, Code: "MINE"}}); !hasField(err, "compensation.voucher.code") {
		t.Fatalf("a voucher code given: %v", err)
	}
	if _, err := resolve(0, &complaint.Compensation{Voucher: voucher}); !hasField(err, "compensation.voucher.value.currency") {
		t.Fatalf("an amount off where the location names no currency: %v", err)
	}
	loc := shanghai
	loc.Currency = "CNY"
	f.locations.put(loc)
	c, err := resolve(50, &complaint.Compensation{Points: 50, Voucher: voucher})
	if err != nil {
		t.Fatal(err)
	}
	r := f.effects.resolved[len(f.effects.resolved)-1]
	if r.Points != 50 || r.Voucher == nil || r.Voucher.Value != (complaint.VoucherValue{AmountOff: 20, Currency: "CNY"}) || r.Voucher.ValidDays != 7 ||
		c.CompensationVoucher == nil || c.CompensationVoucher.Code != "VOUCHER-"+c.Reference || c.CompensationPoints != 50 {
		t.Fatalf("resolution %+v, case %+v", r, c.Complaint)
	}
	if got := f.staffCounters(t)["agent-1"]; got[kpi.CompPoints] != 50 || got[kpi.CompVouchers] != 1 {
		t.Fatalf("agent-1's counters %v", got)
	}
}
