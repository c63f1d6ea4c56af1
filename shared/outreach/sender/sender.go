// Package sender builds followup-sender: the follow-up sender over its channels (email
// by Amazon SES, SMS by Amazon SNS, webhooks), with outreach's consent gate and the
// locations' branding. It stands apart from outreach so that only followup-sender links
// the SES and SNS clients.
package sender

import (
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/notify/email"
	"github.com/rapport-crm/rapport/shared/notify/sms"
	"github.com/rapport-crm/rapport/shared/outreach"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds followup-sender, fed by the follow-up queue: the sender over
// its channels (email, SMS, webhooks), with the customers' gate and the locations'
// branding.
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
	table := env.String("FOLLOWUPS_TABLE")
	channels, err := notifyChannelsWith(env.String("NOTIFY_CHANNEL"), channelSettings{
		Email:                email.Config{From: env.Optional("NOTIFY_EMAIL_FROM", ""), ConfigurationSet: env.Optional("NOTIFY_SES_CONFIGURATION_SET", "")},
		SMS:                  sms.Config{SenderID: env.Optional("NOTIFY_SMS_SENDER_ID", ""), OriginationNumber: env.Optional("NOTIFY_SMS_ORIGINATION_NUMBER", "")},
		AllowPrivateWebhooks: allowPrivate,
	}, d, table, webhookKey)
	if err != nil {
		return app.Function{}, err
	}
	s := followup.NewSender(row, env, d, channels)
	s.Gate, s.Locations = gate, locs
	return app.Function{Queue: s.Handle}, nil
}
