package followup

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/problem"
)

// A webhook's address is checked when the follow-up is scheduled: a 400 naming
// to.address, before anything is written; loopback and private targets pass only
// with the local runner's switch.
func TestSchedulingChecksTheWebhookAddress(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		address       string
		local, public bool // accepted with the switch on, and off
	}{
		{"https://hooks.example.com/rapport?token=abc", true, true},
		{"http://127.0.0.1:9001/", true, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"http://[::1]/", true, false},
		{"https://10.0.0.8/hook", true, false},
		{"https://[::ffff:169.254.169.254]/", false, false},
		{"http://hooks.example.com/rapport", false, false},
		{"https://ops:secret@hooks.example.com/", false, false},
		{"https://224.0.0.1/", false, false},
		{"not a url", false, false},
	}
	for _, tt := range tests {
		for _, allow := range []bool{false, true} {
			want := tt.public
			if allow {
				want = tt.local
			}
			r := Request{CustomerID: "c-1", Kind: KindComplaintCallback, Channel: "webhook", DueAt: now,
				Message: map[string]string{"en": "Your case was resolved"}, To: &Recipient{Address: tt.address}}
			_, err := r.followup(auth.Principal{Subject: "sys"}, now, allow)
			if want {
				if err != nil {
					t.Errorf("%s (switch %v): %v", tt.address, allow, err)
				}
				continue
			}
			var pe *problem.Error
			if !errors.As(err, &pe) || pe.Kind != problem.Invalid || len(pe.Fields) != 1 || pe.Fields[0].Field != "to.address" {
				t.Errorf("%s (switch %v): %v, want one invalid to.address", tt.address, allow, err)
				continue
			}
			if strings.Contains(pe.Fields[0].Message, "secret") {
				t.Errorf("the problem repeats the URL's credentials: %q", pe.Fields[0].Message)
			}
		}
	}
	// Other channels' addresses are not URLs and are not checked as such.
	r := Request{CustomerID: "c-1", Kind: KindComplaintCallback, Channel: "email", DueAt: now,
		Message: map[string]string{"en": "x"}, To: &Recipient{Address: "desk@127.0.0.1"}}
	if _, err := r.followup(auth.Principal{}, now, false); err != nil {
		t.Errorf("email address: %v", err)
	}
}

// What is already stored (scheduled before this check, or written by another domain)
// is refused by the sender's client: permanently, without a connection.
func TestSenderRefusesStoredInternalWebhooks(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	key := &rotatingKey{cur: []byte("the webhook key, 32 bytes.......")}
	wh := &lazyWebhook{key: key, now: time.Now}
	for _, to := range []string{srv.URL + "/hook", "http://127.0.0.1:9001/", "http://169.254.169.254/latest/meta-data", "http://[::1]/",
		"https://" + strings.TrimPrefix(srv.URL, "http://") + "/hook"} {
		err := wh.Deliver(context.Background(), Message{ID: "m", Kind: KindComplaintCallback, To: to, Subject: "s", Body: "b"})
		if !errors.Is(err, ErrPermanent) {
			t.Errorf("%s: %v, want a permanent refusal", to, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the receiver on loopback was hit %d times", n)
	}
	// The local runner's switch lets the same sender reach its test receiver.
	wh = &lazyWebhook{key: key, allowPrivate: true, now: time.Now}
	if err := wh.Deliver(context.Background(), Message{ID: "m", Kind: KindComplaintCallback, To: srv.URL + "/hook", Subject: "s", Body: "b"}); err != nil || hits.Load() != 1 {
		t.Fatalf("with the switch: %v, %d hits", err, hits.Load())
	}
}

func TestWebhookSwitchIsStrict(t *testing.T) {
	for v, want := range map[string]string{"": "false", "false": "false", "true": "true", "1": "error", "TRUE": "error", "yes": "error"} {
		got, err := AllowPrivateWebhooks(config.FromMap(map[string]string{"NOTIFY_WEBHOOK_ALLOW_PRIVATE": v}))
		switch {
		case want == "error" && (err == nil || !strings.Contains(err.Error(), "NOTIFY_WEBHOOK_ALLOW_PRIVATE")):
			t.Errorf("%q: %v, %v; want an error naming the variable", v, got, err)
		case want != "error" && (err != nil || want == "true" != got):
			t.Errorf("%q: %v, %v; want %s", v, got, err, want)
		}
	}
}
