package loyalty

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/cache"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/dynamo"
)

// Store keeps the ledger in the loyalty table.
type Store struct {
	DB    dynamo.API
	Table string
	// Cursors seals the ledger's cursors (shared/cursor).
	Cursors *curs.Codec
	// Keep is how long the rules read are kept for the next requests (app.Deps.Keep);
	// 0 reads them every time.
	Keep  time.Duration
	rules cache.Cache[Rules]
}

// ErrRulesChanged means the rules were saved by someone else since they were read.
var ErrRulesChanged = errors.New("the loyalty rules changed meanwhile")

type rulesItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Rules
}

// Rules reads the programme's rules, or the defaults (version 0) when none were saved.
func (s *Store) Rules(ctx context.Context) (Rules, error) {
	return s.rules.Get(ctx, s.Keep, time.Now(), "", s.readRules)
}

func (s *Store) readRules(ctx context.Context) (Rules, error) {
	var it rulesItem
	found, err := dynamo.GetVersioned(ctx, s.DB, s.Table, settingsPK, settingsSK, &it, "loyalty rules")
	if err != nil || !found {
		return DefaultRules(), err
	}
	return it.Rules, nil
}

// PutRules saves rules over the version read (0: none saved yet).
func (s *Store) PutRules(ctx context.Context, r Rules, expect int) (Rules, error) {
	r.Version = expect + 1
	err := dynamo.PutVersioned(ctx, s.DB, s.Table, rulesItem{PK: settingsPK, SK: settingsSK, Rules: r}, expect, "loyalty rules")
	if errors.Is(err, dynamo.ErrVersion) {
		return Rules{}, ErrRulesChanged
	}
	if err == nil && s.Keep > 0 {
		s.rules.Put(time.Now(), "", r)
	}
	return r, err
}

type lotItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Lot
	DuePK string `dynamodbav:"duePk,omitempty"`
	DueSK string `dynamodbav:"dueSk,omitempty"`
}

type entryItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Entry
}

type sourceItem struct {
	PK    string `dynamodbav:"pk"`
	SK    string `dynamodbav:"sk"`
	Entry Entry  `dynamodbav:"entry"`
}

// Account reads an account with its lots, soonest-expiring first, in one query;
// exists is false for a customer who never had points. The read is strongly
// consistent: what it returns decides (a redeem, a reversal, a merge).
func (s *Store) Account(ctx context.Context, cid string) (Account, []Lot, bool, error) {
	return s.account(ctx, cid, true)
}

// AccountView is Account read eventually consistently, at half the read units: for
// showing, where a change a second old may not be in it yet.
func (s *Store) AccountView(ctx context.Context, cid string) (Account, []Lot, bool, error) {
	return s.account(ctx, cid, false)
}

func (s *Store) account(ctx context.Context, cid string, consistent bool) (Account, []Lot, bool, error) {
	var acct Account
	var lots []Lot
	exists := false
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(consistent),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :l)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(accountPK(cid)), ":l": dynamo.S(accountSK),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Account{}, nil, false, dynamo.Unavailable(err, "read points")
		}
		for _, raw := range page.Items {
			sk, _ := raw["sk"].(*types.AttributeValueMemberS)
			switch {
			case sk == nil:
			case sk.Value == accountSK:
				if err := attributevalue.UnmarshalMap(raw, &acct); err != nil {
					return Account{}, nil, false, err
				}
				exists = true
			case strings.HasPrefix(sk.Value, lotPrefix):
				var l lotItem
				if err := attributevalue.UnmarshalMap(raw, &l); err != nil {
					return Account{}, nil, false, err
				}
				lots = append(lots, l.Lot)
			}
		}
	}
	acct.CustomerID = cid
	return acct, lots, exists, nil
}

// AccountOnly reads an account without its lots (what an earn needs).
func (s *Store) AccountOnly(ctx context.Context, cid string) (Account, bool, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(accountPK(cid), accountSK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Account{}, false, dynamo.Unavailable(err, "read points")
	}
	acct := Account{CustomerID: cid}
	if out.Item == nil {
		return acct, false, nil
	}
	err = attributevalue.UnmarshalMap(out.Item, &acct)
	acct.CustomerID = cid
	return acct, true, err
}

// Source reads the entry a sourceId produced, if any.
func (s *Store) Source(ctx context.Context, cid, src string) (Entry, bool, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(accountPK(cid), sourceSK(src)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Entry{}, false, dynamo.Unavailable(err, "read points source")
	}
	if out.Item == nil {
		return Entry{}, false, nil
	}
	var it sourceItem
	err = attributevalue.UnmarshalMap(out.Item, &it)
	return it.Entry, err == nil, err
}

// Entries lists a customer's ledger, newest first, a page at a time.
func (s *Store) Entries(ctx context.Context, cid string, limit int, start map[string]types.AttributeValue) ([]Entry, map[string]types.AttributeValue, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :e)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(accountPK(cid)), ":e": dynamo.S(entryPref)},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(int32(limit)), ExclusiveStartKey: start,
	})
	if err != nil {
		return nil, nil, dynamo.Unavailable(err, "read ledger")
	}
	var items []entryItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, nil, err
	}
	entries := make([]Entry, len(items))
	for i, it := range items {
		entries[i] = it.Entry
	}
	return entries, out.LastEvaluatedKey, nil
}

// put is a transaction item writing v only if its key is new.
func (s *Store) put(v any) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")}}, nil
}

// entryItems are an entry and its source's claim: the claim fails if the source was
// used before, and with it the whole transaction.
func (s *Store) entryItems(e Entry) ([]types.TransactWriteItem, error) {
	entry, err := s.put(entryItem{PK: accountPK(e.CustomerID), SK: entrySK(e.ID), Entry: e})
	if err != nil {
		return nil, err
	}
	claim, err := s.put(sourceItem{PK: accountPK(e.CustomerID), SK: sourceSK(e.SourceID), Entry: e})
	return []types.TransactWriteItem{entry, claim}, err
}

// newLot is the item of a new lot with its first timer.
func (s *Store) newLot(l Lot, r Rules, now time.Time) (types.TransactWriteItem, error) {
	it := lotItem{PK: accountPK(l.CustomerID), SK: lotSK(l.ExpiresAt, l.ID), Lot: l}
	it.DuePK, it.DueSK = lotTimer(l, r)
	return s.put(it)
}

// lotTimer is a lot's next timer in the due index: its release while pending, then the
// reminder before expiry, then the expiry; none once empty.
func lotTimer(l Lot, r Rules) (string, string) {
	switch {
	case l.Pending:
		return duePK(l.CustomerID), dueSK(l.AvailableAt, timerRelease, l.CustomerID, l.ID)
	case l.Remaining <= 0:
		return "", ""
	case !l.Reminded && r.ReminderDays > 0 && l.ExpiresAt.AddDate(0, 0, -r.ReminderDays).After(l.AvailableAt):
		return duePK(l.CustomerID), dueSK(l.ExpiresAt.AddDate(0, 0, -r.ReminderDays), timerRemind, l.CustomerID, l.ID)
	default:
		return duePK(l.CustomerID), dueSK(l.ExpiresAt, timerExpire, l.CustomerID, l.ID)
	}
}

// take is the write taking points from lot l (as read), only if it still holds them:
// an update, or, when the take empties an available lot and archive allows, the lot's
// move out of the live range (two items instead of one).
func (s *Store) take(l Lot, t Take, archive bool) ([]types.TransactWriteItem, error) {
	if archive && empties(l, t) {
		after := l
		after.Remaining = 0
		return s.archive(l, after)
	}
	u := expression.Add(expression.Name("remaining"), expression.Value(-t.Points))
	cond := expression.Name("remaining").GreaterThanEqual(expression.Value(t.Points)).
		And(expression.Name("pending").Equal(expression.Value(t.Pending)))
	it, err := s.update(dynamo.Key(accountPK(l.CustomerID), lotSK(t.ExpiresAt, t.ID)), u, &cond)
	return []types.TransactWriteItem{it}, err
}

// empties tells whether t takes all that is left of the available lot l.
func empties(l Lot, t Take) bool {
	return !t.Pending && !l.Pending && l.ID == t.ID && t.Points == l.Remaining
}

// asRead is the condition that a lot is still as read: what it holds, its state and
// how often merges moved it, so that a copy of it written elsewhere is true.
func asRead(l Lot) expression.ConditionBuilder {
	c := expression.Name("remaining").Equal(expression.Value(l.Remaining)).
		And(expression.Name("pending").Equal(expression.Value(l.Pending))).
		And(expression.Name("reminded").Equal(expression.Value(l.Reminded)))
	if l.Merges == 0 {
		return c.And(expression.AttributeNotExists(expression.Name("merges")).Or(expression.Name("merges").Equal(expression.Value(0))))
	}
	return c.And(expression.Name("merges").Equal(expression.Value(l.Merges)))
}

// archive moves an emptied lot out of the live range: the live item goes, only if it
// is still as read (before), and after, which holds no points, is put under X# without
// timers, so the due index forgets it.
func (s *Store) archive(before, after Lot) ([]types.TransactWriteItem, error) {
	del, err := s.deleteIf(dynamo.Key(accountPK(before.CustomerID), lotSK(before.ExpiresAt, before.ID)), asRead(before))
	if err != nil {
		return nil, err
	}
	item, err := attributevalue.MarshalMap(lotItem{PK: accountPK(after.CustomerID), SK: spentSK(after.ExpiresAt, after.ID), Lot: after})
	if err != nil {
		return nil, err
	}
	put := types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: item}}
	return []types.TransactWriteItem{del, put}, nil
}

// giveBack returns points to a live lot a redeem took them from, with its next timer.
func (s *Store) giveBack(cid string, t Take, l Lot, r Rules) (types.TransactWriteItem, error) {
	l.Remaining += t.Points
	u := expression.Add(expression.Name("remaining"), expression.Value(t.Points))
	if pk, sk := lotTimer(l, r); pk != "" {
		u = u.Set(expression.Name("duePk"), expression.Value(pk)).Set(expression.Name("dueSk"), expression.Value(sk))
	}
	cond := expression.AttributeExists(expression.Name("pk"))
	return s.update(dynamo.Key(accountPK(cid), lotSK(t.ExpiresAt, t.ID)), u, &cond)
}

// restore brings an archived lot back to the live range with t's points and its next
// timer: the archived copy goes (only if still there) and the live lot is put (only if
// none is).
func (s *Store) restore(spent Lot, t Take, r Rules) ([]types.TransactWriteItem, error) {
	del, err := s.deleteIf(dynamo.Key(accountPK(spent.CustomerID), spentSK(spent.ExpiresAt, spent.ID)),
		expression.AttributeExists(expression.Name("pk")))
	if err != nil {
		return nil, err
	}
	l := spent
	l.Remaining += t.Points
	it := lotItem{PK: accountPK(l.CustomerID), SK: lotSK(l.ExpiresAt, l.ID), Lot: l}
	it.DuePK, it.DueSK = lotTimer(l, r)
	put, err := s.put(it)
	return []types.TransactWriteItem{del, put}, err
}

// unarchive brings archived lots back to the live range as they are (nothing left, no
// timer), half a transaction's items of lots at a time: a state the lots had before
// they were archived, so every account still equals its ledger after each chunk.
func (s *Store) unarchive(ctx context.Context, lots []Lot) error {
	for chunk := range slices.Chunk(lots, dynamo.MaxTxItems/2) {
		var items []types.TransactWriteItem
		for _, l := range chunk {
			its, err := s.restore(l, Take{LotRef: l.LotRef}, Rules{})
			if err != nil {
				return err
			}
			items = append(items, its...)
		}
		switch txErr := s.transact(ctx, items); {
		case txErr == nil:
		case txErr.conflict() || txErr.conditionFailed():
			return errRetry // moved meanwhile: read again
		default:
			return dynamo.Unavailable(txErr.err, "restore points lots")
		}
	}
	return nil
}

// spent reads the archived copies of emptied lots in one round trip, by lot id; a
// lot with no archived copy is absent.
func (s *Store) spent(ctx context.Context, cid string, refs []LotRef) (map[string]Lot, error) {
	keys := make([]map[string]types.AttributeValue, len(refs))
	for i, ref := range refs {
		keys[i] = dynamo.Key(accountPK(cid), spentSK(ref.ExpiresAt, ref.ID))
	}
	items, err := dynamo.GetMany(ctx, s.DB, s.Table, keys, true)
	if err != nil {
		return nil, dynamo.Unavailable(err, "read points lots")
	}
	lots := make(map[string]Lot, len(items))
	for _, item := range items {
		var it lotItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return nil, err
		}
		lots[it.ID] = it.Lot
	}
	return lots, nil
}

// spentLots reads a customer's archived lots, soonest-expiring first (an export).
func (s *Store) spentLots(ctx context.Context, cid string) ([]Lot, error) {
	return s.lotsUnder(ctx, cid, spentPref)
}

// lotsUnder reads a customer's lots whose keys begin with prefix (live or archived),
// soonest-expiring first.
func (s *Store) lotsUnder(ctx context.Context, cid, prefix string) ([]Lot, error) {
	var lots []Lot
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(accountPK(cid)), ":p": dynamo.S(prefix),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, dynamo.Unavailable(err, "read points lots")
		}
		var items []lotItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			lots = append(lots, it.Lot)
		}
	}
	return lots, nil
}

func (s *Store) update(key map[string]types.AttributeValue, u expression.UpdateBuilder, cond *expression.ConditionBuilder) (types.TransactWriteItem, error) {
	b := expression.NewBuilder().WithUpdate(u)
	if cond != nil {
		b = b.WithCondition(*cond)
	}
	expr, err := b.Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String(s.Table), Key: key,
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values()}}, nil
}

// txError says which item of a failed transaction refused it.
type txError struct {
	reasons []string
	err     error
}

func (s *Store) transact(ctx context.Context, items []types.TransactWriteItem) *txError {
	_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return nil
	}
	return &txError{reasons: dynamo.CancellationReasons(err), err: err}
}

// failed tells whether item i's condition failed.
func (e *txError) failed(i int) bool {
	return e != nil && i >= 0 && i < len(e.reasons) && e.reasons[i] == "ConditionalCheckFailed"
}

// conflict tells whether the transaction only lost a race and may simply run again.
func (e *txError) conflict() bool {
	return e != nil && slices.Contains(e.reasons, "TransactionConflict") && !slices.Contains(e.reasons, "ConditionalCheckFailed")
}

// conditionFailed tells whether any condition refused the transaction.
func (e *txError) conditionFailed() bool {
	return e != nil && slices.Contains(e.reasons, "ConditionalCheckFailed")
}
