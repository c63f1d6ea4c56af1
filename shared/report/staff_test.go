package report_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/report"
)

// count adds a staff member's counts of a day straight to a table's counters, as the
// domains' transactions do.
func (w *world) count(t *testing.T, table, loc, day, staffID, event string, c map[string]int) {
	t.Helper()
	item, ok, err := kpi.AddStaff(table, loc, day, staffID, event, c)
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
	w.count(t, tables.Surveys, "sh-01", "2026-11-30", "emp-li", "r1", map[string]int{kpi.Responses: 2, kpi.NPSCount: 2, kpi.Promoters: 2,
		kpi.CSATCount: 2, kpi.Satisfied: 2, kpi.DimSum + "service quality": 9, kpi.DimCount + "service quality": 2})
	w.count(t, tables.Surveys, "sh-01", "2026-12-01", "emp-li", "r3", map[string]int{kpi.Responses: 1, kpi.NPSCount: 1, kpi.Detractors: 1,
		kpi.CSATCount: 1, kpi.DimSum + "service quality": 3, kpi.DimCount + "service quality": 1})
	w.count(t, tables.Customers, "sh-01", "2026-11-30", "emp-li", "v1", map[string]int{kpi.Visits: 3})
	w.count(t, tables.Customers, "sh-01", "2026-12-08", "emp-li", "v4", map[string]int{kpi.Visits: 1})
	w.count(t, tables.Complaints, "sh-01", "2026-12-01", "emp-li", "c1", map[string]int{kpi.Resolved: 1, kpi.ResolvedMet: 1,
		kpi.Bucket(kpi.ResolveMinutes, 30): 1, kpi.CompPoints: 50})
	w.count(t, tables.Complaints, "sh-01", "2026-12-01", "emp-li", "c2", map[string]int{kpi.Resolved: 1,
		kpi.Bucket(kpi.ResolveMinutes, 200): 1, kpi.Acknowledged: 1, kpi.AcknowledgeMet: 1, kpi.Bucket(kpi.AcknowledgeMinutes, 12): 1})
	w.count(t, tables.Complaints, "sh-01", "2026-12-02", "emp-li", "c1-reopen", map[string]int{kpi.Reopened: 1})
	// Sam at both locations: 2 responses (not enough), 1 visit in London.
	w.count(t, tables.Surveys, "sh-01", "2026-11-30", "emp-sam", "r4", map[string]int{kpi.Responses: 1, kpi.NPSCount: 1, kpi.Promoters: 1})
	w.count(t, tables.Surveys, "ldn-01", "2026-11-30", "emp-sam", "r5", map[string]int{kpi.Responses: 1, kpi.NPSCount: 1, kpi.Promoters: 1})
	w.count(t, tables.Customers, "ldn-01", "2026-11-30", "emp-sam", "v5", map[string]int{kpi.Visits: 1})

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
