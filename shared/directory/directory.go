// Package directory builds the customers function: where staff find customers and the
// locations they belong to. It joins the customer domain's routes and the locations
// registry's (shared/location), which share the customers table.
package directory

import (
	"maps"
	"net/http"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/location/registry"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds customers: profiles, search and consent for staff and systems, the
// locations registry, and the webhook key for admins (read afresh on each request: a
// rotation shows at once).
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}
	svc := customer.NewService(env, d, locs)
	webhookKey := env.String("WEBHOOK_KEY")
	cursors, err := curs.FromKey(d.Secret(env.String("CURSOR_KEY"), keyring.SecretTTL))
	if err != nil {
		return app.Function{}, err
	}
	svc.Cursors = cursors
	if ref := webhookKey; ref != "" {
		key, err := d.Secret(ref, 0)
		if err != nil {
			return app.Function{}, err
		}
		svc.WebhookKey = key
	}
	mux, err := app.Mux(row, routes(svc, &registry.Registry{Store: locs, Clock: d.Clock}), idempotency.NewStore(d.Clients.DynamoDB, locs.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// routes are the customer domain's staff routes and the registry's.
func routes(svc *customer.Service, reg *registry.Registry) map[string]http.Handler {
	all := customer.StaffRoutes(svc)
	maps.Copy(all, registry.Routes(reg))
	return all
}
