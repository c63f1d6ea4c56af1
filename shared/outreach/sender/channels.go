package sender

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/notify/email"
	"github.com/rapport-crm/rapport/shared/notify/sms"
)

// channelSettings are the sender's channels' configuration.
type channelSettings struct {
	Email email.Config
	// SMS names the sender id or origination number (settings smsSenderId and
	// smsOriginationNumber); checked in every mode, so a dev stack catches a bad value.
	SMS sms.Config
	// AllowPrivateWebhooks is NOTIFY_WEBHOOK_ALLOW_PRIVATE, whatever the mode.
	AllowPrivateWebhooks bool
}

// notifyChannels maps each channel name to its adapter. "outbox" (local and dev
// stages) delivers email and SMS into the followups table; "aws" sends email by Amazon
// SES (from the NOTIFY_EMAIL_FROM address) and SMS by Amazon SNS. In both, webhooks are
// sent for real, to public addresses only unless NOTIFY_WEBHOOK_ALLOW_PRIVATE. Built
// here, in followup-sender's builder, so that no other function links SES or SNS.
func notifyChannels(mode, from string, d app.Deps, table string, key followup.WebhookKey) (map[string]followup.Channel, error) {
	return notifyChannelsWith(mode, channelSettings{Email: email.Config{From: from}}, d, table, key)
}

// notifyChannelsWith is notifyChannels with the whole configuration (the SES
// configuration set every SendEmail names, NOTIFY_SES_CONFIGURATION_SET; the SMS
// sender; the webhooks' local switch).
func notifyChannelsWith(mode string, cfg channelSettings, d app.Deps, table string, key followup.WebhookKey) (map[string]followup.Channel, error) {
	if err := cfg.SMS.Validate(); err != nil {
		return nil, fmt.Errorf("NOTIFY_SMS_SENDER_ID / NOTIFY_SMS_ORIGINATION_NUMBER: %w", err)
	}
	webhook := followup.NewWebhook(key, cfg.AllowPrivateWebhooks)
	switch mode {
	case "outbox", "":
		out := &followup.Outbox{DB: d.Clients.DynamoDB, Table: table, Keep: 30 * 24 * time.Hour}
		return map[string]followup.Channel{"email": out, "sms": out, "webhook": webhook}, nil
	case "aws":
		mail, err := email.New(sesv2.NewFromConfig(d.Clients.Config), cfg.Email)
		if err != nil {
			return nil, fmt.Errorf("NOTIFY_EMAIL_FROM (the emailFrom setting): %w", err)
		}
		text, err := sms.New(sns.NewFromConfig(d.Clients.Config), cfg.SMS)
		if err != nil {
			return nil, err
		}
		return map[string]followup.Channel{"email": followup.Adapt(mail), "sms": followup.Adapt(text), "webhook": webhook}, nil
	default:
		return nil, fmt.Errorf("NOTIFY_CHANNEL %q: use outbox or aws", mode)
	}
}
