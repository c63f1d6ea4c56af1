package loyalty

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

// Service is the loyalty domain's behaviour.
type Service struct {
	Store *Store
	Clock clock.Clock
	// Effects, when set, gives what a tier change or an expiry reminder causes outside
	// the programme, written in the same transaction (effects.go).
	Effects Effects
	// Gifts, when set, gives the birthday voucher the rules may offer (effects.go).
	Gifts BirthdayGifts
	// Customers decide who may act on an account (policy.go); the HTTP routes need it.
	Customers Customers
	// Locations, when set, gives the time zones the KPI counters count in (kpi.go).
	Locations Locations
}

// MaxPoints bounds the points of one request.
const MaxPoints = 10_000_000

// EarnRequest earns points: given outright, or from an amount by the rules.
type EarnRequest struct {
	SourceID   string   `json:"sourceId"`
	Points     int      `json:"points"`
	Amount     *float64 `json:"amount"`
	Currency   string   `json:"currency"`
	LocationID string   `json:"locationId"`
}

// PointsRequest redeems, adjusts (signed, with a reason) or reverses (sourceId only).
// A redeem may name the location it happens at (counted in its KPIs).
type PointsRequest struct {
	SourceID   string `json:"sourceId"`
	Points     int    `json:"points"`
	Reason     string `json:"reason"`
	LocationID string `json:"locationId"`
}

// accountRetry is retry.Conflict with more attempts, for every write to a points
// account: one account can have many writers at once (a till's redeems, a campaign's
// earns, the timers), and each loses to most of the others before it wins; 200
// concurrent redeems of one account all get an answer (TestConcurrentRedeemsNeverOverspend).
var accountRetry = retry.Conflict.WithAttempts(60)

var errRetry = errors.New("lost a race; again")

// run tries a write until it is done, refused for good, or out of attempts.
func (s *Service) run(ctx context.Context, once func() (Entry, bool, error)) (Entry, bool, error) {
	var e Entry
	var replayed bool
	err := retry.Do(ctx, accountRetry, func() (bool, error) {
		var err error
		e, replayed, err = once()
		return errors.Is(err, errRetry), err
	})
	if errors.Is(err, retry.ErrExhausted) {
		return Entry{}, false, problem.New(problem.Unavailable, "too many concurrent changes to these points; retry shortly")
	}
	return e, replayed, err
}

func checkSource(src string) error {
	if !validID(src) {
		return problem.Field("sourceId", "is required: letters, digits and . _ : # - (at most 128)")
	}
	return nil
}

func checkPoints(n int, field string, allowNegative bool) error {
	if n == 0 || n > MaxPoints || (!allowNegative && n < 0) || n < -MaxPoints {
		if allowNegative {
			return problem.Field(field, fmt.Sprintf("must be a whole number from %d to %d, not 0", -MaxPoints, MaxPoints))
		}
		return problem.Field(field, fmt.Sprintf("must be a whole number from 1 to %d", MaxPoints))
	}
	return nil
}

// accountWrite is the update of an account in a transaction: adds (balance, pending,
// shortfall) that commute with concurrent writers, and, when next is given, the
// computed fields, only if nobody else computed meanwhile (rev). minBalance makes the
// write fail rather than take more than is available.
func (s *Store) accountWrite(cur Account, next *Account, add map[string]int, minBalance int, now time.Time, r Rules) (types.TransactWriteItem, error) {
	u := expression.Set(expression.Name("customerId"), expression.Value(cur.CustomerID)).
		Set(expression.Name("updatedAt"), expression.Value(now)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(now)))
	for _, k := range []string{"balance", "pending", "shortfall"} {
		u = u.Add(expression.Name(k), expression.Value(add[k]))
	}
	var cond *expression.ConditionBuilder
	if next != nil {
		u = u.Set(expression.Name("rev"), expression.Value(cur.Rev+1)).
			Set(expression.Name("earned"), expression.Value(nonNil(next.Earned))).
			Set(expression.Name("tier"), expression.Value(next.Tier)).
			Set(expression.Name("tierSince"), expression.Value(next.TierSince)).
			Set(expression.Name("reviewAt"), expression.Value(next.ReviewAt)).
			Set(expression.Name("earns"), expression.Value(next.Earns)).
			Set(expression.Name("referralRewarded"), expression.Value(next.ReferralRewarded)).
			Set(expression.Name("referralBonuses"), expression.Value(nonNil(next.ReferralBonuses))).
			Set(expression.Name("lastBirthdayYear"), expression.Value(next.LastBirthdayYear))
		if next.Active != nil {
			u = u.Set(expression.Name("active"), expression.Value(next.Active))
		}
		if next.DowngradeAt != nil {
			u = u.Set(expression.Name("downgradeAt"), expression.Value(*next.DowngradeAt))
		} else {
			u = u.Remove(expression.Name("downgradeAt"))
		}
		st := next.tierState()
		u = u.Set(expression.Name("duePk"), expression.Value(duePK(cur.CustomerID))).
			Set(expression.Name("dueSk"), expression.Value(dueSK(st.NextReview(), timerReview, cur.CustomerID, "-")))
		c := expression.AttributeNotExists(expression.Name("pk")).Or(expression.Name("rev").Equal(expression.Value(cur.Rev)))
		if cur.Rev == 0 {
			c = c.Or(expression.AttributeNotExists(expression.Name("rev")))
		}
		cond = &c
	}
	if minBalance > 0 {
		c := expression.Name("balance").GreaterThanEqual(expression.Value(minBalance))
		if cond != nil {
			c = c.And(*cond)
		}
		cond = &c
	}
	return s.update(keyOf(cur.CustomerID), u, cond)
}

func keyOf(cid string) map[string]types.AttributeValue { return dynamo.Key(accountPK(cid), accountSK) }

func nonNil(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// newLotFor makes the lot of an earn or bonus of credited points at now.
func newLotFor(e Entry, credited int, r Rules, now time.Time, pending bool) Lot {
	avail := now
	if pending {
		avail = now.AddDate(0, 0, r.PendingDays)
	}
	exp := now.AddDate(0, max(r.ExpiryMonths, 1), 0)
	return Lot{LotRef: LotRef{ID: e.ID, AvailableAt: avail, ExpiresAt: exp}, CustomerID: e.CustomerID,
		SourceID: e.SourceID, Points: credited, Remaining: credited, Pending: pending}
}

// repeat answers a sourceId used before: the first entry when it asked the same,
// a conflict otherwise.
func (s *Service) repeat(ctx context.Context, cid, src, typ, request string) (Entry, bool, error) {
	e, ok, err := s.Store.Source(ctx, cid, src)
	switch {
	case err != nil:
		return Entry{}, false, err
	case !ok:
		return Entry{}, false, errRetry
	case e.Type != typ || e.Request != request:
		return Entry{}, false, problem.Newf(problem.Conflict, "this sourceId was already used (%s) with other values", e.Type)
	}
	return e, true, nil
}

// Earn adds points for a purchase or outright. The same sourceId again returns the
// first entry and earns nothing. Points first pay off a shortfall left by a reversal;
// the rest are a new lot, pending for the rules' days, expiring after their months.
func (s *Service) Earn(ctx context.Context, actor, cid string, req EarnRequest) (Entry, bool, error) {
	if err := s.checkEarn(cid, req); err != nil {
		return Entry{}, false, err
	}
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return Entry{}, false, err
	}
	request := fmt.Sprintf("earn|%d|%s|%s|%s", req.Points, amountText(req.Amount), req.Currency, req.LocationID)
	zone := ""
	if req.LocationID != "" {
		if zone, err = s.zone(ctx, req.LocationID); err != nil {
			return Entry{}, false, err
		}
	}
	return s.run(ctx, func() (Entry, bool, error) {
		now := s.Clock.Now()
		acct, _, err := s.Store.AccountOnly(ctx, cid)
		if err != nil {
			return Entry{}, false, err
		}
		tier := cmp.Or(acct.Tier, rules.TierFor(0))
		e := Entry{ID: id.New(now), CustomerID: cid, Type: TypeEarn, SourceID: req.SourceID, At: now, Actor: actor,
			LocationID: req.LocationID, Request: request, Gross: req.Points}
		if req.Amount != nil {
			applied, err := rules.Points(EarnInput{Amount: *req.Amount, Currency: req.Currency, LocationID: req.LocationID,
				Tier: tier, Segments: append([]string{tier}, acct.Tags...), At: now})
			if err != nil {
				return Entry{}, false, err
			}
			e.Gross, e.Rule, e.Amount, e.Currency = applied.Points, &applied, amountText(req.Amount), req.Currency
		}
		e.Recovered = min(e.Gross, acct.Shortfall)
		e.Points = e.Gross - e.Recovered
		next := acct
		next.Earns++
		next.Earned = PruneBuckets(addBucket(acct.Earned, MonthKey(now), e.Gross), now)
		st, change := rules.OnEarn(acct.tierState(), Earned12m(next.Earned, now), now)
		next.setTier(st)
		add := map[string]int{"shortfall": -e.Recovered}
		var items []types.TransactWriteItem
		if e.Points > 0 {
			lot := newLotFor(e, e.Points, rules, now, rules.PendingDays > 0)
			e.Lot = &lot.LotRef
			if lot.Pending {
				add["pending"] = e.Points
			} else {
				add["balance"] = e.Points
			}
			it, err := s.Store.newLot(lot, rules, now)
			if err != nil {
				return Entry{}, false, err
			}
			items = append(items, it)
		}
		if req.LocationID != "" {
			counted, err := s.counted(req.LocationID, zone, e, &next, map[string]int{kpi.PointsIssued: e.Gross})
			if err != nil {
				return Entry{}, false, err
			}
			items = append(items, counted...)
		}
		extra, welcome, err := s.referral(ctx, &next, req, rules, now)
		if err != nil {
			return Entry{}, false, err
		}
		add[bucketOf(rules)] += welcome
		effects, err := s.tierChanged(next, change, now)
		if err != nil {
			return Entry{}, false, err
		}
		extra = append(extra, effects...)
		return s.commit(ctx, e, acct, &next, add, 0, rules, now, items, extra)
	})
}

// commit writes an entry with its source's claim, the account change and the other
// items as one transaction, and sorts out why it failed: a used sourceId answers with
// the first entry; a lost race runs again.
func (s *Service) commit(ctx context.Context, e Entry, acct Account, next *Account, add map[string]int, minBalance int, rules Rules, now time.Time, items, extra []types.TransactWriteItem) (Entry, bool, error) {
	acctItem, err := s.Store.accountWrite(acct, next, add, minBalance, now, rules)
	if err != nil {
		return Entry{}, false, err
	}
	claims, err := s.Store.entryItems(e)
	if err != nil {
		return Entry{}, false, err
	}
	all := append(append(append([]types.TransactWriteItem{acctItem}, claims...), items...), extra...)
	if len(all) > dynamo.MaxTxItems {
		return Entry{}, false, problem.New(problem.Invalid, "these points touch too many lots at once; redeem fewer")
	}
	txErr := s.Store.transact(ctx, all)
	switch {
	case txErr == nil:
		return e, false, nil
	case txErr.failed(2): // the source's claim
		return s.repeat(ctx, e.CustomerID, e.SourceID, e.Type, e.Request)
	case txErr.failed(0) && minBalance > 0 && next == nil:
		return Entry{}, false, errInsufficient
	case txErr.conflict() || txErr.conditionFailed():
		return Entry{}, false, errRetry
	}
	return Entry{}, false, dynamo.Unavailable(txErr.err, "save points")
}

var errInsufficient = problem.New(problem.Conflict, "not enough points available").Because(ReasonPointsShort, nil)

// ReasonPointsShort is a refused spend's reason (problem.Error.Reason), the one a
// refused take gives too (reward.ReasonPointsShort).
const ReasonPointsShort = "points-short"

func addBucket(m map[string]int, month string, n int) map[string]int {
	out := make(map[string]int, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out[month] += n
	return out
}

func amountText(a *float64) string {
	if a == nil {
		return ""
	}
	return strconv.FormatFloat(*a, 'f', -1, 64)
}

func (s *Service) checkEarn(cid string, req EarnRequest) error {
	if !validID(cid) {
		return problem.Field("customerId", "must be letters, digits and . _ : # -")
	}
	if err := checkSource(req.SourceID); err != nil {
		return err
	}
	switch {
	case req.Amount == nil && req.Points == 0:
		return problem.Field("points", "give points, or an amount and currency")
	case req.Amount != nil && req.Points != 0:
		return problem.Field("points", "give points or an amount, not both")
	case req.Amount != nil && (math.IsNaN(*req.Amount) || math.IsInf(*req.Amount, 0) || *req.Amount <= 0 || *req.Amount > 1e9):
		return problem.Field("amount", "must be a positive amount")
	case req.Amount != nil && req.Currency == "":
		return problem.Field("currency", "is required with an amount")
	case req.Amount == nil:
		return checkPoints(req.Points, "points", false)
	}
	return nil
}

// available are the lots points may be taken from now, soonest-expiring first.
func available(lots []Lot) []Lot {
	var out []Lot
	for _, l := range lots {
		if !l.Pending && l.Remaining > 0 {
			out = append(out, l)
		}
	}
	return out
}

// takeFrom takes up to n points from lots in order; it returns the takes and how many.
func takeFrom(lots []Lot, n int) ([]Take, int) {
	var takes []Take
	got := 0
	for _, l := range lots {
		if got == n {
			break
		}
		t := min(l.Remaining, n-got)
		if t > 0 {
			takes = append(takes, Take{LotRef: l.LotRef, Points: t, Pending: l.Pending})
			got += t
		}
	}
	return takes, got
}

// takeItems are the writes of takes from lots (as read). Each take that empties an
// available lot archives it (two items) while the transaction has room for fixed
// items besides; the others are updates, as are emptying takes past the limit: those
// lots stay live with nothing left until their next timer archives them (jobs.go), so
// the lots one write can draw are as many as with updates alone.
func (s *Service) takeItems(lots []Lot, takes []Take, fixed int) ([]types.TransactWriteItem, error) {
	byID := make(map[string]Lot, len(lots))
	for _, l := range lots {
		byID[l.ID] = l
	}
	room := dynamo.MaxTxItems - fixed - len(takes) // items left for archiving
	var items []types.TransactWriteItem
	for _, t := range takes {
		l := byID[t.ID]
		archive := room > 0 && empties(l, t)
		if archive {
			room--
		}
		its, err := s.Store.take(l, t, archive)
		if err != nil {
			return nil, err
		}
		items = append(items, its...)
	}
	return items, nil
}

// txFixed are the items a ledger write has besides its lots and extras: the account,
// the entry and the source's claim (commit).
const txFixed = 3

// Redeem spends points, soonest-expiring lots first. More than is available is refused
// (409) by the database's condition on the balance: never clamped, never negative.
func (s *Service) Redeem(ctx context.Context, actor, cid string, req PointsRequest) (Entry, bool, error) {
	if err := checkSource(req.SourceID); err != nil {
		return Entry{}, false, err
	}
	if err := checkPoints(req.Points, "points", false); err != nil {
		return Entry{}, false, err
	}
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return Entry{}, false, err
	}
	request := fmt.Sprintf("redeem|%d", req.Points)
	zone := ""
	if req.LocationID != "" {
		request += "|" + req.LocationID
		if zone, err = s.zone(ctx, req.LocationID); err != nil {
			return Entry{}, false, err
		}
	}
	return s.run(ctx, func() (Entry, bool, error) {
		return s.spend(ctx, actor, cid, TypeRedeem, req.SourceID, req.Points, "", request, rules, req.LocationID, zone)
	})
}

// spend takes n available points (a redeem or a negative adjustment); a redeem at a
// location (in its zone) counts there.
func (s *Service) spend(ctx context.Context, actor, cid, typ, src string, n int, reason, request string, rules Rules, location, zone string) (Entry, bool, error) {
	p, err := s.planSpend(ctx, actor, cid, typ, src, n, reason, request, rules, location, zone)
	switch {
	case errors.Is(err, ErrSourceUsed):
		// A retry of a spend that already emptied the balance is answered with it.
		return s.repeat(ctx, cid, src, typ, request)
	case errors.Is(err, ErrMoved):
		return Entry{}, false, errRetry
	case err != nil:
		return Entry{}, false, err
	}
	e2, replayed, err := s.commit(ctx, p.Entry, p.acct, p.next, p.add, n, rules, p.Entry.At, p.items, nil)
	if errors.Is(err, errInsufficient) {
		return Entry{}, false, errRetry // another spend came first: read the balance again
	}
	return e2, replayed, err
}

// Errors of a planned spend another domain commits (Spend).
var (
	// ErrSourceUsed means the spend's sourceId made an entry before: the flow answers
	// with what that entry made (a repeated request).
	ErrSourceUsed = problem.New(problem.Conflict, "this sourceId was used before")
	// ErrMoved means the account or its lots changed since they were read: plan again.
	ErrMoved = errors.New("the points changed meanwhile")
)

// Spend is n points taken from an account, planned for another domain to commit with
// its own items in one transaction (a reward taken for points: the debit and the
// voucher are one write). Its items never overdraw: the account's write is
// conditioned on the balance.
type Spend struct {
	Entry Entry
	// Balance and Tier are the account's before the spend (a member who never had
	// points is in the lowest tier), for what the flow offers.
	Balance int
	Tier    string
	acct    Account
	next    *Account
	add     map[string]int
	items   []types.TransactWriteItem
	store   *Store
	rules   Rules
}

// PlanSpend plans spending n points of cid for the source src at location (empty:
// none) with the ledger's reason: the lots it takes, soonest-expiring first, and the
// entry. Too few points is a 409 naming the balance, and nothing is written; a source
// used before is ErrSourceUsed.
func (s *Service) PlanSpend(ctx context.Context, actor, cid, src string, n int, reason, location string) (Spend, error) {
	if err := checkSource(src); err != nil {
		return Spend{}, err
	}
	if err := checkPoints(n, "points", false); err != nil {
		return Spend{}, err
	}
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return Spend{}, err
	}
	request := fmt.Sprintf("spend|%d|%s", n, reason)
	zone := ""
	if location != "" {
		if zone, err = s.zone(ctx, location); err != nil {
			return Spend{}, err
		}
	}
	return s.planSpend(ctx, actor, cid, TypeRedeem, src, n, reason, request, rules, location, zone)
}

// Contribute adds the spend's items to tx: a refusal of the account's or the lots'
// conditions is ErrMoved (plan again: a concurrent spend may have left too few
// points, which the new plan says in words), of the source's claim ErrSourceUsed.
func (p Spend) Contribute(tx *dynamo.Tx) error {
	acct, err := p.store.accountWrite(p.acct, p.next, p.add, -p.add["balance"], p.Entry.At, p.rules)
	if err != nil {
		return err
	}
	claims, err := p.store.entryItems(p.Entry)
	if err != nil {
		return err
	}
	if tx.Len()+1+len(claims)+len(p.items) > dynamo.MaxTxItems {
		return problem.New(problem.Invalid, "these points touch too many lots at once")
	}
	tx.Add(ErrMoved, acct)
	tx.Add(ErrSourceUsed, claims...)
	tx.Add(ErrMoved, p.items...)
	return nil
}

// planSpend reads the account and its lots and plans taking n points from them.
func (s *Service) planSpend(ctx context.Context, actor, cid, typ, src string, n int, reason, request string, rules Rules, location, zone string) (Spend, error) {
	now := s.Clock.Now()
	acct, lots, _, err := s.Store.Account(ctx, cid)
	if err != nil {
		return Spend{}, err
	}
	takes, got := takeFrom(available(lots), n)
	if acct.Balance < n || got < n {
		if _, ok, err := s.Store.Source(ctx, cid, src); err != nil || ok {
			if err != nil {
				return Spend{}, err
			}
			return Spend{}, ErrSourceUsed
		}
		if acct.Balance < n {
			return Spend{}, problem.Newf(problem.Conflict, "not enough points: %d available, %d asked", acct.Balance, n).
				Because(ReasonPointsShort, map[string]any{"available": acct.Balance, "needed": n})
		}
		return Spend{}, ErrMoved // lots and balance read apart: look again
	}
	e := Entry{ID: id.New(now), CustomerID: cid, Type: typ, SourceID: src, Points: -n, At: now, Actor: actor, Taken: takes, Reason: reason,
		Request: request, LocationID: location}
	var next *Account
	var counted []types.TransactWriteItem
	if location != "" {
		marked := acct
		counted, err = s.counted(location, zone, e, &marked, map[string]int{kpi.PointsRedeemed: n})
		if err != nil {
			return Spend{}, err
		}
		if marked.Active[location] != acct.Active[location] {
			next = &marked // a first activity: written under the account's rev
		}
	}
	items, err := s.takeItems(lots, takes, txFixed+len(counted))
	if err != nil {
		return Spend{}, err
	}
	tier := acct.Tier
	if tier == "" {
		tier = rules.TierFor(0)
	}
	return Spend{Entry: e, Balance: acct.Balance, Tier: tier, acct: acct, next: next, add: map[string]int{"balance": -n},
		items: append(items, counted...), store: s.Store, rules: rules}, nil
}

// Adjust changes points by hand (managers), with the reason recorded: up as a new lot,
// down like a redeem (never below zero).
func (s *Service) Adjust(ctx context.Context, actor, cid string, req PointsRequest) (Entry, bool, error) {
	if err := checkSource(req.SourceID); err != nil {
		return Entry{}, false, err
	}
	if err := checkPoints(req.Points, "points", true); err != nil {
		return Entry{}, false, err
	}
	if len(req.Reason) < 3 || len(req.Reason) > 500 {
		return Entry{}, false, problem.Field("reason", "is required: why the points change (3 to 500 characters)")
	}
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return Entry{}, false, err
	}
	request := fmt.Sprintf("adjust|%d|%s", req.Points, req.Reason)
	return s.run(ctx, func() (Entry, bool, error) {
		if req.Points < 0 {
			return s.spend(ctx, actor, cid, TypeAdjust, req.SourceID, -req.Points, req.Reason, request, rules, "", "")
		}
		return s.credit(ctx, actor, cid, TypeAdjust, req.SourceID, req.Points, req.Reason, request, rules, nil)
	})
}

// Bonus grants points outright (birthday, referral, a complaint's compensation) as a
// new lot; the same sourceId again returns the first entry.
func (s *Service) Bonus(ctx context.Context, actor, cid, src string, points int, reason string) (Entry, bool, error) {
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return Entry{}, false, err
	}
	request := fmt.Sprintf("bonus|%d|%s", points, reason)
	return s.run(ctx, func() (Entry, bool, error) {
		return s.credit(ctx, actor, cid, TypeBonus, src, points, reason, request, rules, nil)
	})
}

// credit adds points as a new available lot; edit may change the account's computed
// fields (a birthday's year), which makes the write conditional on the account's rev.
func (s *Service) credit(ctx context.Context, actor, cid, typ, src string, n int, reason, request string, rules Rules, edit func(*Account)) (Entry, bool, error) {
	now := s.Clock.Now()
	e := Entry{ID: id.New(now), CustomerID: cid, Type: typ, SourceID: src, Points: n, Gross: n, At: now, Actor: actor, Reason: reason, Request: request}
	lot := newLotFor(e, n, rules, now, false)
	e.Lot = &lot.LotRef
	item, err := s.Store.newLot(lot, rules, now)
	if err != nil {
		return Entry{}, false, err
	}
	acct := Account{CustomerID: cid}
	var next *Account
	if edit != nil {
		if acct, _, err = s.Store.AccountOnly(ctx, cid); err != nil {
			return Entry{}, false, err
		}
		n := acct
		edit(&n)
		next = &n
	}
	return s.commit(ctx, e, acct, next, map[string]int{"balance": n}, 0, rules, now, []types.TransactWriteItem{item}, nil)
}
