package local_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// Through the runner's routes: a profile created twice with one phone in two formats
// is one profile; a visit posted three times is one visit, one earn and one survey
// invitation; the timeline shows the visit and its points.
func TestCustomerVisitAndTimelineOverHTTP(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	ctx := context.Background()
	loc := local.DemoLocation(s.cfg.Clock.Now())
	loc.PostServiceSurvey = &place.PostServiceSurvey{SurveyID: "visit-check", DelayMinutes: 30}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := (&location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}).PutLocation(ctx, loc, 0); err != nil {
		t.Fatal(err)
	}
	sv := survey.Survey{ID: "visit-check", Name: "Your visit", Version: 1, LocationID: "loc-1", CreatedAt: s.cfg.Clock.Now(),
		Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{"en": "Recommend us?"}}}}
	if err := (&survey.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("surveys")}).CreateSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	first := s.staffCall(t, "manager", "loc-1", "POST", "/v1/customers",
		`{"customerId":"c-7","name":"Wang Fang","phone":"138 0013 8000","email":"Wang.Fang@Example.com","locationId":"loc-1","consent":{"email":true}}`)
	if first.status != http.StatusCreated || !strings.Contains(first.body, `"phone":"+8613800138000"`) || !strings.Contains(first.body, `"email":true`) {
		t.Fatalf("create: %d %s", first.status, first.body)
	}
	again := s.staffCall(t, "manager", "loc-1", "POST", "/v1/customers", `{"name":"W. Fang","phone":"+86 138-0013-8000","locationId":"loc-1"}`)
	if again.status != http.StatusOK || !strings.Contains(again.body, `"customerId":"c-7"`) {
		t.Fatalf("second create: %d %s", again.status, again.body)
	}
	if r := s.staffCall(t, "agent", "loc-9", "GET", "/v1/customers/c-7", ""); r.status != http.StatusNotFound {
		t.Fatalf("another location's agent: %d", r.status)
	}
	bad := s.staffCall(t, "system", "*", "POST", "/v1/visits", `{"sourceId":"pos-76","customerId":"c-7","locationId":"loc-1","staffId":"no such#id"}`)
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, `"field":"staffId"`) {
		t.Fatalf("a bad staffId: %d %s", bad.status, bad.body)
	}
	visit := `{"sourceId":"pos-77","customerId":"c-7","locationId":"loc-1","amount":520,"currency":"CNY","staffId":"waiter-7"}`
	var visitID string
	for i := range 3 {
		r := s.staffCall(t, "system", "*", "POST", "/v1/visits", visit)
		var v customer.Visit
		if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &v) != nil || !v.EffectsDone || v.StaffID != "waiter-7" {
			t.Fatalf("visit %d: %d %s", i, r.status, r.body)
		}
		if visitID == "" {
			visitID = v.ID
		} else if v.ID != visitID || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("repeat %d: %s %v", i, v.ID, r.header)
		}
	}
	bal := s.staffCall(t, "agent", "loc-1", "GET", "/v1/loyalty/c-7", "")
	if !strings.Contains(bal.body, `"balance":520`) {
		t.Fatalf("balance after three posts: %s", bal.body)
	}
	fu := s.staffCall(t, "agent", "loc-1", "GET", "/v1/followups?customerId=c-7", "")
	if strings.Count(fu.body, `"kind":"post-service-survey"`) != 1 {
		t.Fatalf("survey invitations: %s", fu.body)
	}
	prof := s.staffCall(t, "manager", "loc-1", "GET", "/v1/customers/c-7", "")
	if !strings.Contains(prof.body, `"visits":1`) || !strings.Contains(prof.body, `"monetary":520`) {
		t.Fatalf("profile: %s", prof.body)
	}
	tl := s.staffCall(t, "manager", "loc-1", "GET", "/v1/customers/c-7/timeline", "")
	if tl.status != http.StatusOK || strings.Count(tl.body, `"type":"visit"`) != 1 || strings.Count(tl.body, `"type":"points"`) != 1 ||
		!strings.Contains(tl.body, `"staffId":"waiter-7"`) {
		t.Fatalf("timeline: %d %s", tl.status, tl.body)
	}
}
