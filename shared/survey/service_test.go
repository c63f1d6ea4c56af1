package survey_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

func newService(t *testing.T) (*survey.Service, *followup.Store, *clock.Manual) {
	env := testenv.New(t)
	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	fs := &followup.Store{DB: env.Clients.DynamoDB, Table: env.Names("followups")}
	svc := &survey.Service{Store: &survey.Store{DB: env.Clients.DynamoDB, Table: env.Names("surveys")}, Followups: fs, Clock: clk}
	sv := survey.Survey{ID: "s-1", Name: "Visit", Version: 3, LocationID: "loc-1", Questions: []survey.Question{
		{ID: "nps", Type: survey.TypeNPS, Required: true},
		{ID: "csat", Type: survey.TypeCSAT, Dimension: "service quality"},
	}, Alert: survey.Contact{Channel: "email", Address: "desk@example.com"}}
	if err := svc.Store.PutSurvey(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	return svc, fs, clk
}

func invite(t *testing.T, svc *survey.Service, token string, expires time.Time) {
	t.Helper()
	err := svc.Store.PutInvitation(context.Background(), survey.Invitation{Token: token, SurveyID: "s-1", CustomerID: "c-1", LocationID: "loc-2", ExpiresAt: expires})
	if err != nil {
		t.Fatal(err)
	}
}

func nps(n float64) survey.Submission {
	return survey.Submission{Answers: []survey.Answer{{QuestionID: "nps", Value: n}}}
}

func kindOf(err error) problem.Kind { return problem.KindOf(err) }

func TestAnInvitationIsAnsweredOnceEvenUnderConcurrency(t *testing.T) {
	svc, _, clk := newService(t)
	invite(t, svc, "tok-1", clk.Now().Add(time.Hour))
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sub := nps(9)
			sub.InvitationToken = "tok-1"
			_, errs[i] = svc.Submit(context.Background(), "s-1", sub, nil)
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
	rs, err := svc.Store.Responses(context.Background(), "s-1")
	if err != nil || len(rs) != 1 {
		t.Fatalf("%d responses stored, %v", len(rs), err)
	}
	r := rs[0]
	if r.CustomerID != "c-1" || r.LocationID != "loc-2" || r.SurveyVersion != 3 {
		t.Errorf("response not bound to its invitation and version: %+v", r)
	}
}

func TestExpiredInvitationIsGoneAndStoresNothing(t *testing.T) {
	svc, _, clk := newService(t)
	invite(t, svc, "tok-2", clk.Now().Add(time.Hour))
	clk.Advance(time.Hour)
	sub := nps(3)
	sub.InvitationToken = "tok-2"
	if _, err := svc.Submit(context.Background(), "s-1", sub, nil); kindOf(err) != problem.Gone {
		t.Fatalf("err %v, want gone", err)
	}
	if rs, _ := svc.Store.Responses(context.Background(), "s-1"); len(rs) != 0 {
		t.Fatal("an expired invitation stored a response")
	}
}

func TestInvitationRules(t *testing.T) {
	svc, _, clk := newService(t)
	invite(t, svc, "tok-3", clk.Now().Add(time.Hour))
	cases := []struct {
		name, survey, token string
		want                problem.Kind
	}{
		{"unknown survey", "nope", "tok-3", problem.NotFound},
		{"unknown token", "s-1", "nope", problem.NotFound},
		{"token required", "s-1", "", problem.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := nps(8)
			sub.InvitationToken = c.token
			if _, err := svc.Submit(context.Background(), c.survey, sub, nil); kindOf(err) != c.want {
				t.Fatalf("err %v, want %s", err, c.want)
			}
		})
	}
}

func TestLowScoreSchedulesARecoveryFollowupInTheSameTransaction(t *testing.T) {
	svc, fs, clk := newService(t)
	cases := []struct {
		name  string
		sub   survey.Submission
		token string
		low   bool
	}{
		{"detractor", nps(6), "tok-a", true},
		{"passive", nps(7), "tok-b", false},
		{"unhappy csat", survey.Submission{Answers: []survey.Answer{{QuestionID: "nps", Value: 8.0}, {QuestionID: "csat", Value: 2.0}}}, "tok-c", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			invite(t, svc, c.token, clk.Now().Add(time.Hour))
			c.sub.InvitationToken = c.token
			rc, err := svc.Submit(context.Background(), "s-1", c.sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rc.Score.Low() != c.low {
				t.Fatalf("low = %v, want %v", rc.Score.Low(), c.low)
			}
			// The follow-up's id is not returned; find it through the dispatcher's index.
			found := countDue(t, fs, clk)
			if c.low && found != 1 || !c.low && found != 0 {
				t.Fatalf("%d due follow-ups, want low=%v", found, c.low)
			}
		})
	}
}

// countDue counts due follow-ups by dispatching them into a recording queue.
func countDue(t *testing.T, fs *followup.Store, clk clock.Clock) int {
	t.Helper()
	q := &recordingQueue{}
	d := &followup.Dispatcher{Store: fs, Queue: q, QueueURL: "q", Clock: clk, PageSize: 50, StuckAfter: time.Hour}
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return q.sent
}

func TestFailedTransactionLeavesNothingHalfWritten(t *testing.T) {
	svc, fs, clk := newService(t)
	invite(t, svc, "tok-x", clk.Now().Add(time.Hour))
	sub := nps(2)
	sub.InvitationToken = "tok-x"
	boom := errors.New("caller refused")
	_, err := svc.Submit(context.Background(), "s-1", sub, func(survey.Receipt) ([]types.TransactWriteItem, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if rs, _ := svc.Store.Responses(context.Background(), "s-1"); len(rs) != 0 {
		t.Fatal("response stored without its transaction")
	}
	if n := countDue(t, fs, clk); n != 0 {
		t.Fatalf("%d follow-ups without their response", n)
	}
	inv, err := svc.Store.Invitation(context.Background(), "tok-x")
	if err != nil || inv.Status != "open" {
		t.Fatalf("invitation %+v, %v; want still open", inv, err)
	}
}
