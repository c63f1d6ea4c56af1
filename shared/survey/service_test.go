package survey_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

type fixture struct {
	svc   *survey.Service
	staff *survey.Staff
	// rec is the service's Recoverer; locs its locations registry.
	rec  *recorder
	locs locations
	clk  *clock.Manual
}

var desk = survey.Contact{Channel: "email", Address: "desk@example.com"}

func newFixture(t *testing.T) *fixture {
	env := testenv.New(t)
	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	rec := &recorder{db: env.Clients.DynamoDB, table: env.Names("surveys")}
	locs := locations{}
	svc := &survey.Service{Store: &survey.Store{DB: env.Clients.DynamoDB, Table: env.Names("surveys")}, Clock: clk,
		Locations: locs, Recoverer: rec}
	f := &fixture{svc: svc, staff: &survey.Staff{Service: svc, PublicURL: "https://api.example"}, rec: rec, locs: locs, clk: clk}
	sv := survey.Survey{ID: "s-1", Name: "Visit", Version: 1, Questions: []survey.Question{
		{ID: "nps", Type: survey.TypeNPS, Required: true},
		{ID: "csat", Type: survey.TypeCSAT, Dimension: "service quality"},
		{ID: "clean", Type: survey.TypeLikert5, Dimension: "cleanliness"},
		{ID: "liked", Type: survey.TypeChoice, Options: []string{"room", "food", "staff"}, Multiple: true},
		{ID: "note", Type: survey.TypeText},
	}, Loop: &survey.Loop{Detractor: true, DimensionAtOrBelow: map[string]float64{"cleanliness": 2}, Keywords: []string{"dirty", "脏"}, Notify: desk}}
	if err := svc.Store.PutSurvey(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) invite(t *testing.T, token, location string, expires time.Time) {
	t.Helper()
	err := f.svc.Store.PutInvitation(context.Background(), survey.Invitation{Token: token, SurveyID: "s-1", CustomerID: "c-1", LocationID: location, ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
}

func nps(n float64) survey.Submission {
	return survey.Submission{Answers: []survey.Answer{{QuestionID: "nps", Value: n}}}
}

func kindOf(err error) problem.Kind { return problem.KindOf(err) }

var everyone = auth.Principal{Subject: "tester", Roles: []string{"admin"}, All: true}

func (f *fixture) results(t *testing.T, location string) survey.Results {
	t.Helper()
	per := survey.Period{From: f.clk.Now().AddDate(0, 0, -400), To: f.clk.Now().AddDate(0, 0, 1)}
	r, err := f.staff.Results(context.Background(), everyone, "s-1", location, per)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// 50 concurrent submissions on one invitation: exactly one is stored and counted.
func TestAnInvitationIsAnsweredOnceUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	f.invite(t, "tok-1", "loc-1", f.clk.Now().Add(time.Hour))
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sub := nps(9)
			sub.InvitationToken = "tok-1"
			_, errs[i] = f.svc.Submit(context.Background(), "s-1", sub, nil)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case kindOf(err) != problem.Conflict:
			t.Errorf("a losing submission got %v, want a conflict", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d submissions succeeded, want exactly 1", ok)
	}
	rs, err := f.svc.Store.Responses(context.Background(), "s-1")
	if err != nil || len(rs) != 1 {
		t.Fatalf("%d responses stored, %v", len(rs), err)
	}
	if r := rs[0]; r.CustomerID != "c-1" || r.LocationID != "loc-1" || r.SurveyVersion != 1 {
		t.Errorf("response not bound to its invitation and version: %+v", r)
	}
	for _, loc := range []string{"loc-1", ""} {
		if res := f.results(t, loc); res.Responses != 1 || res.NPSDetail.Promoters != 1 {
			t.Errorf("aggregates at %q counted %d responses, %d promoters; want 1, 1", loc, res.Responses, res.NPSDetail.Promoters)
		}
	}
}

func TestExpiredInvitationIsGoneAndStoresNothing(t *testing.T) {
	f := newFixture(t)
	f.invite(t, "tok-2", "loc-1", f.clk.Now().Add(time.Hour))
	f.clk.Advance(time.Hour)
	sub := nps(3)
	sub.InvitationToken = "tok-2"
	if _, err := f.svc.Submit(context.Background(), "s-1", sub, nil); kindOf(err) != problem.Gone {
		t.Fatalf("err %v, want gone", err)
	}
	if rs, _ := f.svc.Store.Responses(context.Background(), "s-1"); len(rs) != 0 {
		t.Fatal("an expired invitation stored a response")
	}
	if res := f.results(t, ""); res.Responses != 0 {
		t.Fatal("an expired invitation was counted")
	}
}

func TestTokenRules(t *testing.T) {
	f := newFixture(t)
	f.invite(t, "tok-3", "loc-1", f.clk.Now().Add(time.Hour))
	bound := survey.Survey{ID: "s-bound", Name: "Bound", Version: 1, LocationID: "loc-9", Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS}}}
	if err := f.svc.Store.PutSurvey(context.Background(), bound); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Store.PutInvitation(context.Background(), survey.Invitation{Token: "tok-other-loc", SurveyID: "s-bound", LocationID: "loc-1", ExpiresAt: f.clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, survey, token string
		version             int
		want                problem.Kind
	}{
		{"unknown survey", "nope", "tok-3", 0, problem.NotFound},
		{"unknown token", "s-1", "nope", 0, problem.NotFound},
		{"token required", "s-1", "", 0, problem.Invalid},
		{"another location than the survey's", "s-bound", "tok-other-loc", 0, problem.Invalid},
		{"unknown version", "s-1", "tok-3", 7, problem.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := nps(8)
			sub.InvitationToken, sub.Version = c.token, c.version
			if _, err := f.svc.Submit(context.Background(), c.survey, sub, nil); kindOf(err) != c.want {
				t.Fatalf("err %v, want %s", err, c.want)
			}
		})
	}
}

// A response that meets a loop rule is handed to the Recoverer, whose items commit
// with the response; one that meets none is not.
func TestClosedLoopRulesHandTheResponseToTheRecoverer(t *testing.T) {
	cases := []struct {
		name    string
		answers []survey.Answer
		comment string
		loop    bool
	}{
		{"detractor", []survey.Answer{{QuestionID: "nps", Value: 6.0}}, "", true},
		{"passive", []survey.Answer{{QuestionID: "nps", Value: 7.0}}, "", false},
		{"cleanliness at the threshold", []survey.Answer{{QuestionID: "nps", Value: 9.0}, {QuestionID: "clean", Value: 2.0}}, "", true},
		{"cleanliness above it", []survey.Answer{{QuestionID: "nps", Value: 9.0}, {QuestionID: "clean", Value: 3.0}}, "", false},
		{"keyword in the comment", []survey.Answer{{QuestionID: "nps", Value: 10.0}}, "The bathroom was DIRTY", true},
		{"keyword in zh-CN in a text answer", []survey.Answer{{QuestionID: "nps", Value: 10.0}, {QuestionID: "note", Value: "房间很脏"}}, "", true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			tok := fmt.Sprintf("tok-loop-%d", i)
			f.invite(t, tok, "loc-1", f.clk.Now().Add(time.Hour))
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
			if got := f.rec.committed(t); got != want || len(f.rec.recoveries()) != want {
				t.Fatalf("%d recoveries committed of %d handed over, want %d", got, len(f.rec.recoveries()), want)
			}
			if c.loop {
				got := f.rec.recoveries()[0]
				if got.Response.ID != rc.ResponseID || !slices.Equal(got.Response.Loop, rc.Loop) || got.Survey.ID != "s-1" ||
					!got.CallbackBy.Equal(f.clk.Now()) {
					t.Errorf("recovery %+v for receipt %+v", got, rc)
				}
			}
		})
	}
}

func TestFailedTransactionLeavesNothingHalfWritten(t *testing.T) {
	f := newFixture(t)
	f.invite(t, "tok-x", "loc-1", f.clk.Now().Add(time.Hour))
	sub := nps(2)
	sub.InvitationToken = "tok-x"
	boom := errors.New("caller refused")
	_, err := f.svc.Submit(context.Background(), "s-1", sub, func(survey.Receipt) ([]types.TransactWriteItem, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if rs, _ := f.svc.Store.Responses(context.Background(), "s-1"); len(rs) != 0 {
		t.Fatal("response stored without its transaction")
	}
	if len(f.rec.recoveries()) != 1 {
		t.Fatalf("%d recoveries handed over, want the detractor's", len(f.rec.recoveries()))
	}
	if n := f.rec.committed(t); n != 0 {
		t.Fatalf("%d recoveries stored without their response", n)
	}
	if res := f.results(t, ""); res.Responses != 0 {
		t.Fatal("aggregates counted a response that was not stored")
	}
	inv, err := f.svc.Store.Invitation(context.Background(), "tok-x")
	if err != nil || inv.Status != "open" {
		t.Fatalf("invitation %+v, %v; want still open", inv, err)
	}
}

func TestHoneypotStoresNothing(t *testing.T) {
	f := newFixture(t)
	f.invite(t, "tok-h", "loc-1", f.clk.Now().Add(time.Hour))
	sub := nps(1)
	sub.InvitationToken, sub.Website = "tok-h", "http://spam.example"
	if _, err := f.svc.Submit(context.Background(), "s-1", sub, nil); err != nil {
		t.Fatal(err)
	}
	if rs, _ := f.svc.Store.Responses(context.Background(), "s-1"); len(rs) != 0 {
		t.Fatal("a honeypot submission was stored")
	}
	if inv, _ := f.svc.Store.Invitation(context.Background(), "tok-h"); inv.Status != "open" {
		t.Fatal("a honeypot submission used the invitation")
	}
}

func TestPublicLinkDailyCap(t *testing.T) {
	f := newFixture(t)
	anon := survey.Definition{Name: "Kiosk", Anonymous: true, Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{"en": "Recommend us?"}}}}
	sv, err := f.staff.Define(context.Background(), everyone, anon)
	if err != nil {
		t.Fatal(err)
	}
	link, err := f.staff.Link(context.Background(), everyone, sv.ID, survey.LinkRequest{LocationID: "loc-1", DailyCap: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link.URL, "https://api.example/v1/s/") || link.Kind != survey.KindLink {
		t.Fatalf("link %+v", link)
	}
	submit := func() error {
		s := nps(9)
		s.InvitationToken = link.Token
		_, err := f.svc.Submit(context.Background(), sv.ID, s, nil)
		return err
	}
	for i := range 3 {
		if err := submit(); err != nil {
			t.Fatalf("response %d under the cap: %v", i+1, err)
		}
	}
	if err := submit(); kindOf(err) != problem.Throttled {
		t.Fatalf("fourth response of the day: %v, want throttled", err)
	}
	f.clk.Advance(24 * time.Hour)
	if err := submit(); err != nil {
		t.Fatalf("next day: %v", err)
	}
	if _, err := f.staff.Invite(context.Background(), everyone, sv.ID, survey.InvitationRequest{CustomerID: "c-1", LocationID: "loc-1"}); kindOf(err) != problem.Invalid {
		t.Fatalf("an invitation to an anonymous survey: %v, want invalid", err)
	}
}

// Editing a survey makes a new version; responses keep the version they answered,
// and a form showing the old version can still be submitted against it.
func TestVersionsKeepWhatPastResponsesMeant(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	def := survey.Definition{Name: "Meal", LocationID: "loc-1", Questions: []survey.Question{
		{ID: "taste", Type: survey.TypeLikert5, Dimension: "product quality", Text: map[string]string{"en": "Taste?"}},
	}}
	v1, err := f.staff.Define(ctx, everyone, def)
	if err != nil || v1.Version != 1 {
		t.Fatalf("%+v %v", v1, err)
	}
	def.Questions = []survey.Question{{ID: "taste", Type: survey.TypeLikert10, Dimension: "product quality", Text: map[string]string{"en": "Taste, 1 to 10?"}}}
	def.Version = 1
	v2, err := f.staff.Edit(ctx, everyone, v1.ID, def)
	if err != nil || v2.Version != 2 {
		t.Fatalf("%+v %v", v2, err)
	}
	if _, err := f.staff.Edit(ctx, everyone, v1.ID, def); kindOf(err) != problem.Conflict {
		t.Fatalf("editing a stale version: %v, want conflict", err)
	}
	for i, c := range []struct {
		version int
		value   float64
		ok      bool
	}{{1, 5, true}, {1, 8, false}, {2, 8, true}, {0, 8, true}} {
		tok := fmt.Sprintf("meal-%d", i)
		if err := f.svc.Store.PutInvitation(ctx, survey.Invitation{Token: tok, SurveyID: v1.ID, LocationID: "loc-1", ExpiresAt: f.clk.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Submit(ctx, v1.ID, survey.Submission{InvitationToken: tok, Version: c.version, Answers: []survey.Answer{{QuestionID: "taste", Value: c.value}}}, nil)
		if (err == nil) != c.ok {
			t.Errorf("version %d value %v: %v, want ok=%v", c.version, c.value, err, c.ok)
		}
	}
	old, err := f.staff.Get(ctx, everyone, v1.ID, 1)
	if err != nil || old.Questions[0].Type != survey.TypeLikert5 {
		t.Fatalf("version 1 changed: %+v %v", old, err)
	}
	rs, _ := f.svc.Store.Responses(ctx, v1.ID)
	versions := map[int]int{}
	for _, r := range rs {
		versions[r.SurveyVersion]++
	}
	if !reflect.DeepEqual(versions, map[int]int{1: 1, 2: 2}) {
		t.Fatalf("responses per version %v", versions)
	}
}

func TestDefinitionValidationNamesEachField(t *testing.T) {
	f := newFixture(t)
	bad := survey.Definition{Name: "", Title: map[string]string{"fr": "Votre séjour", "en": " "}, LocationID: "bad location", Questions: []survey.Question{
		{ID: "q1", Type: "stars", Text: map[string]string{"en": "?"}},
		{ID: "q1", Type: survey.TypeChoice, Options: []string{"only"}, Text: map[string]string{"fr": "?"}},
		{ID: "q3", Type: survey.TypeText, Dimension: "cleanliness", Text: map[string]string{"en": "?"}},
	}, Loop: &survey.Loop{Notify: survey.Contact{Channel: "pigeon"}}}
	_, err := f.staff.Define(context.Background(), everyone, bad)
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Kind != problem.Invalid {
		t.Fatalf("err %v, want invalid", err)
	}
	fields := map[string]bool{}
	for _, fe := range pe.Fields {
		fields[fe.Field] = true
	}
	for _, want := range []string{"name", "title.fr", "title.en", "locationId", "questions[0].type", "questions[1].id", "questions[1].options", "questions[1].text.fr", "questions[2].dimension", "loop.notify", "loop"} {
		if !fields[want] {
			t.Errorf("no error names %s (got %v)", want, fields)
		}
	}
}

func TestStaffLocationsLimitWhatTheySee(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i, loc := range []string{"loc-1", "loc-1", "loc-2"} {
		tok := fmt.Sprintf("tok-s-%d", i)
		f.invite(t, tok, loc, f.clk.Now().Add(time.Hour))
		s := nps(float64(10 - i*5))
		s.InvitationToken = tok
		if _, err := f.svc.Submit(ctx, "s-1", s, nil); err != nil {
			t.Fatal(err)
		}
	}
	mgr := auth.Principal{Subject: "m", Roles: []string{"manager"}, Locations: []string{"loc-1"}}
	per := survey.Period{From: f.clk.Now(), To: f.clk.Now()}
	r, err := f.staff.Results(ctx, mgr, "s-1", "", per)
	if err != nil || r.Responses != 2 {
		t.Fatalf("restricted manager sees %d responses (%v), want loc-1's 2", r.Responses, err)
	}
	if _, err := f.staff.Results(ctx, mgr, "s-1", "loc-2", per); kindOf(err) != problem.NotFound {
		t.Fatalf("another location's results: %v, want not found", err)
	}
	questions := []survey.Question{{ID: "q", Type: survey.TypeText, Text: map[string]string{"en": "?"}}}
	if _, err := f.staff.Define(ctx, mgr, survey.Definition{Name: "x", Questions: questions}); kindOf(err) != problem.Invalid {
		t.Fatalf("a restricted manager defining an all-locations survey: %v", err)
	}
	if _, err := f.staff.Define(ctx, mgr, survey.Definition{Name: "x", LocationID: "loc-2", Questions: questions}); kindOf(err) != problem.NotFound {
		t.Fatalf("a restricted manager defining another location's survey: %v, want not found", err)
	}
	if sv, err := f.staff.Define(ctx, mgr, survey.Definition{Name: "x", LocationID: "loc-1", Questions: questions}); err != nil || sv.LocationID != "loc-1" {
		t.Fatalf("a restricted manager defining their location's survey: %+v %v", sv, err)
	}
	// The all-locations survey is read by them but changed only by head office.
	if _, err := f.staff.Get(ctx, mgr, "s-1", 0); err != nil {
		t.Fatalf("a restricted manager reads the all-locations survey: %v", err)
	}
	if _, err := f.staff.Edit(ctx, mgr, "s-1", survey.Definition{Name: "x", LocationID: "loc-1", Questions: questions, Version: 1}); kindOf(err) != problem.Forbidden {
		t.Fatalf("a restricted manager changing the all-locations survey: %v, want forbidden", err)
	}
	// Staff with no location see no survey, not even one for every location.
	nowhere := auth.Principal{Subject: "n", Roles: []string{"manager"}}
	if _, err := f.staff.Get(ctx, nowhere, "s-1", 0); kindOf(err) != problem.NotFound {
		t.Fatalf("staff with no location read the survey: %v, want not found", err)
	}
	if _, err := f.staff.Results(ctx, nowhere, "s-1", "", per); kindOf(err) != problem.NotFound {
		t.Fatalf("staff with no location read results: %v, want not found", err)
	}
	var csv strings.Builder
	if err := f.staff.ExportCSV(ctx, mgr, "s-1", "", per, &csv); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(csv.String(), "\n"); lines != 3 || strings.Contains(csv.String(), "loc-2") {
		t.Fatalf("restricted CSV:\n%s", csv.String())
	}
}

func TestCSVExportIncludesCommentsAndDefusesFormulas(t *testing.T) {
	f := newFixture(t)
	f.invite(t, "tok-csv", "loc-1", f.clk.Now().Add(time.Hour))
	sub := survey.Submission{InvitationToken: "tok-csv", Comment: "=HYPERLINK(\"http://evil\")", Answers: []survey.Answer{
		{QuestionID: "nps", Value: 4.0}, {QuestionID: "liked", Value: []any{"room", "food"}}, {QuestionID: "note", Value: "Quiet, \"nice\""},
	}}
	if _, err := f.svc.Submit(context.Background(), "s-1", sub, nil); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := f.staff.ExportCSV(context.Background(), everyone, "s-1", "", survey.Period{From: f.clk.Now(), To: f.clk.Now()}, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"room; food", `"Quiet, ""nice"""`, `'=HYPERLINK`} {
		if !strings.Contains(got, want) {
			t.Errorf("CSV lacks %q:\n%s", want, got)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%d rows (%v):\n%s", len(rows), err, got)
	}
	// The survey's questions are called nps and csat, like the computed scores: every
	// column still has its own name.
	want := []string{"responseId", "submittedAt", "surveyVersion", "locationId", "customerId", "staffId",
		"q:nps", "q:csat", "q:clean", "q:liked", "q:note", "nps", "csat", "comment"}
	if !slices.Equal(rows[0], want) {
		t.Fatalf("header %v, want %v", rows[0], want)
	}
	cell := map[string]string{}
	for i, h := range rows[0] {
		cell[h] = rows[1][i]
	}
	if cell["q:nps"] != "4" || cell["nps"] != "4" || cell["csat"] != "" || cell["q:liked"] != "room; food" {
		t.Errorf("row %v", cell)
	}
}

// A question an edit drops keeps its answers in the export, in a column after the
// current questions; a question id that names a fixed column collides with nothing.
func TestCSVExportKeepsAnswersToDroppedQuestions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v1 := survey.Definition{Name: "Drop", Questions: []survey.Question{
		{ID: "comment", Type: survey.TypeText, Text: map[string]string{"en": "Anything?"}},
		{ID: "gone", Type: survey.TypeLikert5, Text: map[string]string{"en": "Old question"}},
	}}
	sv, err := f.staff.Define(ctx, everyone, v1)
	if err != nil {
		t.Fatal(err)
	}
	submit := func(tok string, answers ...survey.Answer) {
		if err := f.svc.Store.PutInvitation(ctx, survey.Invitation{Token: tok, SurveyID: sv.ID, LocationID: "loc-1", ExpiresAt: f.clk.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Submit(ctx, sv.ID, survey.Submission{InvitationToken: tok, Comment: "overall fine", Answers: answers}, nil); err != nil {
			t.Fatal(err)
		}
	}
	submit("drop-1", survey.Answer{QuestionID: "comment", Value: "the answer"}, survey.Answer{QuestionID: "gone", Value: 2.0})
	if _, err := f.staff.Edit(ctx, everyone, sv.ID, survey.Definition{Name: "Drop", Version: 1, Questions: []survey.Question{
		{ID: "new", Type: survey.TypeLikert5, Text: map[string]string{"en": "New question"}},
		{ID: "comment", Type: survey.TypeText, Text: map[string]string{"en": "Anything?"}},
	}}); err != nil {
		t.Fatal(err)
	}
	submit("drop-2", survey.Answer{QuestionID: "new", Value: 5.0})
	var out strings.Builder
	if err := f.staff.ExportCSV(ctx, everyone, sv.ID, "", survey.Period{From: f.clk.Now(), To: f.clk.Now()}, &out); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows (%v):\n%s", len(rows), err, out.String())
	}
	want := []string{"responseId", "submittedAt", "surveyVersion", "locationId", "customerId", "staffId", "q:new", "q:comment", "q:gone", "nps", "csat", "comment"}
	if !slices.Equal(rows[0], want) {
		t.Fatalf("header %v, want %v", rows[0], want)
	}
	byVersion := map[string]map[string]string{}
	for _, r := range rows[1:] {
		cell := map[string]string{}
		for i, h := range rows[0] {
			cell[h] = r[i]
		}
		byVersion[cell["surveyVersion"]] = cell
	}
	if c := byVersion["1"]; c["q:comment"] != "the answer" || c["q:gone"] != "2" || c["comment"] != "overall fine" || c["q:new"] != "" {
		t.Errorf("version 1's row %v", c)
	}
	if c := byVersion["2"]; c["q:new"] != "5" || c["q:gone"] != "" || c["comment"] != "overall fine" {
		t.Errorf("version 2's row %v", c)
	}
}

// A few thousand random submissions over days, locations and answers: the results
// read from the aggregates equal a recount from the stored responses, exactly.
func TestResultsEqualARecountOfTheRawResponses(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	n := 2000
	if testing.Short() {
		n = 300
	}
	locations := []string{"loc-1", "loc-2", "loc-3"}
	for i := range n {
		if i%250 == 0 {
			f.clk.Advance(time.Duration(rng.IntN(30)+1) * time.Hour) // spread over days
		}
		tok := "rnd-" + strconv.Itoa(i)
		f.invite(t, tok, locations[rng.IntN(len(locations))], f.clk.Now().Add(time.Hour))
		sub := survey.Submission{InvitationToken: tok, Answers: []survey.Answer{{QuestionID: "nps", Value: float64(rng.IntN(11))}}}
		if rng.IntN(3) > 0 {
			sub.Answers = append(sub.Answers, survey.Answer{QuestionID: "csat", Value: float64(rng.IntN(5) + 1)})
		}
		if rng.IntN(2) == 0 {
			sub.Answers = append(sub.Answers, survey.Answer{QuestionID: "clean", Value: float64(rng.IntN(5) + 1)})
		}
		if rng.IntN(2) == 0 {
			opts := []any{"room", "food", "staff"}
			rng.Shuffle(len(opts), func(a, b int) { opts[a], opts[b] = opts[b], opts[a] })
			sub.Answers = append(sub.Answers, survey.Answer{QuestionID: "liked", Value: opts[:rng.IntN(3)+1]})
		}
		if _, err := f.svc.Submit(ctx, "s-1", sub, nil); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := f.svc.Store.Responses(ctx, "s-1")
	if err != nil || len(rs) != n {
		t.Fatalf("%d responses stored, %v", len(rs), err)
	}
	for _, loc := range append(locations, "") {
		got := f.results(t, loc)
		want := recount(rs, loc)
		if got.Responses != want.Responses || !reflect.DeepEqual(got.NPSDetail, want.NPSDetail) || !eqPtr(got.NPS, want.NPS) ||
			!eqPtr(got.CSAT, want.CSAT) || got.CSATCount != want.CSATCount ||
			!reflect.DeepEqual(got.Dimensions, want.Dimensions) || !reflect.DeepEqual(got.Distribution, want.Distribution) {
			t.Errorf("location %q:\naggregates %+v\nrecount    %+v", loc, got, want)
		}
	}
	// A period that ends before the last days counts fewer.
	early := survey.Period{From: f.clk.Now().AddDate(0, 0, -400), To: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	r, err := f.staff.Results(ctx, everyone, "s-1", "", early)
	if err != nil || r.Responses != recountBefore(rs, early.To.AddDate(0, 0, 1)) {
		t.Fatalf("period results %d, recount %d (%v)", r.Responses, recountBefore(rs, early.To.AddDate(0, 0, 1)), err)
	}
}

func eqPtr(a, b *float64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func recountBefore(rs []survey.Response, end time.Time) int {
	n := 0
	for _, r := range rs {
		if r.SubmittedAt.Before(end) {
			n++
		}
	}
	return n
}

// recount computes results straight from stored responses, independently of the
// aggregate counters (stored values come back from DynamoDB as float64 and []any).
func recount(rs []survey.Response, loc string) survey.Results {
	out := survey.Results{Dimensions: map[string]survey.DimensionScore{}, Distribution: map[string]map[string]int{}}
	dimSum := map[string]float64{}
	var npsN, pro, det, csatN, sat int
	dims := map[string]string{"csat": "service quality", "clean": "cleanliness"}
	for _, r := range rs {
		if loc != "" && r.LocationID != loc {
			continue
		}
		out.Responses++
		for _, a := range r.Answers {
			dist := func() map[string]int {
				if out.Distribution[a.QuestionID] == nil {
					out.Distribution[a.QuestionID] = map[string]int{}
				}
				return out.Distribution[a.QuestionID]
			}
			switch v := a.Value.(type) {
			case float64:
				dist()[strconv.Itoa(int(v))]++
				switch a.QuestionID {
				case "nps":
					npsN++
					if v >= 9 {
						pro++
					}
					if v <= 6 {
						det++
					}
				case "csat":
					csatN++
					if v >= 4 {
						sat++
					}
				}
				if d, ok := dims[a.QuestionID]; ok {
					dimSum[d] += v
					ds := out.Dimensions[d]
					ds.Count++
					out.Dimensions[d] = ds
				}
			case []any:
				for _, o := range v {
					dist()[o.(string)]++
				}
			}
		}
	}
	for d, ds := range out.Dimensions {
		ds.Mean = float64(int(dimSum[d]/float64(ds.Count)*100+0.5)) / 100
		out.Dimensions[d] = ds
	}
	out.NPSDetail = survey.NPSDetail{Count: npsN, Promoters: pro, Detractors: det, Passives: npsN - pro - det}
	if npsN > 0 {
		v := float64(int(float64(pro-det)*1000/float64(npsN)+sign(pro-det)*0.5)) / 10
		out.NPS = &v
	}
	out.CSATCount = csatN
	if csatN > 0 {
		v := float64(int(float64(sat)*1000/float64(csatN)+0.5)) / 10
		out.CSAT = &v
	}
	return out
}

func sign(n int) float64 {
	if n < 0 {
		return -1
	}
	return 1
}

// A recovery's callback deadline is counted in the business hours of the response's
// location, with the location as the registry holds it; at a location the registry
// does not know, in plain hours.
func TestARecoveryIsDueInTheLocationsBusinessHours(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	managers := []contact.Contact{{Name: "Li", Channel: "email", Address: "li@example.com"}, {Name: "Wang", Channel: "sms", Address: "+8613800000000"}}
	f.locs["loc-M"] = place.Location{ID: "loc-M", Name: "Bund", TimeZone: "Asia/Shanghai", QuietHours: "00:00-00:00",
		WeeklyHours: map[string][]string{"mon": {"09:00-18:00"}, "fri": {"09:00-18:00"}}, Managers: managers}
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
		if err := f.svc.Store.PutInvitation(ctx, survey.Invitation{Token: tok, SurveyID: sv.ID, LocationID: loc, ExpiresAt: f.clk.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Submit(ctx, sv.ID, survey.Submission{InvitationToken: tok, Answers: []survey.Answer{{QuestionID: "nps", Value: 2.0}}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	got := f.rec.recoveries()
	if len(got) != 2 || f.rec.committed(t) != 2 {
		t.Fatalf("%d recoveries, want one per response", len(got))
	}
	// Monday 30 November, 12:00 in Shanghai = 04:00 UTC.
	if at := got[0]; at.Response.LocationID != "loc-M" || at.Location.ID != "loc-M" || len(at.Location.Managers) != 2 ||
		!at.CallbackBy.Equal(time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)) {
		t.Errorf("at a registered location: %+v", at)
	}
	if at := got[1]; at.Response.LocationID != "loc-none" || at.Location.ID != "" ||
		!at.CallbackBy.Equal(f.clk.Now().Add(4*time.Hour)) {
		t.Errorf("at an unregistered location: %+v", at)
	}
}

// The case the Recoverer opened is kept on the response; a Recoverer's failure stores
// nothing; a Service with no Recoverer refuses a response that meets its loop rather
// than lose the loop, and takes one that meets none.
func TestTheRecoverersOutcomeStaysWithTheResponse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	submit := func(tok string, score float64) error {
		f.invite(t, tok, "loc-1", f.clk.Now().Add(time.Hour))
		sub := nps(score)
		sub.InvitationToken = tok
		_, err := f.svc.Submit(ctx, "s-1", sub, nil)
		return err
	}
	f.rec.caseRef = "LOC1-20261123-0001"
	if err := submit("tok-case", 1); err != nil {
		t.Fatal(err)
	}
	rs, err := f.svc.Store.Responses(ctx, "s-1")
	if err != nil || len(rs) != 1 || rs[0].Case != "LOC1-20261123-0001" {
		t.Fatalf("responses %+v (%v), want the case's reference kept", rs, err)
	}

	boom := errors.New("recovery refused")
	f.rec.err = boom
	if err := submit("tok-refused", 1); !errors.Is(err, boom) {
		t.Fatalf("err %v, want the Recoverer's", err)
	}
	f.svc.Recoverer = nil
	if err := submit("tok-none", 1); err == nil || kindOf(err) == problem.Conflict {
		t.Fatalf("a loop with nothing to act on it: %v, want an error", err)
	}
	if err := submit("tok-promoter", 10); err != nil {
		t.Fatalf("a promoter with no Recoverer: %v", err)
	}
	if rs, _ := f.svc.Store.Responses(ctx, "s-1"); len(rs) != 2 {
		t.Fatalf("%d responses, want the first and the promoter's", len(rs))
	}
	for _, tok := range []string{"tok-refused", "tok-none"} {
		if inv, err := f.svc.Store.Invitation(ctx, tok); err != nil || inv.Status != "open" {
			t.Errorf("invitation %s: %+v %v, want still open", tok, inv, err)
		}
	}
}

// A refused condition of a response's transaction is told in its own words: an
// idempotency record another request holds is a request still in progress. (A form
// sent twice is kept to one response by the idempotency check before it:
// TestResentFormPostIsNotStoredTwice.)
func TestARefusedResponseSaysWhy(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	detail := func(err error) string {
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Kind != problem.Conflict {
			t.Fatalf("err %v, want a conflict", err)
		}
		return pe.Detail
	}
	// The caller's record is taken already: its condition fails.
	held := dynamo.Key("IDEM#test#held", "IDEM")
	if _, err := f.svc.Store.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(f.svc.Store.Table), Item: held}); err != nil {
		t.Fatal(err)
	}
	f.invite(t, "tok-idem", "loc-1", f.clk.Now().Add(time.Hour))
	sub := nps(2) // a detractor: the Recoverer's items join the transaction too
	sub.InvitationToken = "tok-idem"
	_, err := f.svc.Submit(ctx, "s-1", sub, func(survey.Receipt) ([]types.TransactWriteItem, error) {
		return []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(f.svc.Store.Table), Item: held,
			ConditionExpression: aws.String("attribute_not_exists(pk)")}}}, nil
	})
	if d := detail(err); d != "a request with this Idempotency-Key is still in progress" {
		t.Errorf("a held idempotency record: %v", err)
	}
	if n := f.rec.committed(t); n != 0 {
		t.Errorf("%d recoveries stored by a refused response", n)
	}
	if rs, _ := f.svc.Store.Responses(ctx, "s-1"); len(rs) != 0 {
		t.Errorf("%d responses stored by a refused response", len(rs))
	}
	if inv, _ := f.svc.Store.Invitation(ctx, "tok-idem"); inv.Status != "open" {
		t.Errorf("a refused response used its invitation: %+v", inv)
	}
}
