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

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/place"
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
	loc := place.Location{ID: "loc-D", Name: "Bund", TimeZone: "Asia/Shanghai", QuietHours: "00:00-00:00", WeeklyHours: week,
		Managers: []contact.Contact{{Name: "Li", Channel: "email", Address: "li@example.com"}, {Name: "Wang", Channel: "sms", Address: "+8613800000000"}}}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	f.locs[loc.ID] = loc
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

// A survey defined without a loop gets the default one: a detractor and a low CSAT
// each open a recovery at the response's location, with a callback deadline 8
// business hours later; a promoter opens none.
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
	got := f.rec.recoveries()
	if len(got) != 2 || f.rec.committed(t) != 2 {
		t.Fatalf("%d recoveries, want the detractor's and the low CSAT's", len(got))
	}
	for _, rec := range got {
		// Monday 30 November, 15:00 in Shanghai = 07:00 UTC.
		if !rec.CallbackBy.Equal(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)) || rec.Location.ID != "loc-D" || len(rec.Location.Managers) != 2 {
			t.Errorf("recovery due %s at %+v", rec.CallbackBy, rec.Location)
		}
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
	if a := f.rec.recoveries(); len(a) != 0 {
		t.Fatalf("%d recoveries from an off loop", len(a))
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

// A loop's contact is checked as alerts will use it: a channel of contact.Channels
// with an address, an IANA zone (UTC when left out) and quiet hours HH:MM-HH:MM.
func TestALoopsContactIsChecked(t *testing.T) {
	for _, c := range []struct {
		name  string
		n     survey.Contact
		field string // "" for none
	}{
		{"an email desk", survey.Contact{Channel: "email", Address: "desk@example.com"}, ""},
		{"a webhook with zone and quiet hours", survey.Contact{Channel: "webhook", Address: "https://x.example/h", TimeZone: "Asia/Shanghai", QuietHours: "22:30-07:15"}, ""},
		{"around the clock", survey.Contact{Channel: "sms", Address: "+8613800000000", QuietHours: "00:00-00:00"}, ""},
		{"single-digit hours", survey.Contact{Channel: "sms", Address: "+8613800000000", QuietHours: "9:00-7:00"}, ""},
		{"a channel not on the list", survey.Contact{Channel: "pigeon", Address: "loft 3"}, "loop.notify"},
		{"no address", survey.Contact{Channel: "email", Address: "  "}, "loop.notify"},
		{"an unknown zone", survey.Contact{Channel: "email", Address: "desk@example.com", TimeZone: "Mars/Olympus"}, "loop.notify.timeZone"},
		{"hour 24", survey.Contact{Channel: "email", Address: "desk@example.com", QuietHours: "21:00-24:00"}, "loop.notify.quietHours"},
		{"minute 60", survey.Contact{Channel: "email", Address: "desk@example.com", QuietHours: "21:60-07:00"}, "loop.notify.quietHours"},
		{"not a range", survey.Contact{Channel: "email", Address: "desk@example.com", QuietHours: "evenings"}, "loop.notify.quietHours"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := survey.Definition{Name: "Stay", Questions: loopQuestions, Loop: &survey.Loop{Detractor: true, Notify: c.n}}
			err := d.Validate()
			var pe *problem.Error
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.field == "":
			case !errors.As(err, &pe) || len(pe.Fields) != 1 || pe.Fields[0].Field != c.field:
				t.Fatalf("err %v, want one naming %s", err, c.field)
			}
		})
	}
}
