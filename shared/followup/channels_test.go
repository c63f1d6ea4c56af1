package followup

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/notify"
)

// rotatingKey is a webhook key whose versions a test sets.
type rotatingKey struct {
	cur, prev []byte
	since     time.Time
}

func (k *rotatingKey) Versions(context.Context) ([]byte, []byte, time.Time, error) {
	return k.cur, k.prev, k.since, nil
}

// The sender picks a rotation up without a restart: for RotationOverlap after it, each
// webhook is signed with the new key and the previous one; then with the new one only.
func TestWebhookFollowsTheKeyRotation(t *testing.T) {
	var sigs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sigs = append(sigs, r.Header.Get(notify.HeaderSignature))
	}))
	defer srv.Close()
	old, fresh := []byte("the old webhook key, 32 bytes..."), []byte("the new webhook key, 32 bytes...")
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	key := &rotatingKey{cur: old, since: now.Add(-30 * 24 * time.Hour)}
	wh := &lazyWebhook{key: key, allowPrivate: true, now: func() time.Time { return now }}
	send := func() {
		t.Helper()
		if err := wh.Deliver(context.Background(), Message{ID: "m", Kind: KindComplaintCallback, To: srv.URL, Subject: "s", Body: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	send()
	key.cur, key.prev, key.since = fresh, old, now.Add(-time.Hour) // rotated an hour ago
	send()
	now = now.Add(RotationOverlap)
	send()
	counts := []int{}
	for _, s := range sigs {
		counts = append(counts, strings.Count(s, "v1="))
	}
	if fmt.Sprint(counts) != "[1 2 1]" {
		t.Fatalf("signatures per request %v (%q), want [1 2 1]", counts, sigs)
	}
}

type capture struct{ got notify.Message }

func (c *capture) Deliver(_ context.Context, m notify.Message) error { c.got = m; return nil }

// A marketing message hands its unsubscribe link to the channel, which email puts in
// its List-Unsubscribe header (one-click, RFC 8058) pointing at the same /v1/u/ link.
func TestAdapterPassesTheUnsubscribeLink(t *testing.T) {
	c := &capture{}
	link := "https://api.example/v1/u/1.abc"
	if err := (adapter{c}).Deliver(context.Background(), Message{ID: "m", Kind: KindCampaign, UnsubscribeURL: link}); err != nil {
		t.Fatal(err)
	}
	if !c.got.Marketing || c.got.UnsubscribeURL != link {
		t.Fatalf("the channel got %+v", c.got)
	}
}
