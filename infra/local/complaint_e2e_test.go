package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// complaintStack is the runner on a hand-driven clock, starting Monday 23 November
// 2026 at 10:00 in Shanghai, with a branch open 09:00-12:00 and 13:00-18:00 on weekdays.
func complaintStack(t *testing.T) (*stack, *clock.Manual, *time.Location) {
	t.Helper()
	zone, _ := time.LoadLocation("Asia/Shanghai")
	clk := clock.NewManual(time.Date(2026, 11, 23, 10, 0, 0, 0, zone))
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Clock, c.Unthrottled = clk, true })
	weekday := []string{"09:00-12:00", "13:00-18:00"}
	loc := place.Location{ID: "sh-01", Code: "SH01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai",
		WeeklyHours: map[string][]string{"mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday},
		Managers:    []contact.Contact{{Name: "Wang", Channel: "email", Address: "wang@sh01.example", Locale: "en"}}}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	store := &customer.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers"), Locations: &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}}
	if _, err := store.Locations.(*location.Store).PutLocation(context.Background(), loc, 0); err != nil {
		t.Fatal(err)
	}
	return s, clk, zone
}

const complaintBody = `{"channel":"web","category":"safety","description":"Wet floor by the lifts, no sign.","severity":"high",
	"locationId":"sh-01","contact":{"name":"Li Lei","email":"li.lei@example.com","locale":"en"}}`

func (s *stack) caseOf(t *testing.T, id string) complaint.Case {
	t.Helper()
	r := s.staffCall(t, "manager", "sh-01", "GET", "/v1/complaints/"+id, "")
	if r.status != http.StatusOK {
		t.Fatalf("get case: %d %s", r.status, r.body)
	}
	var c complaint.Case
	if err := json.Unmarshal([]byte(r.body), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// A high-severity complaint nobody acknowledges: the complaint-sla job warns at 80% of
// the target, escalates on breach and to head office later; the timeline and the
// messages show each step once, however often the schedule runs.
func TestComplaintSLAWarnsThenEscalatesOnce(t *testing.T) {
	s, clk, zone := complaintStack(t)
	s.start(t)
	settings := s.staffCall(t, "manager", "sh-01", "GET", "/v1/settings/complaints", "")
	var st complaint.Settings
	if err := json.Unmarshal([]byte(settings.body), &st); err != nil || st.Version != 0 {
		t.Fatalf("default settings: %v %s", err, settings.body)
	}
	st.HeadOffice = []contact.Contact{{Name: "HQ", Channel: "email", Address: "hq@example.com"}}
	body, _ := json.Marshal(st)
	if r := s.staffCall(t, "agent", "sh-01", "PUT", "/v1/settings/complaints", string(body)); r.status != http.StatusForbidden {
		t.Fatalf("an agent changes SLA policies: %d", r.status)
	}
	if r := s.staffCall(t, "manager", "sh-01", "PUT", "/v1/settings/complaints", string(body)); r.status != http.StatusForbidden {
		t.Fatalf("a location's manager changes every location's SLA policies: %d", r.status)
	}
	if r := s.staffCall(t, "admin", "*", "PUT", "/v1/settings/complaints", string(body)); r.status != http.StatusOK {
		t.Fatalf("save settings: %d %s", r.status, r.body)
	}
	r := s.do(t, "POST", "/v1/complaints", "application/json", []byte(complaintBody), nil)
	if r.status != http.StatusCreated {
		t.Fatalf("intake: %d %s", r.status, r.body)
	}
	var rc complaint.Receipt
	_ = json.Unmarshal([]byte(r.body), &rc)
	if want := time.Date(2026, 11, 23, 12, 0, 0, 0, zone); !rc.AcknowledgeBy.Equal(want) {
		t.Fatalf("acknowledge by %s, want %s", rc.AcknowledgeBy.In(zone), want)
	}
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	s.waitOutbox(t, 1) // the customer's receipt
	run := func(at string) {
		t.Helper()
		clk.Set(mustParseIn(t, at, zone))
		for range 2 { // a repeated tick changes nothing
			s.runJob(t, "complaint-sla")
		}
		if _, err := s.dispatch(t); err != nil { // the job's messages go out
			t.Fatal(err)
		}
	}
	run("2026-11-23 11:35")
	if c := s.caseOf(t, rc.ComplaintID); len(c.Timeline) != 1 {
		t.Fatalf("before 80%%: %v", typesOf(c))
	}
	run("2026-11-23 11:36") // 96 of 120 business minutes
	msgs := s.waitOutbox(t, 2)
	if m := msgs[0]; m.To != "wang@sh01.example" || !strings.Contains(m.Subject, "SLA warning") || !strings.Contains(m.Subject, rc.Reference) {
		t.Fatalf("warning %+v", m)
	}
	run("2026-11-23 11:50")
	run("2026-11-23 12:00") // the breach: escalated at once, but the branch is at lunch
	if c := s.caseOf(t, rc.ComplaintID); !slices.Equal(typesOf(c), []string{"received", "sla_warning", "sla_breach"}) {
		t.Fatalf("at the deadline: %v", typesOf(c))
	}
	run("2026-11-23 12:30")
	if msgs := s.outbox(t); len(msgs) != 2 {
		t.Fatalf("a message went out during lunch: %+v", msgs[0])
	}
	run("2026-11-23 13:00") // the branch opens: the manager hears of the breach
	msgs = s.waitOutbox(t, 3)
	if m := msgs[0]; m.To != "wang@sh01.example" || !strings.Contains(m.Subject, "SLA breached") {
		t.Fatalf("breach %+v", m)
	}
	run("2026-11-23 14:00") // 150%: head office
	msgs = s.waitOutbox(t, 4)
	if m := msgs[0]; m.To != "hq@example.com" || !strings.Contains(m.Subject, "head office") {
		t.Fatalf("head office %+v", m)
	}
	run("2026-11-23 17:00")
	c := s.caseOf(t, rc.ComplaintID)
	if got := typesOf(c); !slices.Equal(got, []string{"received", "sla_warning", "sla_breach", "escalated"}) || !c.Breached {
		t.Fatalf("timeline %v, breached %v", got, c.Breached)
	}
	s.waitOutbox(t, 4)
	q := s.staffCall(t, "agent", "sh-01", "GET", "/v1/complaints?breached=true&status=received", "")
	if q.status != http.StatusOK || !strings.Contains(q.body, rc.ComplaintID) {
		t.Fatalf("breached queue: %d %s", q.status, q.body)
	}
	// The customer's view shows none of it.
	tr := s.do(t, "GET", "/v1/complaints/track/"+rc.TrackingToken, "", nil, nil)
	if tr.status != http.StatusOK || strings.Contains(tr.body, "sla_") || strings.Contains(tr.body, "escalated") {
		t.Fatalf("tracking: %d %s", tr.status, tr.body)
	}
}

func typesOf(c complaint.Case) []string {
	var out []string
	for _, e := range c.Timeline {
		out = append(out, e.Type)
	}
	return out
}

func mustParseIn(t *testing.T, s string, zone *time.Location) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, zone)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Over HTTP: intake is idempotent under Idempotency-Key, two staff resolving at once
// get one 200 and one 409, another location's agent gets 404, and 100 concurrent
// intakes at one location get 100 distinct references.
func TestComplaintRoutesUnderConcurrency(t *testing.T) {
	s, _, _ := complaintStack(t)
	key := map[string]string{"Idempotency-Key": "form-1"}
	first := s.do(t, "POST", "/v1/complaints", "application/json", []byte(complaintBody), key)
	again := s.do(t, "POST", "/v1/complaints", "application/json", []byte(complaintBody), key)
	if first.status != http.StatusCreated || again.status != first.status || again.body != first.body {
		t.Fatalf("replay: %d %s / %d %s", first.status, first.body, again.status, again.body)
	}
	other := strings.Replace(complaintBody, "Wet floor", "Dry floor", 1)
	if r := s.do(t, "POST", "/v1/complaints", "application/json", []byte(other), key); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("same key, other body: %d", r.status)
	}
	bad := s.do(t, "POST", "/v1/complaints", "application/json", []byte(`{"category":"safety","locationId":"sh-01","contact":{}}`), nil)
	if p := problemOf(t, bad); bad.status != 400 || !strings.Contains(jsonOf(p["errors"]), `"field":"description"`) || !strings.Contains(jsonOf(p["errors"]), `"field":"contact.name"`) {
		t.Fatalf("bad intake: %d %s", bad.status, bad.body)
	}
	var rc complaint.Receipt
	_ = json.Unmarshal([]byte(first.body), &rc)
	if r := s.staffCall(t, "agent", "bj-01", "GET", "/v1/complaints/"+rc.ComplaintID, ""); r.status != http.StatusNotFound {
		t.Fatalf("another location's agent: %d", r.status)
	}
	path := "/v1/complaints/" + rc.ComplaintID + "/actions"
	if r := s.staffCall(t, "agent", "sh-01", "POST", path, `{"action":"start"}`); r.status != http.StatusOK {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = s.staffCall(t, "agent", "sh-01", "POST", path,
				fmt.Sprintf(`{"action":"resolve","resolution":"Sign placed, floor dried (%d).","rootCause":"process"}`, i)).status
		})
	}
	wg.Wait()
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{http.StatusOK, http.StatusConflict}) {
		t.Fatalf("two resolves: %v, want one 200 and one 409", statuses)
	}
	if r := s.staffCall(t, "agent", "sh-01", "POST", path, `{"action":"close"}`); r.status != http.StatusForbidden {
		t.Fatalf("an agent closes: %d", r.status)
	}
	if r := s.staffCall(t, "manager", "sh-01", "POST", path, `{"action":"close"}`); r.status != http.StatusOK {
		t.Fatalf("a manager closes: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "manager", "sh-01", "POST", path, `{"action":"acknowledge"}`); r.status != http.StatusConflict {
		t.Fatalf("acknowledge a closed case: %d", r.status)
	}

	const n = 100
	refs := make([]string, n)
	var mu sync.Mutex
	for i := range n {
		wg.Go(func() {
			body := strings.Replace(complaintBody, "Wet floor", fmt.Sprintf("Wet floor %d", i), 1)
			r := s.do(t, "POST", "/v1/complaints", "application/json", []byte(body), map[string]string{"Idempotency-Key": fmt.Sprintf("k-%d", i)})
			var got complaint.Receipt
			_ = json.Unmarshal([]byte(r.body), &got)
			mu.Lock()
			defer mu.Unlock()
			if r.status != http.StatusCreated {
				t.Errorf("intake %d: %d %s", i, r.status, r.body)
			}
			refs[i] = got.Reference
		})
	}
	wg.Wait()
	re := regexp.MustCompile(`^SH01-20261123-\d{4}$`)
	seen := map[string]bool{rc.Reference: true}
	for _, ref := range refs {
		if !re.MatchString(ref) || seen[ref] {
			t.Fatalf("reference %q malformed or repeated", ref)
		}
		seen[ref] = true
	}
	rep := s.staffCall(t, "manager", "sh-01", "GET", "/v1/reports/complaints?from=2026-11-23&to=2026-11-23", "")
	var report complaint.Report
	if err := json.Unmarshal([]byte(rep.body), &report); err != nil || report.Total != n+1 || report.ByStatus["closed"] != 1 || report.ByCategory["safety"] != n+1 {
		t.Fatalf("report: %d %s", rep.status, rep.body)
	}
}
