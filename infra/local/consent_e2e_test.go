package local_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/customer"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A customer who opted in gets a marketing message with an unsubscribe link; opening
// the link asks and changes nothing, its button turns the channel off, and the next
// message to them is skipped with the reason.
func TestUnsubscribeLinkTurnsTheChannelOff(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	s.start(t)
	if r := s.staffCall(t, "admin", "*", "PUT", "/v1/customers/c-7/consent/email", `{"granted":true,"source":"web-form"}`); r.status != 200 {
		t.Fatalf("opt in: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "admin", "*", "PUT", "/v1/customers/c-7/consent/fax", `{"granted":true,"source":"web-form"}`); r.status != 400 {
		t.Fatalf("an unknown channel: %d %s", r.status, r.body)
	}
	store := &followup.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("followups")}
	schedule := func(kind string) string {
		now := s.cfg.Clock.Now()
		f := followup.Followup{ID: id.New(now), Kind: kind, DueAt: now, Subject: "Autumn at the Harbour", Body: "Ten percent off your next stay.",
			Recipient: followup.Recipient{Type: "customer", ID: "c-7", Channel: "email", Address: "c7@example.com", Locale: "en"}}
		f.DedupeKey = "campaign#" + f.ID
		puts, err := store.SchedulePuts(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.env.Clients.DynamoDB.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.dispatch(t); err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	schedule(followup.KindCampaign)
	msgs := s.waitOutbox(t, 1)
	link := regexp.MustCompile(`Unsubscribe: (\S+)`).FindStringSubmatch(msgs[0].Body)
	if link == nil || !strings.HasPrefix(link[1], s.srv.URL+"/v1/u/") {
		t.Fatalf("no unsubscribe link in %q", msgs[0].Body)
	}
	if msgs[0].UnsubscribeURL != link[1] {
		t.Fatalf("the message's List-Unsubscribe link %q is not its body's %q", msgs[0].UnsubscribeURL, link[1])
	}
	path := strings.TrimPrefix(link[1], s.srv.URL)
	// Opening the link (a mail scanner does, before the customer) only asks.
	for range 2 {
		if r := s.do(t, http.MethodGet, path, "", nil, map[string]string{"Accept-Language": "en"}); r.status != 200 || !strings.Contains(r.body, "Unsubscribe?") {
			t.Fatalf("opening the link: %d %s", r.status, r.body)
		}
	}
	if consent := s.staffCall(t, "admin", "*", "GET", "/v1/customers/c-7/consent", ""); !strings.Contains(consent.body, `"granted":true`) {
		t.Fatalf("opening the link changed consent: %s", consent.body)
	}
	if r := s.do(t, http.MethodGet, path[:len(path)-3]+"AAA", "", nil, nil); r.status != 404 {
		t.Fatalf("a tampered link: %d", r.status)
	}
	// The page's button posts back to the link.
	if r := s.do(t, http.MethodPost, path, "application/x-www-form-urlencoded", []byte("confirm=unsubscribe&lang=en"), nil); r.status != 200 || !strings.Contains(r.body, "You are unsubscribed") {
		t.Fatalf("unsubscribe: %d %s", r.status, r.body)
	}
	consent := s.staffCall(t, "admin", "*", "GET", "/v1/customers/c-7/consent", "")
	if !strings.Contains(consent.body, `"granted":false`) || !strings.Contains(consent.body, `"source":"unsubscribe-link"`) {
		t.Fatalf("consent after unsubscribing: %s", consent.body)
	}
	// The history says every change, newest first: the unsubscribe, then the opt-in.
	var withHistory struct{ History []customer.Consent }
	if r := s.staffCall(t, "admin", "*", "GET", "/v1/customers/c-7/consent?history=true", ""); json.Unmarshal([]byte(r.body), &withHistory) != nil ||
		len(withHistory.History) != 2 || withHistory.History[0].Source != "unsubscribe-link" || withHistory.History[0].Granted ||
		withHistory.History[1].Source != "web-form" || !withHistory.History[1].Granted {
		t.Fatalf("consent history: %d %s", r.status, r.body)
	}
	if strings.Contains(consent.body, `"history"`) {
		t.Fatalf("the history without asking: %s", consent.body)
	}
	if r := s.staffCall(t, "admin", "*", "GET", "/v1/customers/c-7/consent?history=yes", ""); r.status != http.StatusBadRequest {
		t.Fatalf("history=yes: %d", r.status)
	}
	// A service message is also refused now: the customer opted out of email.
	next := schedule(followup.KindPostServiceSurvey)
	deadline := 0
	for {
		f, err := store.Get(context.Background(), next)
		if err != nil {
			t.Fatal(err)
		}
		if f.Status == followup.Skipped {
			if !strings.Contains(f.SkipReason, "opted out of email") {
				t.Fatalf("skipped for %q", f.SkipReason)
			}
			break
		}
		if deadline++; deadline > 100 {
			t.Fatalf("follow-up still %s", f.Status)
		}
		sleepBriefly()
	}
	s.waitOutbox(t, 1)
}

func sleepBriefly() { time.Sleep(200 * time.Millisecond) }
