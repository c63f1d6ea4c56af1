package rewarding

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
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

// TimersJob runs the vouchers' timers (reward.Store.RunTimers): it delivers each
// new voucher to its customer (a follow-up with the link to their voucher page),
// reminds them VOUCHER_REMINDER_DAYS before it expires if it is still unused, and
// counts the vouchers that expired unused, once each, where they were issued: the
// voucher-timers function, every ten minutes. Two runs at once do each once (every
// step is written with the voucher at its version), so it needs no lease.
func TimersJob(env *config.Env, d app.Deps) (job.Job, error) {
	db := d.Clients.DynamoDB
	locs := &location.Store{DB: db, Table: env.String("CUSTOMERS_TABLE"), Keep: d.Keep}
	rewards := &reward.Store{DB: db, Table: env.String("REWARDS_TABLE"), Locations: locs}
	lead := time.Duration(env.Int("VOUCHER_REMINDER_DAYS", 3)) * 24 * time.Hour
	links, err := reward.NewLinks(rewards, env.String("UNSUBSCRIBE_KEY"), d)
	if err != nil {
		return job.Job{}, err
	}
	notices := &Notices{Customers: &customer.Store{DB: db, Table: locs.Table, Locations: locs}, Links: links,
		Followups: &followup.Store{DB: db, Table: env.String("FOLLOWUPS_TABLE")}, PublicURL: env.String("PUBLIC_BASE_URL")}
	return job.Job{Run: func(ctx context.Context, now time.Time) error {
		n, err := rewards.RunTimers(ctx, now, notices, lead)
		slog.InfoContext(ctx, "voucher timers", "delivered", n.Delivered, "reminded", n.Reminded, "expired", n.Expired)
		return err
	}}, nil
}
