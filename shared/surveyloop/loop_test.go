package surveyloop_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/surveyloop"
	"github.com/rapport-crm/rapport/shared/testenv"
)

var (
	everyone = auth.Principal{Subject: "tester", Roles: []string{"admin"}, All: true}
	desk     = survey.Contact{Channel: "email", Address: "desk@example.com"}
)

// fixture is the survey service as surveys-public has it, over DynamoDB Local: the
// loop's alerts go to the follow-ups table, locations come from the registry.
type fixture struct {
	svc   *survey.Service
	staff *survey.Staff
	fs    *followup.Store
	locs  *location.Store
	clk   *clock.Manual
}

// newFixture stores survey s-1, whose loop alerts desk on a detractor, a cleanliness
// at or below 2 or a keyword.
func newFixture(t *testing.T) *fixture {
	env := testenv.New(t)
	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	fs := &followup.Store{DB: env.Clients.DynamoDB, Table: env.Names("followups")}
	locs := &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}
	svc := &survey.Service{Store: &survey.Store{DB: env.Clients.DynamoDB, Table: env.Names("surveys")}, Clock: clk,
		Locations: locs, Recoverer: &surveyloop.Loop{Followups: fs}}
	f := &fixture{svc: svc, staff: &survey.Staff{Service: svc, PublicURL: "https://api.example"}, fs: fs, locs: locs, clk: clk}
	sv := survey.Survey{ID: "s-1", Name: "Visit", Version: 1, Questions: []survey.Question{
		{ID: "nps", Type: survey.TypeNPS, Required: true},
		{ID: "clean", Type: survey.TypeLikert5, Dimension: "cleanliness"},
		{ID: "note", Type: survey.TypeText},
	}, Loop: &survey.Loop{Detractor: true, DimensionAtOrBelow: map[string]float64{"cleanliness": 2}, Keywords: []string{"dirty", "脏"}, Notify: desk}}
	if err := svc.Store.PutSurvey(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) invite(t *testing.T, token, surveyID, location string) {
	t.Helper()
	err := f.svc.Store.PutInvitation(context.Background(), survey.Invitation{Token: token, SurveyID: surveyID, CustomerID: "c-1",
		LocationID: location, ExpiresAt: f.clk.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
}

// dispatch sends the due follow-ups to q.
func (f *fixture) dispatch(t *testing.T, q followup.Enqueuer) {
	t.Helper()
	d := &followup.Dispatcher{Store: f.fs, Queue: q, QueueURL: "q", Clock: f.clk, PageSize: 50, StuckAfter: time.Hour}
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// countDue counts due follow-ups by dispatching them into a recording queue.
func (f *fixture) countDue(t *testing.T) int {
	t.Helper()
	q := &recordingQueue{}
	f.dispatch(t, q)
	return q.sent
}

// alerts dispatches the due follow-ups and reads them back.
func (f *fixture) alerts(t *testing.T) []followup.Followup {
	t.Helper()
	q := &bodyQueue{}
	f.dispatch(t, q)
	var out []followup.Followup
	for _, id := range q.ids {
		fu, err := f.fs.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fu)
	}
	return out
}

// putLocation registers loc-D or another location in the registry.
func (f *fixture) putLocation(t *testing.T, loc place.Location) {
	t.Helper()
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.locs.PutLocation(context.Background(), loc, 0); err != nil {
		t.Fatal(err)
	}
}

var managers = []contact.Contact{{Name: "Li", Channel: "email", Address: "li@example.com"}, {Name: "Wang", Channel: "sms", Address: "+8613800000000"}}

// A response that meets a rule stores one callback with it; one that meets none, none.
// (Which responses meet which rules: survey's
// TestClosedLoopRulesHandTheResponseToTheRecoverer.)
func TestClosedLoopRulesScheduleACallbackAtomically(t *testing.T) {
	cases := []struct {
		name    string
		answers []survey.Answer
		comment string
		loop    bool
	}{
		{"detractor", []survey.Answer{{QuestionID: "nps", Value: 6.0}}, "", true},
		{"passive", []survey.Answer{{QuestionID: "nps", Value: 7.0}}, "", false},
		{"keyword in zh-CN in a text answer", []survey.Answer{{QuestionID: "nps", Value: 10.0}, {QuestionID: "note", Value: "房间很脏"}}, "", true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			tok := fmt.Sprintf("tok-loop-%d", i)
			f.invite(t, tok, "s-1", "loc-1")
			rc, err := f.svc.Submit(context.Background(), "s-1", survey.Submission{InvitationToken: tok, Answers: c.answers, Comment: c.comment}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if (len(rc.Loop) > 0) != c.loop {
				t.Fatalf("loop reasons %v, want loop=%v", rc.Loop, c.loop)
			}
			want := 0
			if c.loop {
				want = 1
			}
			if got := f.countDue(t); got != want {
				t.Fatalf("%d callbacks due, want %d", got, want)
			}
		})
	}
}

func TestFailedTransactionLeavesNoAlertHalfWritten(t *testing.T) {
	f := newFixture(t)
	f.invite(t, "tok-x", "s-1", "loc-1")
	boom := errors.New("caller refused")
	_, err := f.svc.Submit(context.Background(), "s-1", survey.Submission{InvitationToken: "tok-x",
		Answers: []survey.Answer{{QuestionID: "nps", Value: 2.0}}}, func(survey.Receipt) ([]types.TransactWriteItem, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if rs, _ := f.svc.Store.Responses(context.Background(), "s-1"); len(rs) != 0 {
		t.Fatal("response stored without its transaction")
	}
	if n := f.countDue(t); n != 0 {
		t.Fatalf("%d follow-ups without their response", n)
	}
}

// The loop's alert to its own contact goes to that contact, in the contact's zone
// and quiet hours, and says who to call back by when and why.
func TestTheLoopsContactIsAlerted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	def := survey.Definition{Name: "Desk", Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Text: map[string]string{"en": "?"}}},
		Loop: &survey.Loop{Detractor: true, CallbackWithinHours: 2, Notify: survey.Contact{Channel: "email", Address: "night@example.com",
			Locale: "en", TimeZone: "Asia/Shanghai", QuietHours: "00:00-00:00"}}}
	sv, err := f.staff.Define(ctx, everyone, def)
	if err != nil {
		t.Fatal(err)
	}
	f.invite(t, "tok-desk", sv.ID, "loc-1")
	rc, err := f.svc.Submit(ctx, sv.ID, survey.Submission{InvitationToken: "tok-desk", Comment: "Cold soup",
		Answers: []survey.Answer{{QuestionID: "nps", Value: 3.0}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	alerts := f.alerts(t)
	if len(alerts) != 1 {
		t.Fatalf("%d alerts, want the contact's", len(alerts))
	}
	a := alerts[0]
	want := followup.Recipient{Type: "staff", Channel: "email", Address: "night@example.com", Locale: "en", TimeZone: "Asia/Shanghai"}
	if a.Recipient != want || a.QuietHours != "00:00-00:00" || a.Kind != followup.KindRecoveryCallback ||
		a.Source != (followup.Source{Type: "survey-response", ID: rc.ResponseID}) || a.DedupeKey != "recovery#"+rc.ResponseID+"#0" {
		t.Errorf("alert %+v", a)
	}
	for _, part := range []string{"NPS 3 (detractor)", "detractor (NPS 3)", "Call customer c-1 back by 2026-11-23T11:00:00Z", "Comment: Cold soup", rc.ResponseID} {
		if !strings.Contains(a.Body, part) {
			t.Errorf("the alert's body lacks %q:\n%s", part, a.Body)
		}
	}
	if a.Subject != "Service recovery: detractor (NPS 3)" {
		t.Errorf("subject %q", a.Subject)
	}
}

// A survey defined without a loop gets the default one: a detractor and a low CSAT
// each alert the location's managers, with a callback deadline 8 business hours
// later; a promoter alerts no one.
func TestTheDefaultLoopAlertsTheLocationsManagers(t *testing.T) {
	f := newFixture(t)
	week := map[string][]string{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
		week[d] = []string{"09:00-18:00"}
	}
	f.putLocation(t, place.Location{ID: "loc-D", Name: "Bund", TimeZone: "Asia/Shanghai", QuietHours: "00:00-00:00", WeeklyHours: week, Managers: managers})
	sv, err := f.staff.Define(context.Background(), everyone, survey.Definition{Name: "Plain", Questions: []survey.Question{
		{ID: "nps", Type: survey.TypeNPS, Text: map[string]string{"en": "Recommend us?"}},
		{ID: "csat", Type: survey.TypeCSAT, Text: map[string]string{"en": "Satisfied?"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sv.Loop, survey.DefaultLoop()) {
		t.Fatalf("loop %+v, want the default", sv.Loop)
	}
	// Friday 16:00 in Shanghai: two business hours left that day, six on Monday.
	f.clk.Set(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	for i, a := range [][]survey.Answer{
		{{QuestionID: "nps", Value: 10.0}, {QuestionID: "csat", Value: 5.0}},
		{{QuestionID: "nps", Value: 2.0}},
		{{QuestionID: "csat", Value: 1.0}},
	} {
		tok := fmt.Sprintf("loop-%d", i)
		f.invite(t, tok, sv.ID, "loc-D")
		if _, err := f.svc.Submit(context.Background(), sv.ID, survey.Submission{InvitationToken: tok, Answers: a}, nil); err != nil {
			t.Fatal(err)
		}
	}
	alerts := f.alerts(t)
	if len(alerts) != 4 {
		t.Fatalf("%d alerts, want 2 responses × 2 managers", len(alerts))
	}
	to := map[string]int{}
	for _, a := range alerts {
		to[a.Recipient.Address]++
		// Monday 30 November, 15:00 in Shanghai = 07:00 UTC.
		if a.Kind != followup.KindRecoveryCallback || !strings.Contains(a.Body, "back by 2026-11-30T07:00:00Z") || a.LocationID != "loc-D" {
			t.Errorf("alert %s %q at %s", a.Kind, a.Body, a.LocationID)
		}
	}
	if to["li@example.com"] != 2 || to["+8613800000000"] != 2 {
		t.Errorf("alerts went to %v", to)
	}
}

// Without a contact of its own, the loop alerts each manager of the response's
// location, asking for a callback by a deadline in the location's business hours; a
// location with no managers still gets its alert written, to be skipped with the reason.
func TestLoopAlertsTheLocationsManagersWithABusinessHoursDeadline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.putLocation(t, place.Location{ID: "loc-M", Name: "Bund", TimeZone: "Asia/Shanghai", QuietHours: "00:00-00:00",
		WeeklyHours: map[string][]string{"mon": {"09:00-18:00"}, "fri": {"09:00-18:00"}}, Managers: managers})
	def := survey.Definition{Name: "Stay", Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Text: map[string]string{"en": "?"}}},
		Loop: &survey.Loop{Detractor: true, CallbackWithinHours: 4}}
	sv, err := f.staff.Define(ctx, everyone, def)
	if err != nil {
		t.Fatal(err)
	}
	// Friday 17:00 in Shanghai: one business hour left that day, three on Monday.
	f.clk.Set(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	for i, loc := range []string{"loc-M", "loc-none"} {
		tok := fmt.Sprintf("mgr-%d", i)
		f.invite(t, tok, sv.ID, loc)
		if _, err := f.svc.Submit(ctx, sv.ID, survey.Submission{InvitationToken: tok, Answers: []survey.Answer{{QuestionID: "nps", Value: 2.0}}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	alerts := f.alerts(t)
	if len(alerts) != 3 {
		t.Fatalf("%d alerts, want two managers and one unroutable", len(alerts))
	}
	var toManagers, unroutable int
	for _, fu := range alerts {
		switch {
		case fu.Unroutable != "":
			unroutable++
			if !strings.Contains(fu.Unroutable, "loc-none") {
				t.Errorf("reason %q", fu.Unroutable)
			}
		default:
			toManagers++
			// Monday 30 November, 12:00 in Shanghai = 04:00 UTC.
			if !strings.Contains(fu.Body, "back by 2026-11-30T04:00:00Z") || fu.Recipient.TimeZone != "Asia/Shanghai" {
				t.Errorf("alert %q to %+v", fu.Body, fu.Recipient)
			}
		}
	}
	if toManagers != 2 || unroutable != 1 {
		t.Fatalf("%d to managers, %d unroutable", toManagers, unroutable)
	}
}
