package timeline

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds timeline: a customer's history for staff and systems. It only reads;
// the idempotency store (on the customers table) is there because app.Mux wants one.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	tables := Tables{
		Customers:  env.String("CUSTOMERS_TABLE"),
		Loyalty:    env.String("LOYALTY_TABLE"),
		Followups:  env.String("FOLLOWUPS_TABLE"),
		Complaints: env.String("COMPLAINTS_TABLE"),
		Surveys:    env.String("SURVEYS_TABLE"),
	}
	cursors, err := curs.FromKey(d.Secret(env.String("CURSOR_KEY"), keyring.SecretTTL))
	if err != nil {
		return app.Function{}, err
	}
	svc := &Service{DB: d.Clients.DynamoDB, Profiles: &customer.Store{DB: d.Clients.DynamoDB, Table: tables.Customers, Locations: &location.Store{DB: d.Clients.DynamoDB, Table: tables.Customers}}, Tables: tables, Cursors: cursors}
	mux, err := app.Mux(row, Routes(svc), idempotency.NewStore(d.Clients.DynamoDB, tables.Customers, d.Clock))
	return app.Function{HTTP: mux}, err
}
