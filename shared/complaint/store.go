package complaint

import (
	"context"
	"crypto/subtle"
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
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

// Errors of the store.
var (
	ErrNotFound        = errors.New("complaint not found")
	ErrChanged         = errors.New("the case changed meanwhile")
	ErrSettingsChanged = errors.New("the settings changed meanwhile")
	errLockLost        = errors.New("idempotency key lost")
)

// Store keeps complaints in the complaints table.
type Store struct {
	DB    dynamo.API
	Table string
	// Cursors seals the queue's cursors (shared/cursor).
	Cursors *curs.Codec
	// Keep is how long the settings read are kept for the next requests (app.Deps.Keep);
	// 0 reads them every time.
	Keep     time.Duration
	settings cache.Cache[Settings]
}

// caseItem is a case as stored, with its index keys.
type caseItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Complaint
	QueuePK    string `dynamodbav:"queuePk"`
	QueueSK    string `dynamodbav:"queueSk"`
	AssigneePK string `dynamodbav:"assigneePk,omitempty"`
	AssigneeSK string `dynamodbav:"assigneeSk,omitempty"`
	SLAPK      string `dynamodbav:"slaPk,omitempty"`
	SLASK      string `dynamodbav:"slaSk,omitempty"`
	// CustomerPK and CustomerSK put a case linked to a customer in the sparse index
	// customerCases (CUST#<customerId>, <createdAt>#<id>): the customer's timeline.
	CustomerPK string `dynamodbav:"customerPk,omitempty"`
	CustomerSK string `dynamodbav:"customerSk,omitempty"`
	// CallbackID is the pending callback follow-up, cancelled if the case reopens.
	CallbackID string `dynamodbav:"callbackId,omitempty"`
	// body is set when the case was read with its body item (bodyItem): a change
	// leaves the body as it is. A case stored before bodies had its description on the
	// case item; its next change moves it into a body item.
	body bool
	// bodyEvents are the intake's events its body item holds (none for a case opened
	// before bodies held them: its events are all items).
	bodyEvents []Event
}

// bodyItem holds the long part of a case that no action changes, its description (up
// to 2,000 characters, 6 KB in Chinese): written at intake (and by a redaction), not
// with every change of the case, so an action writes only the small case item and its
// index entries. The contact (a name, a phone, an email: about 0.1 KB) stays on the
// case, whose queue shows the complainant's name.
//
// It also holds the events of the intake (the case received, and the assignment made
// with it), written once with it instead of as items of their own; every later event
// is an item (EV#<seq>).
type bodyItem struct {
	PK          string  `dynamodbav:"pk"`
	SK          string  `dynamodbav:"sk"`
	Description string  `dynamodbav:"description"`
	Events      []Event `dynamodbav:"events,omitempty"`
}

// caseFrom reads a case's items (its body, the case, any events): the case with its
// body's parts in place, and the events.
func caseFrom(raws []map[string]types.AttributeValue) (caseItem, []Event, error) {
	var c caseItem
	var events []Event
	var b *bodyItem
	for _, raw := range raws {
		sk, _ := raw["sk"].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
		case sk.Value == caseSK:
			if err := attributevalue.UnmarshalMap(raw, &c); err != nil {
				return caseItem{}, nil, err
			}
		case sk.Value == bodySK:
			b = &bodyItem{}
			if err := attributevalue.UnmarshalMap(raw, b); err != nil {
				return caseItem{}, nil, err
			}
		case strings.HasPrefix(sk.Value, eventPrefix):
			var e eventItem
			if err := attributevalue.UnmarshalMap(raw, &e); err != nil {
				return caseItem{}, nil, err
			}
			events = append(events, e.Event)
		}
	}
	if c.ID == "" {
		return caseItem{}, nil, ErrNotFound
	}
	if b != nil {
		c.Description, c.body, c.bodyEvents = b.Description, true, b.Events
		events = append(slices.Clone(b.Events), events...) // the intake's come first
	}
	return c, events, nil
}

// customerSK orders a customer's cases by when they were opened.
func customerSK(created time.Time, id string) string {
	return created.UTC().Format(sortTime) + "#" + id
}

type eventItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Event
}

type settingsItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Settings
}

// Settings reads the settings, or the defaults (version 0) when none were saved.
func (s *Store) Settings(ctx context.Context) (Settings, error) {
	return s.settings.Get(ctx, s.Keep, time.Now(), "", s.readSettings)
}

func (s *Store) readSettings(ctx context.Context) (Settings, error) {
	var it settingsItem
	found, err := dynamo.GetVersioned(ctx, s.DB, s.Table, settingsPK, settingsSK, &it, "complaint settings")
	if err != nil || !found {
		return DefaultSettings(), err
	}
	return it.Settings, nil
}

// PutSettings saves settings over the version read (0: none saved yet).
func (s *Store) PutSettings(ctx context.Context, st Settings, expect int) (Settings, error) {
	st.Version = expect + 1
	err := dynamo.PutVersioned(ctx, s.DB, s.Table, settingsItem{PK: settingsPK, SK: settingsSK, Settings: st}, expect, "complaint settings")
	if errors.Is(err, dynamo.ErrVersion) {
		return Settings{}, ErrSettingsChanged
	}
	if err == nil && s.Keep > 0 {
		s.settings.Put(time.Now(), "", st)
	}
	return st, err
}

// count adds one to a counter item and returns the new value: an atomic, race-free
// sequence (a failed intake afterwards leaves a gap, never a duplicate).
func (s *Store) count(ctx context.Context, pk, sk string, expires time.Time) (int, error) {
	in := &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(pk, sk),
		UpdateExpression:          aws.String("ADD n :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": dynamo.N(1)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	}
	if !expires.IsZero() {
		in.UpdateExpression = aws.String("ADD n :one SET expiresAt = :exp")
		in.ExpressionAttributeValues[":exp"] = dynamo.N(expires.Unix())
	}
	out, err := s.DB.UpdateItem(ctx, in)
	if err != nil {
		return 0, dynamo.Unavailable(err, "count "+dynamo.KeyKind(pk))
	}
	var v struct {
		N int `dynamodbav:"n"`
	}
	err = attributevalue.UnmarshalMap(out.Attributes, &v)
	return v.N, err
}

// Case reads a case and its timeline (one query: the case's body and the case sort
// before its events).
func (s *Store) Case(ctx context.Context, id string) (caseItem, []Event, error) {
	var raws []map[string]types.AttributeValue
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(casePK(id))},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return caseItem{}, nil, dynamo.Unavailable(err, "read complaint")
		}
		raws = append(raws, page.Items...)
	}
	return caseFrom(raws)
}

// caseOnly reads the case with its body, without its timeline: one query of the two
// items that sort up to the case ("BODY" < "CASE" < "EV#…").
func (s *Store) caseOnly(ctx context.Context, id string) (caseItem, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), KeyConditionExpression: aws.String("pk = :pk AND sk <= :case"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(casePK(id)), ":case": dynamo.S(caseSK)},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return caseItem{}, dynamo.Unavailable(err, "read complaint")
	}
	c, _, err := caseFrom(out.Items)
	return c, err
}

// byToken finds the case a tracking token belongs to: by its reference, whose item
// holds the hash of the token's secret, or (a token of the earlier form) by its own
// TRACK item. A secret that does not match is ErrNotFound, as an unknown token is.
func (s *Store) byToken(ctx context.Context, token string) (string, error) {
	key := dynamo.Key(trackPK(token), "TRACK")
	// The secret is what follows the last separator: it holds none, a reference
	// might (a location's code is the business's choice).
	i := strings.LastIndex(token, tokenSeparator)
	named := i >= 0
	var secret string
	if named {
		key, secret = dynamo.Key(refPK(token[:i]), "REF"), token[i+len(tokenSeparator):]
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key})
	if err != nil {
		return "", dynamo.Unavailable(err, "read tracking token")
	}
	if out.Item == nil {
		return "", ErrNotFound
	}
	var v struct {
		ID        string `dynamodbav:"complaintId"`
		TrackHash string `dynamodbav:"trackHash"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &v); err != nil {
		return "", err
	}
	if named && subtle.ConstantTimeCompare([]byte(v.TrackHash), []byte(hashHex(secret))) != 1 {
		return "", ErrNotFound
	}
	return v.ID, nil
}

// change is one write to a case: its new state, its events, its report deltas.
type change struct {
	item caseItem
	prev int // version read; 0 for a new case
	// bodyKept: the case has its body item (read with it), which the change leaves.
	bodyKept bool
	events   []Event
	deltas   deltas
	// kpi are the location's KPI counters the change adds on its local day kpiDay.
	kpi    map[string]int
	kpiDay string
	// staff are the staff counters the change adds on kpiDay (staff.go).
	staff   staffCounts
	created []types.TransactWriteItem // new-case items: token, reference
}

func (s *Store) put(v any, cond string) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: item, ConditionExpression: aws.String(cond)}}, nil
}

// items are a change's transaction items: the new case's token and reference, the
// case (only if still at the version read), its events (only if new), its aggregate,
// its KPI counters and its staff counters.
func (s *Store) items(ch change) ([]types.TransactWriteItem, error) {
	c := ch.item
	c.PK, c.SK = casePK(c.ID), caseSK
	items := slices.Clone(ch.created)
	// The case item without its description, which stays in (or moves to) the body item.
	stored, err := attributevalue.MarshalMap(c)
	if err != nil {
		return nil, err
	}
	delete(stored, "description")
	caseWrite := types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: stored}}
	if ch.prev == 0 {
		caseWrite.Put.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		caseWrite.Put.ConditionExpression = aws.String("version = :v")
		caseWrite.Put.ExpressionAttributeValues = map[string]types.AttributeValue{":v": dynamo.N(int64(ch.prev))}
	}
	items = append(items, caseWrite)
	events := ch.events
	if !ch.bodyKept { // written with the case, whose condition decides
		b := bodyItem{PK: c.PK, SK: bodySK, Description: c.Description}
		if ch.prev == 0 { // a new case: its events are the body's
			b.Events, events = events, nil
		}
		body, err := attributevalue.MarshalMap(b)
		if err != nil {
			return nil, err
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: body}})
	}
	for _, e := range events {
		w, err := s.put(eventItem{PK: casePK(c.ID), SK: eventSK(e.Seq), Event: e}, "attribute_not_exists(pk)")
		if err != nil {
			return nil, err
		}
		items = append(items, w)
	}
	if u, ok, err := s.aggregate(c, ch.deltas); err != nil {
		return nil, err
	} else if ok {
		items = append(items, u)
	}
	if u, ok, err := kpi.Add(s.Table, c.LocationID, kpi.SK(kpi.Day, ch.kpiDay, kpi.Shard(c.ID)), ch.kpi); err != nil {
		return nil, err
	} else if ok {
		items = append(items, u)
	}
	for _, id := range ch.staff.ids() {
		u, ok, err := kpi.AddStaff(s.Table, c.LocationID, ch.kpiDay, id, ch.staff[id])
		if err != nil {
			return nil, err
		}
		if ok {
			items = append(items, u)
		}
	}
	return items, nil
}

// add contributes a change to a transaction: a refused condition on its items means
// the case changed meanwhile (ErrChanged).
func (s *Store) add(tx *dynamo.Tx, ch change) error {
	items, err := s.items(ch)
	if err != nil {
		return err
	}
	tx.Add(ErrChanged, items...)
	return nil
}

// commit writes a transaction holding a change to a case and what else joined it. A
// race with another writer is retried (retry.Conflict); a refused condition is the
// error its contributor named, and ErrChanged where it named none.
func (s *Store) commit(ctx context.Context, tx *dynamo.Tx) error {
	err := retry.Do(ctx, retry.Conflict, func() (bool, error) {
		err := tx.Commit(ctx, s.DB, "save complaint")
		return errors.Is(err, dynamo.ErrTxConflict), err
	})
	switch {
	case errors.Is(err, retry.ErrExhausted):
		return problem.New(problem.Unavailable, "the case keeps changing; retry shortly")
	case err != nil && dynamo.ConditionFailed(err):
		return ErrChanged
	}
	return err
}

// deltas are changes to a case's report counters and duration lists.
type deltas struct {
	add    map[string]int
	append map[string][]int
}

func (d *deltas) inc(name string, n int) {
	if d.add == nil {
		d.add = map[string]int{}
	}
	d.add[name] += n
}

func (d *deltas) push(name string, v int) {
	if d.append == nil {
		d.append = map[string][]int{}
	}
	d.append[name] = append(d.append[name], v)
}

// aggregate is the update of the case's report item (its location, its intake day,
// its shard) by the deltas.
func (s *Store) aggregate(c caseItem, d deltas) (types.TransactWriteItem, bool, error) {
	if len(d.add) == 0 && len(d.append) == 0 {
		return types.TransactWriteItem{}, false, nil
	}
	var u expression.UpdateBuilder
	names := make([]string, 0, len(d.add))
	for n := range d.add {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if d.add[n] != 0 {
			u = u.Add(expression.Name(n), expression.Value(d.add[n]))
		}
	}
	lists := make([]string, 0, len(d.append))
	for n := range d.append {
		lists = append(lists, n)
	}
	slices.Sort(lists)
	for _, n := range lists {
		u = u.Set(expression.Name(n), expression.ListAppend(expression.IfNotExists(expression.Name(n), expression.Value([]int{})), expression.Value(d.append[n])))
	}
	expr, err := expression.NewBuilder().WithUpdate(u).Build()
	if err != nil {
		return types.TransactWriteItem{}, false, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(s.Table), Key: dynamo.Key(aggPK(c.LocationID), aggSK(c.ReportDay, shardOf(c.ID, aggShards))),
		UpdateExpression: expr.Update(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, true, nil
}
