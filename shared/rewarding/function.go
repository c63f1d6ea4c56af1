package rewarding

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds rewards: the catalogue, rewards taken for points, and vouchers
// issued, checked, redeemed, reversed and cancelled. The customer domain decides who
// may act for a customer; loyalty holds the points a take spends.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	db := d.Clients.DynamoDB
	locs := &location.Store{DB: db, Table: env.String("CUSTOMERS_TABLE"), Keep: d.Keep}
	points := &loyalty.Service{Store: &loyalty.Store{DB: db, Table: env.String("LOYALTY_TABLE"), Keep: d.Keep}, Clock: d.Clock, Locations: locs}
	rewards := &reward.Store{DB: db, Table: env.String("REWARDS_TABLE"), Locations: locs}
	s := &Service{Taker: &Taker{Rewards: rewards, Points: points, DB: db, Clock: d.Clock},
		Customers: &customer.Store{DB: db, Table: locs.Table, Locations: locs}, Registry: locs.LocationIDs}
	mux, err := app.Mux(row, Routes(s), idempotency.NewStore(db, rewards.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// TimersJob counts the vouchers that expired unused, once each, where they were
// issued: the voucher-timers function, hourly. Two runs at once count each once (the
// count is written with the voucher at its version), so it needs no lease.
func TimersJob(env *config.Env, d app.Deps) (job.Job, error) {
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Keep: d.Keep}
	rewards := &reward.Store{DB: d.Clients.DynamoDB, Table: env.String("REWARDS_TABLE"), Locations: locs}
	return job.Job{Run: func(ctx context.Context, now time.Time) error {
		n, err := rewards.RunTimers(ctx, now)
		slog.InfoContext(ctx, "voucher timers", "expired", n)
		return err
	}}, nil
}
