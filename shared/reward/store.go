package reward

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

// Store keeps the catalogue and the vouchers in the rewards table.
type Store struct {
	DB    dynamo.API
	Table string
	// Locations give the zones of the days the report counts in; nil counts in UTC.
	Locations Locations
}

type rewardItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Reward
}

type voucherItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	CustomerPK string `dynamodbav:"customerPk"`
	CustomerSK string `dynamodbav:"customerSk"`
	// ValidUntil is ExpiresAt in Unix seconds.
	ValidUntil int64 `dynamodbav:"validUntil"`
	// DuePK and DueSK put an issued voucher whose expiry is not counted in the due
	// index; any other state leaves it.
	DuePK string `dynamodbav:"duePk,omitempty"`
	DueSK string `dynamodbav:"dueSk,omitempty"`
	Voucher
}

type issueItem struct {
	PK         string `dynamodbav:"pk"`
	SK         string `dynamodbav:"sk"`
	Code       string `dynamodbav:"code"`
	CustomerID string `dynamodbav:"customerId"`
}

// Errors of the catalogue and of an issue, for the flows to tell apart.
var (
	ErrNoReward   = problem.New(problem.NotFound, "no such reward")
	ErrNoVoucher  = problem.New(problem.NotFound, "no voucher with this code")
	ErrOutOfStock = problem.New(problem.Conflict, "this reward is out of stock").Because(ReasonOutOfStock, nil)
	// ErrIssued means the source already issued this customer a voucher: the flow
	// answers with that one (Issued).
	ErrIssued = errors.New("this source already issued the customer a voucher")
)

// SaveReward creates r (Version 0) or replaces it if it is still at r.Version, and
// returns it as saved. Its stock is set as given: an admin's restock.
func (s *Store) SaveReward(ctx context.Context, r Reward, now time.Time) (Reward, error) {
	if err := r.Validate(); err != nil {
		return Reward{}, err
	}
	expect := r.Version
	r.Version++
	r.UpdatedAt = now.UTC()
	err := dynamo.PutVersioned(ctx, s.DB, s.Table, rewardItem{PK: catalogPK, SK: rewardSK(r.ID), Reward: r}, expect, "reward")
	switch {
	case errors.Is(err, dynamo.ErrVersion) && expect == 0:
		return Reward{}, problem.Newf(problem.Conflict, "reward %s exists: edit it with its version", r.ID)
	case errors.Is(err, dynamo.ErrVersion):
		return Reward{}, problem.New(problem.Conflict, "the reward was changed by someone else meanwhile: reload it")
	case err != nil:
		return Reward{}, err
	}
	return r, nil
}

// Reward reads one reward (strongly: a take decides on its stock and tiers).
func (s *Store) Reward(ctx context.Context, id string) (Reward, error) {
	var it rewardItem
	ok, err := dynamo.GetVersioned(ctx, s.DB, s.Table, catalogPK, rewardSK(id), &it, "reward")
	switch {
	case err != nil:
		return Reward{}, err
	case !ok:
		return Reward{}, ErrNoReward
	}
	return it.Reward, nil
}

// Rewards reads the whole catalogue, by id.
func (s *Store) Rewards(ctx context.Context) ([]Reward, error) {
	items, err := dynamo.QueryAll[rewardItem](ctx, s.DB, &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :r)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(catalogPK), ":r": dynamo.S(rewardSK(""))},
	}, "read rewards")
	out := make([]Reward, len(items))
	for i, it := range items {
		out[i] = it.Reward
	}
	return out, err
}

// TakeItem is the transaction item that takes one of r from the catalogue: its
// stock's decrement, never below zero, or (no stock limit) a check that it is still
// offered. A refusal means out of stock or withdrawn meanwhile (ErrOutOfStock).
func (s *Store) TakeItem(r Reward) types.TransactWriteItem {
	key := dynamo.Key(catalogPK, rewardSK(r.ID))
	vals := map[string]types.AttributeValue{":yes": &types.AttributeValueMemberBOOL{Value: true}}
	if r.Stock == nil {
		return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(s.Table), Key: key,
			ConditionExpression:       aws.String("active = :yes AND attribute_not_exists(stock)"),
			ExpressionAttributeValues: vals}}
	}
	vals[":one"] = dynamo.N(1)
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String(s.Table), Key: key,
		UpdateExpression:          aws.String("SET stock = stock - :one"),
		ConditionExpression:       aws.String("active = :yes AND stock >= :one"),
		ExpressionAttributeValues: vals}}
}

// IssueItems are the transaction items that issue v, with v as they store it: the
// voucher, the claim of its source for its customer, and the count of the issue (with
// more counts of the same event, such as the points a take spent) at its location. A refusal of the claim means the source issued this customer a
// voucher before (ErrIssued; Issued reads it).
func (s *Store) IssueItems(ctx context.Context, v Voucher, more map[string]int) (Voucher, []types.TransactWriteItem, error) {
	if v.Code == "" || v.CustomerID == "" || v.Source.Kind == "" || v.Source.ID == "" {
		return Voucher{}, nil, fmt.Errorf("issue a voucher: code, customer and source are required")
	}
	v.State, v.Version = StatusIssued, 1
	// Whole seconds: the redeem's condition compares validUntil in seconds, so Status
	// and the condition agree on the last second.
	v.IssuedAt, v.ExpiresAt = v.IssuedAt.UTC(), v.ExpiresAt.UTC().Truncate(time.Second)
	voucher, err := attributevalue.MarshalMap(s.item(v))
	if err != nil {
		return Voucher{}, nil, err
	}
	claim, err := attributevalue.MarshalMap(issueItem{PK: issuePK(v.Source, v.CustomerID), SK: issueSK, Code: v.Code, CustomerID: v.CustomerID})
	if err != nil {
		return Voucher{}, nil, err
	}
	c := counts(Issued, v, 1)
	for name, n := range more {
		c[name] += n
	}
	counted, err := s.countItems(ctx, v.LocationID, v.IssuedAt, v.Code, c)
	if err != nil {
		return Voucher{}, nil, err
	}
	absent := aws.String("attribute_not_exists(pk)")
	return v, append([]types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.Table), Item: voucher, ConditionExpression: absent}},
		{Put: &types.Put{TableName: aws.String(s.Table), Item: claim, ConditionExpression: absent}},
	}, counted...), nil
}

// item is a voucher as stored, with its keys.
func (s *Store) item(v Voucher) voucherItem {
	it := voucherItem{PK: voucherPK(v.Code), SK: voucherSK,
		CustomerPK: customerPK(v.CustomerID), CustomerSK: v.IssuedAt.UTC().Format(time.RFC3339Nano) + "#" + v.Code,
		ValidUntil: v.ExpiresAt.Unix(), Voucher: v}
	it.DuePK, it.DueSK, _ = dueKeys(v)
	return it
}

// dueKeys are a voucher's keys in the dueKeys index, of its next timer; ok is false
// when it has none left.
func dueKeys(v Voucher) (pk, sk string, ok bool) {
	at, timer, ok := v.nextTimer()
	if !ok {
		return "", "", false
	}
	return fmt.Sprintf("DUE#%d", kpi.Shard(v.Code)%dueShards), at.UTC().Format(dueFormat) + "#" + timer + "#" + v.Code, true
}

// Timers of an issued voucher, in the order they fall due (keys.go).
const (
	timerDeliver = "deliver"
	timerRemind  = "remind"
	timerExpire  = "expire"
)

// nextTimer is the first of an issued voucher's timers still to run, and when; none
// for a voucher redeemed or cancelled, or whose expiry was counted.
func (v Voucher) nextTimer() (time.Time, string, bool) {
	switch {
	case v.State != StatusIssued:
		return time.Time{}, "", false
	case !v.Delivered:
		return v.IssuedAt, timerDeliver, true
	case v.RemindAt != nil && !v.Reminded:
		return *v.RemindAt, timerRemind, true
	case !v.ExpiryCounted:
		return v.ExpiresAt, timerExpire, true
	}
	return time.Time{}, "", false
}

// Issue issues v alone (staff by hand, a campaign, the birthday job): its voucher and
// claim in one transaction. A source that issued this customer a voucher before gets
// that voucher back, replayed.
func (s *Store) Issue(ctx context.Context, v Voucher) (Voucher, bool, error) {
	v, items, err := s.IssueItems(ctx, v, nil)
	if err != nil {
		return Voucher{}, false, err
	}
	var tx dynamo.Tx
	tx.Add(errCodeTaken, items[0])
	tx.Add(ErrIssued, items[1])
	tx.Add(nil, items[2:]...)
	// The day's counter item is shared with the location's other vouchers: a race on
	// it cancels the transaction, which is then simply tried again.
	err = retry.Do(ctx, retry.Conflict, func() (bool, error) {
		err := tx.Commit(ctx, s.DB, "issue voucher")
		return errors.Is(err, dynamo.ErrTxConflict), err
	})
	switch {
	case errors.Is(err, ErrIssued):
		first, err := s.Issued(ctx, v.Source, v.CustomerID)
		return first, true, err
	case errors.Is(err, retry.ErrExhausted):
		return Voucher{}, false, problem.New(problem.Unavailable, "too many vouchers issued at once here; retry shortly")
	case err != nil:
		return Voucher{}, false, err
	}
	return v, false, nil
}

// errCodeTaken means a drawn code is in use: 75 random bits make it as good as never.
var errCodeTaken = errors.New("voucher code already in use")

// Issued reads the voucher a source issued a customer.
func (s *Store) Issued(ctx context.Context, src Source, cid string) (Voucher, error) {
	var claim issueItem
	ok, err := dynamo.GetVersioned(ctx, s.DB, s.Table, issuePK(src, cid), issueSK, &claim, "voucher issue")
	switch {
	case err != nil:
		return Voucher{}, err
	case !ok:
		return Voucher{}, ErrNoVoucher
	}
	return s.Voucher(ctx, claim.Code)
}

// Voucher reads a voucher by its canonical code (strongly: a point of sale acts on
// what it shows).
func (s *Store) Voucher(ctx context.Context, code string) (Voucher, error) {
	var it voucherItem
	ok, err := dynamo.GetVersioned(ctx, s.DB, s.Table, voucherPK(code), voucherSK, &it, "voucher")
	switch {
	case err != nil:
		return Voucher{}, err
	case !ok:
		return Voucher{}, ErrNoVoucher
	}
	return it.Voucher, nil
}

// Vouchers reads a customer's vouchers, newest first, up to limit (the index is read
// eventually consistent; a voucher just issued is in its issuer's answer).
func (s *Store) Vouchers(ctx context.Context, cid string, limit int) ([]Voucher, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String("byCustomer"),
		KeyConditionExpression:    aws.String("customerPk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S(customerPK(cid))},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, dynamo.Unavailable(err, "read vouchers")
	}
	var items []voucherItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, err
	}
	vs := make([]Voucher, len(items))
	for i, it := range items {
		vs[i] = it.Voucher
	}
	return vs, nil
}

// Redeem uses the voucher v (as the caller read it) once at a point of sale, for the
// bill src at location: the voucher's write is conditioned on its version, so of any
// number of concurrent redeems one succeeds, and the others see it redeemed. The same
// bill redeeming it again gets the redemption back (replayed); anything else is
// refused in words: 409 already redeemed or cancelled or not valid at this location,
// 410 expired. Counted at the till's location in the same transaction.
func (s *Store) Redeem(ctx context.Context, v Voucher, src, location, by string, now time.Time) (Voucher, bool, error) {
	return s.transition(ctx, v, func(v Voucher) (Voucher, []types.TransactWriteItem, bool, error) {
		switch st := v.Status(now); {
		case st == StatusRedeemed && v.Redemption != nil && v.Redemption.SourceID == src && v.Redemption.LocationID == location:
			return v, nil, true, nil
		case st == StatusRedeemed:
			at := v.Redemption.At.Format(time.RFC3339)
			return v, nil, false, problem.Newf(problem.Conflict, "this voucher was redeemed on %s at %s", at, v.Redemption.LocationID).
				Because("voucher-redeemed", map[string]any{"redeemedAt": at, "locationId": v.Redemption.LocationID})
		case st == StatusCancelled:
			return v, nil, false, problem.New(problem.Conflict, "this voucher was cancelled").Because("voucher-cancelled", nil)
		case st == StatusExpired:
			at := v.ExpiresAt.Format(time.RFC3339)
			return v, nil, false, problem.Newf(problem.Gone, "this voucher expired on %s", at).
				Because("voucher-expired", map[string]any{"expiredAt": at})
		case !v.ValidAt(location):
			return v, nil, false, problem.Newf(problem.Conflict, "this voucher is not valid at this location: only at %s",
				strings.Join(v.LocationIDs, ", ")).Because("voucher-elsewhere", map[string]any{"locationIds": v.LocationIDs})
		}
		next := v
		next.State, next.Redemption = StatusRedeemed, &Redemption{At: now.UTC(), SourceID: src, LocationID: location, By: by}
		counted, err := s.countItems(ctx, location, now, v.Code+"|"+src, counts(Redeemed, v, 1))
		return next, counted, false, err
	})
}

// Reverse undoes the redemption of v for the bill src once, when that bill is
// refunded: the voucher is issued again (usable until its expiry) and keeps the
// reversal, so a second reversal is refused (409); the same reversal again is answered
// with it (replayed). The redemption is taken off its location's count on this day.
func (s *Store) Reverse(ctx context.Context, v Voucher, src, by string, now time.Time) (Voucher, bool, error) {
	return s.transition(ctx, v, func(v Voucher) (Voucher, []types.TransactWriteItem, bool, error) {
		switch {
		case v.Reversal != nil && v.Reversal.Redemption.SourceID == src:
			return v, nil, true, nil
		case v.Reversal != nil:
			return v, nil, false, problem.New(problem.Conflict, "this voucher's redemption was reversed once already").Because("voucher-reversed-once", nil)
		case v.State != StatusRedeemed || v.Redemption == nil:
			return v, nil, false, problem.New(problem.Conflict, "this voucher is not redeemed").Because("voucher-not-redeemed", nil)
		case v.Redemption.SourceID != src:
			return v, nil, false, problem.Newf(problem.Conflict, "this voucher was redeemed for another bill (%s)", v.Redemption.SourceID).
				Because("voucher-other-bill", map[string]any{"sourceId": v.Redemption.SourceID})
		}
		next := v
		next.State, next.Redemption = StatusIssued, nil
		next.Reversal = &Reversal{At: now.UTC(), By: by, Redemption: *v.Redemption}
		counted, err := s.countItems(ctx, v.Redemption.LocationID, now, v.Code+"|"+src, counts(Redeemed, v, -1))
		return next, counted, false, err
	})
}

// Cancel withdraws v, issued and unused, with the reason; counted where it was issued.
func (s *Store) Cancel(ctx context.Context, v Voucher, by, reason string, now time.Time) (Voucher, error) {
	out, _, err := s.transition(ctx, v, func(v Voucher) (Voucher, []types.TransactWriteItem, bool, error) {
		if st := v.Status(now); st != StatusIssued {
			return v, nil, false, problem.Newf(problem.Conflict, "only an issued voucher can be cancelled; this one is %s", st).
				Because("voucher-not-issued", map[string]any{"status": st})
		}
		next := v
		next.State, next.Cancelled = StatusCancelled, &Redemption{At: now.UTC(), By: by, Reason: reason}
		counted, err := s.countItems(ctx, v.LocationID, now, v.Code, counts(Cancelled, v, 1))
		return next, counted, false, err
	})
	return out, err
}

// step decides a voucher's next state from the voucher as stored: the next voucher
// with the counter items to write with it, or done (nothing to write: a repeat) or an
// error (a refusal, nothing written).
type step func(v Voucher) (next Voucher, counted []types.TransactWriteItem, done bool, err error)

// transition applies decide to v and writes the next voucher, conditioned on the
// version decided from, with its counters, in one transaction: one round trip when v
// is still as stored. A voucher changed meanwhile comes back with the refusal (ALL_OLD)
// and is decided again; a race with another transaction reads it again.
func (s *Store) transition(ctx context.Context, v Voucher, decide step) (Voucher, bool, error) {
	var out Voucher
	var replayed bool
	var was *refused
	bare := false
	err := retry.Do(ctx, retry.Conflict.WithAttempts(20), func() (bool, error) {
		next, counted, done, err := decide(v)
		if err != nil || done {
			out, replayed = next, done
			return false, err
		}
		if bare {
			counted = nil
		}
		next.Version = v.Version + 1
		switch err := s.save(ctx, v, next, counted); {
		case err == nil:
			out = next
			return false, nil
		case errors.Is(err, errNoticed) && !bare:
			bare = true // the message was scheduled before: spend the timer alone
			return true, nil
		case errors.As(err, &was):
			v = was.voucher // changed meanwhile: decide on it as it is
			return true, nil
		case errors.Is(err, dynamo.ErrTxConflict):
			v, err = s.Voucher(ctx, v.Code)
			return err == nil, err
		default:
			return false, err
		}
	})
	if errors.Is(err, retry.ErrExhausted) {
		return Voucher{}, false, problem.New(problem.Unavailable, "too many concurrent changes to this voucher; retry shortly")
	}
	return out, replayed, err
}

// save puts next over before, if the stored voucher is still at before's version, with
// counted, in one transaction.
func (s *Store) save(ctx context.Context, before, next Voucher, counted []types.TransactWriteItem) error {
	item, err := attributevalue.MarshalMap(s.item(next))
	if err != nil {
		return err
	}
	put := types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: item,
		ConditionExpression:                 aws.String("version = :v"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":v": dynamo.N(int64(before.Version))},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{put}, counted...)})
	var cancelled *types.TransactionCanceledException
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &cancelled) || len(cancelled.CancellationReasons) == 0:
		return dynamo.Unavailable(err, "save voucher")
	}
	first := cancelled.CancellationReasons[0]
	switch aws.ToString(first.Code) {
	case "ConditionalCheckFailed":
		if len(first.Item) == 0 {
			return ErrNoVoucher
		}
		var it voucherItem
		if err := attributevalue.UnmarshalMap(first.Item, &it); err != nil {
			return err
		}
		return &refused{voucher: it.Voucher}
	}
	for _, r := range cancelled.CancellationReasons {
		if aws.ToString(r.Code) == "TransactionConflict" {
			return dynamo.ErrTxConflict // the voucher or a counter item raced another write
		}
	}
	for _, r := range cancelled.CancellationReasons[1:] {
		if aws.ToString(r.Code) == "ConditionalCheckFailed" {
			return errNoticed
		}
	}
	return dynamo.Unavailable(err, "save voucher")
}

// errNoticed means a timer's message was refused because its occasion has its
// follow-up already (the only conditional items written with a voucher besides the
// voucher itself): a table restored apart from the other.
var errNoticed = errors.New("the voucher's message is scheduled already")

// refused is a write's condition failing on the voucher as it was.
type refused struct{ voucher Voucher }

func (r *refused) Error() string { return "voucher changed meanwhile: " + r.voucher.State }

// Notices are the messages a voucher's timers send the customer (a flow supplies
// them): the transaction items that schedule the message telling them of v, or
// reminding them of it before it expires, written with the voucher's own change, so
// each is scheduled once. None (nil items) when there is no one to tell.
type Notices interface {
	Deliver(ctx context.Context, v Voucher, now time.Time) ([]types.TransactWriteItem, error)
	Remind(ctx context.Context, v Voucher, now time.Time) ([]types.TransactWriteItem, error)
}

// Timers are what a run of the timers did: the vouchers' deliveries and reminders
// run (each with its message, unless the voucher was no longer usable or the customer
// could not be told), and the vouchers counted as expired unused.
type Timers struct {
	Delivered, Reminded, Expired int
}

// RunTimers runs, once each, the vouchers' timers due by now, through the sharded
// dueKeys index (never a scan; each entry's pk names the voucher): a new voucher's
// delivery (the message notices make, and its reminder's time, lead before its
// expiry: none when its validity is shorter than lead or lead is 0), the reminder, if
// it is still issued then, and the count of a voucher that expired unused, at the
// location it was issued at. Each is one
// transaction with the voucher, conditioned on its version, so two runs, or a run
// retried after a failure, do each once. notices may be nil: then no message is sent.
func (s *Store) RunTimers(ctx context.Context, now time.Time, notices Notices, lead time.Duration) (Timers, error) {
	var done Timers
	for shard := range dueShards {
		// While DynamoDB still fills the keys-only index after the deploy that made it
		// (or on a table restored from before it), Backfilled asks the due index it
		// replaces: that one projects every attribute, the pk among them.
		keys, err := dynamo.QueryAll[struct {
			PK string `dynamodbav:"pk"`
		}](ctx, dynamo.Backfilled(s.DB, "rewards", dueIndex), &dynamodb.QueryInput{
			TableName: aws.String(s.Table), IndexName: aws.String(dueIndex),
			KeyConditionExpression: aws.String("duePk = :pk AND dueSk <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": dynamo.S(fmt.Sprintf("DUE#%d", shard)), ":now": dynamo.S(now.UTC().Format(dueFormat) + "#~"),
			},
			ProjectionExpression: aws.String("pk"),
		}, "query voucher timers")
		if err != nil {
			return done, err
		}
		for _, k := range keys {
			code, ok := codeOf(k.PK)
			if !ok {
				return done, fmt.Errorf("voucher timers: entry %q is no voucher's", k.PK)
			}
			v, err := s.Voucher(ctx, code)
			if err != nil {
				return done, err
			}
			// A run late enough may find several of a voucher's timers due: each is
			// its own step, in order.
			for range 3 {
				var timer string
				var finished bool
				v, finished, err = s.transition(ctx, v, func(v Voucher) (Voucher, []types.TransactWriteItem, bool, error) {
					var items []types.TransactWriteItem
					var err error
					timer, items, err = s.step(ctx, &v, now, notices, lead)
					return v, items, timer == "", err
				})
				if err != nil {
					return done, err
				}
				if finished {
					break
				}
				switch timer {
				case timerDeliver:
					done.Delivered++
				case timerRemind:
					done.Reminded++
				case timerExpire:
					done.Expired++
				}
			}
		}
	}
	return done, nil
}

// step runs v's first timer due by now on v and says which ("" for none: not due
// yet, or nothing left), with the items to write with it. A message is sent only
// for a voucher still usable when its timer runs; the timer is spent either way.
func (s *Store) step(ctx context.Context, v *Voucher, now time.Time, notices Notices, lead time.Duration) (string, []types.TransactWriteItem, error) {
	at, timer, ok := v.nextTimer()
	if !ok || at.After(now) {
		return "", nil, nil
	}
	usable := v.Status(now) == StatusIssued
	switch timer {
	case timerDeliver:
		v.Delivered = true
		if r := v.ExpiresAt.Add(-lead); lead > 0 && r.After(v.IssuedAt) {
			v.RemindAt = &r
		}
		if !usable || notices == nil {
			return timerDeliver, nil, nil
		}
		items, err := notices.Deliver(ctx, *v, now)
		return timerDeliver, items, err
	case timerRemind:
		v.Reminded = true
		if !usable || notices == nil {
			return timerRemind, nil, nil
		}
		items, err := notices.Remind(ctx, *v, now)
		return timerRemind, items, err
	}
	v.ExpiryCounted = true
	items, err := s.countItems(ctx, v.LocationID, v.ExpiresAt, v.Code, counts(Expired, *v, 1))
	return timerExpire, items, err
}
