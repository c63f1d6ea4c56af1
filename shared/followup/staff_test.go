package followup_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// directory is a small customer directory: profiles and consents by id; a customer is
// reachable from the locations of their profile.
type directory struct {
	profiles map[string]followup.Profile
	consents map[string]map[string]followup.Consent
}

func (d directory) Reachable(_ context.Context, p auth.Principal, cid string) error {
	if p.All || p.SeesAny(d.profiles[cid].Locations) {
		return nil
	}
	return problem.New(problem.NotFound, "no such customer")
}

func (d directory) Profile(_ context.Context, cid string) (followup.Profile, error) {
	return d.profiles[cid], nil
}

func (d directory) Consents(_ context.Context, cid string) (map[string]followup.Consent, error) {
	return d.consents[cid], nil
}

// places is a small registry.
type places map[string]place.Location

func (ps places) Location(_ context.Context, id string) (place.Location, error) {
	l, ok := ps[id]
	if !ok {
		return place.Location{}, place.ErrNotFound
	}
	return l, nil
}

// Scheduling by customer id addresses the follow-up through the directory's profile and
// consent, and gives it its location's quiet hours and zone through the places.
func TestStaffScheduleAddressesThroughItsPorts(t *testing.T) {
	env := testenv.New(t)
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	optedOut := followup.Consent{Granted: false, At: now.Add(-24 * time.Hour), Source: "unsubscribe-link"}
	st := &followup.Staff{Store: &followup.Store{DB: env.Clients.DynamoDB, Table: env.Names("followups")}, Clock: clock.NewManual(now),
		Customers: directory{
			profiles: map[string]followup.Profile{
				"ann": {ID: "ann", Email: "ann@example.com", Phone: "+8613800138000", Locale: "en", Locations: []string{"SH01", "BJ02"}},
				// bob was merged into ann: his profile is hers.
				"bob": {ID: "ann", Email: "ann@example.com", Phone: "+8613800138000", Locale: "en", Locations: []string{"SH01", "BJ02"}},
				"cat": {ID: "cat", Email: "cat@example.com", TimeZone: "Europe/London", Locations: []string{"BJ02"}},
			},
			consents: map[string]map[string]followup.Consent{"ann": {"email": optedOut}},
		},
		Places: places{
			"SH01": {ID: "SH01", TimeZone: "Asia/Shanghai", QuietHours: "22:00-08:00"},
			"BJ02": {ID: "BJ02", TimeZone: "Asia/Shanghai", QuietHours: "20:00-10:00"},
		},
	}
	mux := http.NewServeMux()
	for pattern, h := range st.Routes() {
		mux.Handle(pattern, h)
	}
	post := func(p auth.Principal, body string) (int, map[string]any) {
		req := httptest.NewRequestWithContext(auth.With(context.Background(), p), http.MethodPost, "/v1/followups", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	admin := auth.Principal{Subject: "admin", Roles: []string{"admin"}, All: true}
	bj := auth.Principal{Subject: "desk", Roles: []string{"staff"}, Locations: []string{"BJ02"}}
	msg := `"message": {"en": "Your coat is at the front desk.", "zh-CN": "您的外套在前台。"}`
	for _, c := range []struct {
		name   string
		who    auth.Principal
		body   string
		status int
		// want are fields of the answer ("recipient.channel" and the like), or of the
		// problem's body on a refusal.
		want map[string]string
	}{
		{name: "email opted out: SMS instead, from the first of the caller's locations the customer belongs to", who: bj,
			body: `{"customerId": "ann", "kind": "message", ` + msg + `}`, status: http.StatusCreated,
			want: map[string]string{"recipient.channel": "sms", "recipient.address": "+8613800138000", "recipient.locale": "en",
				"recipient.timeZone": "Asia/Shanghai", "locationId": "BJ02", "quietHours": "20:00-10:00", "recipient.id": "ann"}},
		{name: "a merged duplicate's message goes to the survivor", who: admin,
			body: `{"customerId": "bob", "kind": "message", "channel": "sms", ` + msg + `}`, status: http.StatusCreated,
			want: map[string]string{"recipient.id": "ann", "locationId": "SH01", "quietHours": "22:00-08:00"}},
		{name: "the profile's zone comes before the location's", who: admin,
			body: `{"customerId": "cat", "kind": "message", ` + msg + `}`, status: http.StatusCreated,
			want: map[string]string{"recipient.channel": "email", "recipient.timeZone": "Europe/London", "recipient.locale": "zh-CN", "locationId": "BJ02"}},
		{name: "a channel the customer opted out of is refused", who: admin,
			body: `{"customerId": "ann", "kind": "message", "channel": "email", ` + msg + `}`, status: http.StatusConflict,
			want: map[string]string{"detail": "channel: the customer opted out of email on 2026-11-22 (unsubscribe-link)"}},
		{name: "no profile and no address", who: admin,
			body: `{"customerId": "dan", "kind": "message", "locationId": "SH01", ` + msg + `}`, status: http.StatusBadRequest},
		{name: "a named location must be registered", who: admin,
			body: `{"customerId": "cat", "kind": "message", "locationId": "XX09", ` + msg + `}`, status: http.StatusBadRequest},
		{name: "another location's customer is not found", who: bj,
			body: `{"customerId": "dan", "kind": "message", ` + msg + `}`, status: http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := post(c.who, c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d: %v", status, c.status, out)
			}
			for path, want := range c.want {
				var v any = out
				for _, k := range strings.Split(path, ".") {
					m, _ := v.(map[string]any)
					v = m[k]
				}
				if got, _ := v.(string); got != want {
					t.Errorf("%s = %v, want %q (%v)", path, v, want, out)
				}
			}
		})
	}
}
