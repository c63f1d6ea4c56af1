// Package desk builds complaints-staff, the case desk: staff intake, the queue, cases
// and their actions, reports and settings; a resolution's compensation is granted in
// points through the loyalty ledger (Points). It stands apart from casework so that
// only the function that grants compensation links the loyalty domain.
package desk

import (
	"context"

	curs "github.com/rapport-crm/rapport/shared/cursor"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// StaffFunction builds complaints-staff: staff intake, the queue, cases and their
// actions (a resolution's compensation points among them), reports and settings.
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc, effects := casework.Service(env, d)
	svc.PublicURL = env.String("PUBLIC_BASE_URL")
	effects.Compensation = &Points{Loyalty: &loyalty.Store{DB: d.Clients.DynamoDB, Table: env.String("LOYALTY_TABLE"), Keep: d.Keep}}
	cursors, err := curs.FromKey(d.Secret(env.String("CURSOR_KEY"), keyring.SecretTTL))
	if err != nil {
		return app.Function{}, err
	}
	svc.Store.Cursors = cursors
	mux, err := app.Mux(row, complaint.StaffRoutes(svc), idempotency.NewStore(d.Clients.DynamoDB, svc.Store.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// Points grants compensation in loyalty points: a credit in the ledger with the case
// reference as its sourceId, so a case compensates once, however often it is resolved.
type Points struct {
	Loyalty *loyalty.Store
}

var _ casework.Compensator = (*Points)(nil)

// Compensate adds the credit's items to the resolution's transaction, each refused
// as refused says when another writer took the source first.
func (p *Points) Compensate(ctx context.Context, tx *dynamo.Tx, r complaint.Resolution, refused error) (string, bool, error) {
	c := r.Case
	src := "complaint:" + c.Reference
	if _, granted, err := p.Loyalty.Source(ctx, c.CustomerID, src); err != nil || granted {
		return "", granted, err
	}
	rules, err := p.Loyalty.Rules(ctx)
	if err != nil {
		return "", false, err
	}
	items, entry, err := p.Loyalty.CreditItems(c.CustomerID, src, r.Points, "compensation for "+c.Reference, r.Actor, rules, r.At)
	if err != nil {
		return "", false, err
	}
	tx.Add(refused, items...)
	return entry.ID, false, nil
}
