package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/notify"
)

var secret = []byte("0123456789abcdef-test-secret")

// receiver is a webhook endpoint that checks signatures like a real receiver would.
type receiver struct {
	mu       sync.Mutex
	hits     int
	status   int
	verified error
	header   http.Header
	body     map[string]any
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.hits++
	rc.header = r.Header.Clone()
	rc.verified = notify.Verify(secret, r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), raw, time.Now(), time.Minute)
	rc.body = nil
	_ = json.Unmarshal(raw, &rc.body)
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	status := rc.status
	if status == 0 {
		status = http.StatusOK
	}
	if status >= 300 && status < 400 {
		w.Header().Set("Location", "/elsewhere")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, strings.Repeat("x", 1<<20)) // a chatty receiver: the read is capped
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.hits
}

func tlsWebhook(t *testing.T, rc http.Handler) (*notify.Webhook, string) {
	t.Helper()
	srv := httptest.NewTLSServer(rc)
	t.Cleanup(srv.Close)
	w, err := notify.NewWebhook(notify.WebhookConfig{Secret: secret, AllowPrivate: true, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return w, srv.URL
}

func TestWebhookPostsASignedJSONMessage(t *testing.T) {
	rc := &receiver{}
	w, base := tlsWebhook(t, rc)
	sentAt := time.Date(2025, 3, 1, 8, 30, 0, 0, time.UTC)
	m := notify.Message{
		ID: "01J0WEBHOOK", Kind: "recovery-callback", Channel: "webhook", To: base + "/hook?access_token=tok3n",
		Locale: "zh-CN", Subject: "低分回访", Text: "客人给了 2 分", HTML: "<p>not sent</p>", LocationID: "loc-1", SentAt: sentAt,
	}
	if err := w.Deliver(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.verified != nil {
		t.Errorf("receiver could not verify: %v", rc.verified)
	}
	for name, want := range map[string]string{
		"Content-Type":         "application/json",
		notify.HeaderID:        "01J0WEBHOOK",
		notify.HeaderTimestamp: "",
	} {
		got := rc.header.Get(name)
		if want == "" && got == "" || want != "" && got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if ts, err := strconv.ParseInt(rc.header.Get(notify.HeaderTimestamp), 10, 64); err != nil || time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
		t.Errorf("timestamp %q is not now", rc.header.Get(notify.HeaderTimestamp))
	}
	want := map[string]any{
		"id": "01J0WEBHOOK", "kind": "recovery-callback", "locale": "zh-CN", "locationId": "loc-1",
		"to": base + "/hook", "subject": "低分回访", "text": "客人给了 2 分", "sentAt": "2025-03-01T08:30:00Z",
	}
	if len(rc.body) != len(want) {
		t.Errorf("body has %d fields, want %d: %v", len(rc.body), len(want), rc.body)
	}
	for k, v := range want {
		if rc.body[k] != v {
			t.Errorf("body.%s = %v, want %v", k, rc.body[k], v)
		}
	}
}

func TestWebhookClassifiesAnswers(t *testing.T) {
	tests := []struct {
		status    int
		ok        bool
		permanent bool
	}{
		{200, true, false},
		{202, true, false},
		{204, true, false},
		{301, false, true},
		{302, false, true},
		{307, false, true},
		{400, false, true},
		{401, false, true},
		{404, false, true},
		{410, false, true},
		{408, false, false},
		{429, false, false},
		{500, false, false},
		{502, false, false},
		{503, false, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			rc := &receiver{status: tt.status}
			w, base := tlsWebhook(t, rc)
			err := w.Deliver(context.Background(), notify.Message{ID: "f1", To: base + "/hook?key=s3cret", Text: "t"})
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if got := errors.Is(err, notify.ErrPermanent); got != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tt.permanent, err)
			}
			if n := rc.count(); n != 1 {
				t.Errorf("receiver hit %d times, want 1 (redirects are not followed)", n)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error text carries the URL's token: %v", err)
			}
		})
	}
}

func TestWebhookTimeoutIsTransient(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	w, err := notify.NewWebhook(notify.WebhookConfig{Secret: secret, AllowPrivate: true, Client: srv.Client(), Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = w.Deliver(context.Background(), notify.Message{ID: "f1", To: srv.URL, Text: "t"})
	if err == nil || errors.Is(err, notify.ErrPermanent) {
		t.Fatalf("err = %v, want transient", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s: the timeout did not apply", d)
	}
}

func TestWebhookURLRules(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc) // plain http on 127.0.0.1
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	tlsSrv := httptest.NewTLSServer(rc)
	defer tlsSrv.Close()

	tests := []struct {
		name      string
		local     bool
		to        string
		delivered bool
	}{
		{"http to loopback refused by default", false, srv.URL + "/hook", false},
		{"http to loopback with AllowPrivate", true, srv.URL + "/hook", true},
		{"http to localhost with AllowPrivate", true, "http://localhost:" + port + "/hook", true},
		{"http to another host even with AllowPrivate", true, "http://example.com/hook", false},
		{"http to localhost refused by default", false, "http://localhost:" + port + "/hook", false},
		{"https to loopback refused by the network guard", false, tlsSrv.URL + "/hook", false},
		{"link-local (instance metadata) refused", true, "https://169.254.169.254/latest", false},
		{"link-local refused even with AllowPrivate, by name", true, "http://169.254.169.254/latest/meta-data", false},
		{"private network refused by default", false, "https://10.0.0.1/hook", false},
		{"not a URL", true, "li.lei@example.com", false},
		{"other scheme", true, "ftp://127.0.0.1:" + port + "/hook", false},
		{"credentials in the URL", true, "https://user:pw@example.com/hook", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rc.count()
			w, err := notify.NewWebhook(notify.WebhookConfig{Secret: secret, AllowPrivate: tt.local, Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			err = w.Deliver(context.Background(), notify.Message{ID: "f1", To: tt.to, Text: "t"})
			if tt.delivered {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if rc.count() != before+1 {
					t.Error("receiver not hit")
				}
				return
			}
			if !errors.Is(err, notify.ErrPermanent) {
				t.Fatalf("err = %v, want permanent", err)
			}
			if rc.count() != before {
				t.Error("receiver was hit")
			}
		})
	}
}

func TestWebhookConnectionRefusedIsTransient(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	w, err := notify.NewWebhook(notify.WebhookConfig{Secret: secret, AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	err = w.Deliver(context.Background(), notify.Message{ID: "f1", To: url + "/hook?access_token=s3cret", Text: "t"})
	if err == nil || errors.Is(err, notify.ErrPermanent) {
		t.Fatalf("err = %v, want transient", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error text carries the URL's token: %v", err)
	}
}

func TestWebhookReadsABoundedAnswer(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 4096))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	w, err := notify.NewWebhook(notify.WebhookConfig{Secret: secret, AllowPrivate: true, Client: srv.Client(), Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := w.Deliver(context.Background(), notify.Message{ID: "f1", To: srv.URL, Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s reading an endless answer", d)
	}
}

func TestNewWebhookNeedsASecret(t *testing.T) {
	if _, err := notify.NewWebhook(notify.WebhookConfig{Secret: []byte("short")}); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_740_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := []byte(`{"id":"f1","text":"hello"}`)
	good := notify.Sign(secret, ts, body)
	tests := []struct {
		name      string
		secret    []byte
		timestamp string
		signature string
		body      []byte
		now       time.Time
		ok        bool
	}{
		{"good", secret, ts, good, body, now, true},
		{"good within tolerance", secret, ts, good, body, now.Add(4 * time.Minute), true},
		{"good among several (rotation)", secret, ts, "v1=00ff, " + good, body, now, true},
		{"tampered body", secret, ts, good, []byte(`{"id":"f1","text":"hellO"}`), now, false},
		{"wrong secret", []byte("another-secret-of-16+"), ts, good, body, now, false},
		{"stale timestamp", secret, ts, good, body, now.Add(6 * time.Minute), false},
		{"timestamp from the future", secret, ts, good, body, now.Add(-6 * time.Minute), false},
		{"timestamp changed", secret, strconv.FormatInt(now.Unix()+1, 10), good, body, now, false},
		{"not a timestamp", secret, "yesterday", good, body, now, false},
		{"no signature", secret, ts, "", body, now, false},
		{"bare hex without v1=", secret, ts, strings.TrimPrefix(good, "v1="), body, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := notify.Verify(tt.secret, tt.timestamp, tt.signature, tt.body, tt.now, 5*time.Minute)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, notify.ErrSignature) {
				t.Errorf("err = %v does not wrap ErrSignature", err)
			}
		})
	}
	if !strings.HasPrefix(good, "v1=") || len(good) != 3+64 {
		t.Errorf("signature %q is not v1=<64 hex>", good)
	}
}

// During a rotation every request carries a signature per key, "v1=<new>,v1=<old>":
// a receiver still holding the old key verifies, as does one given the new key, and
// the format of each signature is unchanged.
func TestWebhookSignsWithBothKeysDuringARotation(t *testing.T) {
	newKey := []byte("fedcba9876543210-the-new-secret")
	var got http.Header
	var body []byte
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	w, err := notify.NewWebhook(notify.WebhookConfig{Secret: newKey, Previous: secret, AllowPrivate: true, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Deliver(context.Background(), notify.Message{ID: "r-1", Kind: "k", To: srv.URL + "/hook", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	ts, sig := got.Get(notify.HeaderTimestamp), got.Get(notify.HeaderSignature)
	if want := notify.Sign(newKey, ts, body) + "," + notify.Sign(secret, ts, body); sig != want {
		t.Fatalf("signature %q, want %q", sig, want)
	}
	for name, k := range map[string][]byte{"new": newKey, "old": secret} {
		if err := notify.Verify(k, ts, sig, body, time.Now(), time.Minute); err != nil {
			t.Errorf("a receiver with the %s key: %v", name, err)
		}
	}
	if err := notify.Verify([]byte("a third key, never anyone's......"), ts, sig, body, time.Now(), time.Minute); err == nil {
		t.Error("a third key verified")
	}
	if _, err := notify.NewWebhook(notify.WebhookConfig{Secret: newKey, Previous: []byte("short")}); err == nil {
		t.Error("a short previous secret accepted")
	}
}

// The guard holds by default, whatever stored a follow-up's URL: the Lambda Runtime
// API (127.0.0.1:9001), instance metadata, loopback in IPv6, private networks and the
// forms that hide them are refused before any connection, as permanent failures.
func TestWebhookRefusesInternalTargetsByDefault(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(rc)
	defer tlsSrv.Close()
	tlsPort := tlsSrv.URL[strings.LastIndexByte(tlsSrv.URL, ':')+1:]
	w, err := notify.NewWebhook(notify.WebhookConfig{Secret: secret, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{
		"http://127.0.0.1:9001/",
		"https://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
		"http://169.254.169.254/latest/meta-data",
		"https://169.254.169.254/latest/meta-data",
		"http://[::1]/",
		"https://[::1]:" + tlsPort + "/hook",
		"https://[::ffff:127.0.0.1]:" + tlsPort + "/hook",
		"https://[::ffff:169.254.169.254]/",
		"https://[fd00:ec2::254]/latest/meta-data",
		"https://[64:ff9b::a9fe:a9fe]/",
		"https://127.1:" + tlsPort + "/hook",
		"https://2130706433:" + tlsPort + "/hook",
		"https://0x7f000001/",
		"https://localhost:" + tlsPort + "/hook",
		"https://10.0.0.1/hook",
		"https://192.168.1.10/hook",
		"https://[fe80::1%25eth0]/hook",
		"https://0.0.0.0/hook",
		"https://224.0.0.1/hook",
		srv.URL + "/hook",
	} {
		t.Run(to, func(t *testing.T) {
			err := w.Deliver(context.Background(), notify.Message{ID: "f1", To: to, Text: "t"})
			if !errors.Is(err, notify.ErrPermanent) {
				t.Fatalf("err = %v, want permanent", err)
			}
		})
	}
	if rc.count() != 0 {
		t.Errorf("receivers were hit %d times", rc.count())
	}
}

func TestCheckWebhookURL(t *testing.T) {
	tests := []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.com/rapport?token=x", false, true},
		{"https://93.184.215.14/hook", false, true},
		{"https://[2606:4700::1111]/hook", false, true},
		{"http://hooks.example.com/rapport", false, false},
		{"http://hooks.example.com/rapport", true, false},
		{"http://127.0.0.1:9001/", false, false},
		{"http://127.0.0.1:9001/", true, true},
		{"http://[::1]/", false, false},
		{"http://[::1]/", true, true},
		{"https://10.1.2.3/", true, true},
		{"https://10.1.2.3/", false, false},
		{"https://100.64.0.1/", false, false},
		{"http://169.254.169.254/latest/meta-data", false, false},
		{"http://169.254.169.254/latest/meta-data", true, false},
		{"https://169.254.169.254/latest/meta-data", true, false},
		{"https://[fe80::1]/", true, false},
		{"https://[ff02::1]/", true, false},
		{"https://239.1.1.1/", true, false},
		{"https://[::]/", true, false},
		{"https://[::ffff:10.0.0.1]/", false, false},
		{"https://[2002:a9fe:a9fe::1]/", false, false},
		{"https://user:pw@hooks.example.com/", false, false},
		{"https://user@hooks.example.com/", true, false},
		{"hooks.example.com/rapport", false, false},
		{"/relative", false, false},
		{"mailto:li.lei@example.com", false, false},
		{"ftp://hooks.example.com/", false, false},
		{"https://017700000001/", false, false},
		{"https://hooks.example.1/", false, false},
		{"https://app.localhost/", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		_, err := notify.CheckWebhookURL(tt.url, tt.allowPrivate)
		if (err == nil) != tt.ok {
			t.Errorf("CheckWebhookURL(%q, allowPrivate=%v) = %v, want ok=%v", tt.url, tt.allowPrivate, err, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), "token=") {
			t.Errorf("error carries the query: %v", err)
		}
	}
}

func TestAddressAllowed(t *testing.T) {
	tests := []struct {
		addr                string
		public, withPrivate bool
	}{
		{"93.184.215.14", true, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"10.0.0.1", false, true},
		{"172.31.255.255", false, true},
		{"192.168.0.1", false, true},
		{"fd12:3456::1", false, true},
		{"::ffff:127.0.0.1", false, true},
		{"169.254.169.254", false, false},
		{"169.254.170.2", false, false}, // the ECS/Lambda container credentials endpoint
		{"fd00:ec2::254", false, true},  // ULA: IMDS over IPv6 is only on Nitro instances, not Lambda
		{"fe80::1", false, false},
		{"0.0.0.0", false, false},
		{"::", false, false},
		{"224.0.0.251", false, false},
		{"255.255.255.255", false, false},
		{"64:ff9b::a9fe:a9fe", false, false},
		{"64:ff9b::5db8:d70e", true, true},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		if got := notify.AddressAllowed(a, false); got != tt.public {
			t.Errorf("AddressAllowed(%s, false) = %v, want %v", tt.addr, got, tt.public)
		}
		if got := notify.AddressAllowed(a, true); got != tt.withPrivate {
			t.Errorf("AddressAllowed(%s, true) = %v, want %v", tt.addr, got, tt.withPrivate)
		}
	}
}
