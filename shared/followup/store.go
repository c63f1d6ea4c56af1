package followup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/dynamo"
)

// ErrNotFound means no follow-up has that id.
var ErrNotFound = errors.New("follow-up not found")

// Store keeps follow-ups in the followups table.
type Store struct {
	DB    dynamo.API
	Table string
	// Cursors seals the list's cursors (shared/cursor); only followups-staff lists.
	Cursors *curs.Codec
}

// item is a follow-up as stored, with its index keys and sending lease.
type item struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Followup
	DuePK      string `dynamodbav:"duePk,omitempty"`
	DueSK      string `dynamodbav:"dueSk,omitempty"`
	CustomerPK string `dynamodbav:"customerPk,omitempty"`
	CustomerSK string `dynamodbav:"customerSk,omitempty"`
	LocationPK string `dynamodbav:"locationPk,omitempty"`
	LocationSK string `dynamodbav:"locationSk,omitempty"`
	LeaseOwner string `dynamodbav:"leaseOwner,omitempty"`
	LeaseUntil int64  `dynamodbav:"leaseUntil,omitempty"`
}

// SchedulePuts are the transaction items that schedule f, so one occasion can only
// ever yield one follow-up. Other domains put them in the same transaction as the
// cause. There are always two, the record first, and a refused condition on either
// means the occasion already has its follow-up:
//
//   - f's id is its occasion's (OccasionID of its dedupe key): the record (new), which
//     claims the occasion itself, and a check that no DEDUPE item claimed it before
//     occasion ids (a transactional read, not a second write);
//   - f has an id of its own: the record (new) and its dedupe claim (new).
func (s *Store) SchedulePuts(f Followup) ([]types.TransactWriteItem, error) {
	if f.ID == "" || f.DedupeKey == "" || f.DueAt.IsZero() {
		return nil, fmt.Errorf("schedule follow-up: id, dedupe key and due time are required")
	}
	if err := f.timing(); err != nil {
		return nil, err
	}
	f.Status = Scheduled
	it := item{PK: recordPK(f.ID), SK: recordSK, Followup: f, DuePK: duePK(shard(f.ID)), DueSK: indexSK(f.DueAt, f.ID)}
	if f.Recipient.Type == "customer" && f.Recipient.ID != "" {
		it.CustomerPK, it.CustomerSK = "CUST#"+f.Recipient.ID, indexSK(f.CreatedAt, f.ID)
	}
	it.LocationPK, it.LocationSK, _ = locationKeys(f)
	rec, err := attributevalue.MarshalMap(it)
	if err != nil {
		return nil, err
	}
	notExists := aws.String("attribute_not_exists(pk)")
	record := types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: rec, ConditionExpression: notExists}}
	if f.ID == OccasionID(f.DedupeKey) {
		unclaimed := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(s.Table),
			Key: dynamo.Key(dedupePK(f.DedupeKey), dedupeSK), ConditionExpression: notExists}}
		return []types.TransactWriteItem{record, unclaimed}, nil
	}
	dedupe := dynamo.Key(dedupePK(f.DedupeKey), dedupeSK)
	dedupe["followupId"] = dynamo.S(f.ID)
	return []types.TransactWriteItem{
		record,
		{Put: &types.Put{TableName: aws.String(s.Table), Item: dedupe, ConditionExpression: notExists}},
	}, nil
}

// ScheduleNewPuts is SchedulePuts for the follow-up of an occasion that is new with
// the transaction it joins: its dedupe key names a cause (a response, a case) that the
// same transaction creates only if it does not exist. No claim from before occasion ids
// can name such an occasion (it would name a cause that exists, and the transaction
// would be refused for it), so the record alone claims it: one item, and no
// transactional check to pay for. f's id must be its occasion's.
func (s *Store) ScheduleNewPuts(f Followup) ([]types.TransactWriteItem, error) {
	if f.ID != OccasionID(f.DedupeKey) {
		return nil, fmt.Errorf("schedule follow-up %s: a new occasion's follow-up has the occasion's id", f.ID)
	}
	puts, err := s.SchedulePuts(f)
	if err != nil {
		return nil, err
	}
	return puts[:1], nil
}

// timing moves the due time out of the recipient's quiet hours, unless urgent.
func (f *Followup) timing() error {
	if f.RequestedAt.IsZero() {
		f.RequestedAt = f.DueAt
	}
	if f.Urgent {
		return nil
	}
	loc, err := Zone(f.Recipient.TimeZone)
	if err != nil {
		return err
	}
	q := DefaultQuiet
	if f.QuietHours != "" {
		if q, err = ParseQuiet(f.QuietHours); err != nil {
			return err
		}
	}
	f.DueAt = q.Next(f.DueAt, loc)
	return nil
}

// Get reads a follow-up with a strongly consistent read.
func (s *Store) Get(ctx context.Context, id string) (Followup, error) {
	it, err := s.get(ctx, id)
	return it.Followup, err
}

func (s *Store) get(ctx context.Context, id string) (item, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(recordPK(id), recordSK), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return item{}, fmt.Errorf("get follow-up %s: %w", id, err)
	}
	if out.Item == nil {
		return item{}, ErrNotFound
	}
	var it item
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return item{}, fmt.Errorf("decode follow-up %s: %w", id, err)
	}
	return it, nil
}

// waiting lists follow-ups in one index partition with sort keys up to t, a page at a time.
func (s *Store) waiting(ctx context.Context, pk string, t time.Time, limit int, start map[string]types.AttributeValue) ([]item, map[string]types.AttributeValue, error) {
	kc := expression.Key("duePk").Equal(expression.Value(pk)).And(expression.Key("dueSk").LessThanEqual(expression.Value(upTo(t))))
	ex, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, nil, err
	}
	out, err := dynamo.Backfilled(s.DB, "followups", dueIndex).Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String(dueIndex),
		KeyConditionExpression: ex.KeyCondition(), ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values(),
		Limit: aws.Int32(int32(limit)), ExclusiveStartKey: start,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("query %s: %w", pk, err)
	}
	var items []item
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, nil, err
	}
	return items, out.LastEvaluatedKey, nil
}

// update applies a conditional update; ok is false when the condition did not hold.
func (s *Store) update(ctx context.Context, id string, u expression.UpdateBuilder, cond expression.ConditionBuilder) (bool, error) {
	ex, err := expression.NewBuilder().WithUpdate(u).WithCondition(cond).Build()
	if err != nil {
		return false, err
	}
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(recordPK(id), recordSK),
		UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values(),
	})
	if dynamo.ConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("update follow-up %s: %w", id, err)
	}
	return true, nil
}

// markQueued marks a scheduled follow-up queued, since at; not if it was held back to
// a new due time meanwhile (its message already came and went, and the index entry is
// what brings it back). Its due entry stays where it is, so the mark rewrites it in
// place rather than moving it: the dispatcher tells a queued entry by its queuedAt,
// and enqueues it again once it has been queued longer than StuckAfter.
func (s *Store) markQueued(ctx context.Context, it item, at time.Time) (bool, error) {
	u := expression.Set(expression.Name("status"), expression.Value(Queued)).
		Set(expression.Name("queuedAt"), expression.Value(at))
	cond := expression.Name("status").Equal(expression.Value(Scheduled)).
		And(expression.Name("dueSk").Equal(expression.Value(it.DueSK)))
	return s.update(ctx, it.ID, u, cond)
}

// ByOccasion is the follow-up an occasion (a dedupe key) yielded; ok is false when it
// yielded none.
func (s *Store) ByOccasion(ctx context.Context, dedupeKey string) (f Followup, ok bool, err error) {
	it, ok, err := s.occasion(ctx, dedupeKey)
	return it.Followup, ok, err
}

// occasion reads the follow-up an occasion yielded: the record of its occasion id
// (one read), else the one its DEDUPE item names (an occasion claimed before
// occasion ids, or by a follow-up with an id of its own). ok is false when it
// yielded none.
func (s *Store) occasion(ctx context.Context, dedupeKey string) (item, bool, error) {
	it, err := s.get(ctx, OccasionID(dedupeKey))
	if !errors.Is(err, ErrNotFound) {
		return it, err == nil, err
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(dedupePK(dedupeKey), dedupeSK), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return item{}, false, dynamo.Unavailable(err, "read follow-up occasion")
	}
	var claim struct {
		FollowupID string `dynamodbav:"followupId"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &claim); err != nil || claim.FollowupID == "" {
		return item{}, false, err
	}
	it, err = s.get(ctx, claim.FollowupID)
	if errors.Is(err, ErrNotFound) {
		return item{}, false, nil
	}
	return it, err == nil, err
}

// hold puts a follow-up that must wait for its predecessor back among the scheduled
// ones, due again at due, and notes since when it waits. It is no longer queued (no
// queuedAt: the dispatcher queues it anew when it is due). ok is false when it is no
// longer waiting to be sent (another delivery took it, or it was cancelled).
func (s *Store) hold(ctx context.Context, id string, due, now time.Time) (bool, error) {
	u := expression.Set(expression.Name("status"), expression.Value(Scheduled)).
		Remove(expression.Name("queuedAt")).
		Set(expression.Name("dueAt"), expression.Value(due)).
		Set(expression.Name("duePk"), expression.Value(duePK(shard(id)))).
		Set(expression.Name("dueSk"), expression.Value(indexSK(due, id))).
		// The byLocation index sorts by due time too; without locationPk it stays out.
		Set(expression.Name("locationSk"), expression.Value(indexSK(due, id))).
		Set(expression.Name("waitingSince"), expression.IfNotExists(expression.Name("waitingSince"), expression.Value(now)))
	cond := expression.Name("status").In(expression.Value(Scheduled), expression.Value(Queued), expression.Value(Failed))
	return s.update(ctx, id, u, cond)
}

// markRequeued refreshes a stuck queued follow-up's time after it was enqueued again;
// one queued the earlier way, in the partition of queued ones by time, moves on in it.
func (s *Store) markRequeued(ctx context.Context, it item, at time.Time) (bool, error) {
	u := expression.Set(expression.Name("queuedAt"), expression.Value(at))
	if it.DuePK == queuedPK(shard(it.ID)) {
		u = u.Set(expression.Name("dueSk"), expression.Value(indexSK(at, it.ID)))
	}
	cond := expression.Name("status").Equal(expression.Value(Queued)).
		And(expression.Name("dueSk").Equal(expression.Value(it.DueSK)))
	return s.update(ctx, it.ID, u, cond)
}

// claim takes the sending lease on a follow-up that is waiting, or whose previous
// sender died mid-send (lease expired), and returns it as claimed. When the claim is
// refused it returns the follow-up as it stood, to tell why (no PK: there is none).
// Unless ordered is set, a follow-up that names a predecessor (After) is refused too:
// whether it may go yet is decided first (Sender.waitFor), then it is claimed ordered.
func (s *Store) claim(ctx context.Context, id, owner string, now time.Time, lease time.Duration, ordered bool) (item, bool, error) {
	u := expression.Set(expression.Name("status"), expression.Value(Sending)).
		Set(expression.Name("leaseOwner"), expression.Value(owner)).
		Set(expression.Name("leaseUntil"), expression.Value(now.Add(lease).Unix())).
		Add(expression.Name("attempts"), expression.Value(1))
	cond := expression.Name("status").In(expression.Value(Scheduled), expression.Value(Queued), expression.Value(Failed)).
		Or(expression.Name("status").Equal(expression.Value(Sending)).
			And(expression.Name("leaseUntil").LessThan(expression.Value(now.Unix()))))
	if !ordered {
		cond = cond.And(expression.AttributeNotExists(expression.Name("after")))
	}
	return s.change(ctx, id, u, cond)
}

// change applies a conditional update and returns the follow-up as updated; when the
// condition did not hold (ok false), as it stood, the zero item when there is none.
func (s *Store) change(ctx context.Context, id string, u expression.UpdateBuilder, cond expression.ConditionBuilder) (item, bool, error) {
	ex, err := expression.NewBuilder().WithUpdate(u).WithCondition(cond).Build()
	if err != nil {
		return item{}, false, err
	}
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(recordPK(id), recordSK),
		UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values(),
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	attrs, ok := map[string]types.AttributeValue(nil), true
	var refused *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &refused):
		attrs, ok = refused.Item, false
	case err != nil:
		return item{}, false, fmt.Errorf("update follow-up %s: %w", id, err)
	default:
		attrs = out.Attributes
	}
	var it item
	if err := attributevalue.UnmarshalMap(attrs, &it); err != nil {
		return item{}, false, fmt.Errorf("decode follow-up %s: %w", id, err)
	}
	return it, ok, nil
}

// markFailed records that a follow-up's message went to the DLQ, and why; a redrive
// sends it again.
func (s *Store) markFailed(ctx context.Context, id, reason string, at time.Time) error {
	u := expression.Set(expression.Name("status"), expression.Value(Failed)).
		Set(expression.Name("skipReason"), expression.Value(reason)).
		Set(expression.Name("failedAt"), expression.Value(at)).
		Remove(expression.Name("duePk")).Remove(expression.Name("dueSk")).
		Remove(expression.Name("leaseOwner")).Remove(expression.Name("leaseUntil"))
	cond := expression.Name("status").In(expression.Value(Scheduled), expression.Value(Queued), expression.Value(Sending))
	_, err := s.update(ctx, id, u, cond)
	return err
}

// finish ends a send held under owner's lease with a final status.
func (s *Store) finish(ctx context.Context, id, owner string, status Status, at time.Time, reason string) (bool, error) {
	u := expression.Set(expression.Name("status"), expression.Value(status)).
		Remove(expression.Name("duePk")).Remove(expression.Name("dueSk")).
		Remove(expression.Name("leaseOwner")).Remove(expression.Name("leaseUntil"))
	if status == Sent {
		u = u.Set(expression.Name("sentAt"), expression.Value(at))
	}
	if reason != "" {
		u = u.Set(expression.Name("skipReason"), expression.Value(reason))
	}
	cond := expression.Name("status").Equal(expression.Value(Sending)).
		And(expression.Name("leaseOwner").Equal(expression.Value(owner)))
	return s.update(ctx, id, u, cond)
}

// refused records that a channel refused a follow-up's message for good (a bad
// address, a message SES rejects): skipped, with why, as the sender's own end does. The
// deliverer may get there before the sender has recorded it sent: a follow-up still
// sending changes too, and the sender's record then finds its lease gone.
func (s *Store) refused(ctx context.Context, id, reason string) error {
	u := expression.Set(expression.Name("status"), expression.Value(Skipped)).
		Set(expression.Name("skipReason"), expression.Value(reason)).
		Remove(expression.Name("failedAt")).Remove(expression.Name("duePk")).Remove(expression.Name("dueSk")).
		Remove(expression.Name("leaseOwner")).Remove(expression.Name("leaseUntil"))
	_, err := s.update(ctx, id, u, expression.Name("status").In(expression.Value(Sending), expression.Value(Sent), expression.Value(Failed)))
	return err
}

// undelivered records that the deliverer gave a sent follow-up's message up: failed,
// with why, as the sender's own last receive does (markFailed).
func (s *Store) undelivered(ctx context.Context, id, reason string, at time.Time) error {
	u := expression.Set(expression.Name("status"), expression.Value(Failed)).
		Set(expression.Name("skipReason"), expression.Value(reason)).
		Set(expression.Name("failedAt"), expression.Value(at))
	_, err := s.update(ctx, id, u, expression.Name("status").Equal(expression.Value(Sent)))
	return err
}

// delivered records a message delivered after its follow-up was marked failed (its
// message came back from the DLQ): sent again. It reads the status first, eventually
// consistently (a failed mark is minutes older than any redrive), so that a delivery
// costs half a read unit rather than a write unit of a condition that fails.
func (s *Store) delivered(ctx context.Context, id string, at time.Time) error {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(recordPK(id), recordSK),
		ProjectionExpression: aws.String("#s"), ExpressionAttributeNames: map[string]string{"#s": "status"},
	})
	if err != nil {
		return fmt.Errorf("get follow-up %s: %w", id, err)
	}
	var st struct {
		Status Status `dynamodbav:"status"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &st); err != nil || st.Status != Failed {
		return err
	}
	u := expression.Set(expression.Name("status"), expression.Value(Sent)).
		Set(expression.Name("sentAt"), expression.Value(at)).
		Remove(expression.Name("skipReason")).Remove(expression.Name("failedAt"))
	_, err = s.update(ctx, id, u, expression.Name("status").Equal(expression.Value(Failed)))
	return err
}

// release gives a lease back after a transient failure, so a redelivery may retry at once.
func (s *Store) release(ctx context.Context, id, owner string) error {
	u := expression.Set(expression.Name("status"), expression.Value(Queued)).
		Remove(expression.Name("leaseOwner")).Remove(expression.Name("leaseUntil"))
	cond := expression.Name("status").Equal(expression.Value(Sending)).
		And(expression.Name("leaseOwner").Equal(expression.Value(owner)))
	_, err := s.update(ctx, id, u, cond)
	return err
}

// ErrNotCancellable means the follow-up is being sent or already done.
var ErrNotCancellable = errors.New("follow-up can no longer be cancelled")

// Cancel stops a follow-up that has not started sending: scheduled or queued (the
// sender then finds it cancelled and drops its message).
func (s *Store) Cancel(ctx context.Context, id string, at time.Time) error {
	u := expression.Set(expression.Name("status"), expression.Value(Cancelled)).
		Set(expression.Name("cancelledAt"), expression.Value(at)).
		Remove(expression.Name("duePk")).Remove(expression.Name("dueSk"))
	cond := expression.Name("status").In(expression.Value(Scheduled), expression.Value(Queued))
	ok, err := s.update(ctx, id, u, cond)
	if err != nil {
		return err
	}
	if !ok {
		if _, err := s.Get(ctx, id); err != nil {
			return err
		}
		return ErrNotCancellable
	}
	return nil
}

// ForCustomer lists a customer's follow-ups, newest first, a page at a time. One that
// left the customer between the index's answer and its read by key (erased, or moved
// to the survivor of a merge) is left out.
func (s *Store) ForCustomer(ctx context.Context, customerID string, limit int, cursor map[string]types.AttributeValue) ([]Followup, map[string]types.AttributeValue, error) {
	fs, next, err := s.byKeys(ctx, CustomerIndex, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String(CustomerIndex),
		KeyConditionExpression:    aws.String("customerPk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S("CUST#" + customerID)},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(int32(limit)), ExclusiveStartKey: cursor,
	})
	fs = slices.DeleteFunc(fs, func(f Followup) bool { return f.Recipient.ID != customerID })
	return fs, next, err
}

// ForLocation lists a location's follow-ups due from from to to (either may be zero:
// open-ended), the latest due first, a page at a time.
func (s *Store) ForLocation(ctx context.Context, locationID string, from, to time.Time, limit int, cursor map[string]types.AttributeValue) ([]Followup, map[string]types.AttributeValue, error) {
	lo, hi := "0", "~"
	if !from.IsZero() {
		lo = from.UTC().Format(sortTime)
	}
	if !to.IsZero() {
		hi = upTo(to)
	}
	return s.byKeys(ctx, locationIndex, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String(locationIndex),
		KeyConditionExpression: aws.String("locationPk = :l AND locationSk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":l": dynamo.S(locationPK(locationID)), ":lo": dynamo.S(lo), ":hi": dynamo.S(hi)},
		ScanIndexForward: aws.Bool(false), Limit: aws.Int32(int32(limit)), ExclusiveStartKey: cursor,
	})
}

// byKeys runs one page of a query of a keys-only index (asking the index it replaced
// while it fills: dynamo.Backfilled) and reads the page's records by key. One deleted
// meanwhile (erasure) is left out.
func (s *Store) byKeys(ctx context.Context, index string, in *dynamodb.QueryInput) ([]Followup, map[string]types.AttributeValue, error) {
	out, err := dynamo.Backfilled(s.DB, "followups", index).Query(ctx, in)
	if err != nil {
		return nil, nil, dynamo.Unavailable(err, "list follow-ups")
	}
	raws, err := dynamo.GetMany(ctx, s.DB, s.Table, dynamo.KeysOf(out.Items), false)
	if err != nil {
		return nil, nil, dynamo.Unavailable(err, "list follow-ups")
	}
	fs, err := followups(raws)
	return fs, out.LastEvaluatedKey, err
}

// followups decodes follow-up records.
func followups(raws []map[string]types.AttributeValue) ([]Followup, error) {
	var items []item
	if err := attributevalue.UnmarshalListOfMaps(raws, &items); err != nil {
		return nil, err
	}
	fs := make([]Followup, len(items))
	for i, it := range items {
		fs[i] = it.Followup
	}
	return fs, nil
}
