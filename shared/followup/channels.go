package followup

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/notify"
)

// ErrPermanent is shared with the channel adapters: a failure that can never succeed.
var ErrPermanent = notify.ErrPermanent

// adapter lets a notify channel deliver follow-up messages.
type adapter struct{ ch notify.Channel }

func (a adapter) Deliver(ctx context.Context, m Message) error {
	return a.ch.Deliver(ctx, notify.Message{ID: m.ID, Kind: m.Kind, Channel: m.Channel, To: m.To, Locale: m.Locale,
		Subject: m.Subject, Text: m.Body, HTML: m.HTML, LocationID: m.LocationID, SentAt: m.SentAt, Marketing: Marketing(m.Kind)})
}

// lazyWebhook builds the webhook channel on first use, with the deployment's webhook
// key from the customers table: builders do no I/O, and the key is created once at
// random rather than deployed as a secret.
type lazyWebhook struct {
	keys  *customer.Store
	local bool

	mu sync.Mutex
	wh *notify.Webhook
}

// WebhookKeyPurpose names the key that signs webhooks (admins read it at
// GET /v1/settings/webhook-key).
const WebhookKeyPurpose = "webhook"

func (l *lazyWebhook) Deliver(ctx context.Context, m Message) error {
	l.mu.Lock()
	if l.wh == nil {
		key, err := l.keys.Key(ctx, WebhookKeyPurpose)
		if err != nil {
			l.mu.Unlock()
			return fmt.Errorf("webhook key: %w", err)
		}
		wh, err := notify.NewWebhook(notify.WebhookConfig{Secret: key, Timeout: 4 * time.Second,
			AllowInsecureLocal: l.local, AllowPrivateNetworks: l.local})
		if err != nil {
			l.mu.Unlock()
			return err
		}
		l.wh = wh
	}
	wh := l.wh
	l.mu.Unlock()
	return adapter{wh}.Deliver(ctx, m)
}
