package visit_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/membership"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/visit"
)

var (
	t0 = time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC) // 12:00 in Shanghai
	// pos is a system with every location.
	pos = auth.Principal{Subject: "pos-1", Roles: []string{"system"}, All: true}
)

type fixture struct {
	svc *visit.Service
	env *testenv.Env
	clk *clock.Manual
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testenv.New(t)
	ctx := context.Background()
	clk := clock.NewManual(t0)
	db := env.Clients.DynamoDB
	customers := &customer.Store{DB: db, Table: env.Names("customers"), Locations: &location.Store{DB: db, Table: env.Names("customers")}}
	followups := &followup.Store{DB: db, Table: env.Names("followups")}
	surveys := &survey.Store{DB: db, Table: env.Names("surveys")}
	every := []string{"08:00-22:00"}
	loc := place.Location{ID: "loc-1", Name: "Harbour Hotel", TimeZone: "Asia/Shanghai",
		WeeklyHours:       map[string][]string{"mon": every, "tue": every, "wed": every, "thu": every, "fri": every, "sat": every, "sun": every},
		PostServiceSurvey: &place.PostServiceSurvey{SurveyID: "stay", DelayMinutes: 60}}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.Locations.(*location.Store).PutLocation(ctx, loc, 0); err != nil {
		t.Fatal(err)
	}
	sv := survey.Survey{ID: "stay", Name: "Your stay", Version: 1, LocationID: "loc-1", CreatedAt: t0,
		Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{"en": "Recommend us?"}}}}
	if err := surveys.CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	if _, _, err := customers.CreateProfile(ctx, customer.ProfileInput{ID: "c-1", Email: ptr("c1@example.com"), LocationID: ptr("loc-1")}, "t", t0); err != nil {
		t.Fatal(err)
	}
	svc := &visit.Service{Customers: customers, Surveys: surveys, Followups: followups, Clock: clk, PublicURL: "https://api.example",
		Loyalty: &loyalty.Service{Store: &loyalty.Store{DB: db, Table: env.Names("loyalty")}, Clock: clk, Effects: membership.Messages{Followups: followups}}}
	return &fixture{svc: svc, env: env, clk: clk}
}

func ptr[T any](v T) *T { return &v }

// count counts a table's items whose key starts so (a test may scan its own table).
func (f *fixture) count(t *testing.T, table, pkPrefix, skEquals string) int {
	t.Helper()
	out, err := f.env.Clients.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(f.env.Names(table))})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, it := range out.Items {
		pk := it["pk"].(*types.AttributeValueMemberS).Value
		sk := it["sk"].(*types.AttributeValueMemberS).Value
		if strings.HasPrefix(pk, pkPrefix) && (skEquals == "" || sk == skEquals) {
			n++
		}
	}
	return n
}

// A visit posted three times (and three more at once) with one sourceId: one visit,
// one earn, one survey invitation and one follow-up sending it.
func TestVisitHasOneEffectPerSource(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := visit.Request{SourceID: "bill-1", CustomerID: "c-1", LocationID: "loc-1", Amount: ptr(388.0), Currency: "CNY"}
	first, replayed, err := f.svc.Report(ctx, pos, req)
	if err != nil || replayed || !first.EffectsDone || first.EntryID == "" || first.FollowupID == "" {
		t.Fatalf("first: %+v %v %v", first, replayed, err)
	}
	for range 2 {
		v, replayed, err := f.svc.Report(ctx, pos, req)
		if err != nil || !replayed || v.ID != first.ID {
			t.Fatalf("repeat: %+v %v %v", v, replayed, err)
		}
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, _, err := f.svc.Report(ctx, pos, req); err != nil {
				t.Errorf("concurrent repeat: %v", err)
			}
		})
	}
	wg.Wait()
	if n := f.count(t, "customers", "CUST#c-1", ""); n != 2 { // the profile and one visit
		t.Fatalf("%d items under the customer, want the profile and one visit", n)
	}
	entries, _, _ := f.svc.Loyalty.Store.Entries(ctx, "c-1", 50, nil)
	if len(entries) != 1 || entries[0].Points != 388 || entries[0].SourceID != "visit:bill-1" {
		t.Fatalf("ledger %+v", entries)
	}
	if n := f.count(t, "surveys", "INV#", "INV"); n != 1 {
		t.Fatalf("%d invitations", n)
	}
	if n := f.count(t, "followups", "FU#", "FU"); n != 1 {
		t.Fatalf("%d follow-ups", n)
	}
	fu, err := f.svc.Followups.Get(ctx, first.FollowupID)
	if err != nil || fu.Kind != followup.KindPostServiceSurvey || fu.Recipient.Address != "c1@example.com" || !fu.DueAt.Equal(t0.Add(time.Hour)) ||
		!strings.HasPrefix(fu.Vars["link"], "https://api.example/v1/s/") {
		t.Fatalf("follow-up %+v %v", fu, err)
	}
	p, _ := f.svc.Customers.Profile(ctx, "c-1")
	if p.Visits != 1 || p.Monetary != 388 || p.LastVisit == nil || !p.LastVisit.Equal(t0) {
		t.Fatalf("figures %+v", p)
	}
	// The same sourceId with other values is a conflict, not a second visit.
	other := req
	other.Amount = ptr(1.0)
	if _, _, err := f.svc.Report(ctx, pos, other); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("other values: %v", err)
	}
}

// invitations are the surveys table's invitation tokens.
func (f *fixture) invitations(t *testing.T) []string {
	t.Helper()
	out, err := f.env.Clients.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(f.env.Names("surveys"))})
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, it := range out.Items {
		if tok, ok := strings.CutPrefix(it["pk"].(*types.AttributeValueMemberS).Value, "INV#"); ok {
			tokens = append(tokens, tok)
		}
	}
	return tokens
}

// claimToken is the invitation token the visit's sourceId claim holds, "" for none.
func (f *fixture) claimToken(t *testing.T, src string) string {
	t.Helper()
	out, err := f.env.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(f.env.Names("customers")),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "VISITSRC#" + src}, "sk": &types.AttributeValueMemberS{Value: "VISIT"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("claim of %s: %v %v", src, out, err)
	}
	if tok, ok := out.Item["invitationToken"].(*types.AttributeValueMemberS); ok {
		return tok.Value
	}
	return ""
}

// A visit's survey invitation token is drawn when it is reported and kept with its
// sourceId claim: effects cut short after the invitation (the follow-ups unreachable)
// and finished by the job make one invitation, and its message links to it. Once the
// effects are done the claim no longer holds the token; the customer's visit history
// and the answer never do.
func TestTheInvitationTokenIsTheVisits(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	followups := f.svc.Followups
	f.svc.Followups = &followup.Store{DB: followups.DB, Table: "no-such-table"}
	v, _, err := f.svc.Report(ctx, pos, visit.Request{SourceID: "bill-4", CustomerID: "c-1", LocationID: "loc-1"})
	if err != nil || v.EffectsDone {
		t.Fatalf("with the follow-up failing: %+v %v", v, err)
	}
	invs := f.invitations(t)
	if len(invs) != 1 || f.claimToken(t, "bill-4") != invs[0] || len(invs[0]) != 32 {
		t.Fatalf("invitations %v, claim's token %q: want one, of 32 characters, the claim's", invs, f.claimToken(t, "bill-4"))
	}
	if body, _ := json.Marshal(v); strings.Contains(string(body), invs[0]) {
		t.Fatalf("the answer shows the invitation token: %s", body)
	}

	f.svc.Followups = followups
	f.clk.Advance(2 * time.Minute)
	if done, err := f.svc.RetryEffects(ctx, f.clk.Now()); err != nil || done != 1 {
		t.Fatalf("retry: %d %v", done, err)
	}
	if got := f.invitations(t); len(got) != 1 || got[0] != invs[0] {
		t.Fatalf("after the retry: invitations %v, want %v alone", got, invs)
	}
	done, _, _ := f.svc.Customers.VisitBySource(ctx, "bill-4")
	fu, err := f.svc.Followups.Get(ctx, done.FollowupID)
	if err != nil || fu.Vars["link"] != "https://api.example/v1/s/"+invs[0] {
		t.Fatalf("the message's link %q %v, want the invitation's", fu.Vars["link"], err)
	}
	if tok := f.claimToken(t, "bill-4"); tok != "" || done.InvitationToken != "" {
		t.Errorf("after the effects: the claim still holds %q", tok)
	}
	out, err := f.env.Clients.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(f.env.Names("customers"))})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.Items {
		if _, ok := it["invitationToken"]; ok {
			t.Errorf("%v keeps an invitation token", it["pk"])
		}
	}
}

// A visit reported before tokens were drawn at report time (its claim holds none) gets
// one kept on its first run of the effects, and every later run uses it: one
// invitation, whichever run makes it.
func TestAVisitWithoutATokenKeepsOne(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := customer.Visit{ID: "v-old", SourceID: "bill-5", CustomerID: "c-1", LocationID: "loc-1", At: t0, ReceivedAt: t0}
	if err := f.svc.Customers.RecordVisit(ctx, v); err != nil {
		t.Fatal(err)
	}
	followups := f.svc.Followups
	f.svc.Followups = &followup.Store{DB: followups.DB, Table: "no-such-table"}
	if _, err := f.svc.Effects(ctx, v); err == nil {
		t.Fatal("effects with the follow-ups unreachable succeeded")
	}
	kept := f.claimToken(t, "bill-5")
	if invs := f.invitations(t); len(invs) != 1 || invs[0] != kept || kept == "" {
		t.Fatalf("invitations %v, claim's token %q: want one, the kept token", invs, kept)
	}
	f.svc.Followups = followups
	if _, err := f.svc.Effects(ctx, v); err != nil { // the same visit, still without a token in hand
		t.Fatal(err)
	}
	if invs := f.invitations(t); len(invs) != 1 || invs[0] != kept {
		t.Fatalf("after a second run: invitations %v, want %q alone", invs, kept)
	}
}

// Effects cut short (the surveys table unreachable after the earn) are finished from
// the visit record by the job, once: still one earn, one invitation.
func TestEffectsAreRetriedFromTheVisit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	surveys := f.svc.Surveys
	f.svc.Surveys = &survey.Store{DB: surveys.DB, Table: "no-such-table"}
	v, _, err := f.svc.Report(ctx, pos, visit.Request{SourceID: "bill-3", CustomerID: "c-1", LocationID: "loc-1", Amount: ptr(50.0), Currency: "CNY"})
	if err != nil || v.EffectsDone {
		t.Fatalf("with the invitation failing: %+v %v", v, err)
	}
	f.svc.Surveys = surveys
	if done, _ := f.svc.RetryEffects(ctx, f.clk.Now()); done != 0 {
		t.Fatalf("retried a visit younger than a minute: %d", done)
	}
	f.clk.Advance(2 * time.Minute)
	done, err := f.svc.RetryEffects(ctx, f.clk.Now())
	if err != nil || done != 1 {
		t.Fatalf("retry: %d %v", done, err)
	}
	if done, _ := f.svc.RetryEffects(ctx, f.clk.Now()); done != 0 {
		t.Fatalf("a second retry did %d", done)
	}
	entries, _, _ := f.svc.Loyalty.Store.Entries(ctx, "c-1", 50, nil)
	if len(entries) != 1 || entries[0].SourceID != "visit:bill-3" {
		t.Fatalf("ledger %+v", entries)
	}
	if n := f.count(t, "surveys", "INV#", "INV"); n != 1 {
		t.Fatalf("%d invitations", n)
	}
	if v, _, _ := f.svc.Customers.VisitBySource(ctx, "bill-3"); !v.EffectsDone || v.FollowupID == "" {
		t.Fatalf("visit after the retry %+v", v)
	}
}

func TestVisitNamesBadFields(t *testing.T) {
	f := newFixture(t)
	_, _, err := f.svc.Report(context.Background(), pos, visit.Request{Amount: ptr(-1.0)})
	var p *problem.Error
	if !errors.As(err, &p) {
		t.Fatalf("not a problem: %v", err)
	}
	for _, field := range []string{"sourceId", "customerId", "locationId", "amount"} {
		if !slices.ContainsFunc(p.Fields, func(fe problem.FieldError) bool { return fe.Field == field }) {
			t.Errorf("%v does not name %s", p.Fields, field)
		}
	}
	_, _, err = f.svc.Report(context.Background(), pos, visit.Request{SourceID: "b", CustomerID: "c-1", LocationID: "loc-1", Amount: ptr(10.0), Currency: "USD"})
	if err == nil || !strings.Contains(err.Error(), "currency") {
		t.Fatalf("wrong currency: %v", err)
	}
	// A location the system may not act on does not exist for it; a system with no
	// location has none to report at.
	for name, p := range map[string]auth.Principal{
		"another location's system": {Subject: "pos-2", Roles: []string{"system"}, Locations: []string{"loc-9"}},
		"a system of no location":   {Subject: "pos-3", Roles: []string{"system"}},
	} {
		_, _, err = f.svc.Report(context.Background(), p, visit.Request{SourceID: "b", CustomerID: "c-1", LocationID: "loc-1"})
		if problem.KindOf(err) != problem.NotFound || err.Error() != `not-found: no such location` {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A manager reports visits by hand at their locations, for customers they already see
// or new ones: a visit makes the customer belong to its location, so reporting one for
// another location's customer is for the system that served them.
func TestStaffReportForCustomersTheySee(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	elsewhere := auth.Principal{Subject: "mgr-2", Roles: []string{"manager"}, Locations: []string{"loc-2"}}
	if _, _, err := f.svc.Report(ctx, elsewhere, visit.Request{SourceID: "hand-1", CustomerID: "c-1", LocationID: "loc-2", Amount: ptr(10.0), Currency: "CNY"}); problem.KindOf(err) != problem.NotFound || err.Error() != `not-found: no such customer` {
		t.Fatalf("another location's customer: %v", err)
	}
	if p, _ := f.svc.Customers.Profile(ctx, "c-1"); len(p.ServedAt) != 0 || p.Visits != 0 {
		t.Fatalf("a refused visit changed the customer: %+v", p)
	}
	mgr := auth.Principal{Subject: "mgr-1", Roles: []string{"manager"}, Locations: []string{"loc-1"}}
	for _, cid := range []string{"c-1", "c-new"} {
		v, _, err := f.svc.Report(ctx, mgr, visit.Request{SourceID: "hand-" + cid, CustomerID: cid, LocationID: "loc-1", Amount: ptr(10.0), Currency: "CNY"})
		if err != nil || v.CustomerID != cid || v.By != mgr.Subject {
			t.Fatalf("visit of %s by their location's manager: %+v %v", cid, v, err)
		}
	}
}
