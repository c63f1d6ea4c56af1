package customer

// Merging duplicates and erasing a person, on the customers table. The privacy
// package drives both across every domain; these are the customers table's steps.
//
//	pk                    sk                     item
//	CUST#<survivorId>     MERGED#<duplicateId>   a duplicate merged into the survivor
//	ERASURE#<customerId>  AT#<startedAt>         an erasure: when, by whom, what it
//	                                             removed (counts); never personal data
//
// Access patterns:
//
//	a survivor's duplicates      Query CUST#<id>, begins_with(sk, "MERGED#")
//	the latest erasure of an id  Query ERASURE#<id>, descending, limit 1

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

const (
	mergedPrefix  = "MERGED#"
	erasurePrefix = "ERASURE#"
	// visitChunk visits move or go per transaction (three items each, plus profiles).
	visitChunk = 30
	// deleteChunk is how many deletes one transaction carries.
	deleteChunk = 100
)

// StoredProfile reads a profile as stored, without following a merge.
func (s *Store) StoredProfile(ctx context.Context, cid string) (Profile, error) {
	return s.profile(ctx, cid)
}

// StartMerge marks dupID as merged into survivorID in one transaction: the duplicate's
// profile names the survivor (Profile follows it from then on, and new visits land on
// the survivor), the survivor's partition records the duplicate, the duplicate's phone
// and email index entries point at the survivor, and the survivor takes the
// duplicate's phone or email when it has none. A duplicate already merged into this
// survivor is left as it is (resumed is true): the rest of the merge runs again.
func (s *Store) StartMerge(ctx context.Context, survivorID, dupID, by string, now time.Time) (resumed bool, err error) {
	if survivorID == dupID {
		return false, problem.Field("duplicateId", "must be another customer than the one merged into")
	}
	err = retry.Do(ctx, retry.Conflict, func() (bool, error) {
		surv, err := s.profile(ctx, survivorID)
		if errors.Is(err, ErrNoProfile) {
			return false, problem.New(problem.NotFound, "no such customer")
		}
		if err != nil {
			return false, err
		}
		dup, err := s.profile(ctx, dupID)
		if errors.Is(err, ErrNoProfile) {
			return false, problem.Field("duplicateId", fmt.Sprintf("no customer %q", dupID))
		}
		if err != nil {
			return false, err
		}
		switch {
		case surv.MergedInto != "":
			return false, problem.Newf(problem.Conflict, "customer %s was merged into %s: merge into that one", survivorID, surv.MergedInto)
		case dup.MergedInto == survivorID:
			resumed = true
			return false, nil
		case dup.MergedInto != "":
			return false, problem.Newf(problem.Conflict, "customer %s was already merged into %s", dupID, dup.MergedInto)
		}
		items, err := s.mergeItems(surv, dup, by, now)
		if err != nil {
			return false, err
		}
		_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		switch {
		case err == nil:
			return false, nil
		case dynamo.ConditionFailed(err) || slices.Contains(dynamo.CancellationReasons(err), "TransactionConflict"):
			return true, nil // one of the profiles changed meanwhile: read them again
		default:
			return false, dynamo.Unavailable(err, "merge customers")
		}
	})
	if errors.Is(err, retry.ErrExhausted) {
		return false, problem.New(problem.Unavailable, "the customers keep changing; retry the merge shortly")
	}
	return resumed, err
}

func (s *Store) mergeItems(surv, dup Profile, by string, now time.Time) ([]types.TransactWriteItem, error) {
	dupUpd, err := s.updateItem(dynamo.Key(customerPK(dup.ID), profileSK),
		expression.Set(expression.Name("mergedInto"), expression.Value(surv.ID)).
			Set(expression.Name("version"), expression.Value(dup.Version+1)).
			Set(expression.Name("updatedAt"), expression.Value(now)).
			Remove(expression.Name("homePk")).Remove(expression.Name("homeSk")).
			Remove(expression.Name("namePk")).Remove(expression.Name("nameSk")),
		expression.Name("version").Equal(expression.Value(dup.Version)).And(expression.AttributeNotExists(expression.Name("mergedInto"))))
	if err != nil {
		return nil, err
	}
	items := []types.TransactWriteItem{dupUpd}
	next := surv
	if next.Phone == "" {
		next.Phone = dup.Phone
	}
	if next.Email == "" {
		next.Email = dup.Email
	}
	if next.Phone != surv.Phone || next.Email != surv.Email {
		next.Version, next.UpdatedAt = surv.Version+1, now
		put, err := s.profilePut(next, surv.Version)
		if err != nil {
			return nil, err
		}
		put.Put.ConditionExpression = aws.String("version = :v AND attribute_not_exists(mergedInto)")
		items = append(items, put)
	} else {
		cond, err := expression.NewBuilder().WithCondition(expression.Name("version").Equal(expression.Value(surv.Version)).
			And(expression.AttributeNotExists(expression.Name("mergedInto")))).Build()
		if err != nil {
			return nil, err
		}
		items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(s.Table),
			Key: dynamo.Key(customerPK(surv.ID), profileSK), ConditionExpression: cond.Condition(),
			ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()}})
	}
	rec, err := attributevalue.MarshalMap(map[string]any{"pk": customerPK(surv.ID), "sk": mergedPrefix + dup.ID,
		"duplicateId": dup.ID, "at": now, "by": by})
	if err != nil {
		return nil, err
	}
	items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: rec}})
	for _, pk := range []string{contactKey(dup.Phone, phonePK), contactKey(dup.Email, emailPK)} {
		if pk == "" {
			continue
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table),
			Item:                      map[string]types.AttributeValue{"pk": dynamo.S(pk), "sk": dynamo.S(contactSK), "customerId": dynamo.S(surv.ID)},
			ConditionExpression:       aws.String("attribute_not_exists(pk) OR customerId IN (:dup, :surv)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":dup": dynamo.S(dup.ID), ":surv": dynamo.S(surv.ID)}}})
	}
	return items, nil
}

func (s *Store) updateItem(key map[string]types.AttributeValue, u expression.UpdateBuilder, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	ex, err := expression.NewBuilder().WithUpdate(u).WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String(s.Table), Key: key,
		UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values()}}, nil
}

// Merged lists the duplicates merged into a customer.
func (s *Store) Merged(ctx context.Context, cid string) ([]string, error) {
	var out []string
	err := s.eachInPartition(ctx, cid, mergedPrefix, func(raw map[string]types.AttributeValue) error {
		if v, ok := raw["duplicateId"].(*types.AttributeValueMemberS); ok {
			out = append(out, v.Value)
		}
		return nil
	})
	return out, err
}

// eachInPartition calls fn for each item of a customer's partition whose sort key
// starts with prefix, a page at a time.
func (s *Store) eachInPartition(ctx context.Context, cid, prefix string, fn func(map[string]types.AttributeValue) error) error {
	in := &dynamodb.QueryInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(customerPK(cid))},
	}
	if prefix != "" {
		in.KeyConditionExpression = aws.String("pk = :pk AND begins_with(sk, :p)")
		in.ExpressionAttributeValues[":p"] = dynamo.S(prefix)
	}
	p := dynamodb.NewQueryPaginator(s.DB, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return dynamo.Unavailable(err, "read customer records")
		}
		for _, raw := range page.Items {
			if err := fn(raw); err != nil {
				return err
			}
		}
	}
	return nil
}

// visitsOf reads up to n of a customer's visits.
func (s *Store) visitsOf(ctx context.Context, cid string, n int) ([]Visit, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true), Limit: aws.Int32(int32(n)),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :v)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(customerPK(cid)), ":v": dynamo.S(VisitPrefix),
		},
	})
	if err != nil {
		return nil, dynamo.Unavailable(err, "read visits")
	}
	var vs []Visit
	err = attributevalue.UnmarshalListOfMaps(out.Items, &vs)
	return vs, err
}

// Visits lists all of a customer's visits, oldest first (an export).
func (s *Store) Visits(ctx context.Context, cid string) ([]Visit, error) {
	var vs []Visit
	err := s.eachInPartition(ctx, cid, VisitPrefix, func(raw map[string]types.AttributeValue) error {
		var v Visit
		if err := attributevalue.UnmarshalMap(raw, &v); err != nil {
			return err
		}
		vs = append(vs, v)
		return nil
	})
	return vs, err
}

// ConsentLog lists every recorded consent change of a customer, oldest first.
func (s *Store) ConsentLog(ctx context.Context, cid string) ([]Consent, error) {
	var out []Consent
	err := s.eachInPartition(ctx, cid, "CONSENTLOG#", func(raw map[string]types.AttributeValue) error {
		var c consentItem
		if err := attributevalue.UnmarshalMap(raw, &c); err != nil {
			return err
		}
		out = append(out, c.Consent)
		return nil
	})
	return out, err
}

// MoveVisits re-keys a merged duplicate's visits into the survivor's partition, a
// chunk per transaction: each visit's item moves, its sourceId claim names the
// survivor, and the survivor's figures (visits, spend, first and last visit) take it
// over from the duplicate's. A visit moves once: its item leaves the duplicate's
// partition in the same transaction.
func (s *Store) MoveVisits(ctx context.Context, dupID, survivorID string, now time.Time) (int, error) {
	moved := 0
	for {
		n := 0 // visits the chunk moved; 0 when none are left
		err := retry.Do(ctx, retry.Conflict, func() (bool, error) {
			vs, err := s.visitsOf(ctx, dupID, visitChunk)
			if err != nil || len(vs) == 0 {
				return false, err
			}
			items, err := s.moveVisitItems(ctx, vs, dupID, survivorID, now)
			if err != nil {
				return false, err
			}
			_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
			switch {
			case err == nil:
				n = len(vs)
				return false, nil
			case dynamo.ConditionFailed(err) || slices.Contains(dynamo.CancellationReasons(err), "TransactionConflict"):
				return true, nil // a visit or a profile changed meanwhile: read again
			default:
				return false, dynamo.Unavailable(err, "move visits")
			}
		})
		moved += n
		switch {
		case errors.Is(err, retry.ErrExhausted):
			return moved, problem.New(problem.Unavailable, "the customers keep changing; retry the merge shortly")
		case err != nil || n == 0:
			return moved, err
		}
	}
}

func (s *Store) moveVisitItems(ctx context.Context, vs []Visit, dupID, survivorID string, now time.Time) ([]types.TransactWriteItem, error) {
	surv, err := s.profile(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	dup, err := s.profile(ctx, dupID)
	if err != nil {
		return nil, err
	}
	var items []types.TransactWriteItem
	nextSurv, nextDup := surv, dup
	for _, v := range vs {
		sk := VisitSK(v.At, v.ID)
		v.CustomerID = survivorID
		entry, err := attributevalue.MarshalMap(struct {
			PK string `dynamodbav:"pk"`
			SK string `dynamodbav:"sk"`
			Visit
		}{customerPK(survivorID), sk, v})
		if err != nil {
			return nil, err
		}
		claim, err := s.updateItem(visitClaimKey(v.SourceID),
			expression.Set(expression.Name("visit.customerId"), expression.Value(survivorID)),
			expression.Name("visit.customerId").Equal(expression.Value(dupID)))
		if err != nil {
			return nil, err
		}
		items = append(items,
			types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: entry, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Table), Key: dynamo.Key(customerPK(dupID), sk), ConditionExpression: aws.String("attribute_exists(pk)")}},
			claim)
		nextSurv.Visits++
		nextSurv.Monetary += v.Amount
		if nextSurv.FirstVisit == nil || v.At.Before(*nextSurv.FirstVisit) {
			nextSurv.FirstVisit = &v.At
		}
		if nextSurv.LastVisit == nil || v.At.After(*nextSurv.LastVisit) {
			nextSurv.LastVisit = &v.At
		}
		nextDup.Visits = max(0, nextDup.Visits-1)
		nextDup.Monetary = max(0, nextDup.Monetary-v.Amount)
	}
	nextSurv.Version, nextSurv.UpdatedAt = surv.Version+1, now
	nextDup.Version, nextDup.UpdatedAt = dup.Version+1, now
	for _, pair := range [][2]Profile{{nextSurv, surv}, {nextDup, dup}} {
		put, err := s.profilePut(pair[0], pair[1].Version)
		if err != nil {
			return nil, err
		}
		items = append(items, put)
	}
	return items, nil
}

// Erasure is the audit record of an erasure. While it runs it also holds what a rerun
// needs to finish it (the pseudonym, the merged duplicates); once done, only when, by
// whom, what it removed (counts) and whether it was done.
type Erasure struct {
	CustomerID string    `dynamodbav:"customerId" json:"customerId"`
	Status     string    `dynamodbav:"status" json:"status"`
	By         string    `dynamodbav:"by" json:"by"`
	StartedAt  time.Time `dynamodbav:"startedAt" json:"startedAt"`
	FinishedAt time.Time `dynamodbav:"finishedAt,omitempty" json:"finishedAt,omitempty"`
	// LocationID is the person's home location, so a location-bound caller may finish
	// an erasure of their own customer.
	LocationID string         `dynamodbav:"locationId,omitempty" json:"locationId,omitempty"`
	Counts     map[string]int `dynamodbav:"counts,omitempty" json:"counts,omitempty"`
	// Pseudonyms (customer id → pseudonym) and Duplicates exist only while running; so
	// does Survivor, on a merged duplicate's record: the erasure it is part of.
	Pseudonyms map[string]string `dynamodbav:"pseudonyms,omitempty" json:"-"`
	Duplicates []string          `dynamodbav:"duplicates,omitempty" json:"-"`
	Survivor   string            `dynamodbav:"survivor,omitempty" json:"-"`
}

// Erasure states.
const (
	ErasureRunning = "running"
	ErasureDone    = "done"
)

func erasureSK(at time.Time) string { return "AT#" + at.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// LatestErasure reads the latest erasure of an id, if any.
func (s *Store) LatestErasure(ctx context.Context, cid string) (Erasure, bool, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true), ScanIndexForward: aws.Bool(false), Limit: aws.Int32(1),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(erasurePrefix + cid)},
	})
	if err != nil {
		return Erasure{}, false, dynamo.Unavailable(err, "read erasure")
	}
	if len(out.Items) == 0 {
		return Erasure{}, false, nil
	}
	var e Erasure
	err = attributevalue.UnmarshalMap(out.Items[0], &e)
	return e, err == nil, err
}

// PutErasure writes an erasure record (its key is the id and when it started).
func (s *Store) PutErasure(ctx context.Context, e Erasure) error {
	item, err := attributevalue.MarshalMap(e)
	if err != nil {
		return err
	}
	item["pk"], item["sk"] = dynamo.S(erasurePrefix+e.CustomerID), dynamo.S(erasureSK(e.StartedAt))
	if e.Status == ErasureDone {
		delete(item, "pseudonyms")
		delete(item, "duplicates")
		delete(item, "survivor")
	}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return dynamo.Unavailable(err, "save erasure")
	}
	return nil
}

// ErasedCustomer counts what erasing a customer's own records removed.
type ErasedCustomer struct {
	Profile    int `json:"profile"`
	Contacts   int `json:"contacts"`
	Consents   int `json:"consents"`
	Visits     int `json:"visits"`
	OtherItems int `json:"otherItems"`
}

// EraseCustomer removes a customer's records from the customers table: each visit's
// sourceId claim keeps the visit's figures under the pseudonym (a system repeating the
// sourceId still finds it used) while the visit itself goes; consent, its log, the
// marketing cap, merge records and unsubscribe links (their lookups too) go; the phone
// and email index entries go where they still point at one of owners (the person's
// ids); the profile goes last, so a rerun after a crash finds what is left.
func (s *Store) EraseCustomer(ctx context.Context, cid, pseudonym string, owners []string) (ErasedCustomer, error) {
	var n ErasedCustomer
	prof, err := s.profile(ctx, cid)
	if err != nil && !errors.Is(err, ErrNoProfile) {
		return n, err
	}
	var keys []map[string]types.AttributeValue
	var visits []Visit
	err = s.eachInPartition(ctx, cid, "", func(raw map[string]types.AttributeValue) error {
		sk, _ := raw["sk"].(*types.AttributeValueMemberS)
		switch {
		case sk == nil || sk.Value == profileSK:
		case strings.HasPrefix(sk.Value, VisitPrefix):
			var v Visit
			if err := attributevalue.UnmarshalMap(raw, &v); err != nil {
				return err
			}
			visits = append(visits, v)
		default:
			if strings.HasPrefix(sk.Value, "CONSENT") {
				n.Consents++
			} else {
				n.OtherItems++
			}
			keys = append(keys, dynamo.Key(customerPK(cid), sk.Value))
			// An unsubscribe link's pointer: its lookup, which names the customer, goes too.
			if lookup, ok := raw["lookup"].(*types.AttributeValueMemberS); ok && strings.HasPrefix(sk.Value, unsubscribePrefix) {
				keys = append(keys, dynamo.Key(lookup.Value, unsubscribeSK))
				n.OtherItems++
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	for chunk := range slices.Chunk(visits, deleteChunk/2) {
		var items []types.TransactWriteItem
		for _, v := range chunk {
			claim, err := s.updateItem(visitClaimKey(v.SourceID),
				expression.Set(expression.Name("visit.customerId"), expression.Value(pseudonym)),
				expression.AttributeExists(expression.Name("pk")))
			if err != nil {
				return n, err
			}
			items = append(items, claim, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Table), Key: dynamo.Key(customerPK(cid), VisitSK(v.At, v.ID))}})
		}
		if _, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
			return n, dynamo.Unavailable(err, "erase visits")
		}
		n.Visits += len(chunk)
	}
	if err := s.deleteKeys(ctx, keys); err != nil {
		return n, err
	}
	for _, pk := range []string{contactKey(prof.Phone, phonePK), contactKey(prof.Email, emailPK)} {
		if pk == "" {
			continue
		}
		cond := expression.Name("customerId").In(expression.Value(owners[0]), valuesOf(owners[1:])...)
		ex, err := expression.NewBuilder().WithCondition(cond).Build()
		if err != nil {
			return n, err
		}
		_, err = s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(pk, contactSK),
			ConditionExpression: ex.Condition(), ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values()})
		switch {
		case err == nil:
			n.Contacts++
		case dynamo.ConditionFailed(err): // gone, or someone else's by now
		default:
			return n, dynamo.Unavailable(err, "erase contact index")
		}
	}
	if prof.ID != "" {
		if _, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(customerPK(cid), profileSK)}); err != nil {
			return n, dynamo.Unavailable(err, "erase profile")
		}
		n.Profile = 1
	}
	return n, nil
}

func valuesOf(ss []string) []expression.OperandBuilder {
	out := make([]expression.OperandBuilder, len(ss))
	for i, s := range ss {
		out[i] = expression.Value(s)
	}
	return out
}

// deleteKeys deletes items by key, a transaction per chunk.
func (s *Store) deleteKeys(ctx context.Context, keys []map[string]types.AttributeValue) error {
	for chunk := range slices.Chunk(keys, deleteChunk) {
		items := make([]types.TransactWriteItem, len(chunk))
		for i, k := range chunk {
			items[i] = types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Table), Key: k}}
		}
		if _, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
			return dynamo.Unavailable(err, "erase customer records")
		}
	}
	return nil
}
