package loyalty

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func service(env *config.Env, d app.Deps) *Service {
	return &Service{
		Store:     &Store{DB: d.Clients.DynamoDB, Table: env.String("LOYALTY_TABLE")},
		Clock:     d.Clock,
		Followups: &followup.Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")},
	}
}

// Function builds loyalty: earn, redeem, reverse, adjust, balance, ledger, members
// and the rules.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc := service(env, d)
	customers := &customer.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}
	svc.Customers, svc.Locations = customers, customers
	cursors, err := curs.FromRef(env.String("CURSOR_KEY"), d.Clients.SecretsManager)
	if err != nil {
		return app.Function{}, err
	}
	svc.Store.Cursors = cursors
	mux, err := app.Mux(row, Routes(svc), idempotency.NewStore(d.Clients.DynamoDB, svc.Store.Table, d.Clock))
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

// BirthdayJob gives birthday bonuses: the loyalty-birthdays function, hourly, leased
// in the loyalty table.
func BirthdayJob(env *config.Env, d app.Deps) (job.Job, error) {
	svc := service(env, d)
	return job.Job{Lease: &job.Lease{DB: d.Clients.DynamoDB, Table: svc.Store.Table}, Run: func(ctx context.Context, now time.Time) error {
		_, err := svc.Birthdays(ctx, now)
		return err
	}}, nil
}

// ReconcileJob checks daily that every balance equals its ledger: the
// loyalty-reconcile function. A difference is logged as an error and fails the run
// (its function's error alarm reaches ops). It only reads, so it needs no lease.
func ReconcileJob(env *config.Env, d app.Deps) (job.Job, error) {
	table := env.String("LOYALTY_TABLE")
	return job.Job{Run: func(ctx context.Context, now time.Time) error {
		rep, err := Reconcile(ctx, d.Clients.DynamoDB, table)
		if err != nil {
			return err
		}
		if !rep.Clean() {
			slog.ErrorContext(ctx, "loyalty reconciliation found differences", "accounts", rep.Accounts, "differences", len(rep.Differences))
			return errDifferences
		}
		slog.InfoContext(ctx, "loyalty reconciliation clean", "accounts", rep.Accounts, "entries", rep.Entries)
		return nil
	}}, nil
}

var errDifferences = errors.New("loyalty reconciliation found differences")
