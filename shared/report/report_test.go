package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/membership"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/report"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

var (
	admin   = auth.Principal{Subject: "admin-1", Roles: []string{"admin"}, All: true}
	shAgent = auth.Principal{Subject: "agent-sh", Roles: []string{"agent"}, Locations: []string{"sh-01"}}
	nowhere = auth.Principal{Subject: "agent-0", Roles: []string{"agent"}}
)

// world is a worked example written through each domain's own code: two locations in
// two time zones, over two days of one ISO week that straddle a month's end, and a
// day two weeks later.
type world struct {
	clk     *clock.Manual
	svc     *report.Service
	mux     *http.ServeMux
	surveys *survey.Service
	cases   *complaint.Service
	points  *loyalty.Service
	visits  *customer.Store
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	env := testenv.New(t)
	db := env.Clients.DynamoDB
	clk := clock.NewManual(time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)) // Monday 09:00 in Shanghai, 01:00 in London
	customers := &customer.Store{DB: db, Table: env.Names("customers"), Locations: &location.Store{DB: db, Table: env.Names("customers")}}
	followups := &followup.Store{DB: db, Table: env.Names("followups")}
	hours := map[string][]string{"mon": {"09:00-18:00"}, "tue": {"09:00-18:00"}, "wed": {"09:00-18:00"}, "thu": {"09:00-18:00"}, "fri": {"09:00-18:00"}}
	for _, l := range []place.Location{
		{ID: "sh-01", Code: "SH01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai", WeeklyHours: hours},
		{ID: "ldn-01", Code: "LDN1", Name: "London Bridge", TimeZone: "Europe/London", WeeklyHours: hours},
	} {
		if err := l.Validate(); err != nil {
			t.Fatal(err)
		}
		if _, err := customers.Locations.(*location.Store).PutLocation(ctx, l, 0); err != nil {
			t.Fatal(err)
		}
	}
	w := &world{clk: clk, visits: customers,
		surveys: &survey.Service{Store: &survey.Store{DB: db, Table: env.Names("surveys")}, Clock: clk, Locations: customers.Locations.(*location.Store)},
		cases: &complaint.Service{Store: &complaint.Store{DB: db, Table: env.Names("complaints")},
			Locations: customers.Locations.(*location.Store), Customers: customers, Effects: &casework.Effects{Followups: followups}, Clock: clk, PublicURL: "https://api.example"},
		points: &loyalty.Service{Store: &loyalty.Store{DB: db, Table: env.Names("loyalty")}, Clock: clk, Effects: membership.Messages{Followups: followups}, Locations: customers.Locations.(*location.Store)},
		svc: &report.Service{DB: db, Registry: customers.Locations.(*location.Store).LocationIDs, Clock: clk, Tables: report.Tables{
			Surveys: env.Names("surveys"), Complaints: env.Names("complaints"), Customers: env.Names("customers"), Loyalty: env.Names("loyalty")}},
		mux: http.NewServeMux(),
	}
	for pattern, h := range report.Routes(w.svc) {
		w.mux.Handle(pattern, h)
	}
	if err := w.surveys.Store.PutSurvey(ctx, survey.Survey{ID: "s-1", Name: "Visit", Version: 1, Loop: &survey.Loop{Off: true},
		Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Required: true}, {ID: "csat", Type: survey.TypeCSAT, Required: true}}}); err != nil {
		t.Fatal(err)
	}
	return w
}

// respond answers the survey at a location through a new invitation; the same
// invitation again is refused and counts nothing.
func (w *world) respond(t *testing.T, loc string, nps, csat int) {
	t.Helper()
	ctx := context.Background()
	token := "inv-" + id.Token(16)
	if err := w.surveys.Store.PutInvitation(ctx, survey.Invitation{Token: token, Kind: survey.KindInvitation, SurveyID: "s-1",
		LocationID: loc, ExpiresAt: w.clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sub := survey.Submission{InvitationToken: token, Answers: []survey.Answer{{QuestionID: "nps", Value: float64(nps)}, {QuestionID: "csat", Value: float64(csat)}}}
	if _, err := w.surveys.Submit(ctx, "s-1", sub, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.surveys.Submit(ctx, "s-1", sub, nil); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("the invitation answered again: %v, want a conflict", err)
	}
}

// open files a complaint at a location.
func (w *world) open(t *testing.T, loc string) string {
	t.Helper()
	rc, err := w.cases.Submit(context.Background(), nil, complaint.Intake{Category: "waiting_time", Description: "Forty minutes at the counter.",
		LocationID: loc, Contact: complaint.Contact{Name: "Guest", Phone: "13800138000", Locale: "en"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rc.ComplaintID
}

// resolve resolves a case; resolving it again is refused and counts nothing.
func (w *world) resolve(t *testing.T, caseID string) {
	t.Helper()
	req := complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Apologised; a faster queue.", RootCause: "capacity"}
	if _, err := w.cases.Act(context.Background(), admin, caseID, req); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cases.Act(context.Background(), admin, caseID, req); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("resolved again: %v, want a conflict", err)
	}
}

// visit reports a visit twice, as a retrying point of sale would: recorded once.
func (w *world) visit(t *testing.T, cid, loc string) {
	t.Helper()
	now := w.clk.Now()
	v := customer.Visit{ID: id.New(now), SourceID: "pos-" + id.Token(8), CustomerID: cid, LocationID: loc, Amount: 10, Currency: "CNY", At: now, ReceivedAt: now}
	if err := w.visits.RecordVisit(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	if err := w.visits.RecordVisit(context.Background(), v); !errors.Is(err, customer.ErrVisitReported) {
		t.Fatalf("the visit reported again: %v", err)
	}
}

// earn earns points at a location twice with one sourceId: one entry.
func (w *world) earn(t *testing.T, cid, loc string, points int) string {
	t.Helper()
	src := "order-" + id.Token(8)
	req := loyalty.EarnRequest{SourceID: src, Points: points, LocationID: loc}
	if _, _, err := w.points.Earn(context.Background(), "pos", cid, req); err != nil {
		t.Fatal(err)
	}
	if _, replayed, err := w.points.Earn(context.Background(), "pos", cid, req); err != nil || !replayed {
		t.Fatalf("earn again: replayed %v, %v", replayed, err)
	}
	return src
}

func (w *world) redeem(t *testing.T, cid, loc string, points int) {
	t.Helper()
	req := loyalty.PointsRequest{SourceID: "redeem-" + id.Token(8), Points: points, LocationID: loc}
	if _, _, err := w.points.Redeem(context.Background(), "pos", cid, req); err != nil {
		t.Fatal(err)
	}
	if _, replayed, err := w.points.Redeem(context.Background(), "pos", cid, req); err != nil || !replayed {
		t.Fatalf("redeem again: replayed %v, %v", replayed, err)
	}
}

func (w *world) reverse(t *testing.T, cid, src string) {
	t.Helper()
	for range 2 {
		if _, _, err := w.points.Reverse(context.Background(), "pos", cid, loyalty.PointsRequest{SourceID: src}); err != nil {
			t.Fatal(err)
		}
	}
}

// story writes the worked example. Shanghai (UTC+8) and London (UTC+0):
//
//	Mon 30 Nov (W49)  sh-01: responses (NPS 10, CSAT 5) and (9, 4); cases A and B
//	                  opened, A resolved within its SLA; first visits of cust-1 and
//	                  cust-2; cust-1 earns 100 and 50, cust-2 earns 30 (3 members'
//	                  activities, 2 members).
//	                  ldn-01: a response (0, 1); a case opened; cust-3's first visit.
//	Tue 1 Dec (W49)   sh-01, at 01:30 local (17:30 UTC on the 30th): a response
//	                  (3, 2); cust-1 visits again; cust-1 redeems 40; cust-2's earn of
//	                  30 is reversed.
//	Mon 14 Dec (W51)  sh-01: case B resolved, long past its SLA; cust-1 earns 10.
func (w *world) story(t *testing.T) {
	w.respond(t, "sh-01", 10, 5)
	w.respond(t, "sh-01", 9, 4)
	a, b := w.open(t, "sh-01"), w.open(t, "sh-01")
	w.clk.Advance(time.Hour)
	w.resolve(t, a)
	w.visit(t, "cust-1", "sh-01")
	w.visit(t, "cust-2", "sh-01")
	w.earn(t, "cust-1", "sh-01", 100)
	w.earn(t, "cust-1", "sh-01", 50)
	cust2 := w.earn(t, "cust-2", "sh-01", 30)
	w.respond(t, "ldn-01", 0, 1)
	w.open(t, "ldn-01")
	w.visit(t, "cust-3", "ldn-01")

	w.clk.Set(time.Date(2026, 11, 30, 17, 30, 0, 0, time.UTC))
	w.respond(t, "sh-01", 3, 2)
	w.visit(t, "cust-1", "sh-01")
	w.redeem(t, "cust-1", "sh-01", 40)
	w.reverse(t, "cust-2", cust2)

	w.clk.Set(time.Date(2026, 12, 14, 3, 0, 0, 0, time.UTC))
	w.resolve(t, b)
	w.earn(t, "cust-1", "sh-01", 10)
}

func f(v float64) *float64 { return &v }

// figures are the fields of an interval the test compares.
type figures struct {
	Period, Start, End       string
	Responses                int
	NPS, CSAT                *float64
	Opened, Resolved         int
	SLA                      *float64
	Visits                   int
	Repeat                   *float64
	Active, Issued, Redeemed int
}

func of(fs []report.Figures) []figures {
	out := make([]figures, len(fs))
	for i, x := range fs {
		out[i] = figures{x.Period, x.Start, x.End, x.Responses, x.NPS, x.CSAT, x.ComplaintsOpened, x.ComplaintsResolved,
			x.SLACompliance, x.Visits, x.RepeatVisitRate, x.ActiveMembers, x.PointsIssued, x.PointsRedeemed}
	}
	return out
}

func same(a, b *float64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func check(t *testing.T, name string, got []report.Figures, want []figures) {
	t.Helper()
	g := of(got)
	if len(g) != len(want) {
		t.Fatalf("%s: %d intervals, want %d: %+v", name, len(g), len(want), g)
	}
	for i := range want {
		x, y := g[i], want[i]
		if !same(x.NPS, y.NPS) || !same(x.CSAT, y.CSAT) || !same(x.SLA, y.SLA) || !same(x.Repeat, y.Repeat) {
			t.Errorf("%s %s: rates nps %v csat %v sla %v repeat %v, want %v %v %v %v", name, y.Period,
				deref(x.NPS), deref(x.CSAT), deref(x.SLA), deref(x.Repeat), deref(y.NPS), deref(y.CSAT), deref(y.SLA), deref(y.Repeat))
		}
		x.NPS, x.CSAT, x.SLA, x.Repeat = nil, nil, nil, nil
		y.NPS, y.CSAT, y.SLA, y.Repeat = nil, nil, nil, nil
		if x != y {
			t.Errorf("%s: got  %+v\n want %+v", name, x, y)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

func TestKPIsOfTheWorkedExample(t *testing.T) {
	w := newWorld(t)
	w.story(t)
	ctx := context.Background()
	ask := func(p auth.Principal, q report.Query) report.Report {
		t.Helper()
		r, err := w.svc.Report(ctx, p, q)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	t.Run("days at one location, in its time zone", func(t *testing.T) {
		r := ask(shAgent, report.Query{From: "2026-11-30", To: "2026-12-01"})
		check(t, "daily", r.Intervals, []figures{
			{"2026-11-30", "2026-11-30", "2026-11-30", 2, f(100), f(100), 2, 1, f(1), 2, f(0), 2, 180, 0},
			{"2026-12-01", "2026-12-01", "2026-12-01", 1, f(-100), f(0), 0, 0, nil, 1, f(1), 1, -30, 40},
		})
		if len(r.Locations) != 1 || r.Locations[0] != "sh-01" {
			t.Errorf("locations %v, want the agent's own", r.Locations)
		}
	})
	t.Run("weeks: days folded, members distinct per week, empty weeks null", func(t *testing.T) {
		r := ask(shAgent, report.Query{LocationID: "sh-01", From: "2026-12-01", To: "2026-12-14", Interval: report.Weekly})
		if r.From != "2026-11-30" || r.To != "2026-12-20" {
			t.Errorf("widened to %s..%s, want whole weeks 2026-11-30..2026-12-20", r.From, r.To)
		}
		check(t, "weekly", r.Intervals, []figures{
			{"2026-W49", "2026-11-30", "2026-12-06", 3, f(33.3), f(66.7), 2, 1, f(1), 3, f(0.333), 2, 150, 40},
			{"2026-W50", "2026-12-07", "2026-12-13", 0, nil, nil, 0, 0, nil, 0, nil, 0, 0, 0},
			{"2026-W51", "2026-12-14", "2026-12-20", 0, nil, nil, 0, 1, f(0), 0, nil, 1, 10, 0},
		})
		// The parts behind W49's NPS 33.3 and CSAT 66.7, for a reader adding intervals up.
		w49 := r.Intervals[0]
		if got := [5]int{w49.NPSAnswers, w49.Promoters, w49.Detractors, w49.CSATAnswers, w49.Satisfied}; got != [5]int{3, 2, 1, 3, 2} {
			t.Errorf("W49's parts (NPS answers, promoters, detractors, CSAT answers, satisfied) %v, want [3 2 1 3 2]", got)
		}
	})
	t.Run("months", func(t *testing.T) {
		r := ask(shAgent, report.Query{From: "2026-11-30", To: "2026-12-14", Interval: report.Monthly})
		check(t, "monthly", r.Intervals, []figures{
			{"2026-11", "2026-11-01", "2026-11-30", 2, f(100), f(100), 2, 1, f(1), 2, f(0), 2, 180, 0},
			{"2026-12", "2026-12-01", "2026-12-31", 1, f(-100), f(0), 0, 1, f(0), 1, f(1), 1, -20, 40},
		})
	})
	t.Run("every location summed, rates from the summed parts", func(t *testing.T) {
		r := ask(admin, report.Query{From: "2026-11-30", To: "2026-11-30"})
		check(t, "all", r.Intervals, []figures{
			{"2026-11-30", "2026-11-30", "2026-11-30", 3, f(33.3), f(66.7), 3, 1, f(1), 3, f(0), 2, 180, 0},
		})
		if len(r.Locations) != 2 {
			t.Errorf("locations %v, want both registered", r.Locations)
		}
	})
	t.Run("another location is not found", func(t *testing.T) {
		_, err := w.svc.Report(ctx, shAgent, report.Query{LocationID: "ldn-01"})
		if problem.KindOf(err) != problem.NotFound {
			t.Fatalf("%v, want not found", err)
		}
	})
	t.Run("no locations, no figures", func(t *testing.T) {
		r := ask(nowhere, report.Query{From: "2026-11-30", To: "2026-12-01"})
		check(t, "nowhere", r.Intervals, []figures{
			{"2026-11-30", "2026-11-30", "2026-11-30", 0, nil, nil, 0, 0, nil, 0, nil, 0, 0, 0},
			{"2026-12-01", "2026-12-01", "2026-12-01", 0, nil, nil, 0, 0, nil, 0, nil, 0, 0, 0},
		})
	})
}

// TestConcurrentFirstActivitiesCountOnce: members active at once at one location, each
// with several earns in parallel, are each counted once in the day, week and month.
func TestConcurrentFirstActivitiesCountOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	errs := make(chan error, 12)
	for i := range 12 {
		go func() {
			_, _, err := w.points.Earn(ctx, "pos", "member-"+string(rune('a'+i%3)), loyalty.EarnRequest{SourceID: "o-" + id.Token(6), Points: 5, LocationID: "sh-01"})
			errs <- err
		}()
	}
	for range 12 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, interval := range []string{report.Daily, report.Weekly, report.Monthly} {
		r, err := w.svc.Report(ctx, admin, report.Query{LocationID: "sh-01", From: "2026-11-30", To: "2026-11-30", Interval: interval})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Intervals[0]; got.ActiveMembers != 3 || got.PointsIssued != 60 {
			t.Errorf("%s: %d active members, %d points, want 3 and 60", interval, got.ActiveMembers, got.PointsIssued)
		}
	}
}

func TestBadInputNamesTheField(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct {
		query url.Values
		field string
	}{
		{url.Values{"interval": {"year"}}, "interval"},
		{url.Values{"from": {"2026-13-01"}}, "from"},
		{url.Values{"to": {"yesterday"}}, "to"},
		{url.Values{"from": {"2026-12-02"}, "to": {"2026-12-01"}}, "from"},
		{url.Values{"from": {"2025-11-29"}, "to": {"2026-11-30"}}, "from"},
		{url.Values{"from": {"2025-10-01"}, "to": {"2026-11-30"}, "interval": {"month"}}, "from"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/v1/reports/kpis?"+c.query.Encode(), nil)
		rec := httptest.NewRecorder()
		w.mux.ServeHTTP(rec, r.WithContext(auth.With(r.Context(), admin)))
		var body struct {
			Errors []struct{ Field string } `json:"errors"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != http.StatusBadRequest || rec.Header().Get("Content-Type") != "application/problem+json" ||
			len(body.Errors) == 0 || body.Errors[0].Field != c.field {
			t.Errorf("%s: %d %s %s, want 400 naming %s", c.query.Encode(), rec.Code, rec.Header().Get("Content-Type"), rec.Body, c.field)
		}
	}
	// The longest periods allowed are answered.
	for _, q := range []url.Values{
		{"from": {"2025-11-30"}, "to": {"2026-11-30"}},
		{"from": {"2025-11-15"}, "to": {"2026-11-30"}, "interval": {"month"}},
	} {
		r := httptest.NewRequest(http.MethodGet, "/v1/reports/kpis?"+q.Encode(), nil)
		rec := httptest.NewRecorder()
		w.mux.ServeHTTP(rec, r.WithContext(auth.With(r.Context(), admin)))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d %s", q.Encode(), rec.Code, rec.Body)
		}
	}
}
