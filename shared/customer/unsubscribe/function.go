package unsubscribe

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds customers-public: the unsubscribe link.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc := customer.NewService(env, d, nil)
	signer, err := customer.NewSigner(svc.Store, env.String("UNSUBSCRIBE_KEY"), d)
	if err != nil {
		return app.Function{}, err
	}
	svc.Signer = signer
	mux, err := app.Mux(row, Routes(svc), idempotency.NewStore(d.Clients.DynamoDB, svc.Store.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}
