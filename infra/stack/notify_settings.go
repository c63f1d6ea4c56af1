package stack

import (
	"fmt"

	"github.com/rapport-crm/rapport/shared/notify/sms"
)

// webhookSwitch lets webhooks reach loopback and private addresses: only the local
// runner sets it to "true". In AWS a follow-up to 127.0.0.1:9001 (the Lambda Runtime
// API) or 169.254.169.254 would be a blind SSRF, so every row that declares it must
// give the literal "false", never a Setting that CDK context could change.
const webhookSwitch = "NOTIFY_WEBHOOK_ALLOW_PRIVATE"

// SMS sender settings (CDK context), read by followup-sms's row.
const (
	settingSMSSenderID          = "smsSenderId"
	settingSMSOriginationNumber = "smsOriginationNumber"
)

// validateNotifySettings: the webhook switch stays off in every stage, and the SMS
// sender settings are ones SNS accepts (checked again at followup-sms's cold start).
func (p StackProps) validateNotifySettings() []error {
	var errs []error
	for _, f := range p.Functions {
		for _, e := range f.Env {
			if e.Name == webhookSwitch && (e.Value != "false" || e.Setting != "" || e.Table != "" || e.Queue != "" || e.Key != "" || e.API) {
				errs = append(errs, fmt.Errorf("function %s: %s must be the literal \"false\" in AWS (only the local runner lets webhooks reach loopback and private addresses)", f.Name, webhookSwitch))
			}
		}
	}
	senders := sms.Config{SenderID: p.Settings[settingSMSSenderID], OriginationNumber: p.Settings[settingSMSOriginationNumber]}
	if err := senders.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("SMS settings: %w", err))
	}
	return errs
}
