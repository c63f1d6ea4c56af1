// Package public builds complaints-public: a customer's complaint taken as JSON or
// from the hosted form, and the case's tracking page. It stands apart from casework so
// that only the function serving the hosted pages links their templates.
package public

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/complaint/form"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds complaints-public: intake, the hosted form, tracking.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc, _ := casework.Service(env, d)
	svc.PublicURL = env.String("PUBLIC_BASE_URL")
	mux, err := app.Mux(row, complaint.PublicRoutes(svc, &form.Pages{Service: svc}), idempotency.NewStore(d.Clients.DynamoDB, svc.Store.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}
