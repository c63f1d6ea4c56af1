package loyalty

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
)

// reverseSource is the sourceId of the reversal of src: one reversal per entry, ever.
func reverseSource(src string) string { return "reverse:" + src }

// Reverse undoes an earlier earn (a refund, a cancellation) or redeem. An earn's points
// are taken back from its own lot first, then from the others; what was already spent
// is recorded as a shortfall that future earns pay off — the balance never goes below
// zero. A redeem's points go back into the lots they came from.
func (s *Service) Reverse(ctx context.Context, actor, cid string, req PointsRequest) (Entry, bool, error) {
	if err := checkSource(req.SourceID); err != nil {
		return Entry{}, false, err
	}
	orig, ok, err := s.Store.Source(ctx, cid, req.SourceID)
	if err != nil {
		return Entry{}, false, err
	}
	if !ok {
		return Entry{}, false, problem.New(problem.NotFound, "no entry with this sourceId for this customer")
	}
	if orig.Type != TypeEarn && orig.Type != TypeRedeem {
		return Entry{}, false, problem.Newf(problem.Conflict, "a %s cannot be reversed; adjust instead", orig.Type)
	}
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return Entry{}, false, err
	}
	request := "reverse|" + req.SourceID
	zone := ""
	if orig.LocationID != "" {
		if zone, err = s.zone(ctx, orig.LocationID); err != nil {
			return Entry{}, false, err
		}
	}
	return s.run(ctx, func() (Entry, bool, error) {
		now := s.Clock.Now()
		acct, lots, _, err := s.Store.Account(ctx, cid)
		if err != nil {
			return Entry{}, false, err
		}
		e := Entry{ID: id.New(now), CustomerID: cid, Type: TypeReverse, SourceID: reverseSource(req.SourceID),
			At: now, Actor: actor, Reverses: req.SourceID, Request: request, LocationID: orig.LocationID}
		// The entry's points come off its location's counters on the reversal's day.
		var counted []types.TransactWriteItem
		if orig.LocationID != "" {
			back := map[string]int{kpi.PointsIssued: -orig.Gross}
			if orig.Type == TypeRedeem {
				back = map[string]int{kpi.PointsRedeemed: orig.Points}
			}
			if counted, err = s.counted(orig.LocationID, zone, e, nil, back); err != nil {
				return Entry{}, false, err
			}
		}
		if orig.Type == TypeRedeem {
			return s.giveBackRedeem(ctx, e, orig, acct, lots, rules, now, counted)
		}
		return s.takeBackEarn(ctx, e, orig, acct, lots, rules, now, counted)
	})
}

// giveBackRedeem puts a redeem's points back into the lots it took them from: a live
// lot gets them added; an archived one (the redeem, or a later one, emptied it) comes
// back to the live range with them.
func (s *Service) giveBackRedeem(ctx context.Context, e Entry, orig Entry, acct Account, lots []Lot, rules Rules, now time.Time, counted []types.TransactWriteItem) (Entry, bool, error) {
	byID := map[string]Lot{}
	for _, l := range lots {
		byID[l.ID] = l
	}
	var gone []LotRef
	for _, t := range orig.Taken {
		if _, live := byID[t.ID]; !live {
			gone = append(gone, t.LotRef)
		}
	}
	spent, err := s.Store.spent(ctx, e.CustomerID, gone)
	if err != nil {
		return Entry{}, false, err
	}
	if txFixed+len(counted)+len(orig.Taken)+len(spent) > dynamo.MaxTxItems {
		// Too many to bring back in the reversal's transaction: back to the live range
		// first, empty, a chunk at a time, then read again.
		if err := s.Store.unarchive(ctx, slices.Collect(maps.Values(spent))); err != nil {
			return Entry{}, false, err
		}
		return Entry{}, false, errRetry
	}
	var items []types.TransactWriteItem
	for _, t := range orig.Taken {
		if l, live := byID[t.ID]; live {
			it, err := s.Store.giveBack(e.CustomerID, t, l, rules)
			if err != nil {
				return Entry{}, false, err
			}
			items = append(items, it)
			continue
		}
		l, ok := spent[t.ID]
		if !ok {
			// Neither live nor archived: the update's condition refuses it, as it
			// always did for a lot that is gone.
			it, err := s.Store.giveBack(e.CustomerID, t, Lot{LotRef: t.LotRef, CustomerID: e.CustomerID}, rules)
			if err != nil {
				return Entry{}, false, err
			}
			items = append(items, it)
			continue
		}
		its, err := s.Store.restore(l, t, rules)
		if err != nil {
			return Entry{}, false, err
		}
		items = append(items, its...)
	}
	e.Points, e.Taken = -orig.Points, orig.Taken
	return s.commit(ctx, e, acct, nil, map[string]int{"balance": -orig.Points}, 0, rules, now, append(items, counted...), nil)
}

func (s *Service) takeBackEarn(ctx context.Context, e Entry, orig Entry, acct Account, lots []Lot, rules Rules, now time.Time, counted []types.TransactWriteItem) (Entry, bool, error) {
	// Its own lot first (even while pending), then the others, soonest-expiring first.
	var own, others []Lot
	for _, l := range lots {
		switch {
		case orig.Lot != nil && l.ID == orig.Lot.ID:
			own = append(own, l)
		case !l.Pending && l.Remaining > 0:
			others = append(others, l)
		}
	}
	takes, got := takeFrom(own, orig.Points)
	more, extra := takeFrom(others, orig.Points-got)
	takes, got = append(takes, more...), got+extra
	add := map[string]int{}
	for _, t := range takes {
		if t.Pending {
			add["pending"] -= t.Points
		} else {
			add["balance"] -= t.Points
		}
	}
	// What could not be taken back, and what the earn had paid off, is owed again.
	e.Shortfall = orig.Points - got + orig.Recovered
	add["shortfall"] = e.Shortfall
	e.Points, e.Taken = -got, takes
	next := acct
	next.Earned = PruneBuckets(addBucket(acct.Earned, MonthKey(orig.At), -orig.Gross), now)
	if next.Earned[MonthKey(orig.At)] < 0 {
		next.Earned[MonthKey(orig.At)] = 0
	}
	items, err := s.takeItems(lots, takes, txFixed+len(counted))
	if err != nil {
		return Entry{}, false, err
	}
	return s.commit(ctx, e, acct, &next, add, -add["balance"], rules, now, append(items, counted...), nil)
}

// bucketOf is where new points go: pending while the rules hold them back.
func bucketOf(r Rules) string {
	if r.PendingDays > 0 {
		return "pending"
	}
	return "balance"
}

// referral, when the earn is a referred member's first qualifying purchase, gives the
// member and their referrer a bonus each — once per member, in the earn's transaction;
// the referrer's only while under the yearly limit.
// It returns the items and the member's own bonus, which the earn adds to its account.
func (s *Service) referral(ctx context.Context, next *Account, req EarnRequest, rules Rules, now time.Time) ([]types.TransactWriteItem, int, error) {
	if next.ReferredBy == "" || next.ReferralRewarded || req.Amount == nil || !Qualifies(*req.Amount, next.Earns == 1, rules) {
		return nil, 0, nil
	}
	next.ReferralRewarded = true
	var items []types.TransactWriteItem
	grant := func(cid, src string, n int, reason string) error {
		e := Entry{ID: id.New(now), CustomerID: cid, Type: TypeBonus, SourceID: src, Points: n, Gross: n, At: now,
			Actor: "referral", Reason: reason, Request: fmt.Sprintf("bonus|%d|%s", n, reason)}
		// Pending like an earn's points, so a refund inside the window costs nothing.
		lot := newLotFor(e, n, rules, now, rules.PendingDays > 0)
		e.Lot = &lot.LotRef
		lotItem, err := s.Store.newLot(lot, rules, now)
		if err != nil {
			return err
		}
		claims, err := s.Store.entryItems(e)
		if err != nil {
			return err
		}
		items = append(append(items, lotItem), claims...)
		return nil
	}
	own := 0
	if rules.Referral.RefereeBonus > 0 {
		if err := grant(next.CustomerID, "referral:welcome", rules.Referral.RefereeBonus, "referred by "+next.ReferredBy); err != nil {
			return nil, 0, err
		}
		own = rules.Referral.RefereeBonus
	}
	ref, exists, err := s.Store.AccountOnly(ctx, next.ReferredBy)
	if err != nil {
		return nil, 0, err
	}
	year := fmt.Sprint(now.Year())
	if !exists || rules.Referral.ReferrerBonus <= 0 || !rules.ReferralBonusAllowed(ref.ReferralBonuses[year]) {
		return items, own, nil
	}
	if err := grant(ref.CustomerID, "referral:"+next.CustomerID, rules.Referral.ReferrerBonus, "referred "+next.CustomerID); err != nil {
		return nil, 0, err
	}
	refNext := ref
	refNext.ReferralBonuses = map[string]int{year: ref.ReferralBonuses[year] + 1}
	it, err := s.Store.accountWrite(ref, &refNext, map[string]int{bucketOf(rules): rules.Referral.ReferrerBonus}, 0, now, rules)
	if err != nil {
		return nil, 0, err
	}
	return append(items, it), own, nil
}
