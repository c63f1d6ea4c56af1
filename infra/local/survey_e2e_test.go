package local_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// staffCall makes a staff request with a token of the given role and locations (a
// comma list; "*" is all, "" none).
func (s *stack) staffCall(t *testing.T, role, locations, method, path, body string) reply {
	t.Helper()
	var locs []string
	if locations != "" {
		locs = strings.Split(locations, ",")
	}
	return s.staffCallWith(t, role, locs, method, path, body)
}

// staffCallWith makes a staff request with a token as make token mints it: a person's
// ID token, or for the system role a machine's client-credentials token.
func (s *stack) staffCallWith(t *testing.T, role string, locations []string, method, path, body string) reply {
	t.Helper()
	tok, err := s.issuer.Token("staff-"+role, []string{role}, locations, s.cfg.Clock.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return s.do(t, method, path, ct, []byte(body), map[string]string{"Authorization": "Bearer " + tok})
}

func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	return v
}

// Staff define a survey and invite a customer over HTTP; 50 concurrent submissions on
// the invitation give exactly one 201 and 49 409s, and the results count it once.
func TestInvitationOverHTTPIsAnsweredOnce(t *testing.T) {
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Unthrottled = true })
	def := `{"name":"Branch visit","locationId":"loc-1","questions":[
		{"id":"nps","type":"nps","required":true,"text":{"en":"Recommend us?","zh-CN":"推荐我们吗？"}},
		{"id":"wait","type":"csat","dimension":"waiting/delivery time","text":{"en":"The wait?"}}],
		"loop":{"detractor":true,"callbackWithinHours":4,"notify":{"channel":"email","address":"branch@example.com"}}}`
	if r := s.staffCall(t, "agent", "loc-1", "POST", "/v1/surveys", def); r.status != http.StatusForbidden {
		t.Fatalf("an agent defining a survey: %d, want 403", r.status)
	}
	created := s.staffCall(t, "manager", "loc-1", "POST", "/v1/surveys", def)
	if created.status != http.StatusCreated {
		t.Fatalf("define: %d %s", created.status, created.body)
	}
	sv := decode[struct {
		SurveyID string
		Version  int
	}](t, created)
	inv := s.staffCall(t, "system", "*", "POST", "/v1/surveys/"+sv.SurveyID+"/invitations", `{"customerId":"c-42","locationId":"loc-1","locale":"zh-CN"}`)
	if inv.status != http.StatusCreated {
		t.Fatalf("invite: %d %s", inv.status, inv.body)
	}
	issued := decode[struct{ Token, URL string }](t, inv)
	if !strings.HasPrefix(issued.URL, s.srv.URL+"/v1/s/") || len(issued.Token) < 26 {
		t.Fatalf("invitation %+v", issued)
	}
	if r := s.staffCall(t, "manager", "loc-1,loc-2", "POST", "/v1/surveys/"+sv.SurveyID+"/invitations", `{"customerId":"c-1","locationId":"loc-2"}`); r.status != http.StatusBadRequest {
		t.Fatalf("an invitation at another location than the survey's: %d, want 400", r.status)
	}
	if r := s.staffCall(t, "manager", "loc-1", "POST", "/v1/surveys/"+sv.SurveyID+"/invitations", `{"customerId":"c-1","locationId":"loc-2"}`); r.status != http.StatusNotFound {
		t.Fatalf("an invitation at a location the caller does not see: %d, want 404", r.status)
	}

	const n = 50
	statuses := make([]int, n)
	var wg sync.WaitGroup
	body := fmt.Sprintf(`{"invitationToken":%q,"answers":[{"questionId":"nps","value":3},{"questionId":"wait","value":2}]}`, issued.Token)
	for i := range n {
		wg.Go(func() {
			statuses[i] = s.do(t, "POST", "/v1/surveys/"+sv.SurveyID+"/responses", "application/json", []byte(body), nil).status
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, st := range statuses {
		count[st]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v, want one 201 and %d 409", count, n-1)
	}
	res := decode[struct {
		Responses  int
		NPS        *float64
		Dimensions map[string]struct {
			Mean  float64
			Count int
		}
	}](t, s.staffCall(t, "agent", "loc-1", "GET", "/v1/surveys/"+sv.SurveyID+"/results", ""))
	if res.Responses != 1 || res.NPS == nil || *res.NPS != -100 || res.Dimensions["waiting/delivery time"].Count != 1 {
		t.Fatalf("results %+v, want the one detractor counted once", res)
	}
	if r := s.staffCall(t, "agent", "loc-2", "GET", "/v1/surveys/"+sv.SurveyID+"/results", ""); r.status != http.StatusNotFound {
		t.Fatalf("results for a token of another location: %d, want 404", r.status)
	}
	csv := s.staffCall(t, "manager", "loc-1", "GET", "/v1/surveys/"+sv.SurveyID+"/responses.csv", "")
	if csv.status != 200 || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") || strings.Count(csv.body, "\n") != 2 || !strings.Contains(csv.body, "c-42") {
		t.Fatalf("csv %d %q", csv.status, csv.body)
	}
	if r := s.staffCall(t, "agent", "loc-1", "GET", "/v1/surveys/"+sv.SurveyID+"/responses.csv", ""); r.status != http.StatusForbidden {
		t.Fatalf("an agent exporting: %d, want 403", r.status)
	}
	// The detractor's callback went out through the dispatcher and sender.
	s.start(t)
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	msgs := s.waitOutbox(t, 1)
	if msgs[0].To != "branch@example.com" || !strings.Contains(msgs[0].Body, "c-42") {
		t.Fatalf("callback %+v", msgs[0])
	}
}

// Editing over HTTP makes version 2; a stale edit is 409.
func TestSurveyEditsAreVersionedOverHTTP(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	def := `{"name":"Stay","questions":[{"id":"q","type":"likert5","text":{"en":"?"}}]}`
	sv := decode[struct{ SurveyID string }](t, s.staffCall(t, "admin", "*", "POST", "/v1/surveys", def))
	edit := `{"name":"Stay","version":1,"questions":[{"id":"q","type":"likert10","text":{"en":"?"}}]}`
	if r := s.staffCall(t, "manager", "loc-1", "PUT", "/v1/surveys/"+sv.SurveyID, edit); r.status != http.StatusForbidden {
		t.Fatalf("a location's manager edits a survey for every location: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "admin", "*", "PUT", "/v1/surveys/"+sv.SurveyID, edit); r.status != 200 || !strings.Contains(r.body, `"version":2`) {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "admin", "*", "PUT", "/v1/surveys/"+sv.SurveyID, edit); r.status != http.StatusConflict {
		t.Fatalf("stale edit: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "agent", "loc-1", "GET", "/v1/surveys/"+sv.SurveyID+"?version=1", ""); r.status != 200 || !strings.Contains(r.body, `"likert5"`) {
		t.Fatalf("version 1: %d %s", r.status, r.body)
	}
	bad := s.staffCall(t, "manager", "loc-1", "POST", "/v1/surveys", `{"name":"","questions":[{"id":"q","type":"stars"}]}`)
	p := problemOf(t, bad)
	if bad.status != 400 || !strings.Contains(fmt.Sprint(p["errors"]), "questions[0].type") {
		t.Fatalf("invalid definition: %d %v", bad.status, p)
	}
}
