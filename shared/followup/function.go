package followup

import (
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/notify"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// DispatcherFunction builds followup-dispatcher, run by the schedule: it enqueues
// due follow-ups and nothing else.
func DispatcherFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	disp := &Dispatcher{
		Store:      &Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")},
		Queue:      d.Clients.Queues(),
		QueueURL:   env.String("FOLLOWUPS_QUEUE_URL"),
		Clock:      d.Clock,
		PageSize:   100,
		StuckAfter: 15 * time.Minute,
		Reserve:    5 * time.Second,
	}
	return app.Function{Schedule: app.ScheduleLog("followup-dispatcher", disp.Run)}, nil
}

// NewSender builds the sender of followup-sender, fed by the follow-up queue: its
// table and retries, delivering over channels (by channel name: "email", "sms",
// "webhook"). The channels, the gate that applies customers' consent and the places
// that brand a location's messages are the function's builder's (shared/outreach), so
// that only that function links the services its channels call.
func NewSender(row wiring.Function, env *config.Env, d app.Deps, channels map[string]Channel) *Sender {
	s := &Sender{Store: &Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")}, Channels: channels, Clock: d.Clock, Lease: 60 * time.Second,
		Retry: d.Clients.Queues(), QueueURL: env.String("FOLLOWUPS_QUEUE_URL"), RetryBase: env.Duration("FOLLOWUP_RETRY_BASE", 30*time.Second)}
	s.Brand = notify.Brand{Name: env.Optional("BRAND_NAME", "Rapport")}
	if q, ok := wiring.QueueByName(row.Trigger.Queue.Queue); ok {
		s.MaxReceives = q.MaxReceiveCount
	}
	return s
}

// NewDeliverer builds the deliverer of followup-email or followup-sms, fed by its
// queue (DELIVERIES_QUEUE_URL): its table and retries, delivering over the channel
// its builder makes (shared/followup/emailer, shared/followup/texter), so that only
// that function links SES, or SNS.
func NewDeliverer(row wiring.Function, env *config.Env, d app.Deps, channels map[string]Channel) *Deliverer {
	dl := &Deliverer{Store: &Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")}, Channels: channels, Clock: d.Clock,
		Retry: d.Clients.Queues(), QueueURL: env.String("DELIVERIES_QUEUE_URL"), RetryBase: env.Duration("FOLLOWUP_RETRY_BASE", 30*time.Second)}
	if q, ok := wiring.QueueByName(row.Trigger.Queue.Queue); ok {
		dl.MaxReceives = q.MaxReceiveCount
	}
	return dl
}

// ChannelFunction builds a channel's deliverer, followup-email or followup-sms: by
// NOTIFY_CHANNEL, into the outbox ("outbox": local and dev stages) or through the
// service awsChannel makes ("aws"), which only that function's builder links.
func ChannelFunction(row wiring.Function, env *config.Env, d app.Deps, name string, awsChannel func() (Channel, error)) (app.Function, error) {
	ch, err := channelOf(env.String("NOTIFY_CHANNEL"), d, env.String("FOLLOWUPS_TABLE"), awsChannel)
	if err != nil {
		return app.Function{}, err
	}
	return app.Function{Queue: NewDeliverer(row, env, d, map[string]Channel{name: ch}).Handle}, nil
}

func channelOf(mode string, d app.Deps, table string, awsChannel func() (Channel, error)) (Channel, error) {
	switch mode {
	case "outbox", "":
		return NewOutbox(d.Clients.DynamoDB, table), nil
	case "aws":
		return awsChannel()
	default:
		return nil, fmt.Errorf("NOTIFY_CHANNEL %q: use outbox or aws", mode)
	}
}

// Relayed are the sender's channels: emails handed to followup-email through the
// emails queue (EMAILS_QUEUE_URL), SMS to followup-sms through the texts queue
// (TEXTS_QUEUE_URL), webhooks sent here.
func Relayed(env *config.Env, d app.Deps, webhook Channel) map[string]Channel {
	q := d.Clients.Queues()
	return map[string]Channel{
		"email":   &Relay{Queue: q, QueueURL: env.String("EMAILS_QUEUE_URL")},
		"sms":     &Relay{Queue: q, QueueURL: env.String("TEXTS_QUEUE_URL")},
		"webhook": webhook,
	}
}

// AllowPrivateWebhooks reads NOTIFY_WEBHOOK_ALLOW_PRIVATE: "false" (the row's value,
// and the only one the stack deploys) or "true", which only the local runner sets so
// that webhooks reach its test receivers on loopback and private addresses.
func AllowPrivateWebhooks(env *config.Env) (bool, error) {
	switch v := env.Optional("NOTIFY_WEBHOOK_ALLOW_PRIVATE", "false"); v {
	case "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, fmt.Errorf("NOTIFY_WEBHOOK_ALLOW_PRIVATE %q: use true (local runner only) or false", v)
	}
}

// NewStaff builds the schedule, list and cancel routes of followups-staff over the
// follow-ups table. The cursor codec, the directory of customers and the places they
// join are the function's builder's to set (shared/outreach).
func NewStaff(env *config.Env, d app.Deps) (*Staff, error) {
	allowPrivate, err := AllowPrivateWebhooks(env)
	if err != nil {
		return nil, err
	}
	return &Staff{Store: &Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")}, Clock: d.Clock, AllowPrivateWebhooks: allowPrivate}, nil
}
