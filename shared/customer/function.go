package customer

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func newService(env *config.Env, d app.Deps) (*Service, string) {
	table := env.String("CUSTOMERS_TABLE")
	store := &Store{DB: d.Clients.DynamoDB, Table: table}
	return &Service{Store: store, Clock: d.Clock}, table
}

// StaffFunction builds customers: profiles, search and consent for staff and systems,
// and the webhook key for admins (read afresh on each request: a rotation shows at once).
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc, table := newService(env, d)
	webhookKey := env.String("WEBHOOK_KEY")
	cursors, err := curs.FromRef(env.String("CURSOR_KEY"), d.Clients.SecretsManager)
	if err != nil {
		return app.Function{}, err
	}
	svc.Cursors = cursors
	if ref := webhookKey; ref != "" {
		key, err := keyring.NewSecret(ref, d.Clients.SecretsManager, 0)
		if err != nil {
			return app.Function{}, err
		}
		svc.WebhookKey = key
	}
	mux, err := app.Mux(row, StaffRoutes(svc), idempotency.NewStore(d.Clients.DynamoDB, table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// PublicFunction builds customers-public: the unsubscribe link.
func PublicFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc, table := newService(env, d)
	signer, err := NewSigner(svc.Store, env.String("UNSUBSCRIBE_KEY"), d)
	if err != nil {
		return app.Function{}, err
	}
	svc.Signer = signer
	mux, err := app.Mux(row, PublicRoutes(svc), idempotency.NewStore(d.Clients.DynamoDB, table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// NewSigner is the signer of the unsubscribe key the reference names (the
// UNSUBSCRIBE_KEY variable: KMS key ARNs in AWS, key files locally), for the function
// that verifies links and the one that makes them. An empty reference (a variable
// missing, which the build reports) gives a signer without keys.
func NewSigner(store *Store, ref string, d app.Deps) (*Signer, error) {
	s := &Signer{Store: store}
	if ref == "" {
		return s, nil
	}
	ring, err := keyring.MACRing(ref, d.Clients.KMS)
	if err != nil {
		return nil, err
	}
	for _, k := range ring {
		s.Keys = append(s.Keys, k)
	}
	return s, nil
}
