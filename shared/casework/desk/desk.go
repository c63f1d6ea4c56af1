// Package desk builds complaints-staff, the case desk: staff intake, the queue, cases
// and their actions, reports and settings; a resolution's compensation is granted in
// points through the loyalty ledger (Points) and as a voucher of the rewards domain
// (Vouchers). It stands apart from casework so that only the function that grants
// compensation links the loyalty and rewards domains.
package desk

import (
	"context"
	"errors"
	"time"

	curs "github.com/rapport-crm/rapport/shared/cursor"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// StaffFunction builds complaints-staff: staff intake, the queue, cases and their
// actions (a resolution's compensation points among them), reports and settings.
func StaffFunction(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc, effects := casework.Service(env, d)
	svc.PublicURL = env.String("PUBLIC_BASE_URL")
	effects.Compensation = &Points{Loyalty: &loyalty.Store{DB: d.Clients.DynamoDB, Table: env.String("LOYALTY_TABLE"), Keep: d.Keep}}
	effects.Vouchers = &Vouchers{Rewards: &reward.Store{DB: d.Clients.DynamoDB, Table: env.String("REWARDS_TABLE"), Locations: svc.Locations}}
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

// Vouchers grants compensation as a voucher of the rewards domain, its source the case
// (reward.SourceComplaint), so a case issues its customer one voucher, however often
// it is resolved. It may be used at every location; it counts as issued at the case's.
type Vouchers struct {
	Rewards *reward.Store
}

var _ casework.VoucherCompensator = (*Vouchers)(nil)

// voucherName is what the customer and the cashier read on a compensation voucher.
func voucherName(reference string) i18n.Texts[string] {
	return i18n.Texts[string]{i18n.English: "Compensation for " + reference, i18n.Chinese: "投诉补偿 " + reference}
}

// CompensateVoucher adds the voucher's issue to the resolution's transaction, each item
// refused as refused says when another writer took the case's claim first; a case
// that issued its voucher before answers with that voucher's code.
func (v *Vouchers) CompensateVoucher(ctx context.Context, tx *dynamo.Tx, r complaint.Resolution, refused error) (string, bool, error) {
	c, g := r.Case, r.Voucher
	src := reward.Source{Kind: reward.SourceComplaint, ID: c.ID}
	switch first, err := v.Rewards.Issued(ctx, src, c.CustomerID); {
	case err == nil:
		return first.Code, true, nil
	case !errors.Is(err, reward.ErrNoVoucher):
		return "", false, err
	}
	code, err := reward.NewCode()
	if err != nil {
		return "", false, err
	}
	issued, items, err := v.Rewards.IssueItems(ctx, reward.Voucher{Code: code, CustomerID: c.CustomerID, Name: voucherName(c.Reference),
		Kind: reward.KindVoucher, Value: g.Value,
		Source: src, LocationID: c.LocationID, IssuedAt: r.At, ExpiresAt: r.At.Add(time.Duration(g.ValidDays) * 24 * time.Hour), IssuedBy: r.Actor,
		Reason: "compensation for " + c.Reference}, nil)
	if err != nil {
		return "", false, err
	}
	tx.Add(refused, items...)
	return issued.Code, false, nil
}
