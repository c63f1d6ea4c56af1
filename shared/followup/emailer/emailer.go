// Package emailer builds followup-email: it takes the emails followup-sender rendered
// off the emails queue and delivers them by Amazon SES (or into the outbox). Only
// followup-email links the SES client, and it links no other message service: a
// follow-up goes out in steps so that each function stays small (shared/followup,
// Relay).
package emailer

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/notify/email"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds followup-email, fed by the emails queue: with NOTIFY_CHANNEL=aws it
// sends by Amazon SES from the NOTIFY_EMAIL_FROM address, naming
// NOTIFY_SES_CONFIGURATION_SET's configuration set.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	cfg := email.Config{From: env.Optional("NOTIFY_EMAIL_FROM", ""), ConfigurationSet: env.Optional("NOTIFY_SES_CONFIGURATION_SET", "")}
	return followup.ChannelFunction(row, env, d, "email", func() (followup.Channel, error) { return sesChannel(d, cfg) })
}

func sesChannel(d app.Deps, cfg email.Config) (followup.Channel, error) {
	mail, err := email.New(sesv2.NewFromConfig(d.Clients.Config), cfg)
	if err != nil {
		return nil, fmt.Errorf("NOTIFY_EMAIL_FROM (the emailFrom setting): %w", err)
	}
	return followup.Adapt(mail), nil
}
