package survey_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
)

// staffCounts are the staff counters of the surveys table at loc-1 on the fixture's
// day, by staff member.
func (f *fixture) staffCounts(t *testing.T) map[string]kpi.Counts {
	t.Helper()
	days, err := kpi.ReadStaff(context.Background(), f.svc.Store.DB, f.svc.Store.Table, "loc-1", "2026-11-23", "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]kpi.Counts{}
	for _, d := range days {
		if d.Day != "2026-11-23" {
			t.Errorf("a staff item of day %s", d.Day)
		}
		out[d.StaffID] = d.Counts
	}
	return out
}

// Invitations name the staff member whose service they ask about: the one a point of
// sale gives, or the inviting person; a response counts on that staff member's
// counters of its day, once, with its NPS and CSAT parts and each dimension's sum and
// count; a response naming nobody counts on no one's.
func TestResponsesCountForTheirInvitationsStaffMember(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pos := auth.Principal{Subject: "pos-1", Roles: []string{"system"}, Locations: []string{"loc-1"}}
	agent := auth.Principal{Subject: "agent-1", Roles: []string{"agent"}, Locations: []string{"loc-1"}}
	invite := func(p auth.Principal, staffID string) string {
		t.Helper()
		is, err := f.staff.Invite(ctx, p, "s-1", survey.InvitationRequest{CustomerID: "c-1", LocationID: "loc-1", StaffID: staffID})
		if err != nil {
			t.Fatal(err)
		}
		return is.Token
	}
	byWaiter, byAgent, byNobody := invite(pos, "waiter-7"), invite(agent, ""), invite(pos, "")
	for tok, want := range map[string]string{byWaiter: "waiter-7", byAgent: "agent-1", byNobody: ""} {
		if inv, err := f.svc.Store.Invitation(ctx, tok); err != nil || inv.StaffID != want {
			t.Fatalf("invitation names %q (%v), want %q", inv.StaffID, err, want)
		}
	}
	answer := func(tok string, nps, csat, clean float64) error {
		_, err := f.svc.Submit(ctx, "s-1", survey.Submission{InvitationToken: tok, Answers: []survey.Answer{
			{QuestionID: "nps", Value: nps}, {QuestionID: "csat", Value: csat}, {QuestionID: "clean", Value: clean}}}, nil)
		return err
	}
	if err := answer(byWaiter, 9, 4, 4); err != nil {
		t.Fatal(err)
	}
	if err := answer(byAgent, 5, 2, 3); err != nil { // a detractor: the loop acts too
		t.Fatal(err)
	}
	if err := answer(byNobody, 10, 5, 5); err != nil {
		t.Fatal(err)
	}
	// Submitted again: refused, and counted nowhere.
	if err := answer(byWaiter, 9, 4, 4); kindOf(err) != problem.Conflict {
		t.Fatalf("a second answer: %v", err)
	}
	want := map[string]kpi.Counts{
		"waiter-7": {kpi.Responses: 1, kpi.NPSCount: 1, kpi.Promoters: 1, kpi.CSATCount: 1, kpi.Satisfied: 1,
			"dimSum_service quality": 4, "dimN_service quality": 1, "dimSum_cleanliness": 4, "dimN_cleanliness": 1},
		"agent-1": {kpi.Responses: 1, kpi.NPSCount: 1, kpi.Detractors: 1, kpi.CSATCount: 1,
			"dimSum_service quality": 2, "dimN_service quality": 1, "dimSum_cleanliness": 3, "dimN_cleanliness": 1},
	}
	if got := f.staffCounts(t); !maps.EqualFunc(got, want, maps.Equal) {
		t.Fatalf("staff counters %v, want %v", got, want)
	}
	rs, err := f.svc.Store.Responses(ctx, "s-1")
	if err != nil || len(rs) != 3 {
		t.Fatalf("%d responses, %v", len(rs), err)
	}
	named := map[string]int{}
	for _, r := range rs {
		named[r.StaffID]++
	}
	if !maps.Equal(named, map[string]int{"waiter-7": 1, "agent-1": 1, "": 1}) {
		t.Errorf("responses name %v", named)
	}
}

// A staff id that cannot be one is a 400 naming staffId, and no invitation is made.
func TestInvitationRefusesABadStaffID(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, bad := range []string{"a#b", "two words", strings.Repeat("x", 129)} {
		_, err := f.staff.Invite(ctx, everyone, "s-1", survey.InvitationRequest{CustomerID: "c-1", LocationID: "loc-1", StaffID: bad})
		var p *problem.Error
		if !errors.As(err, &p) || p.Kind != problem.Invalid || len(p.Fields) != 1 || p.Fields[0].Field != "staffId" {
			t.Errorf("staffId %q: %v", bad, err)
		}
	}
	out, err := f.svc.Store.DB.(*dynamodb.Client).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(f.svc.Store.Table),
		FilterExpression: aws.String("begins_with(pk, :inv)"), ExpressionAttributeValues: map[string]types.AttributeValue{":inv": dynamo.S("INV#")}})
	if err != nil || out.Count != 0 {
		t.Fatalf("%d invitations stored (%v)", out.Count, err)
	}
}
