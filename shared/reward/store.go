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
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

// Store keeps the catalogue and the vouchers in the rewards table.
type Store struct {
	DB    dynamo.API
	Table string
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
	// ValidUntil is ExpiresAt in Unix seconds, what a redeem's condition compares.
	ValidUntil int64 `dynamodbav:"validUntil"`
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
	ErrOutOfStock = problem.New(problem.Conflict, "this reward is out of stock")
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
// voucher and the claim of its source for its customer. A refusal of the claim means
// the source issued this customer a voucher before (ErrIssued; Issued reads it).
func (s *Store) IssueItems(v Voucher) (Voucher, []types.TransactWriteItem, error) {
	if v.Code == "" || v.CustomerID == "" || v.Source.Kind == "" || v.Source.ID == "" {
		return Voucher{}, nil, fmt.Errorf("issue a voucher: code, customer and source are required")
	}
	v.State, v.Version = StatusIssued, 1
	// Whole seconds: the redeem's condition compares validUntil in seconds, so Status
	// and the condition agree on the last second.
	v.IssuedAt, v.ExpiresAt = v.IssuedAt.UTC(), v.ExpiresAt.UTC().Truncate(time.Second)
	voucher, err := attributevalue.MarshalMap(voucherItem{PK: voucherPK(v.Code), SK: voucherSK,
		CustomerPK: customerPK(v.CustomerID), CustomerSK: v.IssuedAt.UTC().Format(time.RFC3339Nano) + "#" + v.Code,
		ValidUntil: v.ExpiresAt.Unix(), Voucher: v})
	if err != nil {
		return Voucher{}, nil, err
	}
	claim, err := attributevalue.MarshalMap(issueItem{PK: issuePK(v.Source, v.CustomerID), SK: issueSK, Code: v.Code, CustomerID: v.CustomerID})
	if err != nil {
		return Voucher{}, nil, err
	}
	absent := aws.String("attribute_not_exists(pk)")
	return v, []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.Table), Item: voucher, ConditionExpression: absent}},
		{Put: &types.Put{TableName: aws.String(s.Table), Item: claim, ConditionExpression: absent}},
	}, nil
}

// Issue issues v alone (staff by hand, a campaign, the birthday job): its voucher and
// claim in one transaction. A source that issued this customer a voucher before gets
// that voucher back, replayed.
func (s *Store) Issue(ctx context.Context, v Voucher) (Voucher, bool, error) {
	v, items, err := s.IssueItems(v)
	if err != nil {
		return Voucher{}, false, err
	}
	var tx dynamo.Tx
	tx.Add(errCodeTaken, items[0])
	tx.Add(ErrIssued, items[1])
	switch err := tx.Commit(ctx, s.DB, "issue voucher"); {
	case errors.Is(err, ErrIssued):
		first, err := s.Issued(ctx, v.Source, v.CustomerID)
		return first, true, err
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

// Redeem uses the voucher once at a point of sale, for the bill src at location: one
// conditional write, so of any number of concurrent redeems one succeeds. The same
// bill redeeming it again gets the redemption back (replayed); anything else is
// refused in words: 404 no such code, 409 already redeemed or cancelled or not valid
// at this location, 410 expired.
func (s *Store) Redeem(ctx context.Context, code, src, location, by string, now time.Time) (Voucher, bool, error) {
	red := Redemption{At: now.UTC(), SourceID: src, LocationID: location, By: by}
	av, err := attributevalue.Marshal(red)
	if err != nil {
		return Voucher{}, false, err
	}
	cond := "#state = :issued AND validUntil > :now AND (attribute_not_exists(locationIds) OR contains(locationIds, :loc))"
	v, err := s.change(ctx, code, "SET #state = :redeemed, redemption = :red, version = version + :one", cond,
		map[string]types.AttributeValue{":issued": dynamo.S(StatusIssued), ":now": dynamo.N(now.Unix()), ":loc": dynamo.S(location),
			":redeemed": dynamo.S(StatusRedeemed), ":red": av})
	var was *refused
	if !errors.As(err, &was) {
		return v, false, err
	}
	old := was.voucher
	switch st := old.Status(now); {
	case st == StatusRedeemed && old.Redemption != nil && old.Redemption.SourceID == src && old.Redemption.LocationID == location:
		return old, true, nil
	case st == StatusRedeemed:
		return Voucher{}, false, problem.Newf(problem.Conflict, "this voucher was redeemed on %s at %s",
			old.Redemption.At.Format(time.RFC3339), old.Redemption.LocationID)
	case st == StatusCancelled:
		return Voucher{}, false, problem.New(problem.Conflict, "this voucher was cancelled")
	case st == StatusExpired:
		return Voucher{}, false, problem.Newf(problem.Gone, "this voucher expired on %s", old.ExpiresAt.Format(time.RFC3339))
	case !old.ValidAt(location):
		return Voucher{}, false, problem.Newf(problem.Conflict, "this voucher is not valid at this location: only at %s",
			strings.Join(old.LocationIDs, ", "))
	}
	return Voucher{}, false, fmt.Errorf("redeem voucher %s: refused as %s", code, old.Status(now))
}

// Reverse undoes the redemption for the bill src once, when that bill is refunded:
// the voucher is issued again (usable until its expiry) and keeps the reversal, so a
// second reversal is refused (409); the same reversal again is answered with it
// (replayed). It reads the voucher, then writes it only if unchanged since.
func (s *Store) Reverse(ctx context.Context, code, src, by string, now time.Time) (Voucher, bool, error) {
	var out Voucher
	var replayed bool
	err := retry.Do(ctx, retry.Conflict, func() (bool, error) {
		v, err := s.Voucher(ctx, code)
		if err != nil {
			return false, err
		}
		switch {
		case v.Reversal != nil && v.Reversal.Redemption.SourceID == src:
			out, replayed = v, true
			return false, nil
		case v.Reversal != nil:
			return false, problem.New(problem.Conflict, "this voucher's redemption was reversed once already")
		case v.State != StatusRedeemed || v.Redemption == nil:
			return false, problem.New(problem.Conflict, "this voucher is not redeemed")
		case v.Redemption.SourceID != src:
			return false, problem.Newf(problem.Conflict, "this voucher was redeemed for another bill (%s)", v.Redemption.SourceID)
		}
		rev, err := attributevalue.Marshal(Reversal{At: now.UTC(), By: by, Redemption: *v.Redemption})
		if err != nil {
			return false, err
		}
		out, err = s.change(ctx, code, "SET #state = :issued, reversal = :rev, version = version + :one REMOVE redemption",
			"version = :v", map[string]types.AttributeValue{":issued": dynamo.S(StatusIssued), ":rev": rev, ":v": dynamo.N(int64(v.Version))})
		var moved *refused
		return errors.As(err, &moved), err // changed meanwhile: read it again
	})
	return out, replayed, err
}

// Cancel withdraws an issued voucher before it is used, with the reason.
func (s *Store) Cancel(ctx context.Context, code, by, reason string, now time.Time) (Voucher, error) {
	av, err := attributevalue.Marshal(Redemption{At: now.UTC(), By: by, Reason: reason})
	if err != nil {
		return Voucher{}, err
	}
	v, err := s.change(ctx, code, "SET #state = :cancelled, cancelled = :c, version = version + :one",
		"#state = :issued AND validUntil > :now",
		map[string]types.AttributeValue{":issued": dynamo.S(StatusIssued), ":cancelled": dynamo.S(StatusCancelled), ":c": av, ":now": dynamo.N(now.Unix())})
	var was *refused
	if !errors.As(err, &was) {
		return v, err
	}
	return Voucher{}, problem.Newf(problem.Conflict, "only an issued voucher can be cancelled; this one is %s", was.voucher.Status(now))
}

// refused is a change's condition failing on the voucher as it was.
type refused struct{ voucher Voucher }

func (r *refused) Error() string { return "voucher change refused as " + r.voucher.State }

// change updates a voucher under cond (which must hold only if the voucher exists);
// a refusal returns *refused with the voucher as it was, or ErrNoVoucher.
func (s *Store) change(ctx context.Context, code, update, cond string, vals map[string]types.AttributeValue) (Voucher, error) {
	vals[":one"] = dynamo.N(1)
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(voucherPK(code), voucherSK),
		UpdateExpression: aws.String(update), ConditionExpression: aws.String("attribute_exists(pk) AND " + cond),
		ExpressionAttributeNames:            map[string]string{"#state": "state"},
		ExpressionAttributeValues:           vals,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf) && len(ccf.Item) == 0:
		return Voucher{}, ErrNoVoucher
	case errors.As(err, &ccf):
		var it voucherItem
		if err := attributevalue.UnmarshalMap(ccf.Item, &it); err != nil {
			return Voucher{}, err
		}
		return Voucher{}, &refused{voucher: it.Voucher}
	case err != nil:
		return Voucher{}, dynamo.Unavailable(err, "save voucher")
	}
	var it voucherItem
	err = attributevalue.UnmarshalMap(out.Attributes, &it)
	return it.Voucher, err
}
