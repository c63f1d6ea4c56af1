package local

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/queue"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Provision creates every wiring table and queue under names (if missing) from the
// definitions the stack uses, and seeds the demo survey and the demo location.
func Provision(ctx context.Context, c cloud.Clients, names dynamo.Names, now time.Time) (queue.URLs, error) {
	if err := dynamo.CreateTables(ctx, c.DynamoDB, names, wiring.Tables); err != nil {
		return nil, err
	}
	urls, err := queue.Create(ctx, c.SQS, names, wiring.Queues)
	if err != nil {
		return nil, err
	}
	if err := SeedLocation(ctx, &location.Store{DB: c.DynamoDB, Table: names("customers")}, now); err != nil {
		return nil, err
	}
	return urls, Seed(ctx, &survey.Store{DB: c.DynamoDB, Table: names("surveys")}, now)
}
