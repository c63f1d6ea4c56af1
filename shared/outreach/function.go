package outreach

import (
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// customers are the customer domain and the locations registry over the customers table.
func customers(env *config.Env, d app.Deps) (*customer.Store, *location.Store) {
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}
	return &customer.Store{DB: d.Clients.DynamoDB, Table: locs.Table, Locations: locs}, locs
}

// SenderFunction builds followup-sender, fed by the follow-up queue: the sender with
// the customers' gate and the locations' branding.
func SenderFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	custs, locs := customers(env, d)
	signer, err := customer.NewSigner(custs, env.String("UNSUBSCRIBE_KEY"), d)
	if err != nil {
		return app.Function{}, err
	}
	gate := &Gate{Customers: custs, Signer: signer,
		PublicURL: env.String("PUBLIC_BASE_URL"), CapWindow: env.Duration("MARKETING_CAP_WINDOW", 7*24*time.Hour)}
	s, err := followup.NewSender(row, env, d)
	if err != nil {
		return app.Function{}, err
	}
	s.Gate, s.Locations = gate, locs
	return app.Function{Queue: s.Handle}, nil
}

// StaffFunction builds followups-staff: schedule, list and cancel, by customer id and
// from a location.
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	custs, locs := customers(env, d)
	st, err := followup.NewStaff(env, d)
	if err != nil {
		return app.Function{}, err
	}
	st.Customers, st.Places = Directory{Customers: custs}, locs
	mux, err := app.Mux(row, st.Routes(), idempotency.NewStore(d.Clients.DynamoDB, st.Store.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}
