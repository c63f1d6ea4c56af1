package privacy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/casework/desk"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	complaintform "github.com/rapport-crm/rapport/shared/complaint/form"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/membership"
	"github.com/rapport-crm/rapport/shared/outreach"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/privacy"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/surveyloop"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/timeline"
	"github.com/rapport-crm/rapport/shared/visit"
	"github.com/rapport-crm/rapport/shared/wiring"
)

var (
	// admin is head office and pos a system, both with every location.
	admin = auth.Principal{Subject: "admin-1", Roles: []string{wiring.RoleAdmin}, All: true}
	pos   = auth.Principal{Subject: "pos-1", Roles: []string{wiring.RoleSystem}, All: true}
	// manager and agent work at Shanghai, where the seeded people live.
	manager = auth.Principal{Subject: "manager-1", Roles: []string{wiring.RoleManager}, Locations: []string{"sh-01"}}
	agent   = auth.Principal{Subject: "agent-1", Roles: []string{wiring.RoleAgent}, Locations: []string{"sh-01"}}
	// bjManager may act on the Beijing location only.
	bjManager = auth.Principal{Subject: "manager-bj", Roles: []string{wiring.RoleManager}, Locations: []string{"bj-01"}}
	// noManager may act on no location.
	noManager = auth.Principal{Subject: "manager-0", Roles: []string{wiring.RoleManager}}
)

const surveyID = "after-visit"

// fixture is every domain over one test's tables, written through each domain's own
// code, with all their staff routes on one mux.
type fixture struct {
	t          *testing.T
	env        *testenv.Env
	clk        *clock.Manual
	customers  *customer.Store
	surveys    *survey.Service
	complaints *complaint.Service
	points     *loyalty.Service
	followups  *followup.Store
	visits     *visit.Service
	sender     *followup.Sender
	svc        *privacy.Service
	mux        *http.ServeMux
	// sources numbers the systems' sourceIds, which name no customer.
	sources int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, testenv.New(t))
}

func newFixtureOn(t *testing.T, env *testenv.Env) *fixture {
	t.Helper()
	ctx := context.Background()
	db := env.Clients.DynamoDB
	clk := clock.NewManual(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)) // 10:00 in Shanghai, a Monday
	f := &fixture{t: t, env: env, clk: clk,
		customers: &customer.Store{DB: db, Table: env.Names("customers"), Locations: &location.Store{DB: db, Table: env.Names("customers")}},
		followups: &followup.Store{DB: db, Table: env.Names("followups")},
	}
	f.surveys = &survey.Service{Store: &survey.Store{DB: db, Table: env.Names("surveys")}, Clock: clk, Locations: f.customers.Locations.(*location.Store),
		Recoverer: &surveyloop.Loop{Followups: f.followups}}
	f.points = &loyalty.Service{Store: &loyalty.Store{DB: db, Table: env.Names("loyalty")}, Clock: clk, Effects: membership.Messages{Followups: f.followups},
		Customers: f.customers}
	f.complaints = &complaint.Service{Store: &complaint.Store{DB: db, Table: env.Names("complaints")}, Locations: f.customers.Locations.(*location.Store),
		Customers: f.customers, Effects: &casework.Effects{Followups: f.followups, Compensation: &desk.Points{Loyalty: f.points.Store}}, Clock: clk, PublicURL: "https://api.example"}
	f.visits = &visit.Service{Customers: f.customers, Loyalty: f.points, Surveys: f.surveys.Store, Followups: f.followups,
		Clock: clk, PublicURL: "https://api.example"}
	outbox := &followup.Outbox{DB: db, Table: env.Names("followups"), Keep: 30 * 24 * time.Hour}
	f.sender = &followup.Sender{Store: f.followups, Channels: map[string]followup.Channel{"email": outbox, "sms": outbox},
		Clock: clk, Lease: time.Minute}
	f.svc = newService(env, db, clk)

	week := map[string][]string{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		week[d] = []string{"08:00-22:00"}
	}
	for _, l := range []place.Location{
		{ID: "sh-01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai", WeeklyHours: week, QuietHours: "23:00-07:00",
			Managers:          []contact.Contact{{Name: "Duty manager", Channel: "email", Address: "desk@example.com", Locale: "en"}},
			PostServiceSurvey: &place.PostServiceSurvey{SurveyID: surveyID, ExpiresInHours: 168}},
		{ID: "bj-01", Name: "Beijing Wangfujing", TimeZone: "Asia/Shanghai", WeeklyHours: week, QuietHours: "23:00-07:00"},
	} {
		if err := l.Validate(); err != nil {
			t.Fatal(err)
		}
		if _, err := f.customers.Locations.(*location.Store).PutLocation(ctx, l, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.surveys.Store.PutSurvey(ctx, survey.Survey{ID: surveyID, Name: "After your visit", Version: 1, CreatedAt: clk.Now(),
		Questions: []survey.Question{
			{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{"en": "Recommend us?"}},
			{ID: "liked", Type: survey.TypeChoice, Options: []string{"food", "room"}, Text: map[string]string{"en": "Liked"}},
			{ID: "note", Type: survey.TypeText, Text: map[string]string{"en": "Tell us more"}},
		},
		Loop: &survey.Loop{Detractor: true, CallbackWithinHours: 4}}); err != nil {
		t.Fatal(err)
	}

	f.mux = http.NewServeMux()
	tl := &timeline.Service{DB: db, Profiles: f.customers, Tables: timeline.Tables{Customers: env.Names("customers"),
		Loyalty: env.Names("loyalty"), Followups: env.Names("followups"), Complaints: env.Names("complaints"), Surveys: env.Names("surveys")}}
	for _, routes := range []map[string]http.Handler{
		customer.StaffRoutes(&customer.Service{Store: f.customers, Signer: &customer.Signer{Store: f.customers}, Clock: clk}),
		complaint.StaffRoutes(f.complaints),
		complaint.PublicRoutes(f.complaints, &complaintform.Pages{Service: f.complaints}),
		loyalty.Routes(f.points),
		timeline.Routes(tl),
		(&followup.Staff{Store: f.followups, Clock: clk, Customers: outreach.Directory{Customers: f.customers}, Places: f.customers.Locations.(*location.Store)}).Routes(),
		survey.StaffRoutes(&survey.Staff{Service: f.surveys, PublicURL: "https://api.example"}),
		privacy.Routes(f.svc),
	} {
		for pattern, h := range routes {
			f.mux.Handle(pattern, h)
		}
	}
	return f
}

func newService(env *testenv.Env, db dynamo.API, clk clock.Clock) *privacy.Service {
	rewards := &reward.Store{DB: db, Table: env.Names("rewards")}
	return &privacy.Service{
		Customers:  &customer.Store{DB: db, Table: env.Names("customers"), Locations: &location.Store{DB: db, Table: env.Names("customers")}},
		Locations:  &location.Store{DB: db, Table: env.Names("customers")},
		Surveys:    &survey.Store{DB: db, Table: env.Names("surveys")},
		Complaints: &complaint.Store{DB: db, Table: env.Names("complaints")},
		Loyalty:    &loyalty.Store{DB: db, Table: env.Names("loyalty")},
		Followups:  &followup.Store{DB: db, Table: env.Names("followups")},
		Rewards:    rewards,
		Clock:      clk,
	}
}

// links are the voucher page's links as the voucher-timers job makes them and the page
// opens them, under a per-test key (privacy itself needs no key).
func (f *fixture) links() *reward.Links {
	return &reward.Links{Store: f.svc.Rewards, Keys: []reward.MAC{keyring.NewMAC(1, []byte("a per-test voucher link key, 32b"))}}
}

// person is someone seeded through every domain, and the strings that are theirs.
type person struct {
	id, name, phone, email string
	comment, description   string
	caseID, tracking       string
	responseID             string
	visitSource            string
	// secrets must never be found once the person is erased.
	secrets []string
}

// seed makes a person known to every domain as its own code would: a profile with
// consent, a loyalty membership, a visit (points, and the post-service survey's
// invitation and message), a detractor's response with a comment (the loop alerts the
// duty manager, quoting it), a complaint with an internal note and a resolution, more
// points, and every message delivered to the outbox.
func (f *fixture) seed(id, name, phone, email string) person {
	t := f.t
	t.Helper()
	ctx := context.Background()
	p := person{id: id, name: name, phone: phone, email: email,
		comment:     "The lift smelled of smoke, " + id,
		description: "Waited fifty minutes at reception, " + id}
	tick := func() { f.clk.Advance(time.Minute) }
	in := customer.ProfileInput{ID: id, Name: &name, LocationID: aws.String("sh-01"), Consent: map[string]bool{"email": true}}
	if phone != "" {
		in.Phone = &phone
	}
	if email != "" {
		in.Email = &email
	}
	if _, created, err := f.customers.CreateProfile(ctx, in, "front-desk", f.clk.Now()); err != nil || !created {
		t.Fatalf("profile %s: created %v, %v", id, created, err)
	}
	if err := f.customers.SetConsent(ctx, id, customer.Consent{Channel: "sms", Granted: false, At: f.clk.Now(), Source: "front-desk"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.points.Enrol(ctx, id, loyalty.Membership{Phone: phone, Email: email, Birthday: "1988-04-02", TimeZone: "Asia/Shanghai"}); err != nil {
		t.Fatalf("enrol %s: %v", id, err)
	}
	tick()
	amount := 268.0
	f.sources++
	p.visitSource = fmt.Sprintf("till-%d", f.sources)
	v, _, err := f.visits.Report(ctx, pos, visit.Request{SourceID: p.visitSource, CustomerID: id, LocationID: "sh-01", Amount: &amount, Currency: "CNY"})
	if err != nil || !v.EffectsDone {
		t.Fatalf("visit of %s: %+v %v", id, v, err)
	}
	tick()
	token := f.invitation(id)
	rc, err := f.surveys.Submit(ctx, surveyID, survey.Submission{InvitationToken: token, Comment: p.comment, Answers: []survey.Answer{
		{QuestionID: "nps", Value: 3.0}, {QuestionID: "liked", Value: "food"}, {QuestionID: "note", Value: "Ask for " + name},
	}}, nil)
	if err != nil || len(rc.Loop) == 0 {
		t.Fatalf("response of %s: %+v %v", id, rc, err)
	}
	p.responseID = rc.ResponseID
	tick()
	receipt, err := f.complaints.Submit(ctx, nil, complaint.Intake{Channel: "web", Category: "waiting_time", Description: p.description,
		LocationID: "sh-01", Contact: complaint.Contact{Name: name, Phone: phone, Email: email, Locale: "en"}}, nil)
	if err != nil {
		t.Fatalf("complaint of %s: %v", id, err)
	}
	p.caseID, p.tracking = receipt.ComplaintID, receipt.TrackingToken
	tick()
	for _, a := range []complaint.ActionRequest{
		{Action: complaint.Note, Note: "Called " + name + " on " + phone},
		{Action: complaint.Resolve, Resolution: "Apologised to " + name + " in person", RootCause: "capacity", Public: true},
	} {
		if _, err := f.complaints.Act(ctx, admin, p.caseID, a); err != nil {
			t.Fatalf("%s on %s: %v", a.Action, p.caseID, err)
		}
	}
	tick()
	if _, _, err := f.points.Earn(ctx, "pos", id, loyalty.EarnRequest{SourceID: fmt.Sprintf("order-%d", f.sources), Points: 120, LocationID: "sh-01"}); err != nil {
		t.Fatal(err)
	}
	f.deliverAll(id, p.responseID)
	p.secrets = []string{name, email, p.comment, p.description, "Called " + name, "Apologised to " + name}
	if phone != "" {
		p.secrets = append(p.secrets, nationalNumber(phone))
	}
	return p
}

// nationalNumber is a phone's digits without the country code, as found in any of the
// forms it is stored or written in.
func nationalNumber(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return strings.TrimPrefix(b.String(), "86")
}

// invitation is the token of the post-service survey invitation sent to a customer.
func (f *fixture) invitation(cid string) string {
	f.t.Helper()
	fs, err := f.followups.CustomerFollowups(context.Background(), cid)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, fu := range fs {
		if fu.Kind == followup.KindPostServiceSurvey {
			link := fu.Vars["link"]
			return link[strings.LastIndex(link, "/")+1:]
		}
	}
	f.t.Fatalf("no survey invitation for %s", cid)
	return ""
}

// deliverAll sends a customer's follow-ups and their response's loop alert through
// the sender into the outbox, as the queue would.
func (f *fixture) deliverAll(cid, responseID string) {
	f.t.Helper()
	ctx := context.Background()
	fs, err := f.followups.CustomerFollowups(ctx, cid)
	if err != nil {
		f.t.Fatal(err)
	}
	var ev events.SQSEvent
	for _, fu := range fs {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: "m-" + fu.ID, Body: `{"followupId":"` + fu.ID + `"}`})
	}
	if responseID != "" {
		alert, ok, err := f.followups.ByOccasion(ctx, survey.RecoveryKey(responseID, 0))
		if err != nil || !ok {
			f.t.Fatalf("no loop alert for response %s: %v", responseID, err)
		}
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: "m-" + alert.ID, Body: `{"followupId":"` + alert.ID + `"}`})
	}
	resp, err := f.sender.Handle(ctx, ev)
	if err != nil || len(resp.BatchItemFailures) > 0 {
		f.t.Fatalf("deliver: %+v %v", resp, err)
	}
}

// call makes a request as p to the fixture's routes.
func (f *fixture) call(p auth.Principal, method, path, body string) (int, string) {
	f.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r.WithContext(auth.With(r.Context(), p)))
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

// scan reads every item of every table and reports which needles it finds, where.
func (f *fixture) scan(needles []string) []string {
	f.t.Helper()
	var found []string
	for _, tbl := range wiring.Tables {
		p := dynamodb.NewScanPaginator(f.env.Clients.DynamoDB, &dynamodb.ScanInput{TableName: aws.String(f.env.Names(tbl.Name))})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				f.t.Fatal(err)
			}
			for _, raw := range page.Items {
				var item map[string]any
				if err := attributevalue.UnmarshalMap(raw, &item); err != nil {
					f.t.Fatal(err)
				}
				text, _ := json.Marshal(item)
				for _, n := range needles {
					if strings.Contains(string(text), n) || strings.Contains(fmt.Sprint(item), n) {
						found = append(found, fmt.Sprintf("%s: %q in %s/%s", tbl.Name, n, item["pk"], item["sk"]))
					}
				}
			}
		}
	}
	return found
}

// reconcile checks that every loyalty account equals its ledger and lots.
func (f *fixture) reconcile() loyalty.Reconciliation {
	f.t.Helper()
	rep, err := loyalty.Reconcile(context.Background(), f.env.Clients.DynamoDB, f.env.Names("loyalty"))
	if err != nil {
		f.t.Fatal(err)
	}
	if !rep.Clean() {
		f.t.Fatalf("loyalty does not reconcile: %+v", rep.Differences)
	}
	return rep
}

// total is a customer's points, available and pending.
func (f *fixture) total(cid string) int {
	f.t.Helper()
	a, _, err := f.points.Store.AccountOnly(context.Background(), cid)
	if err != nil {
		f.t.Fatal(err)
	}
	return a.Balance + a.Pending
}
