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

// Function builds followup-sms, fed by the texts queue: with NOTIFY_CHANNEL=aws it
// sends by Amazon SNS. The sender settings (smsSenderId, smsOriginationNumber) are
// checked in either mode, so a dev stack catches a bad value.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	cfg := sms.Config{SenderID: env.Optional("NOTIFY_SMS_SENDER_ID", ""), OriginationNumber: env.Optional("NOTIFY_SMS_ORIGINATION_NUMBER", "")}
	if err := cfg.Validate(); err != nil {
		return app.Function{}, fmt.Errorf("NOTIFY_SMS_SENDER_ID / NOTIFY_SMS_ORIGINATION_NUMBER: %w", err)
	}
	return followup.ChannelFunction(row, env, d, "sms", func() (followup.Channel, error) {
		text, err := sms.New(sns.NewFromConfig(d.Clients.Config), cfg)
		if err != nil {
			return nil, err
		}
		return followup.Adapt(text), nil
	})
}
