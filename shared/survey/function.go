package survey

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// StaffFunction builds surveys-staff: definitions and their list, invitations, links,
// results, export. (surveys-public, which joins the loop's domains, is built by
// shared/surveyloop.)
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	table, publicURL := env.String("SURVEYS_TABLE"), env.String("PUBLIC_BASE_URL")
	cursors, err := curs.FromKey(d.Secret(env.String("CURSOR_KEY"), keyring.SecretTTL))
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
