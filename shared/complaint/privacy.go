package complaint

// Personal data in cases: a customer's cases move to the survivor of a merge; their
// contact, description, resolution and notes are removed when the customer is erased
// or the retention period after closing ends. Reference, category, severity, status,
// clocks and the report aggregates stay: reports count them.
//
// Access patterns:
//
//	a customer's cases                    Query customerCases CUST#<id>
//	closed cases of a location, by age    Query queue Q#<loc>, queueSk BETWEEN closed# and
//	                                      closed#<cutoff> (opened before the cutoff), then
//	                                      closedAt checked: never a scan

import (
	"context"
	"errors"
	"maps"
	"slices"
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

// Timeline events of privacy operations (internal: the customer's view skips them).
const (
	EventCustomerMerged      = "customer_merged"
	EventPersonalDataRemoved = "personal_data_removed"
)

// CustomerCaseIDs lists the ids of the cases linked to a customer (customerCases).
func (s *Store) CustomerCaseIDs(ctx context.Context, customerID string) ([]string, error) {
	var ids []string
	p := dynamodb.NewQueryPaginator(dynamo.Backfilled(s.DB, "complaints", CustomerIndex), &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String(CustomerIndex),
		KeyConditionExpression:    aws.String("customerPk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S(customerPK(customerID))},
		ProjectionExpression:      aws.String("id"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, dynamo.Unavailable(err, "read a customer's cases")
		}
		for _, raw := range page.Items {
			if v, ok := raw["id"].(*types.AttributeValueMemberS); ok {
				ids = append(ids, v.Value)
			}
		}
	}
	return ids, nil
}

// CaseWithTimeline reads a case and its full timeline (an export).
func (s *Store) CaseWithTimeline(ctx context.Context, id string) (Case, error) {
	c, events, err := s.Case(ctx, id)
	return caseOf(c.Complaint, events), err
}

// changeCase writes a case change made outside the lifecycle as one transaction: the
// case updated by u if still at its version, and the timeline event of its next
// version. A lost race reads the case again (retry.Conflict).
func (s *Store) changeCase(ctx context.Context, id string, change func(caseItem) (expression.UpdateBuilder, *bodyItem, *Event, bool)) (bool, error) {
	changed := false
	err := retry.Do(ctx, retry.Conflict, func() (bool, error) {
		c, err := s.caseOnly(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		u, body, ev, ok := change(c)
		if !ok {
			return false, nil
		}
		ev.Seq = c.Version + 1
		u = u.Set(expression.Name("version"), expression.Value(ev.Seq)).Set(expression.Name("updatedAt"), expression.Value(ev.At))
		ex, err := expression.NewBuilder().WithUpdate(u).WithCondition(expression.Name("version").Equal(expression.Value(c.Version))).Build()
		if err != nil {
			return false, err
		}
		evPut, err := s.put(eventItem{PK: casePK(id), SK: eventSK(ev.Seq), Event: *ev}, "attribute_not_exists(pk)")
		if err != nil {
			return false, err
		}
		items := []types.TransactWriteItem{
			{Update: &types.Update{TableName: aws.String(s.Table), Key: dynamo.Key(casePK(id), caseSK),
				UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
				ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values()}},
			evPut,
		}
		if body != nil {
			body.PK, body.SK = casePK(id), bodySK
			b, err := attributevalue.MarshalMap(body)
			if err != nil {
				return false, err
			}
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table), Item: b}})
		}
		_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		switch {
		case err == nil:
			changed = true
			return false, nil
		case dynamo.ConditionFailed(err) || slices.Contains(dynamo.CancellationReasons(err), "TransactionConflict"):
			return true, nil // staff acted on the case meanwhile
		default:
			return false, dynamo.Unavailable(err, "change complaint")
		}
	})
	if errors.Is(err, retry.ErrExhausted) {
		return false, problem.New(problem.Unavailable, "the case keeps changing; retry shortly")
	}
	return changed, err
}

// ReassignCase links a case of from to another customer (the survivor of a merge),
// with an internal timeline event saying so; false when it is not from's.
func (s *Store) ReassignCase(ctx context.Context, id, from, to, actor string, now time.Time) (bool, error) {
	return s.changeCase(ctx, id, func(c caseItem) (expression.UpdateBuilder, *bodyItem, *Event, bool) {
		if c.CustomerID != from {
			return expression.UpdateBuilder{}, nil, nil, false
		}
		u := expression.Set(expression.Name("customerId"), expression.Value(to)).
			Set(expression.Name("customerPk"), expression.Value(customerPK(to))).
			Set(expression.Name("customerSk"), expression.Value(customerSK(c.CreatedAt, c.ID)))
		return u, nil, &Event{Type: EventCustomerMerged, At: now, Actor: actor, Internal: true,
			Details: map[string]string{"from": from, "to": to}}, true
	})
}

// Redaction says whose and why a case's personal data goes.
type Redaction struct {
	// Reason is "erasure" or "retention".
	Reason string
	Actor  string
	At     time.Time
	// CustomerID and Pseudonym, on an erasure, unlink the case from the customer: only
	// a case still linked to CustomerID is touched.
	CustomerID, Pseudonym string
	// ClosedBefore, on retention, touches only a case still closed before then.
	ClosedBefore time.Time
}

// RedactCase removes a case's personal data: the notes of its timeline first, then, in
// one transaction with an internal event saying so, the contact (name, phone, email;
// the language stays), the description and the resolution, and on an erasure the link
// to the customer. A case redacted before, or not (any longer) the one asked for, is
// left alone (false).
func (s *Store) RedactCase(ctx context.Context, id string, r Redaction) (bool, error) {
	c, events, err := s.Case(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !r.Applies(c.Complaint) {
		return false, nil
	}
	// The intake's events, which the body holds, are rewritten with it, their notes
	// gone as the others' are.
	kept := make([]Event, 0, len(c.bodyEvents))
	for i, e := range events {
		// Notes go; on an erasure, so do the ids a merge event names.
		names := []string{"internalNote"}
		if r.Reason == "erasure" && e.Type == EventCustomerMerged {
			names = append(names, "from", "to")
		}
		if i < len(c.bodyEvents) {
			e.Note, e.Details = "", maps.Clone(e.Details)
			for _, name := range names {
				delete(e.Details, name)
			}
			kept = append(kept, e)
			continue
		}
		u := expression.Remove(expression.Name("note"))
		touched := e.Note != ""
		for _, name := range names {
			if _, ok := e.Details[name]; ok {
				u, touched = u.Remove(expression.Name("details."+name)), true
			}
		}
		if !touched {
			continue
		}
		ex, err := expression.NewBuilder().WithUpdate(u).WithCondition(expression.AttributeExists(expression.Name("pk"))).Build()
		if err != nil {
			return false, err
		}
		_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(casePK(id), eventSK(e.Seq)),
			UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
			ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values()})
		if err != nil && !dynamo.ConditionFailed(err) {
			return false, dynamo.Unavailable(err, "redact complaint notes")
		}
	}
	return s.changeCase(ctx, id, func(c caseItem) (expression.UpdateBuilder, *bodyItem, *Event, bool) {
		if !r.Applies(c.Complaint) {
			return expression.UpdateBuilder{}, nil, nil, false
		}
		// The description goes from the body (and from the case item of a case stored
		// before bodies); the contact keeps only its language.
		body := &bodyItem{Events: kept}
		u := expression.Set(expression.Name("contact"), expression.Value(Contact{Locale: c.Contact.Locale})).
			Remove(expression.Name("description")).
			Set(expression.Name("redactedAt"), expression.Value(r.At)).
			Remove(expression.Name("resolution"))
		if r.Reason == "erasure" {
			u = u.Set(expression.Name("customerId"), expression.Value(r.Pseudonym)).
				Remove(expression.Name("customerPk")).Remove(expression.Name("customerSk"))
		}
		return u, body, &Event{Type: EventPersonalDataRemoved, At: r.At, Actor: r.Actor, Internal: true,
			Details: map[string]string{"reason": r.Reason}}, true
	})
}

// Applies tells whether a case is one the redaction is for, and not done before.
func (r Redaction) Applies(c Complaint) bool {
	if r.Reason == "erasure" {
		return c.CustomerID == r.CustomerID
	}
	return c.Status == Closed && c.ClosedAt != nil && c.ClosedAt.Before(r.ClosedBefore) && !redacted(c)
}

// ClosedBefore lists the cases of a location closed before cutoff whose personal data
// is still there, through the queue index: closed cases opened before the cutoff
// (a case closes after it opens), their closing time checked on each.
func (s *Store) ClosedBefore(ctx context.Context, locationID string, cutoff time.Time) ([]string, error) {
	var ids []string
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String("queue"),
		KeyConditionExpression: aws.String("queuePk = :q AND queueSk BETWEEN :lo AND :hi"),
		FilterExpression:       aws.String("attribute_not_exists(redactedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":q": dynamo.S(queuePK(locationID)), ":lo": dynamo.S(string(Closed) + "#"),
			":hi": dynamo.S(string(Closed) + "#" + cutoff.UTC().Format(sortTime) + "#~"),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, dynamo.Unavailable(err, "query closed cases")
		}
		var items []caseItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, c := range items {
			if c.ClosedAt != nil && c.ClosedAt.Before(cutoff) {
				ids = append(ids, c.ID)
			}
		}
	}
	return ids, nil
}

// redacted tells whether the case's personal data was removed before (intake needs a
// description, so only a redacted case has none).
func redacted(c Complaint) bool {
	return c.Description == "" && c.Contact == Contact{Locale: c.Contact.Locale} && c.Resolution == ""
}
