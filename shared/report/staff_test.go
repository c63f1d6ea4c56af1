package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/report"
	"github.com/rapport-crm/rapport/shared/survey"
)

// count adds a staff member's counts of a day straight to a table's counters, as the
// domains' transactions do.
func (w *world) count(t *testing.T, table, loc, day, staffID string, c map[string]int) {
	t.Helper()
	item, ok, err := kpi.AddStaff(table, loc, day, staffID, c)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, err := w.svc.DB.(*dynamodb.Client).TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{item}}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) staffReport(t *testing.T, p auth.Principal, query string) (int, report.StaffReport, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/v1/reports/staff?"+query, nil)
	rec := httptest.NewRecorder()
	w.mux.ServeHTTP(rec, req.WithContext(auth.With(req.Context(), p)))
	var rep report.StaffReport
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
	}
	return rec.Code, rep, rec.Body.String()
}

// TestStaffReportSumsDaysAndShowsScoresFromEnoughResponses: the report's arithmetic
// over counters as the domains keep them: days and locations add up, scores show only
// from the minimum of responses, medians come from the summed buckets, names come
// from the directory, and an agent sees only their own line.
func TestStaffReportSumsDaysAndShowsScoresFromEnoughResponses(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.svc.MinResponses = 3
	tables := w.svc.Tables
	dir := &location.Store{DB: w.svc.DB, Table: tables.Customers}
	w.svc.Directory = dir.StaffDirectory
	if err := dir.PutStaffMember(ctx, location.StaffMember{StaffID: "emp-li", LocationID: "sh-01", Name: "Li Wei"}); err != nil {
		t.Fatal(err)
	}
	// Li: 3 responses over two days of week 49 at sh-01 (NPS 10, 9, 3; CSAT 5, 4, 2;
	// service quality 5, 4, 3), 4 visits, 2 cases resolved (one late, 30 and 200
	// business minutes), one of them reopened, 50 points granted.
	w.count(t, tables.Surveys, "sh-01", "2026-11-30", "emp-li", map[string]int{kpi.Responses: 2, kpi.NPSCount: 2, kpi.Promoters: 2,
		kpi.CSATCount: 2, kpi.Satisfied: 2, kpi.DimSum + "service quality": 9, kpi.DimCount + "service quality": 2})
	w.count(t, tables.Surveys, "sh-01", "2026-12-01", "emp-li", map[string]int{kpi.Responses: 1, kpi.NPSCount: 1, kpi.Detractors: 1,
		kpi.CSATCount: 1, kpi.DimSum + "service quality": 3, kpi.DimCount + "service quality": 1})
	w.count(t, tables.Customers, "sh-01", "2026-11-30", "emp-li", map[string]int{kpi.Visits: 3})
	w.count(t, tables.Customers, "sh-01", "2026-12-08", "emp-li", map[string]int{kpi.Visits: 1})
	w.count(t, tables.Complaints, "sh-01", "2026-12-01", "emp-li", map[string]int{kpi.Resolved: 1, kpi.ResolvedMet: 1,
		kpi.Bucket(kpi.ResolveMinutes, 30): 1, kpi.CompPoints: 50})
	w.count(t, tables.Complaints, "sh-01", "2026-12-01", "emp-li", map[string]int{kpi.Resolved: 1,
		kpi.Bucket(kpi.ResolveMinutes, 200): 1, kpi.Acknowledged: 1, kpi.AcknowledgeMet: 1, kpi.Bucket(kpi.AcknowledgeMinutes, 12): 1})
	w.count(t, tables.Complaints, "sh-01", "2026-12-02", "emp-li", map[string]int{kpi.Reopened: 1})
	// Sam at both locations: 2 responses (not enough), 1 visit in London.
	w.count(t, tables.Surveys, "sh-01", "2026-11-30", "emp-sam", map[string]int{kpi.Responses: 1, kpi.NPSCount: 1, kpi.Promoters: 1})
	w.count(t, tables.Surveys, "ldn-01", "2026-11-30", "emp-sam", map[string]int{kpi.Responses: 1, kpi.NPSCount: 1, kpi.Promoters: 1})
	w.count(t, tables.Customers, "ldn-01", "2026-11-30", "emp-sam", map[string]int{kpi.Visits: 1})

	code, rep, body := w.staffReport(t, admin, "from=2026-11-30&to=2026-12-13")
	if code != http.StatusOK || len(rep.Staff) != 2 || rep.MinResponses != 3 {
		t.Fatalf("%d %s", code, body)
	}
	// Sorted by name, or the bare id where the directory has none.
	sam, li := rep.Staff[0], rep.Staff[1]
	if li.StaffID != "emp-li" || li.Name != "Li Wei" || li.Visits != 4 || li.Responses != 3 || li.NotEnoughData ||
		*li.NPS != 33.3 || *li.CSAT != 66.7 || li.Dimensions["service quality"] != 4 ||
		li.CasesHandled != 2 || *li.SLACompliance != 0.5 || li.Reopened != 1 || *li.ReopenRate != 0.5 || li.CompensationPoints != 50 ||
		li.Acknowledged != 1 || *li.AcknowledgeCompliance != 1 || li.MedianAcknowledgeMinutes.AtMost != 15 || li.MedianResolveMinutes.AtMost != 30 {
		t.Fatalf("Li: %s", body)
	}
	if len(li.Trend) != 2 || li.Trend[0].Period != "2026-W49" || li.Trend[0].Responses != 3 || li.Trend[0].Visits != 3 ||
		li.Trend[1].Period != "2026-W50" || li.Trend[1].Visits != 1 || !li.Trend[1].NotEnoughData || li.Trend[1].NPS != nil {
		t.Fatalf("Li's trend: %+v", li.Trend)
	}
	if sam.StaffID != "emp-sam" || sam.Name != "" || sam.Visits != 1 || sam.Responses != 2 || !sam.NotEnoughData ||
		sam.NPS != nil || sam.CSAT != nil || sam.SLACompliance != nil || sam.MedianResolveMinutes != nil {
		t.Fatalf("Sam (two responses, fewer than three): %s", body)
	}

	// An agent sees their own line only; a manager of London only London's.
	if _, rep, body := w.staffReport(t, auth.Principal{Subject: "emp-sam", Roles: []string{"agent"}, Locations: []string{"sh-01", "ldn-01"}}, "from=2026-11-30"+"&to=2026-12-13"); len(rep.Staff) != 1 || rep.Staff[0].StaffID != "emp-sam" || rep.Staff[0].Responses != 2 {
		t.Fatalf("the agent's own report: %s", body)
	}
	londonManager := auth.Principal{Subject: "m-1", Roles: []string{"manager"}, Locations: []string{"ldn-01"}}
	if _, rep, body := w.staffReport(t, londonManager, "from=2026-11-30&to=2026-12-13"); len(rep.Staff) != 1 || rep.Staff[0].Responses != 1 || rep.Staff[0].Visits != 1 {
		t.Fatalf("London's manager: %s", body)
	}
	if code, _, _ := w.staffReport(t, londonManager, "locationId=sh-01"); code != http.StatusNotFound {
		t.Fatalf("another location's staff: %d, want 404", code)
	}
	if code, _, body := w.staffReport(t, admin, "from=2026-13-01"); code != http.StatusBadRequest {
		t.Fatalf("a bad date: %d %s", code, body)
	}
}

// TestStaffPerformanceWorkedExample: three staff members at the Shanghai hotel (open
// 09:00–18:00 on weekdays) in one week, written through each domain's own code, and
// the report's numbers exactly, the "not enough data" threshold (three responses)
// included.
//
//	visits   Ana 3, Bo 2, Cy 1
//	surveys  Ana's visits: NPS 10, 9, 7, 3 and CSAT (service quality) 5, 4, 4, 2
//	         Bo's: NPS 10, 10, 10 and CSAT 5, 5, 4; Cy's: NPS 0, 0 and CSAT 1, 1
//	case 1   Mon 09:00 about Ana's service (entered by Bo); Bo acknowledges at 10:00
//	         (60 business minutes, within 240) and resolves at 12:00 (180, within
//	         1,440); a manager reopens it Tue 10:00 and Bo resolves it again at 11:00
//	         (60 from the reopening)
//	case 2   Mon 09:00 about Ana's service; Cy acknowledges at 15:00 (360, late) and
//	         resolves Thu 12:00 (540 × 3 + 180 = 1,800, late)
func TestStaffPerformanceWorkedExample(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.svc.MinResponses = 3
	w.svc.Directory = (&location.Store{DB: w.svc.DB, Table: w.svc.Tables.Customers}).StaffDirectory
	if err := w.surveys.Store.PutSurvey(ctx, survey.Survey{ID: "s-2", Name: "After the visit", Version: 1, Loop: &survey.Loop{Off: true},
		Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Required: true}, {ID: "csat", Type: survey.TypeCSAT, Dimension: "service quality", Required: true}}}); err != nil {
		t.Fatal(err)
	}
	staff := func(id string) auth.Principal {
		return auth.Principal{Subject: id, Roles: []string{"agent"}, Locations: []string{"sh-01"}}
	}
	served := map[string]int{"emp-ana": 3, "emp-bo": 2, "emp-cy": 1}
	for who, n := range served {
		for i := range n {
			now := w.clk.Now()
			v := customer.Visit{ID: id.New(now), SourceID: fmt.Sprintf("pos-%s-%d", who, i), CustomerID: "cust-" + who, LocationID: "sh-01",
				Amount: 10, Currency: "CNY", At: now, ReceivedAt: now, StaffID: who}
			if err := w.visits.RecordVisit(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	answered := map[string][][2]int{
		"emp-ana": {{10, 5}, {9, 4}, {7, 4}, {3, 2}},
		"emp-bo":  {{10, 5}, {10, 5}, {10, 4}},
		"emp-cy":  {{0, 1}, {0, 1}},
	}
	for who, answers := range answered {
		for _, a := range answers {
			token := "inv-" + id.Token(16)
			if err := w.surveys.Store.PutInvitation(ctx, survey.Invitation{Token: token, Kind: survey.KindInvitation, SurveyID: "s-2",
				LocationID: "sh-01", StaffID: who, ExpiresAt: w.clk.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			sub := survey.Submission{InvitationToken: token, Answers: []survey.Answer{{QuestionID: "nps", Value: float64(a[0])}, {QuestionID: "csat", Value: float64(a[1])}}}
			if _, err := w.surveys.Submit(ctx, "s-2", sub, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	act := func(p auth.Principal, caseID string, req complaint.ActionRequest) {
		t.Helper()
		if _, err := w.cases.Act(ctx, p, caseID, req); err != nil {
			t.Fatalf("%s by %s: %v", req.Action, p.Subject, err)
		}
	}
	open := func(by auth.Principal) string {
		t.Helper()
		rc, err := w.cases.Submit(ctx, &by, complaint.Intake{Channel: "walk-in", Category: "waiting_time", Description: "Forty minutes at the counter.",
			LocationID: "sh-01", StaffID: "emp-ana", Contact: complaint.Contact{Name: "Guest", Phone: "13800138000", Locale: "en"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return rc.ComplaintID
	}
	resolve := complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Apologised; a faster queue.", RootCause: "capacity"}
	monday := func(day, hour int) { w.clk.Set(time.Date(2026, 11, 30+day, hour-8, 0, 0, 0, time.UTC)) } // Shanghai hours
	monday(0, 9)
	one, two := open(staff("emp-bo")), open(staff("emp-bo"))
	monday(0, 10)
	act(staff("emp-bo"), one, complaint.ActionRequest{Action: complaint.Acknowledge})
	monday(0, 12)
	act(staff("emp-bo"), one, resolve)
	monday(0, 15)
	act(staff("emp-cy"), two, complaint.ActionRequest{Action: complaint.Acknowledge})
	monday(1, 10)
	act(auth.Principal{Subject: "mgr-1", Roles: []string{"manager"}, Locations: []string{"sh-01"}}, one,
		complaint.ActionRequest{Action: complaint.Reopen, Note: "The guest called back: still waiting."})
	monday(1, 11)
	act(staff("emp-bo"), one, resolve)
	monday(3, 12)
	act(staff("emp-cy"), two, resolve)

	code, rep, body := w.staffReport(t, admin, "locationId=sh-01&from=2026-11-30&to=2026-12-06")
	if code != http.StatusOK || len(rep.Staff) != 3 {
		t.Fatalf("%d %s", code, body)
	}
	type line struct {
		Visits, Responses    int
		NotEnough            bool
		NPS, CSAT            *float64
		Service              float64
		Attributed, Handled  int
		SLA, AckSLA          *float64
		Acked                int
		AckMedian, ResMedian *report.BucketMedian
		Reopened             int
		ReopenRate           *float64
	}
	got := map[string]line{}
	for _, f := range rep.Staff {
		got[f.StaffID] = line{f.Visits, f.Responses, f.NotEnoughData, f.NPS, f.CSAT, f.Dimensions["service quality"], f.ComplaintsAttributed,
			f.CasesHandled, f.SLACompliance, f.AcknowledgeCompliance, f.Acknowledged, f.MedianAcknowledgeMinutes, f.MedianResolveMinutes,
			f.Reopened, f.ReopenRate}
	}
	want := map[string]line{
		// NPS (2 promoters − 1 detractor) / 4 = 25; CSAT 3 of 4 satisfied; mean 15/4.
		"emp-ana": {Visits: 3, Responses: 4, NPS: f(25), CSAT: f(75), Service: 3.75, Attributed: 2},
		// Two resolutions on time (180 and 60 minutes: the lower median's bucket is 60),
		// one of them reopened.
		"emp-bo": {Visits: 2, Responses: 3, NPS: f(100), CSAT: f(100), Service: 4.67, Handled: 2, SLA: f(1), AckSLA: f(1), Acked: 1,
			AckMedian: &report.BucketMedian{AtMost: 60}, ResMedian: &report.BucketMedian{AtMost: 60}, Reopened: 1, ReopenRate: f(0.5)},
		// Two responses: fewer than three, so no score at all.
		"emp-cy": {Visits: 1, Responses: 2, NotEnough: true, Handled: 1, SLA: f(0), AckSLA: f(0), Acked: 1,
			AckMedian: &report.BucketMedian{AtMost: 360}, ResMedian: &report.BucketMedian{AtMost: 2880}, ReopenRate: f(0)},
	}
	if w, g := jsonOf(t, want), jsonOf(t, got); w != g {
		t.Fatalf("the staff report:\n got %s\nwant %s", g, w)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
