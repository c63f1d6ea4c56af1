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
	// AllowPrivate is the local runner's switch (NOTIFY_WEBHOOK_ALLOW_PRIVATE), never
	// set in AWS: it lets webhooks reach loopback and private (RFC 1918, ULA, CGNAT)
	// addresses, and http:// to a loopback host. Link-local (instance metadata),
	// multicast and unspecified addresses stay refused even with it.
	AllowPrivate bool
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
	private  bool
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
		d := &net.Dialer{Timeout: timeout, Control: guard(cfg.AllowPrivate)}
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
	return &Webhook{client: &c, secret: bytes.Clone(cfg.Secret), previous: bytes.Clone(cfg.Previous), private: cfg.AllowPrivate, now: now}, nil
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
	u, err := CheckWebhookURL(m.To, w.private)
	if err != nil {
		return Permanent("webhook: "+err.Error(), nil)
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
		return Permanent("webhook: encode", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Permanent("webhook: request", nil)
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
			return Permanent(op, err)
		}
		return Transient(op, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	_ = resp.Body.Close()
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
		return Transient(op, fmt.Errorf("answered %d", code))
	case code >= 300 && code < 400:
		return Permanent(op, fmt.Errorf("answered %d (redirects are not followed)", code))
	default:
		return Permanent(op, fmt.Errorf("answered %d", code))
	}
}

// CheckWebhookURL parses and checks a webhook URL, when a follow-up is scheduled and
// again before it is sent: absolute, no credentials, https (http only to a loopback
// host, and only with allowPrivate), and a host that is not an address a webhook may
// not reach (see AddressAllowed). A host name that resolves to such an address is
// caught when connecting. The error's text names neither the URL nor its query.
func CheckWebhookURL(raw string, allowPrivate bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !u.IsAbs() || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return nil, errors.New("must be an absolute https URL")
	}
	if u.User != nil {
		return nil, errors.New("must not carry credentials (user:password@)")
	}
	host := u.Hostname()
	switch u.Scheme {
	case "https":
	case "http":
		if !allowPrivate || !isLoopbackHost(host) {
			return nil, errors.New("must be https")
		}
	default:
		return nil, errors.New("must be https")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !AddressAllowed(a, allowPrivate) {
			return nil, fmt.Errorf("must not point at %s, a loopback, private, link-local or multicast address", a)
		}
	} else if numericHost(host) || (isLoopbackHost(host) && !allowPrivate) {
		// "127.1", "2130706433", "0x7f.0.0.1": resolvers read them as addresses.
		return nil, errors.New("must name a public host: " + host + " is a loopback name or an address in a form that hides it")
	}
	u.Fragment = ""
	return u, nil
}

// isLoopbackHost: localhost (and names under it) or a loopback address.
func isLoopbackHost(h string) bool {
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
}

// numericHost: a host whose last label is a number (decimal, octal or hex), which URL
// parsers and resolvers read as an IPv4 address, not a name.
func numericHost(h string) bool {
	h = strings.TrimSuffix(h, ".")
	last := h[strings.LastIndexByte(h, '.')+1:]
	if l := strings.ToLower(last); strings.HasPrefix(l, "0x") {
		last = l[2:]
		return last == "" || strings.Trim(last, "0123456789abcdef") == ""
	}
	return last != "" && strings.Trim(last, "0123456789") == ""
}

var (
	// Never: unspecified, "this network", link-local (169.254.169.254 is instance
	// metadata), multicast, reserved and broadcast.
	neverPrefixes = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("169.254.0.0/16"),
		netip.MustParsePrefix("224.0.0.0/4"), netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("::/128"), netip.MustParsePrefix("fe80::/10"), netip.MustParsePrefix("ff00::/8"),
	}
	// Only with the local switch: loopback, private, shared (CGNAT), benchmarking,
	// IETF protocol assignments, site-local and unique local.
	localPrefixes = []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("fc00::/7"), netip.MustParsePrefix("fec0::/10"),
	}
	// IPv6 forms that carry an IPv4 address in their last 32 bits: IPv4-compatible
	// (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d); IPv4-mapped is unmapped first.
	embeds4   = []netip.Prefix{netip.MustParsePrefix("::/96"), netip.MustParsePrefix("64:ff9b::/96")}
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// AddressAllowed reports whether a webhook may connect to a: a public address, or,
// with allowPrivate (the local runner only), a loopback or private one.
func AddressAllowed(a netip.Addr, allowPrivate bool) bool {
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	a = a.Unmap()
	for _, p := range neverPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	for _, p := range localPrefixes {
		if p.Contains(a) {
			return allowPrivate
		}
	}
	if a.Is6() {
		for _, p := range embeds4 {
			if p.Contains(a) {
				b := a.As16()
				return AddressAllowed(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), allowPrivate)
			}
		}
		if sixToFour.Contains(a) { // 6to4 carries one in bits 16-47
			b := a.As16()
			return AddressAllowed(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), allowPrivate)
		}
	}
	return true
}

// guard refuses connections to addresses a webhook must not reach. It runs on the
// resolved address at connect time, so DNS cannot point a name around it.
func guard(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !AddressAllowed(ap.Addr(), allowPrivate) {
			return fmt.Errorf("%w: %s", errForbiddenAddress, address)
		}
		return nil
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
