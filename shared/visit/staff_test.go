package visit_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/visit"
)

// day is t0's local day at loc-1 (Asia/Shanghai), the day every counter here is on.
const day = "2026-11-23"

// staffCounts are a table's staff counters at loc-1 on day, by staff member.
func (f *fixture) staffCounts(t *testing.T, table string) map[string]kpi.Counts {
	t.Helper()
	days, err := kpi.ReadStaff(context.Background(), f.env.Clients.DynamoDB, f.env.Names(table), "loc-1", day, day)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]kpi.Counts{}
	for _, d := range days {
		out[d.StaffID] = d.Counts
	}
	return out
}

// invitationOf is the survey invitation a visit's follow-up links to.
func (f *fixture) invitationOf(t *testing.T, followupID string) survey.Invitation {
	t.Helper()
	fu, err := f.svc.Followups.Get(context.Background(), followupID)
	if err != nil {
		t.Fatal(err)
	}
	_, token, _ := strings.Cut(fu.Vars["link"], "/v1/s/")
	inv, err := f.svc.Surveys.Invitation(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

var manager = auth.Principal{Subject: "mgr-1", Roles: []string{"manager"}, Locations: []string{"loc-1"}}

// A visit names the staff member who served: the staffId a point of sale gives, or
// the reporting person's own subject; a system that names nobody counts for no one.
// Each visit adds exactly 1 to its staff member's visits of the local day, however
// often it is reported, and its survey invitation carries the staff member on.
func TestVisitsCountOnceForTheStaffMemberWhoServed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	report := func(p auth.Principal, src, staffID string) string {
		t.Helper()
		v, _, err := f.svc.Report(ctx, p, visit.Request{SourceID: src, CustomerID: "c-1", LocationID: "loc-1", StaffID: staffID})
		if err != nil {
			t.Fatal(err)
		}
		if inv := f.invitationOf(t, v.FollowupID); inv.StaffID != v.StaffID {
			t.Errorf("%s: the invitation names %q, the visit %q", src, inv.StaffID, v.StaffID)
		}
		return v.StaffID
	}
	for _, c := range []struct {
		p         auth.Principal
		src, give string
		want      string
	}{
		{pos, "bill-w", "waiter-7", "waiter-7"},
		{manager, "hand-m", "", "mgr-1"},
		{pos, "bill-n", "", ""},
	} {
		if got := report(c.p, c.src, c.give); got != c.want {
			t.Errorf("%s names %q, want %q", c.src, got, c.want)
		}
	}
	// Reported again, by the same reporter or with the same staffId: the first visit.
	for range 2 {
		if v, replayed, err := f.svc.Report(ctx, pos, visit.Request{SourceID: "bill-w", CustomerID: "c-1", LocationID: "loc-1", StaffID: "waiter-7"}); err != nil || !replayed || v.StaffID != "waiter-7" {
			t.Fatalf("repeat: %+v %v %v", v, replayed, err)
		}
	}
	if v, replayed, err := f.svc.Report(ctx, manager, visit.Request{SourceID: "hand-m", CustomerID: "c-1", LocationID: "loc-1"}); err != nil || !replayed || v.StaffID != "mgr-1" {
		t.Fatalf("repeat by hand: %+v %v %v", v, replayed, err)
	}
	// The same sourceId naming another staff member is not the same visit.
	if _, _, err := f.svc.Report(ctx, pos, visit.Request{SourceID: "bill-w", CustomerID: "c-1", LocationID: "loc-1", StaffID: "waiter-8"}); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("another staffId: %v", err)
	}
	want := map[string]kpi.Counts{"waiter-7": {kpi.Visits: 1}, "mgr-1": {kpi.Visits: 1}}
	if got := f.staffCounts(t, "customers"); !maps.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("staff counters %v, want %v", got, want)
	}
	days, err := kpi.Read(ctx, f.env.Clients.DynamoDB, f.env.Names("customers"), "loc-1", kpi.Day, day, day)
	if err != nil || days[day][kpi.Visits] != 3 {
		t.Fatalf("location counters %v %v, want 3 visits", days, err)
	}
}

// A response to a visit's survey invitation counts on the visit's staff member's
// survey counters, once: its NPS and CSAT parts as the location counts them, and each
// rated dimension's sum and count under its key ('.' escaped).
func TestAVisitsSurveyResponseCountsForItsStaffMember(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sv := survey.Survey{ID: "stay", Name: "Your stay", Version: 2, LocationID: "loc-1", CreatedAt: t0,
		Dimensions: []string{"service quality", "room.clean"},
		Questions: []survey.Question{
			{ID: "nps", Type: survey.TypeNPS, Required: true},
			{ID: "csat", Type: survey.TypeCSAT, Dimension: "service quality"},
			{ID: "host", Type: survey.TypeLikert5, Dimension: "service quality"},
			{ID: "room", Type: survey.TypeLikert10, Dimension: "room.clean"},
		}}
	if err := f.svc.Surveys.PutSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	v, _, err := f.svc.Report(ctx, pos, visit.Request{SourceID: "bill-s", CustomerID: "c-1", LocationID: "loc-1", StaffID: "waiter-7"})
	if err != nil {
		t.Fatal(err)
	}
	inv := f.invitationOf(t, v.FollowupID)
	surveys := &survey.Service{Store: f.svc.Surveys, Clock: f.clk, Locations: f.svc.Customers.Locations}
	f.clk.Advance(2 * time.Hour)
	sub := survey.Submission{InvitationToken: inv.Token, Answers: []survey.Answer{
		{QuestionID: "nps", Value: 9.0}, {QuestionID: "csat", Value: 4.0}, {QuestionID: "host", Value: 5.0}, {QuestionID: "room", Value: 7.0}}}
	if _, err := surveys.Submit(ctx, "stay", sub, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := surveys.Submit(ctx, "stay", sub, nil); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("answered again: %v", err)
	}
	want := map[string]kpi.Counts{"waiter-7": {kpi.Responses: 1, kpi.NPSCount: 1, kpi.Promoters: 1, kpi.CSATCount: 1, kpi.Satisfied: 1,
		"dimSum_service quality": 9, "dimN_service quality": 2, "dimSum_room%2Eclean": 7, "dimN_room%2Eclean": 1}}
	if got := f.staffCounts(t, "surveys"); !maps.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("staff survey counters %v, want %v", got, want)
	}
	rs, err := f.svc.Surveys.Responses(ctx, "stay")
	if err != nil || len(rs) != 1 || rs[0].StaffID != "waiter-7" {
		t.Fatalf("responses %+v %v", rs, err)
	}
}

// A staffId that cannot be one is a 400 naming staffId, and nothing is written: no
// visit, no counter, no change to the customer.
func TestVisitRefusesABadStaffID(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, bad := range []string{"a#b", "two words", strings.Repeat("x", 129)} {
		_, _, err := f.svc.Report(ctx, pos, visit.Request{SourceID: "bill-bad", CustomerID: "c-1", LocationID: "loc-1", StaffID: bad})
		var p *problem.Error
		if !errors.As(err, &p) || p.Kind != problem.Invalid || len(p.Fields) != 1 || p.Fields[0].Field != "staffId" {
			t.Errorf("staffId %q: %v", bad, err)
		}
	}
	for _, prefix := range []string{"VISITSRC#", "KPI#"} {
		if n := f.count(t, "customers", prefix, ""); n != 0 {
			t.Errorf("%d %s items written", n, prefix)
		}
	}
	if p, _ := f.svc.Customers.Profile(ctx, "c-1"); p.Visits != 0 {
		t.Errorf("the customer's visits: %d", p.Visits)
	}
}
