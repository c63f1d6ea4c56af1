package surveyloop

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/survey/form"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// PublicFunction builds surveys-public: the hosted form and response submission, with
// the closed loop of the responses that meet their survey's rules.
func PublicFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	surveys := env.String("SURVEYS_TABLE")
	followups := env.String("FOLLOWUPS_TABLE")
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Keep: d.Keep}
	customers := &customer.Store{DB: d.Clients.DynamoDB, Table: locs.Table, Locations: locs}
	fs := &followup.Store{DB: d.Clients.DynamoDB, Table: followups}
	svc := &survey.Service{
		Store:     &survey.Store{DB: d.Clients.DynamoDB, Table: surveys, Keep: d.Keep},
		Clock:     d.Clock,
		Locations: locs,
		Recoverer: &Loop{Followups: fs,
			Cases: &complaint.Service{Store: &complaint.Store{DB: d.Clients.DynamoDB, Table: env.String("COMPLAINTS_TABLE"), Keep: d.Keep},
				Locations: locs, Customers: customers, Effects: &casework.Effects{Followups: fs}, Clock: d.Clock}},
	}
	mux, err := app.Mux(row, survey.PublicRoutes(svc, &form.Pages{Service: svc}), idempotency.NewStore(d.Clients.DynamoDB, surveys, d.Clock))
	return app.Function{HTTP: mux}, err
}
