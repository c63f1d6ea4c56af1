package outreach

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Stores are the customer domain and the locations registry over the customers table.
func Stores(env *config.Env, d app.Deps) (*customer.Store, *location.Store) {
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}
	return &customer.Store{DB: d.Clients.DynamoDB, Table: locs.Table, Locations: locs}, locs
}

// StaffFunction builds followups-staff: schedule, list and cancel, by customer id and
// from a location.
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	custs, locs := Stores(env, d)
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
