package followup

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/notify"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// DispatcherFunction builds followup-dispatcher, run by the schedule: it enqueues
// due follow-ups and nothing else.
func DispatcherFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	disp := &Dispatcher{
		Store:      &Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")},
		Queue:      d.Clients.SQS,
		QueueURL:   env.String("FOLLOWUPS_QUEUE_URL"),
		Clock:      d.Clock,
		PageSize:   100,
		StuckAfter: 15 * time.Minute,
		Reserve:    5 * time.Second,
	}
	return app.Function{Schedule: app.ScheduleLog("followup-dispatcher", disp.Run)}, nil
}

// NewSender builds the sender of followup-sender, fed by the follow-up queue: its
// table, channels and retries. The gate that applies customers' consent and the places
// that brand a location's messages join other domains: the function's builder sets
// them (shared/outreach).
func NewSender(row wiring.Function, env *config.Env, d app.Deps) (*Sender, error) {
	table := env.String("FOLLOWUPS_TABLE")
	var webhookKey WebhookKey
	var err error
	if ref := env.String("WEBHOOK_KEY"); ref != "" {
		if webhookKey, err = keyring.NewSecret(ref, secretsmanager.NewFromConfig(d.Clients.Config), keyring.SecretTTL); err != nil {
			return nil, err
		}
	}
	allowPrivate, err := webhookAllowPrivate(env)
	if err != nil {
		return nil, err
	}
	channels, err := notifyChannelsWith(env.String("NOTIFY_CHANNEL"), channelSettings{
		Email:                notify.EmailConfig{From: env.Optional("NOTIFY_EMAIL_FROM", ""), ConfigurationSet: env.Optional("NOTIFY_SES_CONFIGURATION_SET", "")},
		SMS:                  notify.SMSConfig{SenderID: env.Optional("NOTIFY_SMS_SENDER_ID", ""), OriginationNumber: env.Optional("NOTIFY_SMS_ORIGINATION_NUMBER", "")},
		AllowPrivateWebhooks: allowPrivate,
	}, d, table, webhookKey)
	if err != nil {
		return nil, err
	}
	s := &Sender{Store: &Store{DB: d.Clients.DynamoDB, Table: table}, Channels: channels, Clock: d.Clock, Lease: 60 * time.Second,
		Retry: d.Clients.SQS, QueueURL: env.String("FOLLOWUPS_QUEUE_URL"), RetryBase: env.Duration("FOLLOWUP_RETRY_BASE", 30*time.Second)}
	s.Brand = notify.Brand{Name: env.Optional("BRAND_NAME", "Rapport")}
	if q, ok := wiring.QueueByName(row.Trigger.Queue.Queue); ok {
		s.MaxReceives = q.MaxReceiveCount
	}
	return s, nil
}

// webhookAllowPrivate reads NOTIFY_WEBHOOK_ALLOW_PRIVATE: "false" (the row's value, and
// the only one the stack deploys) or "true", which only the local runner sets so that
// webhooks reach its test receivers on loopback and private addresses.
func webhookAllowPrivate(env *config.Env) (bool, error) {
	switch v := env.Optional("NOTIFY_WEBHOOK_ALLOW_PRIVATE", "false"); v {
	case "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, fmt.Errorf("NOTIFY_WEBHOOK_ALLOW_PRIVATE %q: use true (local runner only) or false", v)
	}
}

// channelSettings are the channels' configuration.
type channelSettings struct {
	Email notify.EmailConfig
	// SMS names the sender id or origination number (settings smsSenderId and
	// smsOriginationNumber); checked in every mode, so a dev stack catches a bad value.
	SMS notify.SMSConfig
	// AllowPrivateWebhooks is NOTIFY_WEBHOOK_ALLOW_PRIVATE, whatever the mode.
	AllowPrivateWebhooks bool
}

// notifyChannels maps each channel name to its adapter. "outbox" (local and dev
// stages) delivers email and SMS into the followups table; "aws" sends email by Amazon
// SES (from the NOTIFY_EMAIL_FROM address) and SMS by Amazon SNS. In both, webhooks are
// sent for real, to public addresses only unless NOTIFY_WEBHOOK_ALLOW_PRIVATE.
func notifyChannels(mode, from string, d app.Deps, table string, key WebhookKey) (map[string]Channel, error) {
	return notifyChannelsWith(mode, channelSettings{Email: notify.EmailConfig{From: from}}, d, table, key)
}

// notifyChannelsWith is notifyChannels with the whole configuration (the SES
// configuration set every SendEmail names, NOTIFY_SES_CONFIGURATION_SET; the SMS
// sender; the webhooks' local switch).
func notifyChannelsWith(mode string, cfg channelSettings, d app.Deps, table string, key WebhookKey) (map[string]Channel, error) {
	if err := cfg.SMS.Validate(); err != nil {
		return nil, fmt.Errorf("NOTIFY_SMS_SENDER_ID / NOTIFY_SMS_ORIGINATION_NUMBER: %w", err)
	}
	webhook := &lazyWebhook{key: key, allowPrivate: cfg.AllowPrivateWebhooks, now: time.Now}
	switch mode {
	case "outbox", "":
		out := &Outbox{DB: d.Clients.DynamoDB, Table: table, Keep: 30 * 24 * time.Hour}
		return map[string]Channel{"email": out, "sms": out, "webhook": webhook}, nil
	case "aws":
		email, err := notify.NewEmail(sesv2.NewFromConfig(d.Clients.Config), cfg.Email)
		if err != nil {
			return nil, fmt.Errorf("NOTIFY_EMAIL_FROM (the emailFrom setting): %w", err)
		}
		sms, err := notify.NewSMS(sns.NewFromConfig(d.Clients.Config), cfg.SMS)
		if err != nil {
			return nil, err
		}
		return map[string]Channel{"email": adapter{email}, "sms": adapter{sms}, "webhook": webhook}, nil
	default:
		return nil, fmt.Errorf("NOTIFY_CHANNEL %q: use outbox or aws", mode)
	}
}

// NewStaff builds the schedule, list and cancel routes of followups-staff over the
// follow-ups table. The directory of customers and the places they join are the
// function's builder's to set (shared/outreach).
func NewStaff(env *config.Env, d app.Deps) (*Staff, error) {
	allowPrivate, err := webhookAllowPrivate(env)
	if err != nil {
		return nil, err
	}
	st := &Staff{Store: &Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")}, Clock: d.Clock, AllowPrivateWebhooks: allowPrivate}
	if st.Store.Cursors, err = curs.FromRef(env.String("CURSOR_KEY"), secretsmanager.NewFromConfig(d.Clients.Config)); err != nil {
		return nil, err
	}
	return st, nil
}
