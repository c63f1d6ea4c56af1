package local_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// Staff schedule a follow-up late at night in the customer's zone: it is moved to
// 09:00 there. They list the customer's follow-ups and cancel one; a second follow-up
// for the same occasion is refused.
func TestScheduleListAndCancelFollowups(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	now := s.cfg.Clock.Now()                                                                         // 12:00 UTC = 20:00 in Shanghai
	due := time.Date(now.Year(), now.Month(), now.Day(), 15, 0, 0, 0, time.UTC).Format(time.RFC3339) // 23:00 in Shanghai
	body := `{"customerId":"c-11","kind":"birthday","dueAt":"` + due + `","dedupeKey":"birthday#c-11#2026",
		"message":{"en":"Happy birthday!","zh-CN":"生日快乐！"},"to":{"address":"c11@example.com","timeZone":"Asia/Shanghai","locale":"zh-CN"}}`
	r := s.staffCall(t, "system", "*", "POST", "/v1/followups", body)
	if r.status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	var f followup.Followup
	if err := json.Unmarshal([]byte(r.body), &f); err != nil {
		t.Fatal(err)
	}
	if f.Body != "生日快乐！" || f.DueAt.In(mustLoad(t, "Asia/Shanghai")).Hour() != 9 || f.RequestedAt.Format(time.RFC3339) != due {
		t.Fatalf("follow-up %+v: want the zh-CN text, due 09:00 Shanghai, asked %s", f, due)
	}
	if r := s.staffCall(t, "system", "*", "POST", "/v1/followups", body); r.status != http.StatusConflict {
		t.Fatalf("the same occasion again: %d %s", r.status, r.body)
	}
	bad := s.staffCall(t, "system", "*", "POST", "/v1/followups", `{"customerId":"c-11","kind":"party","dueAt":"2026-11-23T10:00:00Z","message":{},"to":{"address":"x","timeZone":"Mars/Olympus"}}`)
	p := problemOf(t, bad)
	for _, field := range []string{"kind", "message", "to.timeZone"} {
		if !strings.Contains(jsonOf(p["errors"]), `"field":"`+field+`"`) {
			t.Errorf("errors %v do not name %s", p["errors"], field)
		}
	}
	list := s.staffCall(t, "admin", "*", "GET", "/v1/followups?customerId=c-11", "")
	if list.status != 200 || !strings.Contains(list.body, f.ID) || !strings.Contains(list.body, `"status":"scheduled"`) {
		t.Fatalf("list: %d %s", list.status, list.body)
	}
	if r := s.staffCall(t, "admin", "*", "DELETE", "/v1/followups/"+f.ID, ""); r.status != http.StatusNoContent {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "admin", "*", "DELETE", "/v1/followups/"+f.ID, ""); r.status != http.StatusConflict {
		t.Fatalf("cancel again: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "admin", "*", "DELETE", "/v1/followups/nope", ""); r.status != http.StatusNotFound {
		t.Fatalf("cancel unknown: %d", r.status)
	}
	if list := s.staffCall(t, "admin", "*", "GET", "/v1/followups?customerId=c-11", ""); !strings.Contains(list.body, `"status":"cancelled"`) {
		t.Fatalf("after cancelling: %s", list.body)
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	loc, err := followup.Zone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A follow-up naming a template is rendered when it is sent, in the recipient's
// language and with the brand; a template missing its variables is refused when
// scheduled.
func TestTemplatedFollowupsRenderAtSendTime(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	s.start(t)
	post := func(vars string) reply {
		return s.staffCall(t, "system", "*", "POST", "/v1/followups", `{"customerId":"c-31","kind":"points-expiry","urgent":true,
			"dueAt":"`+s.cfg.Clock.Now().Format(time.RFC3339)+`","templateId":"points-expiry","vars":`+vars+`,
			"to":{"address":"c31@example.com","locale":"zh-CN"}}`)
	}
	if r := post(`{"points":"120"}`); r.status != http.StatusBadRequest || !strings.Contains(r.body, `"field":"vars"`) {
		t.Fatalf("a missing variable: %d %s", r.status, r.body)
	}
	if r := post(`{"points":"120","expiresOn":"2026-12-31"}`); r.status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	m := s.waitOutbox(t, 1)[0]
	if m.Subject != "您有 120 积分将于 2026-12-31 过期" || !strings.Contains(m.Body, "您在Rapport的 120 积分") {
		t.Fatalf("rendered %q / %q", m.Subject, m.Body)
	}
}

// A follow-up of a registered location takes that location's quiet hours and zone, and
// its templated message the location's branding.
func TestLocatedFollowupsUseTheLocationsHoursAndBrand(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	s.start(t)
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/locations", `{"locationId":"SH01","name":"Bund","timeZone":"Asia/Shanghai",
		"quietHours":"22:00-08:00","branding":{"name":"Harbour Hotels","color":"#0b5cad"}}`); r.status != http.StatusCreated {
		t.Fatalf("location: %d %s", r.status, r.body)
	}
	now := s.cfg.Clock.Now()                                                                           // 12:00 UTC
	late := time.Date(now.Year(), now.Month(), now.Day(), 14, 30, 0, 0, time.UTC).Format(time.RFC3339) // 22:30 in Shanghai
	post := func(urgent bool, due string) followup.Followup {
		r := s.staffCall(t, "system", "*", "POST", "/v1/followups", `{"customerId":"c-41","kind":"tier-change","locationId":"SH01",
			"urgent":`+strconv.FormatBool(urgent)+`,"dueAt":"`+due+`","templateId":"tier-change","vars":{"tier":"gold"},
			"to":{"address":"c41@example.com","locale":"en"}}`)
		if r.status != http.StatusCreated {
			t.Fatalf("schedule: %d %s", r.status, r.body)
		}
		var f followup.Followup
		_ = json.Unmarshal([]byte(r.body), &f)
		return f
	}
	quiet := post(false, late)
	if h := quiet.DueAt.In(mustLoad(t, "Asia/Shanghai")).Hour(); h != 8 || quiet.Recipient.TimeZone != "Asia/Shanghai" {
		t.Fatalf("due %s (zone %q), want 08:00 in Shanghai", quiet.DueAt, quiet.Recipient.TimeZone)
	}
	post(true, now.Format(time.RFC3339))
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	if m := s.waitOutbox(t, 1)[0]; m.Subject != "Your Harbour Hotels tier is now gold" {
		t.Fatalf("subject %q", m.Subject)
	}
	if r := s.staffCall(t, "system", "*", "POST", "/v1/followups", `{"customerId":"c-41","kind":"tier-change","locationId":"XX","dueAt":"`+late+`",
		"message":{"en":"x"},"to":{"address":"c41@example.com"}}`); r.status != http.StatusBadRequest {
		t.Fatalf("an unregistered location: %d", r.status)
	}
}

// Staff limited to a location schedule, see and cancel only that location's follow-ups.
func TestFollowupRoutesRespectTokenLocations(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	for _, loc := range []string{"SH01", "BJ01"} {
		if r := s.staffCall(t, "admin", "*", "POST", "/v1/locations", `{"locationId":"`+loc+`","name":"`+loc+`","timeZone":"Asia/Shanghai"}`); r.status != http.StatusCreated {
			t.Fatalf("location %s: %d %s", loc, r.status, r.body)
		}
	}
	// The customer is at home at SH01.
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/customers", `{"customerId":"c-51","name":"Zhao Min","locationId":"SH01"}`); r.status != http.StatusCreated {
		t.Fatalf("profile: %d %s", r.status, r.body)
	}
	due := s.cfg.Clock.Now().Format(time.RFC3339)
	schedule := func(role, locations, loc string) reply {
		return s.staffCall(t, role, locations, "POST", "/v1/followups", `{"customerId":"c-51","kind":"complaint-callback","locationId":"`+loc+`",
			"dueAt":"`+due+`","message":{"en":"x"},"to":{"address":"c51@example.com"}}`)
	}
	if r := schedule("agent", "SH01", "BJ01"); r.status != http.StatusNotFound {
		t.Fatalf("scheduling for another location: %d", r.status)
	}
	if r := schedule("agent", "BJ01", "BJ01"); r.status != http.StatusNotFound {
		t.Fatalf("scheduling for another location's customer: %d", r.status)
	}
	if r := schedule("agent", "", "SH01"); r.status != http.StatusNotFound {
		t.Fatalf("scheduling with no locations: %d", r.status)
	}
	var sh, bj followup.Followup
	_ = json.Unmarshal([]byte(schedule("agent", "SH01", "SH01").body), &sh)
	_ = json.Unmarshal([]byte(schedule("admin", "*", "BJ01").body), &bj)
	if sh.ID == "" || bj.ID == "" {
		t.Fatal("scheduling failed")
	}
	list := s.staffCall(t, "agent", "SH01", "GET", "/v1/followups?customerId=c-51", "")
	if !strings.Contains(list.body, sh.ID) || strings.Contains(list.body, bj.ID) {
		t.Fatalf("a SH01 agent lists %s", list.body)
	}
	// A location's list, by due time: the agent's own location only, bounded by from/to.
	byLoc := s.staffCall(t, "agent", "SH01", "GET", "/v1/followups?locationId=SH01", "")
	if byLoc.status != http.StatusOK || !strings.Contains(byLoc.body, sh.ID) || strings.Contains(byLoc.body, bj.ID) {
		t.Fatalf("SH01's list: %d %s", byLoc.status, byLoc.body)
	}
	if r := s.staffCall(t, "agent", "SH01", "GET", "/v1/followups?locationId=BJ01", ""); r.status != http.StatusNotFound {
		t.Fatalf("another location's list: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "admin", "*", "GET", "/v1/followups?locationId=BJ01", ""); !strings.Contains(r.body, bj.ID) || strings.Contains(r.body, sh.ID) {
		t.Fatalf("BJ01's list for an admin: %d %s", r.status, r.body)
	}
	later := url.QueryEscape(s.cfg.Clock.Now().Add(time.Hour).Format(time.RFC3339))
	if r := s.staffCall(t, "agent", "SH01", "GET", "/v1/followups?locationId=SH01&from="+later, ""); r.status != http.StatusOK || strings.Contains(r.body, sh.ID) {
		t.Fatalf("due from an hour on: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "agent", "SH01", "GET", "/v1/followups?locationId=SH01&to="+later, ""); !strings.Contains(r.body, sh.ID) {
		t.Fatalf("due until an hour on: %d %s", r.status, r.body)
	}
	for _, bad := range []string{"from=yesterday", "to=" + url.QueryEscape(s.cfg.Clock.Now().Add(-time.Hour).Format(time.RFC3339)) + "&from=" + later, ""} {
		path := "/v1/followups?locationId=SH01&" + bad
		if bad == "" {
			path = "/v1/followups"
		}
		if r := s.staffCall(t, "agent", "SH01", "GET", path, ""); r.status != http.StatusBadRequest {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
	}
	if r := s.staffCall(t, "agent", "SH01", "DELETE", "/v1/followups/"+bj.ID, ""); r.status != http.StatusNotFound {
		t.Fatalf("cancelling another location's: %d", r.status)
	}
	if r := s.staffCall(t, "agent", "SH01", "DELETE", "/v1/followups/"+sh.ID, ""); r.status != http.StatusNoContent {
		t.Fatalf("cancelling its own: %d %s", r.status, r.body)
	}
}
