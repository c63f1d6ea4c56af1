package local_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// followupStack is the runner with the demo location (loc-1, Harbour Hotel, Shanghai)
// registered; its clock reads 12:00 UTC, 20:00 in Shanghai, before quiet hours.
func followupStack(t *testing.T) *stack {
	t.Helper()
	s := newStack(t, testenv.New(t), nil)
	store := &customer.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers"), Locations: &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}}
	if err := local.SeedLocation(context.Background(), store.Locations.(*location.Store), s.cfg.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *stack) profile(t *testing.T, body string) {
	t.Helper()
	if r := s.staffCall(t, "manager", "loc-1", "POST", "/v1/customers", body); r.status != http.StatusCreated {
		t.Fatalf("profile: %d %s", r.status, r.body)
	}
}

func (s *stack) scheduled(t *testing.T, r reply) followup.Followup {
	t.Helper()
	if r.status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	var f followup.Followup
	if err := json.Unmarshal([]byte(r.body), &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// fieldProblem checks a problem answer's status and that it names the field, with a
// message containing want.
func fieldProblem(t *testing.T, r reply, status int, field, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	p := problemOf(t, r)
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		if m, _ := e.(map[string]any); m["field"] == field && strings.Contains(m["message"].(string), want) {
			return
		}
	}
	t.Fatalf("errors %v do not name %s with %q", p["errors"], field, want)
}

// Front-desk staff schedule a follow-up to a customer by id alone: the address (email,
// else the phone by SMS, passing over a channel the customer opted out of), language,
// zone and location come from the profile, and "to" overrides any of them. A customer
// with nothing to reach them by is a 400 naming to.address; an explicit channel the
// customer opted out of is a 409 naming channel.
func TestFollowupToACustomerByIDIsAddressedFromTheProfile(t *testing.T) {
	s := followupStack(t)
	s.profile(t, `{"customerId":"c-61","name":"Chen Jie","email":"Chen.Jie@Example.com","phone":"138 0013 8061","locale":"en",
		"timeZone":"Europe/London","locationId":"loc-1"}`)
	s.profile(t, `{"customerId":"c-62","name":"Liu Yang","phone":"138 0013 8062","locationId":"loc-1"}`)
	s.profile(t, `{"customerId":"c-63","name":"Zhou Min","email":"zhou@example.com","phone":"138 0013 8063","locationId":"loc-1","consent":{"email":false}}`)
	s.profile(t, `{"customerId":"c-65","name":"No Contact","locationId":"loc-1"}`)
	due := s.cfg.Clock.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	post := func(role, locations, body string) reply {
		return s.staffCall(t, role, locations, "POST", "/v1/followups", body)
	}
	callback := func(cid, extra string) string {
		return `{"customerId":"` + cid + `","kind":"complaint-callback","dueAt":"` + due + `",
			"message":{"en":"We will call you about your stay.","zh-CN":"我们会就您的入住给您回电。"}` + extra + `}`
	}

	f := s.scheduled(t, post("agent", "loc-1", callback("c-61", "")))
	want := followup.Recipient{Type: "customer", ID: "c-61", Channel: "email", Address: "chen.jie@example.com", Locale: "en", TimeZone: "Europe/London"}
	if f.Recipient != want || f.LocationID != "loc-1" || f.Body != "We will call you about your stay." {
		t.Fatalf("from the profile: %+v at %q, %q; want %+v at loc-1 in English", f.Recipient, f.LocationID, f.Body, want)
	}
	f = s.scheduled(t, post("agent", "loc-1", callback("c-61", `,"to":{"address":"desk-copy@example.com","locale":"zh-CN"}`)))
	if f.Recipient.Address != "desk-copy@example.com" || f.Recipient.Locale != "zh-CN" || f.Recipient.TimeZone != "Europe/London" || f.Body != "我们会就您的入住给您回电。" {
		t.Fatalf("to overrides address and language only: %+v %q", f.Recipient, f.Body)
	}
	f = s.scheduled(t, post("agent", "loc-1", callback("c-61", `,"channel":"sms"`)))
	if f.Recipient.Channel != "sms" || f.Recipient.Address != "+8613800138061" {
		t.Fatalf("channel sms: %+v", f.Recipient)
	}
	f = s.scheduled(t, post("agent", "loc-1", callback("c-62", "")))
	if f.Recipient.Channel != "sms" || f.Recipient.Address != "+8613800138062" || f.Recipient.Locale != "zh-CN" || f.Recipient.TimeZone != "Asia/Shanghai" {
		t.Fatalf("phone only: by SMS, in zh-CN, in the location's zone: %+v", f.Recipient)
	}
	f = s.scheduled(t, post("agent", "loc-1", callback("c-63", "")))
	if f.Recipient.Channel != "sms" || f.Recipient.Address != "+8613800138063" {
		t.Fatalf("opted out of email: want SMS, got %+v", f.Recipient)
	}
	fieldProblem(t, post("agent", "loc-1", callback("c-63", `,"channel":"email"`)), http.StatusConflict, "channel", "opted out of email")
	fieldProblem(t, post("agent", "loc-1", callback("c-65", "")), http.StatusBadRequest, "to.address",
		"the customer has no profile with an email or phone; give to.address")
	fieldProblem(t, post("system", "*", callback("c-64", "")), http.StatusBadRequest, "to.address",
		"the customer has no profile with an email or phone; give to.address")
	fieldProblem(t, post("agent", "loc-1", callback("c-62", `,"channel":"email"`)), http.StatusBadRequest, "to.address",
		"the customer's profile has no address for email")
	if r := post("agent", "loc-9", callback("c-61", "")); r.status != http.StatusNotFound {
		t.Fatalf("another location's agent: %d %s", r.status, r.body)
	}
	// A customer without a profile is still reachable by a system that gives the address.
	f = s.scheduled(t, post("system", "*", callback("c-64", `,"to":{"address":"c64@example.com"}`)))
	if f.Recipient.Address != "c64@example.com" || f.Recipient.Channel != "email" || f.Recipient.Locale != "zh-CN" {
		t.Fatalf("no profile, to given: %+v", f.Recipient)
	}
}

// A message a staff member writes (kind message) goes at once when no dueAt is given,
// in the customer's language under the location's brand, and is not held to the
// marketing rules: no opt-in needed. It must be written in the language the customer
// reads, carries no template, and is refused for a channel the customer opted out of;
// one who opts out after it was scheduled does not get it.
func TestStaffWrittenMessageKind(t *testing.T) {
	s := followupStack(t)
	s.start(t)
	s.profile(t, `{"customerId":"c-71","name":"Sun Li","email":"sun.li@example.com","locationId":"loc-1"}`)
	s.profile(t, `{"customerId":"c-72","name":"Amy Hall","email":"amy@example.com","locale":"en","locationId":"loc-1"}`)
	lost := `{"customerId":"c-71","kind":"message","message":{"zh-CN":"您遗失在房间的雨伞已找到，请到前台领取。","en":"We found the umbrella you left in your room; it is waiting at the front desk."}}`
	f := s.scheduled(t, s.staffCall(t, "agent", "loc-1", "POST", "/v1/followups", lost))
	if d := f.DueAt.Sub(s.cfg.Clock.Now()); d > 0 || d < -time.Minute || f.Kind != followup.KindMessage {
		t.Fatalf("due %v (now %v), kind %q: want due now", f.DueAt, s.cfg.Clock.Now(), f.Kind)
	}
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	m := s.waitOutbox(t, 1)[0]
	if m.To != "sun.li@example.com" || m.Subject != "Harbour Hotel给您的消息" || !strings.HasPrefix(m.Body, "您遗失在房间的雨伞已找到") {
		t.Fatalf("sent to %q: %q / %q", m.To, m.Subject, m.Body)
	}
	apology := `{"customerId":"c-72","kind":"message","subject":{"en":"Our apologies"},"message":{"en":"We are sorry the room was not ready on time."}}`
	s.scheduled(t, s.staffCall(t, "agent", "loc-1", "POST", "/v1/followups", apology))
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	if m := s.waitOutbox(t, 2)[0]; m.To != "amy@example.com" || m.Subject != "Our apologies" || m.Body != "We are sorry the room was not ready on time." {
		t.Fatalf("apology: %q %q / %q", m.To, m.Subject, m.Body)
	}
	// A customer with a phone alone gets it by SMS: through the texts queue and
	// followup-sms, as an email goes through the emails queue and followup-email.
	s.profile(t, `{"customerId":"c-74","name":"Gao Fei","phone":"138 0013 8074","locationId":"loc-1"}`)
	s.scheduled(t, s.staffCall(t, "agent", "loc-1", "POST", "/v1/followups", `{"customerId":"c-74","kind":"message","message":{"zh-CN":"您的房间已准备好。"}}`))
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	var sms []followup.Message
	for _, m := range s.waitOutbox(t, 3) {
		if m.Channel == "sms" {
			sms = append(sms, m)
		}
	}
	if len(sms) != 1 || sms[0].To != "+8613800138074" || sms[0].Body != "您的房间已准备好。" {
		t.Fatalf("by SMS: %+v", sms)
	}

	post := func(body string) reply { return s.staffCall(t, "agent", "loc-1", "POST", "/v1/followups", body) }
	fieldProblem(t, post(`{"customerId":"c-72","kind":"message","message":{"zh-CN":"抱歉"}}`), http.StatusBadRequest, "message.en", "the customer reads en")
	fieldProblem(t, post(`{"customerId":"c-72","kind":"message","templateId":"tier-change","message":{"en":"x"}}`), http.StatusBadRequest, "templateId", "own text")
	fieldProblem(t, post(`{"customerId":"c-72","kind":"message"}`), http.StatusBadRequest, "message", "is required")

	// Opted out of email before: refused; after scheduling: skipped at send time.
	if r := s.staffCall(t, "agent", "loc-1", "PUT", "/v1/customers/c-72/consent/email", `{"granted":false,"source":"front-desk"}`); r.status >= 300 {
		t.Fatalf("opt out: %d %s", r.status, r.body)
	}
	fieldProblem(t, post(apology), http.StatusConflict, "channel", "opted out of email")
	later := s.cfg.Clock.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)
	s.profile(t, `{"customerId":"c-73","name":"Bo Wen","email":"bo@example.com","locale":"en","locationId":"loc-1"}`)
	late := s.scheduled(t, post(`{"customerId":"c-73","kind":"message","dueAt":"`+later+`","message":{"en":"See you tomorrow."}}`))
	if r := s.staffCall(t, "agent", "loc-1", "PUT", "/v1/customers/c-73/consent/email", `{"granted":false,"source":"front-desk"}`); r.status >= 300 {
		t.Fatalf("opt out: %d %s", r.status, r.body)
	}
	time.Sleep(2 * time.Second)
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	store := &followup.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("followups")}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got, err := store.Get(context.Background(), late.ID)
		if err == nil && got.Status == followup.Skipped && strings.Contains(got.SkipReason, "opted out of email") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after opting out: %+v %v", got, err)
		}
	}
	if n := len(s.outbox(t)); n != 3 {
		t.Fatalf("outbox holds %d messages, want 3", n)
	}
}
