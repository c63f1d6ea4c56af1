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
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/followup"
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
