// Package sender builds followup-sender: the follow-up sender, with outreach's consent
// gate and the locations' branding, which sends webhooks itself and hands emails and
// SMS to followup-deliverer (shared/followup/deliverer), the only function that links
// the SES and SNS clients.
package sender

import (
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/outreach"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds followup-sender, fed by the follow-up queue: the sender over its
// channels (webhooks; email and SMS relayed), with the customers' gate and the
// locations' branding.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	custs, locs := outreach.Stores(env, d)
	signer, err := customer.NewSigner(custs, env.String("UNSUBSCRIBE_KEY"), d)
	if err != nil {
		return app.Function{}, err
	}
	gate := &outreach.Gate{Customers: custs, Signer: signer,
		PublicURL: env.String("PUBLIC_BASE_URL"), CapWindow: env.Duration("MARKETING_CAP_WINDOW", 7*24*time.Hour)}
	var webhookKey followup.WebhookKey
	if ref := env.String("WEBHOOK_KEY"); ref != "" {
		if webhookKey, err = d.Secret(ref, keyring.SecretTTL); err != nil {
			return app.Function{}, err
		}
	}
	allowPrivate, err := followup.AllowPrivateWebhooks(env)
	if err != nil {
		return app.Function{}, err
	}
	// One SQS client for the hand-over and the back-off, built once at cold start.
	d.Clients.SQS = d.Clients.Queues()
	channels := followup.Relayed(env, d, followup.NewWebhook(webhookKey, allowPrivate))
	s := followup.NewSender(row, env, d, channels)
	s.Gate, s.Locations = gate, locs
	return app.Function{Queue: s.Handle}, nil
}
