package customer

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func newService(env *config.Env, d app.Deps) (*Service, string) {
	table := env.String("CUSTOMERS_TABLE")
	store := &Store{DB: d.Clients.DynamoDB, Table: table}
	return &Service{Store: store, Signer: &Signer{Store: store}, Clock: d.Clock}, table
}

// StaffFunction builds customers: consent for staff and systems.
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc, table := newService(env, d)
	mux, err := app.Mux(row, StaffRoutes(svc), idempotency.NewStore(d.Clients.DynamoDB, table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// PublicFunction builds customers-public: the unsubscribe link.
func PublicFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc, table := newService(env, d)
	mux, err := app.Mux(row, PublicRoutes(svc), idempotency.NewStore(d.Clients.DynamoDB, table, d.Clock))
	return app.Function{HTTP: mux}, err
}
