package local_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A survey defined over HTTP without a loop closes the loop anyway: a detractor's
// response alerts the location's duty manager (from the locations registry) through
// the dispatcher and sender, asking for a callback within 8 of the hotel's business
// hours. A survey defined with {"loop":{"off":true}} alerts no one; off with a rule
// is a 400 naming loop.off.
func TestSurveyWithoutALoopAlertsTheManagersOverHTTP(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	customers := &customer.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers"), Locations: &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}}
	if err := local.SeedLocation(context.Background(), customers.Locations.(*location.Store), s.cfg.Clock.Now()); err != nil { // loc-1, 08:00-22:00 in Shanghai
		t.Fatal(err)
	}
	questions := `"questions":[{"id":"nps","type":"nps","required":true,"text":{"en":"Recommend us?","zh-CN":"推荐我们吗？"}}]`
	define := func(t *testing.T, extra string) string {
		t.Helper()
		r := s.staffCall(t, "manager", "loc-1", "POST", "/v1/surveys", `{"name":"After dinner","locationId":"loc-1",`+questions+extra+`}`)
		if r.status != http.StatusCreated {
			t.Fatalf("define: %d %s", r.status, r.body)
		}
		return decode[struct{ SurveyID string }](t, r).SurveyID
	}
	answer := func(t *testing.T, surveyID, customerID string, score int) string {
		t.Helper()
		inv := s.staffCall(t, "system", "*", "POST", "/v1/surveys/"+surveyID+"/invitations", fmt.Sprintf(`{"customerId":%q,"locationId":"loc-1"}`, customerID))
		if inv.status != http.StatusCreated {
			t.Fatalf("invite: %d %s", inv.status, inv.body)
		}
		body := fmt.Sprintf(`{"invitationToken":%q,"answers":[{"questionId":"nps","value":%d}]}`, decode[struct{ Token string }](t, inv).Token, score)
		r := s.do(t, "POST", "/v1/surveys/"+surveyID+"/responses", "application/json", []byte(body), nil)
		if r.status != http.StatusCreated {
			t.Fatalf("answer: %d %s", r.status, r.body)
		}
		return r.body
	}

	plain := define(t, "")
	if r := s.staffCall(t, "agent", "loc-1", "GET", "/v1/surveys/"+plain, ""); !strings.Contains(r.body, `"loop":{"detractor":true,"lowCsat":true,"callbackWithinHours":8}`) {
		t.Fatalf("the definition reads %d %s", r.status, r.body)
	}
	off := define(t, `,"loop":{"off":true}`)
	if r := s.staffCall(t, "agent", "loc-1", "GET", "/v1/surveys/"+off, ""); !strings.Contains(r.body, `"loop":{"off":true}`) {
		t.Fatalf("the definition reads %d %s", r.status, r.body)
	}
	if rc := answer(t, off, "c-quiet", 1); strings.Contains(rc, `"loop"`) {
		t.Fatalf("an off loop opened: %s", rc)
	}
	submitted := s.cfg.Clock.Now()
	if rc := answer(t, plain, "c-42", 2); !strings.Contains(rc, `"loop":["detractor (NPS 2)"]`) {
		t.Fatalf("a detractor on a survey defined without a loop: %s", rc)
	}

	s.start(t)
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	msgs := s.waitOutbox(t, 1) // the off survey's detractor alerted no one
	m := msgs[0]
	if m.To != "manager@loc-1.example" || m.Kind != "recovery-callback" || !strings.Contains(m.Body, "customer c-42") {
		t.Fatalf("alert %+v", m)
	}
	// 8 business hours of 08:00-22:00 in Shanghai after the answer.
	by := regexp.MustCompile(`back by (\S+)\.`).FindStringSubmatch(m.Body)
	if by == nil {
		t.Fatalf("no deadline in %q", m.Body)
	}
	deadline, err := time.Parse(time.RFC3339, by[1])
	if err != nil {
		t.Fatal(err)
	}
	if want := businessHoursLater(t, submitted, 8); deadline.Sub(want).Abs() > time.Minute {
		t.Errorf("callback by %s, want 8 business hours after %s: %s", deadline, submitted, want)
	}

	bad := s.staffCall(t, "manager", "loc-1", "POST", "/v1/surveys", `{"name":"Both",`+questions+`,"loop":{"off":true,"detractor":true}}`)
	if p := problemOf(t, bad); bad.status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(p["errors"]), "loop.off") {
		t.Fatalf("off with a rule: %d %v", bad.status, p)
	}
}

// businessHoursLater walks the demo hotel's opening hours (08:00-22:00 every day in
// Shanghai) minute by minute from t0: the deadline computed without the code under test.
func businessHoursLater(t *testing.T, t0 time.Time, hours int) time.Time {
	t.Helper()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	left := time.Duration(hours) * time.Hour
	at := t0
	for left > 0 {
		if h := at.In(sh).Hour(); h >= 8 && h < 22 {
			left -= time.Minute
		}
		at = at.Add(time.Minute)
	}
	return at
}

// The CSV export's header names every column once, over HTTP too: the question nps is
// q:nps, the computed score nps.
func TestSurveyCSVColumnsAreDistinctOverHTTP(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	def := `{"name":"Stay","locationId":"loc-1","loop":{"off":true},"questions":[
		{"id":"nps","type":"nps","text":{"en":"Recommend us?"}},
		{"id":"csat","type":"csat","text":{"en":"Happy?"}},
		{"id":"comment","type":"text","text":{"en":"Anything?"}}]}`
	sv := decode[struct{ SurveyID string }](t, s.staffCall(t, "manager", "loc-1", "POST", "/v1/surveys", def))
	inv := decode[struct{ Token string }](t, s.staffCall(t, "system", "*", "POST", "/v1/surveys/"+sv.SurveyID+"/invitations", `{"customerId":"c-1","locationId":"loc-1"}`))
	body := fmt.Sprintf(`{"invitationToken":%q,"comment":"overall","answers":[{"questionId":"nps","value":7},{"questionId":"csat","value":4},{"questionId":"comment","value":"in the question"}]}`, inv.Token)
	if r := s.do(t, "POST", "/v1/surveys/"+sv.SurveyID+"/responses", "application/json", []byte(body), nil); r.status != http.StatusCreated {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	r := s.staffCall(t, "manager", "loc-1", "GET", "/v1/surveys/"+sv.SurveyID+"/responses.csv", "")
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if r.status != http.StatusOK || err != nil || len(rows) != 2 {
		t.Fatalf("csv %d %v %q", r.status, err, r.body)
	}
	want := []string{"responseId", "submittedAt", "surveyVersion", "locationId", "customerId", "staffId", "q:nps", "q:csat", "q:comment", "nps", "csat", "comment"}
	if !slices.Equal(rows[0], want) {
		t.Fatalf("header %v, want %v", rows[0], want)
	}
	if got := rows[1][6:]; !slices.Equal(got, []string{"7", "4", "in the question", "7", "4", "overall"}) {
		t.Fatalf("row %v", got)
	}
}

// A title defined over HTTP is the hosted form's heading in the page's language; the
// definition reads it back.
func TestSurveyTitleOverHTTP(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	def := `{"name":"q4-internal","locationId":"loc-1","title":{"zh-CN":"您的入住体验","en":"Your stay"},
		"questions":[{"id":"nps","type":"nps","text":{"en":"Recommend us?","zh-CN":"推荐我们吗？"}}]}`
	r := s.staffCall(t, "manager", "loc-1", "POST", "/v1/surveys", def)
	if r.status != http.StatusCreated || !strings.Contains(r.body, `"title":{"en":"Your stay","zh-CN":"您的入住体验"}`) {
		t.Fatalf("define: %d %s", r.status, r.body)
	}
	sv := decode[struct{ SurveyID string }](t, r)
	inv := decode[struct{ Token string }](t, s.staffCall(t, "system", "*", "POST", "/v1/surveys/"+sv.SurveyID+"/invitations", `{"customerId":"c-1","locationId":"loc-1","locale":"zh-CN"}`))
	for lang, want := range map[string]string{"": "<h1>您的入住体验</h1>", "?lang=en": "<h1>Your stay</h1>"} {
		p := s.do(t, "GET", "/v1/s/"+inv.Token+lang, "", nil, nil)
		if p.status != http.StatusOK || !strings.Contains(p.body, want) {
			t.Errorf("page%s: %d, want %s in\n%s", lang, p.status, want, p.body)
		}
	}
	bad := s.staffCall(t, "manager", "loc-1", "POST", "/v1/surveys", `{"name":"x","title":{"fr":"Séjour"},"questions":[{"id":"q","type":"nps","text":{"en":"?"}}]}`)
	if p := problemOf(t, bad); bad.status != http.StatusBadRequest || !strings.Contains(fmt.Sprint(p["errors"]), "title.fr") {
		t.Fatalf("a title in French: %d %v", bad.status, p)
	}
}
