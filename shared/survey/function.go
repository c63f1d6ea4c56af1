package survey

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// PublicFunction builds surveys-public: the hosted form and response submission.
func PublicFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	surveys := env.String("SURVEYS_TABLE")
	followups := env.String("FOLLOWUPS_TABLE")
	customers := &customer.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}
	fs := &followup.Store{DB: d.Clients.DynamoDB, Table: followups}
	svc := &Service{
		Store:     &Store{DB: d.Clients.DynamoDB, Table: surveys},
		Followups: fs,
		Clock:     d.Clock,
		Locations: customers,
		Cases: &complaint.Service{Store: &complaint.Store{DB: d.Clients.DynamoDB, Table: env.String("COMPLAINTS_TABLE")},
			Locations: customers, Customers: customers, Followups: fs, Clock: d.Clock},
	}
	mux, err := app.Mux(row, PublicRoutes(svc, &Pages{Service: svc}), idempotency.NewStore(d.Clients.DynamoDB, surveys, d.Clock))
	return app.Function{HTTP: mux}, err
}

// StaffFunction builds surveys-staff: definitions and their list, invitations, links,
// results, export.
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	table, publicURL := env.String("SURVEYS_TABLE"), env.String("PUBLIC_BASE_URL")
	cursors, err := curs.FromRef(env.String("CURSOR_KEY"), d.Clients.SecretsManager)
	if err != nil {
		return app.Function{}, err
	}
	staff := &Staff{
		Service:   &Service{Store: &Store{DB: d.Clients.DynamoDB, Table: table}, Clock: d.Clock},
		PublicURL: publicURL,
		Cursors:   cursors,
	}
	mux, err := app.Mux(row, StaffRoutes(staff), idempotency.NewStore(d.Clients.DynamoDB, table, d.Clock))
	return app.Function{HTTP: mux}, err
}
