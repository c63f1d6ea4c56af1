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

// Function builds followup-email, fed by the emails queue.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	ch, err := channel(env.String("NOTIFY_CHANNEL"), email.Config{
		From: env.Optional("NOTIFY_EMAIL_FROM", ""), ConfigurationSet: env.Optional("NOTIFY_SES_CONFIGURATION_SET", ""),
	}, d, env.String("FOLLOWUPS_TABLE"))
	if err != nil {
		return app.Function{}, err
	}
	return app.Function{Queue: followup.NewDeliverer(row, env, d, map[string]followup.Channel{"email": ch}).Handle}, nil
}

// channel is the email channel of a NOTIFY_CHANNEL mode: "outbox" (local and dev
// stages) delivers into the followups table; "aws" sends by Amazon SES from the
// NOTIFY_EMAIL_FROM address, naming NOTIFY_SES_CONFIGURATION_SET's configuration set.
func channel(mode string, cfg email.Config, d app.Deps, table string) (followup.Channel, error) {
	switch mode {
	case "outbox", "":
		return followup.NewOutbox(d.Clients.DynamoDB, table), nil
	case "aws":
		mail, err := email.New(sesv2.NewFromConfig(d.Clients.Config), cfg)
		if err != nil {
			return nil, fmt.Errorf("NOTIFY_EMAIL_FROM (the emailFrom setting): %w", err)
		}
		return followup.Adapt(mail), nil
	default:
		return nil, fmt.Errorf("NOTIFY_CHANNEL %q: use outbox or aws", mode)
	}
}
