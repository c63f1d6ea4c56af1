package outreach

import (
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/notify/email"
	"github.com/rapport-crm/rapport/shared/notify/sms"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// customers are the customer domain and the locations registry over the customers table.
func customers(env *config.Env, d app.Deps) (*customer.Store, *location.Store) {
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}
	return &customer.Store{DB: d.Clients.DynamoDB, Table: locs.Table, Locations: locs}, locs
}

// SenderFunction builds followup-sender, fed by the follow-up queue: the sender over
// its channels (email, SMS, webhooks), with the customers' gate and the locations'
// branding.
func SenderFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	custs, locs := customers(env, d)
	signer, err := customer.NewSigner(custs, env.String("UNSUBSCRIBE_KEY"), d)
	if err != nil {
		return app.Function{}, err
	}
	gate := &Gate{Customers: custs, Signer: signer,
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

// StaffFunction builds followups-staff: schedule, list and cancel, by customer id and
// from a location.
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	custs, locs := customers(env, d)
	st, err := followup.NewStaff(env, d)
	if err != nil {
		return app.Function{}, err
	}
	if st.Store.Cursors, err = curs.FromKey(d.Secret(env.String("CURSOR_KEY"), keyring.SecretTTL)); err != nil {
		return app.Function{}, err
	}
	st.Customers, st.Places = Directory{Customers: custs}, locs
	mux, err := app.Mux(row, st.Routes(), idempotency.NewStore(d.Clients.DynamoDB, st.Store.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}
