package local_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/notify"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// Webhooks are sent for real: a receiving server checks the signature with the
// deployment's key and gets each follow-up once; a receiver that refuses the message
// (400) makes it skipped with the reason, not retried.
func TestWebhookFollowupsAreSignedAndSentOnce(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	s.start(t)
	// The business reads the key from the admin route to set up its receiver.
	if r := s.staffCall(t, "agent", "", "GET", "/v1/settings/webhook-key", ""); r.status != http.StatusForbidden {
		t.Fatalf("an agent reading the webhook key: %d", r.status)
	}
	shown := decode[struct{ Key string }](t, s.staffCall(t, "admin", "*", "GET", "/v1/settings/webhook-key", ""))
	key, err := hex.DecodeString(shown.Key)
	if err != nil || len(key) != 32 {
		t.Fatalf("key %q: %v", shown.Key, err)
	}
	var mu sync.Mutex
	got := map[string]int{}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify(key, r.Header.Get("X-Rapport-Timestamp"), r.Header.Get("X-Rapport-Signature"), body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var msg struct{ ID, Text string }
		_ = json.Unmarshal(body, &msg)
		if strings.Contains(msg.Text, "refuse") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		got[r.Header.Get("X-Rapport-Id")]++
		mu.Unlock()
	}))
	defer receiver.Close()
	schedule := func(text string) string {
		body := `{"customerId":"c-21","kind":"complaint-callback","channel":"webhook","urgent":true,"dueAt":"` + s.cfg.Clock.Now().Format(time.RFC3339) + `",
			"message":{"en":"` + text + `"},"to":{"address":"` + receiver.URL + `/hook"}}`
		r := s.staffCall(t, "system", "*", "POST", "/v1/followups", body)
		if r.status != http.StatusCreated {
			t.Fatalf("schedule: %d %s", r.status, r.body)
		}
		var f followup.Followup
		_ = json.Unmarshal([]byte(r.body), &f)
		return f.ID
	}
	ok, refused := schedule("Your case SH01-0007 was resolved"), schedule("please refuse this")
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	store := &followup.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("followups")}
	for i := 0; ; i++ {
		a, _ := store.Get(context.Background(), ok)
		b, _ := store.Get(context.Background(), refused)
		if a.Status == followup.Sent && b.Status == followup.Skipped {
			if !strings.Contains(b.SkipReason, "400") {
				t.Fatalf("skip reason %q", b.SkipReason)
			}
			break
		}
		if i > 150 {
			t.Fatalf("statuses %s and %s", a.Status, b.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if got[ok] != 1 || len(got) != 1 {
		t.Fatalf("receiver got %v, want the one follow-up once", got)
	}
}

// With the runner's private switch off, as in every AWS stage, internal targets are
// refused: a 400 naming to.address when scheduled, and if one is stored anyway (written
// before the check, or by another domain) the sender skips it without connecting.
func TestWebhookToInternalAddressesRefusedWithoutTheLocalSwitch(t *testing.T) {
	off := map[string]string{local.WebhookAllowPrivate: "false"}
	s := newStack(t, testenv.New(t), func(c *local.Config) {
		c.Override = map[string]map[string]string{"followups-staff": off, "followup-sender": off}
	})
	s.start(t)
	var hits atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer receiver.Close()
	due := s.cfg.Clock.Now().Format(time.RFC3339)
	for _, address := range []string{
		"http://127.0.0.1:9001/", // the Lambda Runtime API
		"http://169.254.169.254/latest/meta-data",
		"http://[::1]/",
		"https://169.254.169.254/latest/meta-data",
		receiver.URL + "/hook",
	} {
		t.Run(address, func(t *testing.T) {
			body := `{"customerId":"c-77","kind":"complaint-callback","channel":"webhook","urgent":true,"dueAt":"` + due + `",
				"message":{"en":"Your case was resolved"},"to":{"address":"` + address + `"}}`
			r := s.staffCall(t, "system", "*", "POST", "/v1/followups", body)
			if r.status != http.StatusBadRequest || !strings.Contains(r.header.Get("Content-Type"), "application/problem+json") ||
				!strings.Contains(r.body, `"field":"to.address"`) {
				t.Fatalf("schedule to %s: %d %s %s, want 400 problem+json naming to.address", address, r.status, r.header.Get("Content-Type"), r.body)
			}
		})
	}
	if r := s.staffCall(t, "system", "*", "GET", "/v1/followups?customerId=c-77", ""); r.status != http.StatusOK || strings.Contains(r.body, `"id"`) {
		t.Fatalf("refused requests left follow-ups: %d %s", r.status, r.body)
	}

	// Stored anyway: the sender's client refuses them, permanently, without connecting.
	store := &followup.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("followups")}
	now := s.cfg.Clock.Now()
	var ids []string
	for _, to := range []string{receiver.URL + "/hook", "http://127.0.0.1:9001/", "http://169.254.169.254/latest/meta-data", "http://[::1]/"} {
		f := followup.Followup{ID: id.New(now), Kind: followup.KindComplaintCallback, Urgent: true,
			Recipient: followup.Recipient{Type: "staff", Channel: "webhook", Address: to},
			DueAt:     now, Subject: "s", Body: "b", CreatedAt: now}
		f.DedupeKey = "ssrf#" + f.ID
		puts, err := store.SchedulePuts(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.env.Clients.DynamoDB.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, f.ID)
	}
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	for _, fid := range ids {
		for i := 0; ; i++ {
			f, _ := store.Get(context.Background(), fid)
			if f.Status == followup.Skipped {
				if f.SkipReason == "" {
					t.Errorf("%s skipped without a reason", fid)
				}
				break
			}
			if f.Status == followup.Sent || i > 150 {
				t.Fatalf("%s to %s: status %s, want skipped", fid, f.Recipient.Address, f.Status)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loopback receiver was hit %d times", n)
	}
}
