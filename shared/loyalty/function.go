package loyalty

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/job"
)

// The loyalty function and the timers and birthday jobs join the programme with the
// customers it serves and the follow-ups it causes: their builders are the flow's
// (shared/membership). The reconciliation job needs nothing but the programme.

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
