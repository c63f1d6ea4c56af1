package survey_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
)

// loopFixture adds location loc-D to the fixture: two managers, weekday hours
// 09:00-18:00 in Shanghai, no quiet hours (so alerts go at once).
func loopFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	week := map[string][]string{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
		week[d] = []string{"09:00-18:00"}
	}
	loc := customer.Location{ID: "loc-D", Name: "Bund", TimeZone: "Asia/Shanghai", QuietHours: "00:00-00:00", WeeklyHours: week,
		Managers: []customer.Contact{{Name: "Li", Channel: "email", Address: "li@example.com"}, {Name: "Wang", Channel: "sms", Address: "+8613800000000"}}}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Locations.(*customer.Store).PutLocation(context.Background(), loc, 0); err != nil {
		t.Fatal(err)
	}
	return f
}

var loopQuestions = []survey.Question{
	{ID: "nps", Type: survey.TypeNPS, Text: map[string]string{"en": "Recommend us?"}},
	{ID: "csat", Type: survey.TypeCSAT, Text: map[string]string{"en": "Satisfied?"}},
}

// answer submits one response at loc-D through a fresh invitation.
func (f *fixture) answer(t *testing.T, surveyID string, answers ...survey.Answer) survey.Receipt {
	t.Helper()
	tok := fmt.Sprintf("loop-%d", time.Now().UnixNano())
	if err := f.svc.Store.PutInvitation(context.Background(), survey.Invitation{Token: tok, SurveyID: surveyID, CustomerID: "c-9",
		LocationID: "loc-D", ExpiresAt: f.clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	rc, err := f.svc.Submit(context.Background(), surveyID, survey.Submission{InvitationToken: tok, Answers: answers}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// alerts dispatches the due follow-ups and reads them back.
func (f *fixture) alerts(t *testing.T) []followup.Followup {
	t.Helper()
	q := &bodyQueue{}
	d := &followup.Dispatcher{Store: f.fs, Queue: q, QueueURL: "q", Clock: f.clk, PageSize: 50, StuckAfter: time.Hour}
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
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

// A survey defined without a loop gets the default one: a detractor and a low CSAT
// each alert the location's managers, with a callback deadline 8 business hours
// later; a promoter alerts no one.
func TestASurveyDefinedWithoutALoopGetsTheDefault(t *testing.T) {
	f := loopFixture(t)
	sv, err := f.staff.Define(context.Background(), everyone, survey.Definition{Name: "Plain", Questions: loopQuestions})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sv.Loop, survey.DefaultLoop()) || sv.Loop.CallbackWithinHours != 8 || !sv.Loop.Detractor || !sv.Loop.LowCSAT {
		t.Fatalf("loop %+v, want the default", sv.Loop)
	}
	stored, err := f.staff.Get(context.Background(), everyone, sv.ID, 0)
	if err != nil || !reflect.DeepEqual(stored.Loop, survey.DefaultLoop()) {
		t.Fatalf("stored loop %+v (%v), want the default", stored.Loop, err)
	}
	body, _ := json.Marshal(stored)
	if !strings.Contains(string(body), `"loop":{"detractor":true,"lowCsat":true,"callbackWithinHours":8}`) {
		t.Errorf("the definition reads %s", body)
	}

	// Friday 16:00 in Shanghai: two business hours left that day, six on Monday.
	f.clk.Set(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	if rc := f.answer(t, sv.ID, survey.Answer{QuestionID: "nps", Value: 10.0}, survey.Answer{QuestionID: "csat", Value: 5.0}); len(rc.Loop) != 0 {
		t.Fatalf("a promoter opened the loop: %v", rc.Loop)
	}
	if rc := f.answer(t, sv.ID, survey.Answer{QuestionID: "nps", Value: 2.0}); !reflect.DeepEqual(rc.Loop, []string{"detractor (NPS 2)"}) {
		t.Fatalf("NPS 2: loop %v", rc.Loop)
	}
	if rc := f.answer(t, sv.ID, survey.Answer{QuestionID: "csat", Value: 1.0}); !reflect.DeepEqual(rc.Loop, []string{"low CSAT (1)"}) {
		t.Fatalf("CSAT 1: loop %v", rc.Loop)
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

// {"loop": {"off": true}} is the one way to define a survey without a loop: it reads
// back as exactly that, and a detractor alerts no one. Off with rules is refused,
// naming loop.off.
func TestALoopCanBeTurnedOff(t *testing.T) {
	f := loopFixture(t)
	var d survey.Definition
	if err := json.Unmarshal([]byte(`{"name":"Quiet","questions":[{"id":"nps","type":"nps","text":{"en":"?"}}],"loop":{"off":true}}`), &d); err != nil {
		t.Fatal(err)
	}
	sv, err := f.staff.Define(context.Background(), everyone, d)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(sv)
	if !strings.Contains(string(body), `"loop":{"off":true}`) {
		t.Errorf("the definition reads %s", body)
	}
	if rc := f.answer(t, sv.ID, survey.Answer{QuestionID: "nps", Value: 0.0}); len(rc.Loop) != 0 {
		t.Fatalf("an off loop opened: %v", rc.Loop)
	}
	if a := f.alerts(t); len(a) != 0 {
		t.Fatalf("%d alerts from an off loop", len(a))
	}

	_, err = f.staff.Define(context.Background(), everyone, survey.Definition{Name: "Both", Questions: loopQuestions,
		Loop: &survey.Loop{Off: true, Detractor: true}})
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Kind != problem.Invalid || len(pe.Fields) != 1 || pe.Fields[0].Field != "loop.off" {
		t.Fatalf("off with a rule: %v, want invalid naming loop.off", err)
	}
}

// An edit that does not mention the loop keeps the edited version's: a loop that is
// off stays off, the default stays, and a survey stored before the default (no loop
// at all) keeps none. An edit that names a loop sets it.
func TestAnEditWithoutALoopKeepsTheVersionsLoop(t *testing.T) {
	f := loopFixture(t)
	ctx := context.Background()
	legacy := survey.Survey{ID: "legacy", Name: "Old", Version: 1, CreatedAt: f.clk.Now(), Questions: loopQuestions}
	if err := f.svc.Store.PutSurvey(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	off, err := f.staff.Define(ctx, everyone, survey.Definition{Name: "Off", Questions: loopQuestions, Loop: &survey.Loop{Off: true}})
	if err != nil {
		t.Fatal(err)
	}
	def, err := f.staff.Define(ctx, everyone, survey.Definition{Name: "Default", Questions: loopQuestions})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id   string
		want *survey.Loop
	}{{"legacy", nil}, {off.ID, &survey.Loop{Off: true}}, {def.ID, survey.DefaultLoop()}} {
		v2, err := f.staff.Edit(ctx, everyone, c.id, survey.Definition{Name: "Edited", Version: 1, Questions: loopQuestions})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(v2.Loop, c.want) {
			t.Errorf("%s after an edit: loop %+v, want %+v", c.id, v2.Loop, c.want)
		}
	}
	if rc := f.answer(t, "legacy", survey.Answer{QuestionID: "nps", Value: 1.0}); len(rc.Loop) != 0 {
		t.Errorf("a stored survey without a loop opened one: %v", rc.Loop)
	}
	set := &survey.Loop{Detractor: true, CallbackWithinHours: 2}
	v3, err := f.staff.Edit(ctx, everyone, "legacy", survey.Definition{Name: "Edited", Version: 2, Questions: loopQuestions, Loop: set})
	if err != nil || !reflect.DeepEqual(v3.Loop, set) {
		t.Fatalf("an edit naming a loop: %+v %v", v3.Loop, err)
	}
}
