package membership

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// service is the programme with its messages to members.
func service(env *config.Env, d app.Deps) *loyalty.Service {
	return &loyalty.Service{
		Store:   &loyalty.Store{DB: d.Clients.DynamoDB, Table: env.String("LOYALTY_TABLE"), Keep: d.Keep},
		Clock:   d.Clock,
		Effects: Messages{Followups: &followup.Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")}},
	}
}

// Function builds loyalty: earn, redeem, reverse, adjust, balance, ledger, members
// and the rules. The customer domain decides who may act on an account; the
// locations registry gives the zones the KPI counters count in.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc := service(env, d)
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Keep: d.Keep}
	customers := &customer.Store{DB: d.Clients.DynamoDB, Table: locs.Table, Locations: locs}
	svc.Customers, svc.Locations = customers, locs
	cursors, err := curs.FromKey(d.Secret(env.String("CURSOR_KEY"), keyring.SecretTTL))
	if err != nil {
		return app.Function{}, err
	}
	svc.Store.Cursors = cursors
	mux, err := app.Mux(row, loyalty.Routes(svc), idempotency.NewStore(d.Clients.DynamoDB, svc.Store.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// TimersJob releases pending points, reminds before expiry, expires lots and reviews
// tiers: the loyalty-timers function, every minute, leased in the loyalty table.
func TimersJob(env *config.Env, d app.Deps) (job.Job, error) {
	svc := service(env, d)
	return job.Job{Lease: &job.Lease{DB: d.Clients.DynamoDB, Table: svc.Store.Table}, Run: func(ctx context.Context, now time.Time) error {
		rep, err := svc.RunTimers(ctx, now)
		slog.InfoContext(ctx, "loyalty timers", "released", rep.Released, "reminded", rep.Reminded, "expired", rep.Expired, "reviewed", rep.Reviewed)
		return err
	}}, nil
}

// BirthdayJob gives birthday bonuses and the birthday voucher the rules may offer: the
// loyalty-birthdays function, hourly, leased in the loyalty table. A bonus changes no
// tier, so today it causes no message; the job runs the same programme, with its
// messages, as the others. The voucher counts where the member's profile says is home.
func BirthdayJob(env *config.Env, d app.Deps) (job.Job, error) {
	svc := service(env, d)
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Keep: d.Keep}
	svc.Gifts = BirthdayVouchers{
		Rewards: &reward.Store{DB: d.Clients.DynamoDB, Table: env.String("REWARDS_TABLE"), Locations: locs},
		Homes:   &customer.Store{DB: d.Clients.DynamoDB, Table: locs.Table, Locations: locs},
	}
	return job.Job{Lease: &job.Lease{DB: d.Clients.DynamoDB, Table: svc.Store.Table}, Run: func(ctx context.Context, now time.Time) error {
		_, err := svc.Birthdays(ctx, now)
		return err
	}}, nil
}
