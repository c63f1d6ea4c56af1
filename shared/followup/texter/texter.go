// Package texter builds followup-sms: it takes the SMS followup-sender rendered off
// the texts queue and delivers them by Amazon SNS (or into the outbox). Only
// followup-sms links the SNS client (shared/followup, Relay).
package texter

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/notify/sms"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds followup-sms, fed by the texts queue.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	ch, err := channel(env.String("NOTIFY_CHANNEL"), sms.Config{
		SenderID: env.Optional("NOTIFY_SMS_SENDER_ID", ""), OriginationNumber: env.Optional("NOTIFY_SMS_ORIGINATION_NUMBER", ""),
	}, d, env.String("FOLLOWUPS_TABLE"))
	if err != nil {
		return app.Function{}, err
	}
	return app.Function{Queue: followup.NewDeliverer(row, env, d, map[string]followup.Channel{"sms": ch}).Handle}, nil
}

// channel is the SMS channel of a NOTIFY_CHANNEL mode: "outbox" (local and dev stages)
// delivers into the followups table; "aws" sends by Amazon SNS. The sender settings
// (smsSenderId, smsOriginationNumber) are checked in either mode, so a dev stack
// catches a bad value.
func channel(mode string, cfg sms.Config, d app.Deps, table string) (followup.Channel, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("NOTIFY_SMS_SENDER_ID / NOTIFY_SMS_ORIGINATION_NUMBER: %w", err)
	}
	switch mode {
	case "outbox", "":
		return followup.NewOutbox(d.Clients.DynamoDB, table), nil
	case "aws":
		text, err := sms.New(sns.NewFromConfig(d.Clients.Config), cfg)
		if err != nil {
			return nil, err
		}
		return followup.Adapt(text), nil
	default:
		return nil, fmt.Errorf("NOTIFY_CHANNEL %q: use outbox or aws", mode)
	}
}
