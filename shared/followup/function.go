package followup

import (
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/notify"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// JobBuilder makes a periodic job another domain runs on the dispatcher's schedule.
type JobBuilder func(env *config.Env, d app.Deps) Job

// DispatcherWith builds followup-dispatcher, run by the schedule, with the other
// domains' periodic jobs (SLA checks, point expiry, birthdays, win-back).
func DispatcherWith(jobs ...JobBuilder) app.Builder {
	return func(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
		fn, disp := dispatcher(env, d)
		for _, j := range jobs {
			disp.Jobs = append(disp.Jobs, j(env, d))
		}
		return fn, nil
	}
}

func dispatcher(env *config.Env, d app.Deps) (app.Function, *Dispatcher) {
	disp := &Dispatcher{
		Store:      &Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")},
		Queue:      d.Clients.SQS,
		QueueURL:   env.String("FOLLOWUPS_QUEUE_URL"),
		Clock:      d.Clock,
		PageSize:   100,
		StuckAfter: 15 * time.Minute,
		Reserve:    5 * time.Second,
	}
	return app.Function{Schedule: app.ScheduleLog("followup-dispatcher", disp.Run)}, disp
}

// SenderFunction builds followup-sender, fed by the follow-up queue.
func SenderFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	table := env.String("FOLLOWUPS_TABLE")
	customers := &customer.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}
	signer, err := customer.NewSigner(customers, env.String("UNSUBSCRIBE_KEY"), d)
	if err != nil {
		return app.Function{}, err
	}
	var webhookKey WebhookKey
	if ref := env.String("WEBHOOK_KEY"); ref != "" {
		if webhookKey, err = keyring.NewSecret(ref, d.Clients.SecretsManager, keyring.SecretTTL); err != nil {
			return app.Function{}, err
		}
	}
	channels, err := notifyChannelsWith(env.String("NOTIFY_CHANNEL"), notify.EmailConfig{
		From: env.Optional("NOTIFY_EMAIL_FROM", ""), ConfigurationSet: env.Optional("NOTIFY_SES_CONFIGURATION_SET", ""),
	}, d, table, webhookKey)
	if err != nil {
		return app.Function{}, err
	}
	gate := &CustomerGate{Customers: customers, Signer: signer,
		PublicURL: env.String("PUBLIC_BASE_URL"), CapWindow: env.Duration("MARKETING_CAP_WINDOW", 7*24*time.Hour)}
	s := &Sender{Store: &Store{DB: d.Clients.DynamoDB, Table: table}, Channels: channels, Clock: d.Clock, Lease: 60 * time.Second,
		Gate: gate, Retry: d.Clients.SQS, QueueURL: env.String("FOLLOWUPS_QUEUE_URL"), RetryBase: env.Duration("FOLLOWUP_RETRY_BASE", 30*time.Second)}
	s.Brand = notify.Brand{Name: env.Optional("BRAND_NAME", "Rapport")}
	s.Locations = customers
	if q, ok := wiring.QueueByName(row.Trigger.Queue.Queue); ok {
		s.MaxReceives = q.MaxReceiveCount
	}
	return app.Function{Queue: s.Handle}, nil
}

// notifyChannels maps each channel name to its adapter. "outbox" (local and dev
// stages) delivers email and SMS into the followups table and sends webhooks for real,
// letting them reach local addresses. "aws" sends email by Amazon SES (from the
// NOTIFY_EMAIL_FROM address), SMS by Amazon SNS and webhooks to public addresses.
func notifyChannels(mode, from string, d app.Deps, table string, key WebhookKey) (map[string]Channel, error) {
	return notifyChannelsWith(mode, notify.EmailConfig{From: from}, d, table, key)
}

// notifyChannelsWith is notifyChannels with the whole email configuration (the SES
// configuration set every SendEmail names, NOTIFY_SES_CONFIGURATION_SET).
func notifyChannelsWith(mode string, emailCfg notify.EmailConfig, d app.Deps, table string, key WebhookKey) (map[string]Channel, error) {
	switch mode {
	case "outbox", "":
		out := &Outbox{DB: d.Clients.DynamoDB, Table: table, Keep: 30 * 24 * time.Hour}
		return map[string]Channel{"email": out, "sms": out, "webhook": &lazyWebhook{key: key, local: true, now: time.Now}}, nil
	case "aws":
		email, err := notify.NewEmail(d.Clients.SES, emailCfg)
		if err != nil {
			return nil, fmt.Errorf("NOTIFY_EMAIL_FROM (the emailFrom setting): %w", err)
		}
		sms, err := notify.NewSMS(d.Clients.SNS, notify.SMSConfig{})
		if err != nil {
			return nil, err
		}
		return map[string]Channel{"email": adapter{email}, "sms": adapter{sms}, "webhook": &lazyWebhook{key: key, now: time.Now}}, nil
	default:
		return nil, fmt.Errorf("NOTIFY_CHANNEL %q: use outbox or aws", mode)
	}
}

// StaffFunction builds followups-staff: schedule, list and cancel.
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	table := env.String("FOLLOWUPS_TABLE")
	st := &Staff{Store: &Store{DB: d.Clients.DynamoDB, Table: table}, Clock: d.Clock,
		Customers: &customer.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}}
	cursors, err := curs.FromRef(env.String("CURSOR_KEY"), d.Clients.SecretsManager)
	if err != nil {
		return app.Function{}, err
	}
	st.Store.Cursors = cursors
	mux, err := app.Mux(row, st.Routes(), idempotency.NewStore(d.Clients.DynamoDB, table, d.Clock))
	return app.Function{HTTP: mux}, err
}
