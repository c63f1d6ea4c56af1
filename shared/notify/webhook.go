package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Webhook headers. The signature is "v1=" and the hex HMAC-SHA256, keyed with the
// shared secret, of the timestamp, a dot and the raw body: the scheme of Stripe- and
// Slack-style webhooks. Bot webhooks that sign differently or want their own body
// (WeCom and DingTalk group robots answer HTTP 200 with an error code in the body), and
// a business's own SMS gateway, sit behind a small receiving adapter that calls Verify,
// dedupes on X-Rapport-Id, and forwards in the receiver's format.
const (
	HeaderID        = "X-Rapport-Id"
	HeaderTimestamp = "X-Rapport-Timestamp"
	HeaderSignature = "X-Rapport-Signature"
)

// ErrSignature is what Verify's errors wrap.
var ErrSignature = errors.New("webhook signature does not verify")

// errForbiddenAddress: the webhook's host resolves to a network it may not reach.
var errForbiddenAddress = errors.New("address not allowed for webhooks")

// WebhookConfig is how Webhook sends. The URL is each message's To.
type WebhookConfig struct {
	// Secret signs every request; at least 16 bytes (32 random bytes recommended).
	Secret []byte
	// Previous, when set, signs every request too, after Secret: during a rotation the
	// signature header carries "v1=<new>,v1=<old>", which Verify accepts with either.
	Previous []byte
	// Timeout bounds one request, reading the answer included; default 5 s.
	Timeout time.Duration
	// AllowInsecureLocal lets http:// reach 127.0.0.1, ::1 and localhost (local runs
	// and tests) and lets connections reach loopback addresses.
	AllowInsecureLocal bool
	// AllowPrivateNetworks lets connections reach private (RFC 1918, ULA) addresses,
	// for a receiver inside the business's VPC. Loopback, link-local (instance
	// metadata) and unspecified addresses stay refused unless AllowInsecureLocal.
	AllowPrivateNetworks bool
	// Client replaces the built-in client (tests: an httptest TLS server's client).
	// Its redirect policy is replaced: redirects are never followed. The network
	// guard above applies only to the built-in client.
	Client *http.Client
	// Now is the clock for the timestamp; default time.Now.
	Now func() time.Time
}

// Webhook delivers messages as signed JSON POSTs to the URL in the message's To.
type Webhook struct {
	client   *http.Client
	secret   []byte
	previous []byte
	local    bool
	now      func() time.Time
}

// maxAnswer caps how much of a receiver's answer is read (and thrown away).
const maxAnswer = 64 << 10

// NewWebhook checks the configuration once, at cold start.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if len(cfg.Secret) < 16 || (cfg.Previous != nil && len(cfg.Previous) < 16) {
		return nil, errors.New("notify webhook: the secret must be at least 16 bytes")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	var c http.Client
	if cfg.Client != nil {
		c = *cfg.Client
	} else {
		d := &net.Dialer{Timeout: timeout, Control: guard(cfg.AllowInsecureLocal, cfg.AllowPrivateNetworks)}
		c.Transport = &http.Transport{
			// No proxy from the environment: the guard must see the receiver's address.
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
		}
	}
	if c.Timeout <= 0 || c.Timeout > timeout {
		c.Timeout = timeout
	}
	// A redirect would move a signed message to a host nobody configured.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Webhook{client: &c, secret: bytes.Clone(cfg.Secret), previous: bytes.Clone(cfg.Previous), local: cfg.AllowInsecureLocal, now: now}, nil
}

// payload is the JSON body.
type payload struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	Locale     string    `json:"locale,omitempty"`
	LocationID string    `json:"locationId,omitempty"`
	To         string    `json:"to"`
	Subject    string    `json:"subject"`
	Text       string    `json:"text"`
	SentAt     time.Time `json:"sentAt"`
}

// Deliver posts m to the URL m.To. 2xx is delivered; 3xx and 4xx other than 408 and
// 429 are permanent; 408, 429, 5xx and network failures are transient.
func (w *Webhook) Deliver(ctx context.Context, m Message) error {
	u, err := w.target(m.To)
	if err != nil {
		return permanent("webhook: "+err.Error(), nil)
	}
	host := u.Host
	now := w.now()
	sentAt := m.SentAt
	if sentAt.IsZero() {
		sentAt = now
	}
	// The body names the URL without its query, where bot webhooks keep access tokens.
	to := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	body, err := json.Marshal(payload{
		ID: m.ID, Kind: m.Kind, Locale: m.Locale, LocationID: m.LocationID, To: to.String(),
		Subject: m.Subject, Text: m.Text, SentAt: sentAt.UTC(),
	})
	if err != nil {
		return permanent("webhook: encode", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return permanent("webhook: request", nil)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Rapport-Webhook/1")
	req.Header.Set(HeaderID, m.ID)
	req.Header.Set(HeaderTimestamp, ts)
	sig := Sign(w.secret, ts, body)
	if w.previous != nil {
		sig += "," + Sign(w.previous, ts, body)
	}
	req.Header.Set(HeaderSignature, sig)

	op := "webhook post " + m.ID + " to " + host
	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL, tokens and all
		}
		if errors.Is(err, errForbiddenAddress) {
			return permanent(op, err)
		}
		return transient(op, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	_ = resp.Body.Close()
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		return transient(op, fmt.Errorf("answered %d", code))
	case code >= 300 && code < 400:
		return permanent(op, fmt.Errorf("answered %d (redirects are not followed)", code))
	default:
		return permanent(op, fmt.Errorf("answered %d", code))
	}
}

// target parses and checks a webhook URL: https, or http to a local host when allowed.
func (w *Webhook) target(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("recipient is not an absolute URL")
	}
	if u.User != nil {
		return nil, errors.New("URL must not carry credentials")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !w.local || !isLocalHost(u.Hostname()) {
			return nil, errors.New("URL must be https")
		}
	default:
		return nil, errors.New("URL must be https")
	}
	u.Fragment = ""
	return u, nil
}

func isLocalHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// guard refuses connections to addresses a webhook must not reach. It runs on the
// resolved address at connect time, so DNS cannot point a name around it.
func guard(loopback, private bool) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", errForbiddenAddress, address)
		}
		a := ap.Addr().Unmap()
		switch {
		case a.IsLoopback():
			if loopback {
				return nil
			}
		case a.IsPrivate():
			if private {
				return nil
			}
		case a.IsUnspecified(), a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast(), a.IsMulticast(), a.IsInterfaceLocalMulticast():
		default:
			return nil
		}
		return fmt.Errorf("%w: %s", errForbiddenAddress, a)
	}
}

// Sign is the X-Rapport-Signature value for a body sent at timestamp (unix seconds).
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a received webhook: the signature header (one or more
// comma-separated "v1=<hex>", so a sender can sign with an old and a new secret while
// they rotate) against the raw body, and that the timestamp is within tolerance of now
// (default 5 minutes), which bounds replays; dedupe on X-Rapport-Id for the rest.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = 5 * time.Minute
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: bad timestamp", ErrSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp outside the %s tolerance", ErrSignature, tolerance)
	}
	want := Sign(secret, strings.TrimSpace(timestamp), body)
	for _, part := range strings.Split(signature, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(part)), []byte(want)) {
			return nil
		}
	}
	return fmt.Errorf("%w: no matching v1 signature", ErrSignature)
}
