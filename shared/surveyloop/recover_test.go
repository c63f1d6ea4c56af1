package surveyloop_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/surveyloop"
)

// scheduler keeps the follow-ups it is asked to schedule, one item each.
type scheduler struct{ got []followup.Followup }

func (s *scheduler) ScheduleNewPuts(f followup.Followup) ([]types.TransactWriteItem, error) {
	s.got = append(s.got, f)
	return []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String("followups"), Item: dynamo.Key("FU#"+f.ID, "FU")}}}, nil
}

// cases answers every intake with ref and two items, or with err.
type cases struct {
	ref string
	err error
	got []complaint.Intake
}

func (c *cases) CaseItems(_ context.Context, in complaint.Intake) ([]types.TransactWriteItem, complaint.Receipt, error) {
	c.got = append(c.got, in)
	if c.err != nil {
		return nil, complaint.Receipt{}, c.err
	}
	item := types.TransactWriteItem{Put: &types.Put{TableName: aws.String("complaints"), Item: dynamo.Key("CASE#"+c.ref, "CASE")}}
	return []types.TransactWriteItem{item, item}, complaint.Receipt{Reference: c.ref}, nil
}

// recovery is a detractor's response at loc-1 with a comment, due back by 12:00 UTC.
func recovery(loop *survey.Loop, loc place.Location) survey.Recovery {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	nps := 2
	return survey.Recovery{
		Survey: survey.Survey{ID: "s-1", Name: "Your stay", Version: 3, Loop: loop},
		Response: survey.Response{ID: "r-1", SurveyID: "s-1", SurveyVersion: 3, LocationID: "loc-1", CustomerID: "c-1", SubmittedAt: at,
			Comment: "Rude at check-in", Score: survey.Score{NPS: &nps, NPSCategory: "detractor"}, Loop: []string{"detractor (NPS 2)"}},
		Location:   loc,
		CallbackBy: at.Add(3 * time.Hour),
	}
}

// The alerts go to the loop's contact in its zone and quiet hours, or else to each
// manager in the location's, or else to no one with the reason; each keyed so one
// response alerts each recipient once and erasure finds it.
func TestRecoverAlertsTheContactOrTheManagers(t *testing.T) {
	managers := []contact.Contact{{Name: "Li", Channel: "email", Address: "li@example.com", Locale: "zh-CN"}, {Name: "Wang", Channel: "sms", Address: "+8613800000000"}}
	loc := place.Location{ID: "loc-1", TimeZone: "Asia/Shanghai", QuietHours: "22:00-08:00", Managers: managers}
	night := survey.Contact{Channel: "webhook", Address: "https://desk.example/hook", Locale: "en", TimeZone: "Europe/London", QuietHours: "00:00-00:00"}
	for _, c := range []struct {
		name  string
		loop  *survey.Loop
		loc   place.Location
		to    []followup.Recipient
		quiet string
	}{
		{"the loop's contact", &survey.Loop{Detractor: true, Notify: night}, loc,
			[]followup.Recipient{{Type: "staff", Channel: "webhook", Address: "https://desk.example/hook", Locale: "en", TimeZone: "Europe/London"}}, "00:00-00:00"},
		{"the location's managers", &survey.Loop{Detractor: true}, loc, []followup.Recipient{
			{Type: "staff", ID: "Li", Channel: "email", Address: "li@example.com", Locale: "zh-CN", TimeZone: "Asia/Shanghai"},
			{Type: "staff", ID: "Wang", Channel: "sms", Address: "+8613800000000", TimeZone: "Asia/Shanghai"}}, "22:00-08:00"},
		{"no one", &survey.Loop{Detractor: true}, place.Location{}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := &scheduler{}
			tx := &dynamo.Tx{}
			out, err := (&surveyloop.Loop{Followups: fs}).Recover(context.Background(), recovery(c.loop, c.loc), tx)
			if err != nil || out.Case != "" {
				t.Fatalf("recovered %+v, %v", out, err)
			}
			if tx.Len() != len(fs.got) {
				t.Fatalf("%d items for %d alerts", tx.Len(), len(fs.got))
			}
			if len(c.to) == 0 {
				if len(fs.got) != 1 || fs.got[0].DedupeKey != survey.RecoveryKey("r-1", -1) || !strings.Contains(fs.got[0].Unroutable, `"loc-1" has no managers`) {
					t.Fatalf("alerts %+v, want one unroutable", fs.got)
				}
				return
			}
			if len(fs.got) != len(c.to) {
				t.Fatalf("%d alerts, want %d", len(fs.got), len(c.to))
			}
			for i, f := range fs.got {
				if f.Recipient != c.to[i] || f.QuietHours != c.quiet || f.DedupeKey != survey.RecoveryKey("r-1", i) || f.Unroutable != "" ||
					f.Kind != followup.KindRecoveryCallback || f.LocationID != "loc-1" || !f.DueAt.Equal(f.CreatedAt) ||
					f.Source != (followup.Source{Type: "survey-response", ID: "r-1"}) {
					t.Errorf("alert %d: %+v", i, f)
				}
				for _, part := range []string{`"Your stay" (version 3) at loc-1`, "NPS 2 (detractor)", "Why: detractor (NPS 2).",
					"Call customer c-1 back by 2026-11-23T12:00:00Z.", "Comment: Rude at check-in"} {
					if !strings.Contains(f.Body, part) {
						t.Errorf("alert %d lacks %q:\n%s", i, part, f.Body)
					}
				}
			}
			if fs.got[0].ID == "" || (len(fs.got) > 1 && fs.got[0].ID == fs.got[1].ID) {
				t.Errorf("alert ids %q", []string{fs.got[0].ID})
			}
		})
	}
}

// A loop with OpenCase opens a case at the response's location, in the response's
// transaction, and names it for the response; one the complaints domain refuses as
// invalid is left out and the alerts still go; any other failure fails the response.
func TestRecoverOpensTheCaseByRule(t *testing.T) {
	rule := &survey.CaseRule{Category: "service_attitude", Severity: "high"}
	loop := &survey.Loop{Detractor: true, Notify: desk, OpenCase: rule}
	t.Run("opened", func(t *testing.T) {
		cs := &cases{ref: "LOC1-20261123-0001"}
		tx := &dynamo.Tx{}
		out, err := (&surveyloop.Loop{Followups: &scheduler{}, Cases: cs}).Recover(context.Background(), recovery(loop, place.Location{ID: "loc-1"}), tx)
		if err != nil || out.Case != "LOC1-20261123-0001" || tx.Len() != 3 {
			t.Fatalf("recovered %+v with %d items, %v; want the case and its 2 items after the alert", out, tx.Len(), err)
		}
		in := cs.got[0]
		if in.Category != "service_attitude" || in.Severity != "high" || in.LocationID != "loc-1" || in.CustomerID != "c-1" ||
			in.Contact.Name != "Survey respondent" || !strings.Contains(in.Description, `Survey "Your stay" (version 3), response r-1: detractor (NPS 2).`) ||
			!strings.Contains(in.Description, "Comment: Rude at check-in") {
			t.Errorf("intake %+v", in)
		}
	})
	t.Run("refused as invalid", func(t *testing.T) {
		fs := &scheduler{}
		tx := &dynamo.Tx{}
		cs := &cases{err: problem.Field("category", "unknown")}
		out, err := (&surveyloop.Loop{Followups: fs, Cases: cs}).Recover(context.Background(), recovery(loop, place.Location{}), tx)
		if err != nil || out.Case != "" || tx.Len() != 1 || len(fs.got) != 1 {
			t.Fatalf("recovered %+v with %d items, %v; want the alert alone", out, tx.Len(), err)
		}
	})
	t.Run("failed", func(t *testing.T) {
		down := errors.New("complaints table unavailable")
		_, err := (&surveyloop.Loop{Followups: &scheduler{}, Cases: &cases{err: down}}).Recover(context.Background(), recovery(loop, place.Location{}), &dynamo.Tx{})
		if !errors.Is(err, down) {
			t.Fatalf("err %v, want the complaints domain's", err)
		}
	})
	t.Run("no location, or no rule", func(t *testing.T) {
		cs := &cases{ref: "X"}
		rec := recovery(loop, place.Location{})
		rec.Response.LocationID = ""
		if out, err := (&surveyloop.Loop{Followups: &scheduler{}, Cases: cs}).Recover(context.Background(), rec, &dynamo.Tx{}); err != nil || out.Case != "" {
			t.Fatalf("a response of no location: %+v %v", out, err)
		}
		plain := recovery(&survey.Loop{Detractor: true, Notify: desk}, place.Location{})
		if out, err := (&surveyloop.Loop{Followups: &scheduler{}, Cases: cs}).Recover(context.Background(), plain, &dynamo.Tx{}); err != nil || out.Case != "" {
			t.Fatalf("a loop without OpenCase: %+v %v", out, err)
		}
		if len(cs.got) != 0 {
			t.Fatalf("%d intakes, want none", len(cs.got))
		}
	})
}
