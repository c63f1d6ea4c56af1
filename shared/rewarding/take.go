// Package rewarding joins the rewards domain to the others: a reward taken for points
// (the points' debit, the reward's stock and the voucher in one transaction).
package rewarding

import (
	"context"
	"errors"
	"time"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
	"github.com/rapport-crm/rapport/shared/reward"
)

// takeRetry is retry.Conflict with the attempts of a points account's writes: a take
// races every other change to the member's points and every other take of the same
// reward (its stock), and each lost race plans again.
var takeRetry = retry.Conflict.WithAttempts(60)

// errRetry means a take lost a race: plan it again.
var errRetry = errors.New("lost a race; again")

// Taker gives members rewards for their points.
type Taker struct {
	Rewards *reward.Store
	Points  *loyalty.Service
	DB      dynamo.API
	Clock   clock.Clock
}

// Take gives member cid the reward rewardID for its points, at location (where the
// member takes it; empty when not at a counter): the points' debit, the reward's stock
// and the voucher are one transaction, so a voucher exists exactly when its points
// were spent and the stock never goes below zero. src identifies the take (a repeat
// gets the same voucher, replayed). Refusals are 409s in words — too few points (with
// the balance), out of stock, not for the member's tier or at this location — and
// write nothing.
func (t *Taker) Take(ctx context.Context, actor, cid, rewardID, src, location string) (reward.Voucher, bool, error) {
	var out reward.Voucher
	var replayed bool
	err := retry.Do(ctx, takeRetry, func() (bool, error) {
		var err error
		out, replayed, err = t.take(ctx, actor, cid, rewardID, src, location)
		return errors.Is(err, errRetry), err
	})
	if errors.Is(err, retry.ErrExhausted) {
		return reward.Voucher{}, false, problem.New(problem.Unavailable, "too many concurrent changes to these points or this reward; retry shortly")
	}
	return out, replayed, err
}

func (t *Taker) take(ctx context.Context, actor, cid, rewardID, src, location string) (reward.Voucher, bool, error) {
	r, err := t.Rewards.Reward(ctx, rewardID)
	if err != nil {
		return reward.Voucher{}, false, err
	}
	spend, err := t.Points.PlanSpend(ctx, actor, cid, src, r.PointsCost, "reward "+r.ID, location)
	switch {
	case errors.Is(err, loyalty.ErrSourceUsed):
		return t.replay(ctx, cid, src)
	case err != nil:
		return reward.Voucher{}, false, err
	}
	if ok, why := r.Offered(spend.Tier, location, spend.Balance); !ok {
		return reward.Voucher{}, false, why.Problem()
	}
	code, err := reward.NewCode()
	if err != nil {
		return reward.Voucher{}, false, err
	}
	now := t.Clock.Now()
	v, issue, err := t.Rewards.IssueItems(ctx, reward.Voucher{Code: code, CustomerID: cid, Name: r.Name, Kind: r.Kind, Value: r.Value,
		Source: reward.Source{Kind: reward.SourceReward, ID: src, RewardID: r.ID}, LocationIDs: r.LocationIDs, LocationID: location,
		IssuedAt: now, ExpiresAt: now.Add(time.Duration(r.ValidDays) * 24 * time.Hour), IssuedBy: actor}, reward.Spent(r, r.PointsCost))
	if err != nil {
		return reward.Voucher{}, false, err
	}
	var tx dynamo.Tx
	if err := spend.Contribute(&tx); err != nil {
		return reward.Voucher{}, false, err
	}
	tx.Add(reward.ErrOutOfStock, t.Rewards.TakeItem(r))
	tx.Add(loyalty.ErrSourceUsed, issue[:2]...) // the voucher and the take's claim: the same source came first
	tx.Add(nil, issue[2:]...)
	switch err := tx.Commit(ctx, t.DB, "take reward"); {
	case err == nil:
		return v, false, nil
	case errors.Is(err, loyalty.ErrSourceUsed):
		return t.replay(ctx, cid, src)
	case errors.Is(err, loyalty.ErrMoved), errors.Is(err, dynamo.ErrTxConflict):
		return reward.Voucher{}, false, errRetry
	case errors.Is(err, reward.ErrOutOfStock):
		// Out of stock, or the reward changed since it was read: read it again, and
		// say why if it is no longer offered.
		return reward.Voucher{}, false, errRetry
	default:
		return reward.Voucher{}, false, err
	}
}

// replay answers a repeated take with the voucher its source issued; a source that
// made another kind of points change is a 409.
func (t *Taker) replay(ctx context.Context, cid, src string) (reward.Voucher, bool, error) {
	v, err := t.Rewards.Issued(ctx, reward.Source{Kind: reward.SourceReward, ID: src}, cid)
	if errors.Is(err, reward.ErrNoVoucher) {
		return reward.Voucher{}, false, problem.New(problem.Conflict, "this sourceId was used for another change of these points")
	}
	return v, err == nil, err
}
