package survey

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/cache"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/retry"
)

// ErrNotFound means there is no such survey or invitation.
var ErrNotFound = errors.New("not found")

// Store keeps surveys, invitations and responses in the surveys table.
type Store struct {
	DB    dynamo.API
	Table string
	// Keep is how long the response path keeps a survey's definition and a public
	// link it read (app.Deps.Keep); 0 reads them every time. Personal invitations,
	// used once, are always read.
	Keep        time.Duration
	definitions cache.Cache[Survey]
	links       cache.Cache[Invitation]
}

type keyed[T any] struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	// ExpiresAt is the TTL (epoch seconds); zero means the item does not expire.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
	Value     T     `dynamodbav:"value"`
}

func (s *Store) put(ctx context.Context, pk, sk string, v any) error {
	item, err := attributevalue.MarshalMap(keyed[any]{PK: pk, SK: sk, Value: v})
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item})
	return err
}

func get[T any](ctx context.Context, s *Store, pk, sk string) (T, error) {
	var zero T
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.Table), Key: dynamo.Key(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return zero, dynamo.Unavailable(err, "read "+dynamo.KeyKind(pk))
	}
	if out.Item == nil {
		return zero, ErrNotFound
	}
	var k keyed[T]
	if err := attributevalue.UnmarshalMap(out.Item, &k); err != nil {
		return zero, fmt.Errorf("decode %s: %w", pk, err)
	}
	return k.Value, nil
}

// PutSurvey stores a definition as its current version and as that version, without
// conditions (seeding demos and tests; staff use CreateSurvey and UpdateSurvey).
func (s *Store) PutSurvey(ctx context.Context, sv Survey) error {
	if err := s.put(ctx, surveyPK(sv.ID), versionSK(sv.Version), sv); err != nil {
		return err
	}
	def, err := definitionItem(sv)
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: def})
	s.definitions.Forget(sv.ID)
	return err
}

// definitionItem is a survey's DEF item, listed by the catalog index.
func definitionItem(sv Survey) (map[string]types.AttributeValue, error) {
	def, err := attributevalue.MarshalMap(keyed[Survey]{PK: surveyPK(sv.ID), SK: definitionSK, Value: sv})
	if err != nil {
		return nil, err
	}
	maps.Copy(def, catalogKeys(sv.ID))
	return def, nil
}

// ErrVersionConflict means the survey changed since the version an edit was based on.
var ErrVersionConflict = errors.New("survey version conflict")

// CreateSurvey stores version 1 of a new survey.
func (s *Store) CreateSurvey(ctx context.Context, sv Survey) error {
	return s.writeVersion(ctx, sv, aws.String("attribute_not_exists(pk)"), nil)
}

// UpdateSurvey stores sv as the next version, if the current one is still sv.Version-1:
// past versions stay as they were, so old responses keep their meaning.
func (s *Store) UpdateSurvey(ctx context.Context, sv Survey) error {
	return s.writeVersion(ctx, sv, aws.String("#v.#ver = :prev"), map[string]types.AttributeValue{":prev": dynamo.N(int64(sv.Version - 1))})
}

func (s *Store) writeVersion(ctx context.Context, sv Survey, cond *string, values map[string]types.AttributeValue) error {
	defer s.definitions.Forget(sv.ID)
	def, err := definitionItem(sv)
	if err != nil {
		return err
	}
	ver, err := attributevalue.MarshalMap(keyed[Survey]{PK: surveyPK(sv.ID), SK: versionSK(sv.Version), Value: sv})
	if err != nil {
		return err
	}
	put := &types.Put{TableName: aws.String(s.Table), Item: def, ConditionExpression: cond, ExpressionAttributeValues: values}
	if values != nil {
		put.ExpressionAttributeNames = map[string]string{"#v": "value", "#ver": "version"}
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: put},
		{Put: &types.Put{TableName: aws.String(s.Table), Item: ver, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
	}})
	if dynamo.ConditionFailed(err) {
		return ErrVersionConflict
	}
	if err != nil {
		return dynamo.Unavailable(err, "save survey")
	}
	return nil
}

// Survey reads the current definition.
func (s *Store) Survey(ctx context.Context, id string) (Survey, error) {
	return get[Survey](ctx, s, surveyPK(id), definitionSK)
}

// SurveyVersion reads one version of a definition.
func (s *Store) SurveyVersion(ctx context.Context, id string, v int) (Survey, error) {
	return get[Survey](ctx, s, surveyPK(id), versionSK(v))
}

// PutInvitation stores a new invitation or public link; a token is never reused.
func (s *Store) PutInvitation(ctx context.Context, inv Invitation) error {
	if inv.Status == "" {
		inv.Status = "open"
	}
	if inv.Kind == "" {
		inv.Kind = KindInvitation
	}
	// Kept a month past its expiry (to answer 410 meanwhile), then removed by TTL.
	item, err := attributevalue.MarshalMap(keyed[Invitation]{PK: invitationPK(inv.Token), SK: invitationSK, Value: inv,
		ExpiresAt: inv.ExpiresAt.AddDate(0, 1, 0).Unix()})
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	if dynamo.ConditionFailed(err) {
		return ErrVersionConflict
	}
	if err != nil {
		return dynamo.Unavailable(err, "save invitation")
	}
	return nil
}

// SurveyAndInvitation reads the current definition and a token's invitation in one
// round trip (a strongly consistent BatchGetItem): the response path's reads. Each
// comes back with its own ErrNotFound.
func (s *Store) SurveyAndInvitation(ctx context.Context, surveyID, token string) (Survey, error, Invitation, error) {
	now := time.Now()
	if sv, ok := s.definitions.Lookup(s.Keep, now, surveyID); ok {
		if link, ok := s.links.Lookup(s.Keep, now, token); ok || token == "" {
			return sv, nil, link, s.noToken(token)
		}
	}
	sv, svErr, inv, invErr := s.surveyAndInvitation(ctx, surveyID, token)
	if s.Keep > 0 && svErr == nil {
		s.definitions.Put(now, surveyID, sv)
	}
	// A link's item never changes after it is made (its day counters are items of
	// their own), so it may be kept; an invitation is spent by its response.
	if s.Keep > 0 && invErr == nil && inv.Kind == KindLink {
		s.links.Put(now, token, inv)
	}
	return sv, svErr, inv, invErr
}

// noToken is the invitation's error when the request carries no token.
func (s *Store) noToken(token string) error {
	if token == "" {
		return ErrNotFound
	}
	return nil
}

func (s *Store) surveyAndInvitation(ctx context.Context, surveyID, token string) (Survey, error, Invitation, error) {
	keys := []map[string]types.AttributeValue{dynamo.Key(surveyPK(surveyID), definitionSK)}
	if token != "" {
		keys = append(keys, dynamo.Key(invitationPK(token), invitationSK))
	}
	items, err := dynamo.GetMany(ctx, s.DB, s.Table, keys, true)
	if err != nil {
		return Survey{}, dynamo.Unavailable(err, "read survey"), Invitation{}, nil
	}
	found := map[string]map[string]types.AttributeValue{}
	for _, item := range items {
		if pk, ok := item["pk"].(*types.AttributeValueMemberS); ok {
			found[pk.Value] = item
		}
	}
	decode := func(pk string, v any) error {
		item, ok := found[pk]
		if !ok {
			return ErrNotFound
		}
		return attributevalue.UnmarshalMap(item, v)
	}
	var sv keyed[Survey]
	svErr := decode(surveyPK(surveyID), &sv)
	var inv keyed[Invitation]
	invErr := ErrNotFound
	if token != "" {
		invErr = decode(invitationPK(token), &inv)
	}
	if invErr == nil && inv.Value.Kind == "" {
		inv.Value.Kind = KindInvitation
	}
	return sv.Value, svErr, inv.Value, invErr
}

// Invitation reads an invitation by token.
func (s *Store) Invitation(ctx context.Context, token string) (Invitation, error) {
	inv, err := get[Invitation](ctx, s, invitationPK(token), invitationSK)
	if err == nil && inv.Kind == "" {
		inv.Kind = KindInvitation // stored before links existed
	}
	return inv, err
}

// Responses lists a survey's responses (tests recount from them).
func (s *Store) Responses(ctx context.Context, surveyID string) ([]Response, error) {
	var all []Response
	p := dynamodb.NewQueryPaginator(s.DB.(dynamodb.QueryAPIClient), &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :resp)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(surveyPK(surveyID)), ":resp": dynamo.S("RESP#"),
		},
		ConsistentRead: aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		var items []keyed[Response]
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			all = append(all, it.Value)
		}
	}
	return all, nil
}

// responseItem is a response as stored (read back as keyed[Response]), with the keys
// of the sparse index byCustomer when the customer is known:
//
//	customerPk = CUST#<customerId>   customerSk = <submittedAt>#<responseId>
//
// so a customer's responses list newest first (their timeline) without a scan.
type responseItem struct {
	PK         string   `dynamodbav:"pk"`
	SK         string   `dynamodbav:"sk"`
	Value      Response `dynamodbav:"value"`
	CustomerPK string   `dynamodbav:"customerPk,omitempty"`
	CustomerSK string   `dynamodbav:"customerSk,omitempty"`
	// CommentPK and CommentSK list a response holding free text in the sparse comments
	// index, for the retention job (see privacy.go).
	CommentPK string `dynamodbav:"commentPk,omitempty"`
	CommentSK string `dynamodbav:"commentSk,omitempty"`
}

// indexTime is a fixed-width UTC time that sorts as a string in time order.
const indexTime = "2006-01-02T15:04:05.000Z"

func storedResponse(sv Survey, r Response) responseItem {
	it := responseItem{PK: surveyPK(r.SurveyID), SK: responseSK(r.ID), Value: r}
	it.CommentPK, it.CommentSK = commentIndexKeys(sv, r)
	if r.CustomerID != "" {
		it.CustomerPK = customerPK(r.CustomerID)
		it.CustomerSK = r.SubmittedAt.UTC().Format(indexTime) + "#" + r.ID
	}
	return it
}

// Reasons a response could not be saved.
var (
	errInvitationTaken = errors.New("invitation used or expired")
	errLinkCapped      = errors.New("link reached its daily cap")
	errLockLost        = errors.New("idempotency claim lost")
)

// linkDayTTL keeps a link's daily count a little past its day.
const linkDayTTL = 48 * time.Hour

// AddResponse contributes to tx the response's own items: its token's use (an invitation open → used, or a public link's daily count
// under its cap), the response, its aggregate counters, its location's KPI counters
// of day (its local day there) and its staff member's counters of that day. Each says in this store's words what its
// refused condition means.
func (s *Store) AddResponse(tx *dynamo.Tx, sv Survey, r Response, tok *Invitation, now time.Time, day string) error {
	item, err := attributevalue.MarshalMap(storedResponse(sv, r))
	if err != nil {
		return err
	}
	if tok != nil {
		use, err := s.useToken(*tok, r, now)
		if err != nil {
			return err
		}
		tx.Add(errInvitationTaken, use)
	}
	tx.Add(nil, types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(s.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}})
	tx.Add(nil, s.aggregateUpdates(sv, r)...)
	if k, ok, err := s.kpiUpdate(sv, r, day); err != nil {
		return err
	} else if ok {
		tx.Add(nil, k)
	}
	if k, ok, err := s.staffUpdate(sv, r, day); err != nil {
		return err
	} else if ok {
		tx.Add(nil, k)
	}
	return nil
}

// SaveResponse commits a response's transaction: its own items (AddResponse) and the
// others' (the loop's recovery, the idempotency record), all or nothing. A transaction
// that loses a race for an item (an aggregate shard, the same invitation) is tried
// again; a refused condition returns its contributor's error.
func (s *Store) SaveResponse(ctx context.Context, tx *dynamo.Tx) error {
	err := retry.Do(ctx, retry.Conflict, func() (bool, error) {
		err := tx.Commit(ctx, s.DB, "save response")
		return errors.Is(err, dynamo.ErrTxConflict), err
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, dynamo.ErrTxConflict), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		dynamo.ConditionFailed(err):
		// Lost every race, ran out of time, or met a condition no contributor named.
		return dynamo.Unavailable(err, "save response")
	}
	return err
}

// useToken is the transaction item that spends the token: an invitation is used once
// while open and unexpired; a public link counts the day's responses under its cap.
func (s *Store) useToken(tok Invitation, r Response, now time.Time) (types.TransactWriteItem, error) {
	if tok.Kind == KindLink {
		day := now.UTC().Format(dayFormat)
		return types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.Table), Key: dynamo.Key(invitationPK(tok.Token), linkDaySK(day)),
			UpdateExpression:          aws.String("ADD #n :one SET expiresAt = :ttl"),
			ConditionExpression:       aws.String("attribute_not_exists(#n) OR #n < :cap"),
			ExpressionAttributeNames:  map[string]string{"#n": "count"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": dynamo.N(1), ":cap": dynamo.N(int64(tok.DailyCap)), ":ttl": dynamo.N(now.Add(linkDayTTL).Unix())},
		}}, nil
	}
	u := expression.Set(expression.Name("value.status"), expression.Value("used")).
		Set(expression.Name("value.responseId"), expression.Value(r.ID))
	cond := expression.Name("value.status").Equal(expression.Value("open")).
		And(expression.Name("value.expiresAt").GreaterThan(expression.Value(now.Unix())))
	ex, err := expression.NewBuilder().WithUpdate(u).WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(s.Table), Key: dynamo.Key(invitationPK(tok.Token), invitationSK),
		UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values(),
	}}, nil
}

// Tally sums the aggregates of a location (or allLocations) over days from..to
// (YYYY-MM-DD, inclusive): one query whose size depends on the days, not the responses.
func (s *Store) Tally(ctx context.Context, surveyID, location, from, to string) (Tally, error) {
	lo, hi := aggregateRange(location, from, to)
	var t Tally
	p := dynamodb.NewQueryPaginator(s.DB.(dynamodb.QueryAPIClient), &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(surveyPK(surveyID)), ":lo": dynamo.S(lo), ":hi": dynamo.S(hi),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return Tally{}, dynamo.Unavailable(err, "read results")
		}
		for _, item := range page.Items {
			t.addItem(item)
		}
	}
	return t, nil
}

// EachResponse calls fn for each response submitted in [from, to), oldest first, at
// one location or ("") all, a page at a time.
func (s *Store) EachResponse(ctx context.Context, surveyID, location string, from, to time.Time, fn func(Response) error) error {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(surveyPK(surveyID)),
			":lo": dynamo.S(responseSK(id.Lowest(from))), ":hi": dynamo.S(responseSK(id.Lowest(to))),
		},
	}
	if location != "" {
		in.FilterExpression = aws.String("#v.locationId = :loc")
		in.ExpressionAttributeNames = map[string]string{"#v": "value"}
		in.ExpressionAttributeValues[":loc"] = dynamo.S(location)
	}
	p := dynamodb.NewQueryPaginator(s.DB.(dynamodb.QueryAPIClient), in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return dynamo.Unavailable(err, "read responses")
		}
		var items []keyed[Response]
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it.Value); err != nil {
				return err
			}
		}
	}
	return nil
}
