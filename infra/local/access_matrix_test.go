package local_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// The access matrix: every staff and system route of the wiring table, sent with no
// token and with a token of each role for each shape of locations claim, against the
// real handlers over DynamoDB Local. Each route's object lives at loc-1; the expected
// status follows from the wiring table (roles) and the access policy (locations):
//
//	no token                                   401
//	a role the route does not list             403
//	a route about an object at loc-1, a token that does not see loc-1  404
//	otherwise                                  2xx
//
// A token sees loc-1 when its locations claim lists it, or when it is "*" and the
// role is admin or system. A missing, empty, blank or "[]" claim sees nothing; so does
// "*" for an agent or a manager.

// objectAt is the location every matrix object belongs to; elsewhere is another one.
const (
	objectAt  = "loc-1"
	elsewhere = "loc-2"
)

// claimShape is one way a token can carry locations.
type claimShape struct {
	name      string
	locations []string // as the local issuer puts them into the token
	machine   bool     // a shape a client-credentials token can have (location scopes)
}

var claimShapes = []claimShape{
	{"the object's location", []string{objectAt}, true},
	{"another location", []string{elsewhere}, true},
	{"both locations", []string{elsewhere, objectAt}, true},
	{"no locations claim", nil, true},
	{"an empty claim", []string{""}, false},
	{"a blank claim", []string{"   "}, false},
	{"an empty list", []string{"[]"}, false},
	{"an unreadable claim", []string{`["loc-1"`}, false},
	{"all locations", []string{"*"}, true},
}

func (c claimShape) sees(role string) bool {
	if slices.Equal(c.locations, []string{"*"}) {
		return role == wiring.RoleAdmin || role == wiring.RoleSystem
	}
	return slices.Contains(c.locations, objectAt)
}

// matrixCase is how to send one route about an object at loc-1.
type matrixCase struct {
	// global routes are about no location's data (a settings document, the registry
	// as a whole): any token of a listed role succeeds.
	global bool
	// request gives the path and body; fresh asks for an object of its own, for a
	// request that will succeed and change it.
	request func(t *testing.T, m *matrix, fresh bool) (path, body string)
}

// matrix holds the stack and the objects every case is about.
type matrix struct {
	*stack
	seq        atomic.Int64
	customerID string
	caseID     string
	surveyID   string
	followupID string
	segmentID  string
	rewardID   string
	voucher    string
}

func (m *matrix) next() int64 { return m.seq.Add(1) }

// as calls a route as an all-locations admin or system (to build fixtures).
func (m *matrix) as(t *testing.T, role, method, path, body string, want int) reply {
	t.Helper()
	r := m.staffCall(t, role, "*", method, path, body)
	if r.status != want {
		t.Fatalf("fixture %s %s as %s: %d %s", method, path, role, r.status, r.body)
	}
	return r
}

// newCustomer makes a customer at home at loc-1 with points to spend.
func (m *matrix) newCustomer(t *testing.T) string {
	n := m.next()
	cid := fmt.Sprintf("mx-c%d", n)
	m.as(t, "admin", "POST", "/v1/customers", fmt.Sprintf(`{"customerId":%q,"name":"Guest %d","phone":"+86138%08d","email":"guest%d@example.com","locationId":%q}`, cid, n, n, n, objectAt), http.StatusCreated)
	m.as(t, "system", "POST", "/v1/loyalty/"+cid+"/earn", fmt.Sprintf(`{"sourceId":"mx-seed-%d","points":500}`, n), http.StatusCreated)
	return cid
}

func (m *matrix) newCase(t *testing.T) string {
	r := m.as(t, "admin", "POST", "/v1/complaints/intake", fmt.Sprintf(`{"channel":"phone","category":"billing","description":"charged twice %d","locationId":%q,"contact":{"name":"Guest"}}`, m.next(), objectAt), http.StatusCreated)
	return decode[struct{ ComplaintID string }](t, r).ComplaintID
}

func (m *matrix) newSurvey(t *testing.T) string {
	def := fmt.Sprintf(`{"name":"After dinner %d","locationId":%q,"questions":[{"id":"nps","type":"nps","required":true,"text":{"en":"Recommend us?","zh-CN":"推荐我们吗？"}}]}`, m.next(), objectAt)
	return decode[struct{ SurveyID string }](t, m.as(t, "admin", "POST", "/v1/surveys", def, http.StatusCreated)).SurveyID
}

func (m *matrix) newFollowup(t *testing.T) string {
	body := fmt.Sprintf(`{"customerId":%q,"kind":"complaint-callback","locationId":%q,"dueAt":%q,"message":{"en":"We will call you","zh-CN":"我们会给您回电"},"to":{"address":"guest@example.com","timeZone":"Asia/Shanghai","locale":"en"}}`,
		m.customerID, objectAt, m.cfg.Clock.Now().Add(48*time.Hour).Format(time.RFC3339))
	return decode[struct{ FollowupID string }](t, m.as(t, "admin", "POST", "/v1/followups", body, http.StatusCreated)).FollowupID
}

func (m *matrix) newReward(t *testing.T) string {
	body := fmt.Sprintf(`{"rewardId":"mx-r%d","name":{"en":"Tea","zh-CN":"茶"},"pointsCost":1,"kind":"gift","validDays":30,"locations":[%q]}`, m.next(), objectAt)
	return decode[struct{ RewardID string }](t, m.as(t, "admin", "POST", "/v1/rewards", body, http.StatusCreated)).RewardID
}

// newVoucher issues the matrix customer a voucher valid at loc-1.
func (m *matrix) newVoucher(t *testing.T) string {
	body := fmt.Sprintf(`{"customerId":%q,"value":{"amountOff":5,"currency":"CNY"},"locationIds":[%q],"validDays":30,"reason":"matrix %d"}`, m.customerID, objectAt, m.next())
	return decode[struct{ Code string }](t, m.as(t, "admin", "POST", "/v1/vouchers", body, http.StatusCreated)).Code
}

// reward reads the matrix reward as the catalogue has it, to PUT it back whole.
func (m *matrix) reward(t *testing.T) string {
	var cat struct{ Rewards []map[string]any }
	if err := json.Unmarshal([]byte(m.as(t, "admin", "GET", "/v1/rewards", "", http.StatusOK).body), &cat); err != nil {
		t.Fatal(err)
	}
	for _, r := range cat.Rewards {
		if r["rewardId"] == m.rewardID {
			b, _ := json.Marshal(r)
			return string(b)
		}
	}
	t.Fatalf("reward %s is not in the catalogue", m.rewardID)
	return ""
}

// settings reads a settings document, to PUT it back whole.
func (m *matrix) settings(t *testing.T, path string) string {
	return m.as(t, "admin", "GET", path, "", http.StatusOK).body
}

var matrixCases = map[string]matrixCase{
	// Surveys.
	"POST /v1/surveys": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/surveys", fmt.Sprintf(`{"name":"Matrix %d","locationId":%q,"questions":[{"id":"q","type":"csat","text":{"en":"Happy?","zh-CN":"满意吗？"}}]}`, m.next(), objectAt)
	}},
	"GET /v1/surveys": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/surveys?locationId=" + objectAt, ""
	}},
	"GET /v1/surveys/{surveyId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/surveys/" + m.surveyID, ""
	}},
	"PUT /v1/surveys/{surveyId}": {request: func(t *testing.T, m *matrix, fresh bool) (string, string) {
		id := m.surveyID
		if fresh {
			id = m.newSurvey(t)
		}
		return "/v1/surveys/" + id, fmt.Sprintf(`{"name":"Renamed","locationId":%q,"version":1,"questions":[{"id":"nps","type":"nps","required":true,"text":{"en":"Recommend us?","zh-CN":"推荐我们吗？"}}]}`, objectAt)
	}},
	"POST /v1/surveys/{surveyId}/invitations": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/surveys/" + m.surveyID + "/invitations", fmt.Sprintf(`{"customerId":%q,"locationId":%q}`, m.customerID, objectAt)
	}},
	"POST /v1/surveys/{surveyId}/links": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/surveys/" + local.DemoSurveyID + "/links", fmt.Sprintf(`{"locationId":%q}`, objectAt)
	}},
	"GET /v1/surveys/{surveyId}/results": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/surveys/" + m.surveyID + "/results?locationId=" + objectAt, ""
	}},
	"GET /v1/surveys/{surveyId}/responses.csv": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/surveys/" + m.surveyID + "/responses.csv?locationId=" + objectAt, ""
	}},

	// Customers, consent and the locations registry.
	"POST /v1/customers": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		n := m.next()
		return "/v1/customers", fmt.Sprintf(`{"name":"Walk-in %d","phone":"+86139%08d","locationId":%q}`, n, n, objectAt)
	}},
	"GET /v1/customers": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/customers?q=guest&locationId=" + objectAt, ""
	}},
	"GET /v1/customers/{customerId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/customers/" + m.customerID, ""
	}},
	"PATCH /v1/customers/{customerId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/customers/" + m.customerID, `{"tags":["vip"]}`
	}},
	"GET /v1/customers/{customerId}/consent": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/customers/" + m.customerID + "/consent", ""
	}},
	"PUT /v1/customers/{customerId}/consent/{channel}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/customers/" + m.customerID + "/consent/email", `{"granted":true,"source":"front desk form"}`
	}},
	"GET /v1/settings/webhook-key": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/settings/webhook-key", ""
	}},
	"POST /v1/locations": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		l := local.DemoLocation(m.cfg.Clock.Now())
		l.ID, l.Code = fmt.Sprintf("mx-loc-%d", m.next()), "MX"
		return "/v1/locations", jsonOf(l)
	}},
	"GET /v1/locations": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/locations", ""
	}},
	"GET /v1/locations/{locationId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/locations/" + objectAt, ""
	}},
	"PUT /v1/locations/{locationId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		l := decode[place.Location](t, m.as(t, "admin", "GET", "/v1/locations/"+objectAt, "", http.StatusOK))
		return "/v1/locations/" + objectAt, jsonOf(l)
	}},
	"GET /v1/locations/{locationId}/staff": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/locations/" + objectAt + "/staff", ""
	}},
	"PUT /v1/locations/{locationId}/staff/{staffId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return fmt.Sprintf("/v1/locations/%s/staff/mx-staff-%d", objectAt, m.next()), `{"name":"Front desk"}`
	}},
	"DELETE /v1/locations/{locationId}/staff/{staffId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return fmt.Sprintf("/v1/locations/%s/staff/mx-staff-%d", objectAt, m.next()), ""
	}},

	// Complaints.
	"POST /v1/complaints/intake": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/complaints/intake", fmt.Sprintf(`{"channel":"walk-in","category":"facilities","description":"the lift is out %d","locationId":%q,"contact":{"name":"Guest"}}`, m.next(), objectAt)
	}},
	"GET /v1/complaints": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/complaints?locationId=" + objectAt, ""
	}},
	"GET /v1/complaints/{complaintId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/complaints/" + m.caseID, ""
	}},
	"POST /v1/complaints/{complaintId}/actions": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/complaints/" + m.caseID + "/actions", fmt.Sprintf(`{"action":"note","note":"called the guest %d"}`, m.next())
	}},
	"GET /v1/reports/complaints": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/reports/complaints?locationId=" + objectAt, ""
	}},
	"GET /v1/reports/kpis": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/reports/kpis?interval=week&locationId=" + objectAt, ""
	}},
	"GET /v1/reports/staff": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/reports/staff?locationId=" + objectAt, ""
	}},
	"GET /v1/settings/complaints": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/settings/complaints", ""
	}},
	"PUT /v1/settings/complaints": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/settings/complaints", m.settings(t, "/v1/settings/complaints")
	}},

	// Loyalty.
	"POST /v1/loyalty/{customerId}/earn": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/loyalty/" + m.customerID + "/earn", fmt.Sprintf(`{"sourceId":"mx-earn-%d","points":10}`, m.next())
	}},
	"POST /v1/loyalty/{customerId}/redeem": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/loyalty/" + m.customerID + "/redeem", fmt.Sprintf(`{"sourceId":"mx-redeem-%d","points":1}`, m.next())
	}},
	"POST /v1/loyalty/{customerId}/reverse": {request: func(t *testing.T, m *matrix, fresh bool) (string, string) {
		src := "mx-never-earned"
		if fresh {
			src = fmt.Sprintf("mx-refund-%d", m.next())
			m.as(t, "system", "POST", "/v1/loyalty/"+m.customerID+"/earn", fmt.Sprintf(`{"sourceId":%q,"points":3}`, src), http.StatusCreated)
		}
		return "/v1/loyalty/" + m.customerID + "/reverse", fmt.Sprintf(`{"sourceId":%q}`, src)
	}},
	"POST /v1/loyalty/{customerId}/adjust": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/loyalty/" + m.customerID + "/adjust", fmt.Sprintf(`{"sourceId":"mx-adjust-%d","points":2,"reason":"goodwill"}`, m.next())
	}},
	"GET /v1/loyalty/{customerId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/loyalty/" + m.customerID, ""
	}},
	"GET /v1/loyalty/{customerId}/ledger": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/loyalty/" + m.customerID + "/ledger", ""
	}},
	"PUT /v1/loyalty/{customerId}/member": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/loyalty/" + m.customerID + "/member", `{"locale":"en","tags":["matrix"]}`
	}},
	"GET /v1/settings/loyalty": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/settings/loyalty", ""
	}},
	"PUT /v1/settings/loyalty": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/settings/loyalty", m.settings(t, "/v1/settings/loyalty")
	}},

	// Rewards and vouchers.
	"GET /v1/rewards": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/rewards", ""
	}},
	"POST /v1/rewards": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/rewards", fmt.Sprintf(`{"rewardId":"mx-r%d","name":{"en":"Tea","zh-CN":"茶"},"pointsCost":1,"kind":"gift","validDays":30}`, m.next())
	}},
	"PUT /v1/rewards/{rewardId}": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/rewards/" + m.rewardID, m.reward(t)
	}},
	"POST /v1/loyalty/{customerId}/rewards/{rewardId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/loyalty/" + m.customerID + "/rewards/" + m.rewardID, fmt.Sprintf(`{"sourceId":"mx-take-%d","locationId":%q}`, m.next(), objectAt)
	}},
	"POST /v1/vouchers": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/vouchers", fmt.Sprintf(`{"customerId":%q,"value":{"percentOff":10},"locationIds":[%q],"validDays":30,"reason":"matrix %d"}`, m.customerID, objectAt, m.next())
	}},
	"GET /v1/vouchers/{code}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/vouchers/" + m.voucher, ""
	}},
	"POST /v1/vouchers/{code}/redeem": {request: func(t *testing.T, m *matrix, fresh bool) (string, string) {
		code := m.voucher
		if fresh {
			code = m.newVoucher(t)
		}
		return "/v1/vouchers/" + code + "/redeem", fmt.Sprintf(`{"sourceId":"mx-bill-%d","locationId":%q}`, m.next(), objectAt)
	}},
	"POST /v1/vouchers/{code}/reverse": {request: func(t *testing.T, m *matrix, fresh bool) (string, string) {
		code, bill := m.voucher, "mx-never-redeemed"
		if fresh {
			code, bill = m.newVoucher(t), fmt.Sprintf("mx-bill-%d", m.next())
			m.as(t, "admin", "POST", "/v1/vouchers/"+code+"/redeem", fmt.Sprintf(`{"sourceId":%q,"locationId":%q}`, bill, objectAt), http.StatusCreated)
		}
		return "/v1/vouchers/" + code + "/reverse", fmt.Sprintf(`{"sourceId":%q}`, bill)
	}},
	"POST /v1/vouchers/{code}/cancel": {request: func(t *testing.T, m *matrix, fresh bool) (string, string) {
		code := m.voucher
		if fresh {
			code = m.newVoucher(t)
		}
		return "/v1/vouchers/" + code + "/cancel", `{"reason":"issued by mistake"}`
	}},
	"GET /v1/reports/vouchers": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/reports/vouchers?locationId=" + objectAt, ""
	}},
	"GET /v1/customers/{customerId}/vouchers": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/customers/" + m.customerID + "/vouchers", ""
	}},

	// Visits.
	"POST /v1/visits": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/visits", fmt.Sprintf(`{"sourceId":"mx-visit-%d","customerId":%q,"locationId":%q}`, m.next(), m.customerID, objectAt)
	}},

	// Segments, campaigns and value settings.
	"POST /v1/segments": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/segments", fmt.Sprintf(`{"name":"Matrix %d","filter":{"locationId":%q}}`, m.next(), objectAt)
	}},
	"GET /v1/segments": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/segments", ""
	}},
	"GET /v1/segments/{segmentId}/customers": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/segments/" + m.segmentID + "/customers", ""
	}},
	"POST /v1/segments/{segmentId}/campaigns": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/segments/" + m.segmentID + "/campaigns", fmt.Sprintf(`{"campaignId":"mx-%d","dueAt":%q,"message":{"en":"Hello","zh-CN":"你好"}}`,
			m.next(), m.cfg.Clock.Now().Add(24*time.Hour).Format(time.RFC3339))
	}},
	"GET /v1/settings/value": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/settings/value", ""
	}},
	"PUT /v1/settings/value": {global: true, request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/settings/value", m.settings(t, "/v1/settings/value")
	}},
	"PUT /v1/settings/value/win-back/{locationId}": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		v := decode[struct{ Version int }](t, m.as(t, "admin", "GET", "/v1/settings/value", "", http.StatusOK))
		return "/v1/settings/value/win-back/" + objectAt, fmt.Sprintf(`{"days":60,"version":%d}`, v.Version)
	}},

	// The timeline and the customer's data.
	"GET /v1/customers/{customerId}/timeline": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/customers/" + m.customerID + "/timeline", ""
	}},
	"POST /v1/customers/{customerId}/merge": {request: func(t *testing.T, m *matrix, fresh bool) (string, string) {
		survivor, dup := m.customerID, "mx-nobody"
		if fresh {
			survivor, dup = m.newCustomer(t), m.newCustomer(t)
		}
		return "/v1/customers/" + survivor + "/merge", fmt.Sprintf(`{"duplicateId":%q}`, dup)
	}},
	"GET /v1/customers/{customerId}/export": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/customers/" + m.customerID + "/export", ""
	}},
	"DELETE /v1/customers/{customerId}": {request: func(t *testing.T, m *matrix, fresh bool) (string, string) {
		cid := m.customerID
		if fresh {
			cid = m.newCustomer(t)
		}
		return "/v1/customers/" + cid, ""
	}},

	// Follow-ups.
	"POST /v1/followups": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/followups", fmt.Sprintf(`{"customerId":%q,"kind":"complaint-callback","locationId":%q,"dueAt":%q,"message":{"en":"Call back","zh-CN":"回电"},"to":{"address":"guest@example.com","timeZone":"Asia/Shanghai"}}`,
			m.customerID, objectAt, m.cfg.Clock.Now().Add(72*time.Hour).Format(time.RFC3339))
	}},
	"GET /v1/followups": {request: func(t *testing.T, m *matrix, _ bool) (string, string) {
		return "/v1/followups?customerId=" + m.customerID, ""
	}},
	"DELETE /v1/followups/{followupId}": {request: func(t *testing.T, m *matrix, fresh bool) (string, string) {
		id := m.followupID
		if fresh {
			id = m.newFollowup(t)
		}
		return "/v1/followups/" + id, ""
	}},

	// Operations: deep health is about no location; it succeeds once the dispatcher
	// has run (its heartbeat), so a request meant to succeed runs it first.
	"GET /v1/health/deep": {global: true, request: func(t *testing.T, m *matrix, fresh bool) (string, string) {
		if fresh {
			if _, err := m.runner.Invoke(t.Context(), "followup-dispatcher", local.ScheduledEvent(m.cfg.Clock.Now(), "followup-dispatcher")); err != nil {
				t.Fatal(err)
			}
		}
		return "/v1/health/deep", ""
	}},
}

// Every staff and system route of the wiring table is in the matrix, and nothing else.
func TestAccessMatrixCoversEveryRoute(t *testing.T) {
	var jwt []string
	for _, f := range wiring.Functions {
		for _, r := range f.Trigger.Routes {
			if r.Auth == wiring.JWT {
				jwt = append(jwt, r.Pattern())
			}
		}
	}
	var cases []string
	for k := range matrixCases {
		cases = append(cases, k)
	}
	sort.Strings(jwt)
	sort.Strings(cases)
	if !slices.Equal(jwt, cases) {
		for _, r := range jwt {
			if _, ok := matrixCases[r]; !ok {
				t.Errorf("route %s is not in the access matrix", r)
			}
		}
		for _, c := range cases {
			if !slices.Contains(jwt, c) {
				t.Errorf("the matrix has %s, which is not a staff or system route", c)
			}
		}
	}
}

func TestAccessMatrix(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	m := &matrix{stack: s}
	ctx := t.Context()
	customers := &customer.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers"), Locations: &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}}
	if err := local.SeedLocation(ctx, customers.Locations.(*location.Store), s.cfg.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	other := local.DemoLocation(s.cfg.Clock.Now())
	other.ID, other.Code, other.Name = elsewhere, "HB02", "Harbour Hotel West"
	if _, err := customers.Locations.(*location.Store).PutLocation(ctx, other, 0); err != nil {
		t.Fatal(err)
	}
	m.customerID = m.newCustomer(t)
	m.caseID = m.newCase(t)
	m.surveyID = m.newSurvey(t)
	m.followupID = m.newFollowup(t)
	m.segmentID = decode[struct{ SegmentID string }](t, m.as(t, "admin", "POST", "/v1/segments",
		fmt.Sprintf(`{"name":"Regulars","filter":{"locationId":%q}}`, objectAt), http.StatusCreated)).SegmentID
	m.rewardID = m.newReward(t)
	m.voucher = m.newVoucher(t)

	var routes []wiring.Route
	for _, f := range wiring.Functions {
		for _, r := range f.Trigger.Routes {
			if r.Auth == wiring.JWT {
				routes = append(routes, r)
			}
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Pattern() < routes[j].Pattern() })
	cells := 0
	for _, route := range routes {
		c, ok := matrixCases[route.Pattern()]
		if !ok {
			t.Errorf("%s: no matrix case", route.Pattern())
			continue
		}
		// No token at all.
		path, body := c.request(t, m, false)
		if r := s.do(t, route.Method, path, contentType(body), []byte(body), nil); r.status != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d, want 401", route.Pattern(), r.status)
		}
		cells++
		for _, role := range wiring.AllRoles {
			for _, shape := range claimShapes {
				if role == wiring.RoleSystem && !shape.machine {
					continue
				}
				want := "success"
				switch {
				case !slices.Contains(route.Roles, role):
					want = "403"
				case !c.global && !shape.sees(role):
					want = "404"
				}
				path, body := c.request(t, m, want == "success")
				r := s.staffCallWith(t, role, shape.locations, route.Method, path, body)
				got := fmt.Sprint(r.status)
				if r.status >= 200 && r.status < 300 {
					got = "success"
				}
				if got != want {
					t.Errorf("%s as %s with %s: %d %s, want %s", route.Pattern(), role, shape.name, r.status, truncate(r.body), want)
				}
				if want != "success" {
					problemOf(t, r)
				}
				cells++
			}
		}
	}
	t.Logf("access matrix: %d routes × %d token kinds = %d requests", len(routes), cells/len(routes), cells)
	fmt.Printf("access matrix covered %d routes with %d requests (no token, %d roles × %d locations claims)\n",
		len(routes), cells, len(wiring.AllRoles), len(claimShapes))
}

func contentType(body string) string {
	if body == "" {
		return ""
	}
	return "application/json"
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return strings.TrimSpace(s)
}
