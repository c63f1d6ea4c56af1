package surveyloop_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/surveyloop"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A detractor's response opens a complaint case in the response's own transaction:
// channel survey, the customer linked, the staff member who served (the response's,
// from its invitation), the reasons and comment as its description. A
// promoter opens none; a case the complaints domain refuses never costs the response.
func TestBadScoreOpensACase(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC))
	customers := &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers"), Locations: &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}}
	fs := &followup.Store{DB: env.Clients.DynamoDB, Table: env.Names("followups")}
	loc := place.Location{ID: "loc-1", Name: "Harbour Hotel", TimeZone: "Asia/Shanghai"}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.Locations.(*location.Store).PutLocation(ctx, loc, 0); err != nil {
		t.Fatal(err)
	}
	cases := &complaint.Service{Store: &complaint.Store{DB: env.Clients.DynamoDB, Table: env.Names("complaints")},
		Locations: customers.Locations.(*location.Store), Customers: customers, Effects: &casework.Effects{Followups: fs}, Clock: clk}
	svc := &survey.Service{Store: &survey.Store{DB: env.Clients.DynamoDB, Table: env.Names("surveys")}, Clock: clk,
		Locations: customers.Locations.(*location.Store), Recoverer: &surveyloop.Loop{Followups: fs, Cases: cases}}
	define := func(id, category string) {
		sv := survey.Survey{ID: id, Name: "Your stay", Version: 1, CreatedAt: clk.Now(),
			Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Required: true}},
			Loop: &survey.Loop{Detractor: true, CallbackWithinHours: 4, Notify: desk,
				OpenCase: &survey.CaseRule{Category: category, Severity: "high"}}}
		if err := svc.Store.CreateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
	}
	define("stay", "service_attitude")
	define("odd", "no_such_category")
	answer := func(surveyID, token string, score float64, comment string) survey.Receipt {
		t.Helper()
		// The invitation of a visit served by waiter-7: the case is about their service.
		if err := svc.Store.PutInvitation(ctx, survey.Invitation{Token: token, SurveyID: surveyID, CustomerID: "c-1", LocationID: "loc-1",
			StaffID: "waiter-7", ExpiresAt: clk.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		rc, err := svc.Submit(ctx, surveyID, survey.Submission{InvitationToken: token, Comment: comment,
			Answers: []survey.Answer{{QuestionID: "nps", Value: score}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return rc
	}
	answer("stay", "tok-1", 2, "Rude at check-in")
	answer("stay", "tok-2", 10, "")
	answer("odd", "tok-3", 1, "Cold room")
	page, err := cases.Queue(ctx, everyone, complaint.QueueQuery{LocationID: "loc-1", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 {
		t.Fatalf("%d cases, want the detractor's only", len(page.Items))
	}
	c, err := cases.Get(ctx, everyone, page.Items[0].ID) // the queue lists cases without their description
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != "survey" || c.CustomerID != "c-1" || c.Severity != "high" || c.Category != "service_attitude" || c.StaffID != "waiter-7" ||
		!strings.Contains(c.Description, "Rude at check-in") || !strings.Contains(c.Description, "detractor") {
		t.Fatalf("case %+v", c.Complaint)
	}
	responses, err := svc.Store.Responses(ctx, "stay")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, r := range responses {
		refs = append(refs, r.Case)
	}
	if !(len(refs) == 2 && (refs[0] == c.Reference || refs[1] == c.Reference)) {
		t.Fatalf("responses' cases %v, want one to be %s", refs, c.Reference)
	}
	if odd, _ := svc.Store.Responses(ctx, "odd"); len(odd) != 1 || odd[0].Case != "" {
		t.Fatalf("the refused case cost the response: %+v", odd)
	}
}
