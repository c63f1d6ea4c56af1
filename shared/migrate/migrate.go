// Package migrate is the reindex function: the upgrade a business runs once after
// deploying a release that added indexes over existing items (customers byName,
// surveys catalog, followups byLocation, rewards dueKeys for the vouchers issued before
// their delivery). Each domain says which of its items lack an index's keys and what
// they are, with the functions its own writes use (dynamo.Backfill); this function
// pages through the four tables with a Scan and sets the missing keys. It is safe to run again at any time: an item that has its keys is
// not touched, and nothing but the keys is ever written.
package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Result is a run's answer: how many items of each table got their keys, and whether
// the run stopped before its deadline with items left (run it again).
type Result struct {
	Customers int  `json:"customers"`
	Surveys   int  `json:"surveys"`
	Followups int  `json:"followups"`
	Rewards   int  `json:"rewards"`
	More      bool `json:"more"`
}

// Reserve is how long before the invocation's deadline a run starts no more Scan pages
// (a page of 1 MB and its updates take seconds).
const Reserve = 30 * time.Second

// Reindex runs the four backfills in turn until they are done or the deadline is
// within Reserve (ctx's deadline, a wall-clock time; none: until done).
func Reindex(ctx context.Context, db dynamo.Scanner, customers, surveys, followups, rewards string) (Result, error) {
	stop := func() bool {
		deadline, ok := ctx.Deadline()
		return ok && time.Until(deadline) < Reserve
	}
	var res Result
	for _, step := range []struct {
		b     dynamo.Backfill
		count *int
	}{
		{customer.NameIndexBackfill(customers), &res.Customers},
		{survey.CatalogIndexBackfill(surveys), &res.Surveys},
		{followup.LocationIndexBackfill(followups), &res.Followups},
		{reward.TimerIndexBackfill(rewards), &res.Rewards},
	} {
		n, done, err := step.b.Run(ctx, db, stop)
		*step.count = n
		if err != nil {
			return res, fmt.Errorf("reindex %s: %w", step.b.Table, err)
		}
		if !done {
			res.More = true
			return res, nil
		}
	}
	return res, nil
}

// Function is the reindex row's function: a manual invocation (any event) runs
// Reindex and answers its Result.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	customers, surveys, followups, rewards := env.String("CUSTOMERS_TABLE"), env.String("SURVEYS_TABLE"), env.String("FOLLOWUPS_TABLE"),
		env.String("REWARDS_TABLE")
	if !row.Trigger.Manual {
		return app.Function{}, fmt.Errorf("%s: its row is not a manual function", row.Name)
	}
	return app.Function{Manual: func(ctx context.Context, _ json.RawMessage) (any, error) {
		res, err := Reindex(ctx, d.Clients.DynamoDB, customers, surveys, followups, rewards)
		if err != nil {
			slog.ErrorContext(ctx, "reindex failed", "error", err.Error())
			return nil, err
		}
		slog.InfoContext(ctx, "reindex done", "customers", res.Customers, "surveys", res.Surveys, "followups", res.Followups, "rewards", res.Rewards, "more", res.More)
		return res, nil
	}}, nil
}
