package followup

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/shared/notify"
)

// ErrPermanent is shared with the channel adapters: a failure that can never succeed.
var ErrPermanent = notify.ErrPermanent

// Adapt lets a notify channel (shared/notify/email, shared/notify/sms) deliver
// follow-up messages.
func Adapt(ch notify.Channel) Channel { return adapter{ch} }

// adapter lets a notify channel deliver follow-up messages.
type adapter struct{ ch notify.Channel }

func (a adapter) Deliver(ctx context.Context, m Message) error {
	return a.ch.Deliver(ctx, notify.Message{ID: m.ID, Kind: m.Kind, Channel: m.Channel, To: m.To, Locale: m.Locale,
		Subject: m.Subject, Text: m.Body, HTML: m.HTML, LocationID: m.LocationID, SentAt: m.SentAt, Marketing: Marketing(m.Kind),
		UnsubscribeURL: m.UnsubscribeURL})
}

// WebhookKey is the secret webhooks are signed with (Secrets Manager in AWS, a key file
// locally; shared/keyring), read through a short cache so a rotation reaches the sender
// within minutes.
type WebhookKey interface {
	// Versions are the current key, the previous one (nil if it never rotated) and
	// when the current one was made.
	Versions(ctx context.Context) (current, previous []byte, since time.Time, err error)
}

// RotationOverlap is how long after a rotation webhooks are signed with the previous
// key as well as the new one (X-Rapport-Signature: v1=<new>,v1=<old>), so a receiver
// keeps verifying until its admin gives it the new key; after it, a receiver still on
// the old key fails, which is how it notices.
const RotationOverlap = 7 * 24 * time.Hour

// NewWebhook is the webhook channel: each message signed with key's current version
// (and the previous one for RotationOverlap after a rotation), sent to public
// addresses only unless allowPrivate (NOTIFY_WEBHOOK_ALLOW_PRIVATE, local runner only).
func NewWebhook(key WebhookKey, allowPrivate bool) Channel {
	return &lazyWebhook{key: key, allowPrivate: allowPrivate, now: time.Now}
}

// lazyWebhook builds the webhook channel on first use, and again when the key has
// rotated: builders do no I/O.
type lazyWebhook struct {
	key WebhookKey
	// allowPrivate is NOTIFY_WEBHOOK_ALLOW_PRIVATE: true only in the local runner.
	allowPrivate bool
	now          func() time.Time

	mu       sync.Mutex
	wh       *notify.Webhook
	current  []byte
	previous []byte
}

func (l *lazyWebhook) Deliver(ctx context.Context, m Message) error {
	cur, prev, since, err := l.key.Versions(ctx)
	if err != nil {
		return fmt.Errorf("webhook key: %w", err)
	}
	if l.now().Sub(since) >= RotationOverlap {
		prev = nil
	}
	l.mu.Lock()
	if l.wh == nil || !bytes.Equal(cur, l.current) || !bytes.Equal(prev, l.previous) {
		wh, err := notify.NewWebhook(notify.WebhookConfig{Secret: cur, Previous: prev, Timeout: 4 * time.Second,
			AllowPrivate: l.allowPrivate})
		if err != nil {
			l.mu.Unlock()
			return err
		}
		l.wh, l.current, l.previous = wh, cur, prev
	}
	wh := l.wh
	l.mu.Unlock()
	return adapter{wh}.Deliver(ctx, m)
}
