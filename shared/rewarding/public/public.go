// Package public builds vouchers-public, the customer's voucher page
// (shared/reward/voucherpage) with the locations' names, apart from the rest of
// rewarding so that its binary links only the page, the rewards store and the
// locations' registry.
package public

import (
	"context"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/reward/voucherpage"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds vouchers-public: the customer's voucher page, opened from the
// link in the message that delivered a voucher or reminds of it.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	db := d.Clients.DynamoDB
	locs := &location.Store{DB: db, Table: env.String("CUSTOMERS_TABLE"), Keep: d.Keep}
	links, err := reward.NewLinks(&reward.Store{DB: db, Table: env.String("REWARDS_TABLE"), Locations: locs}, env.String("UNSUBSCRIBE_KEY"), d)
	if err != nil {
		return app.Function{}, err
	}
	places := func(ctx context.Context, id string) (string, error) {
		l, err := locs.Location(ctx, id)
		return l.Name, err
	}
	mux, err := app.Mux(row, voucherpage.Routes(&voucherpage.Page{Links: links, Places: places, Clock: d.Clock}), nil)
	return app.Function{HTTP: mux}, err
}
