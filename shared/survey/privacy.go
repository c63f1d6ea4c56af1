package survey

// Personal data in survey responses: a customer's responses move to the survivor of a
// merge, lose their free text and their customer under erasure, and lose their free
// text when the retention period ends. Scores stay: the aggregates count them.
//
// Index "commentKeys" (sparse, keys only) lists the responses that still hold free
// text (a comment or a text answer), oldest first, so the retention job finds them
// without a scan:
//
//	commentPk = CMT#<shard>   commentSk = <submittedAt>#<responseId>
//
// Access patterns:
//
//	a customer's responses               Query byCustomer CUST#<id>
//	free text older than t               Query commentKeys CMT#<s>, commentSk < t, per
//	                                     shard; then BatchGetItem each page's responses

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// CommentsIndex is the sparse index of responses holding free text (keys only).
const CommentsIndex = "commentKeys"

func commentPK(shard int) string { return fmt.Sprintf("CMT#%d", shard) }

// commentIndexKeys are a response's keys in the comments index; empty when it holds
// no free text. storedResponse sets them when the response is saved.
func commentIndexKeys(sv Survey, r Response) (string, string) {
	if !hasFreeText(sv, r) {
		return "", ""
	}
	return commentPK(shardOf(r.ID)), r.SubmittedAt.UTC().Format(indexTime) + "#" + r.ID
}

func hasFreeText(sv Survey, r Response) bool {
	if r.Comment != "" {
		return true
	}
	text := textQuestions(sv)
	for _, a := range r.Answers {
		if _, ok := a.Value.(string); ok && text(a.QuestionID) {
			return true
		}
	}
	return false
}

// textQuestions tells which questions take free text; for a definition that is gone,
// every question may.
func textQuestions(sv Survey) func(string) bool {
	if sv.ID == "" {
		return func(string) bool { return true }
	}
	types := map[string]string{}
	for _, q := range sv.Questions {
		types[q.ID] = q.Type
	}
	return func(id string) bool { t, ok := types[id]; return !ok || t == TypeText }
}

// withoutText is a response's answers less the free-text ones.
func withoutText(sv Survey, r Response) []Answer {
	text := textQuestions(sv)
	kept := []Answer{}
	for _, a := range r.Answers {
		if _, ok := a.Value.(string); ok && text(a.QuestionID) {
			continue
		}
		kept = append(kept, a)
	}
	return kept
}

// versions caches the survey versions a batch of responses needs.
type versions map[string]Survey

func (s *Store) version(ctx context.Context, cache versions, id string, v int) (Survey, error) {
	key := fmt.Sprintf("%s#%d", id, v)
	if sv, ok := cache[key]; ok {
		return sv, nil
	}
	sv, err := s.SurveyVersion(ctx, id, v)
	if errors.Is(err, ErrNotFound) {
		sv, err = Survey{}, nil
	}
	if err != nil {
		return Survey{}, err
	}
	cache[key] = sv
	return sv, nil
}

// CustomerResponses lists a customer's responses through the byCustomer index.
func (s *Store) CustomerResponses(ctx context.Context, customerID string) ([]Response, error) {
	var out []Response
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String("byCustomer"),
		KeyConditionExpression:    aws.String("customerPk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S(customerPK(customerID))},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, dynamo.Unavailable(err, "read a customer's responses")
		}
		var items []keyed[Response]
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			out = append(out, it.Value)
		}
	}
	return out, nil
}

func (s *Store) updateResponse(ctx context.Context, r Response, u expression.UpdateBuilder, cond expression.ConditionBuilder) (bool, error) {
	ex, err := expression.NewBuilder().WithUpdate(u).WithCondition(cond).Build()
	if err != nil {
		return false, err
	}
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(surveyPK(r.SurveyID), responseSK(r.ID)),
		UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values()})
	switch {
	case dynamo.ConditionFailed(err):
		return false, nil
	case err != nil:
		return false, dynamo.Unavailable(err, "update response")
	}
	return true, nil
}

// ReassignResponse moves a response to another customer (the survivor of a merge),
// with its byCustomer key; false when it no longer belongs to from.
func (s *Store) ReassignResponse(ctx context.Context, r Response, from, to string) (bool, error) {
	u := expression.Set(expression.Name("value.customerId"), expression.Value(to)).
		Set(expression.Name("customerPk"), expression.Value(customerPK(to)))
	return s.updateResponse(ctx, r, u, expression.Name("value.customerId").Equal(expression.Value(from)))
}

// EraseResponse takes a response away from its customer: the comment and the text
// answers go, the customer becomes the pseudonym, and the response leaves the
// customer's index (and the comments index). Scores, the other answers, the survey,
// the location and the time stay for the results.
func (s *Store) EraseResponse(ctx context.Context, r Response, cid, pseudonym string, now time.Time) (bool, error) {
	sv, err := s.version(ctx, versions{}, r.SurveyID, r.SurveyVersion)
	if err != nil {
		return false, err
	}
	u := expression.Set(expression.Name("value.answers"), expression.Value(withoutText(sv, r))).
		Set(expression.Name("value.customerId"), expression.Value(pseudonym)).
		Set(expression.Name("redactedAt"), expression.Value(now)).
		Remove(expression.Name("value.comment")).Remove(expression.Name("value.invitation")).
		Remove(expression.Name("value.submissionId")).
		Remove(expression.Name("customerPk")).Remove(expression.Name("customerSk")).
		Remove(expression.Name("commentPk")).Remove(expression.Name("commentSk"))
	cond := expression.Name("value.customerId").In(expression.Value(cid), expression.Value(pseudonym))
	return s.updateResponse(ctx, r, u, cond)
}

// RedactText removes a response's free text (the comment and the text answers) and
// takes it out of the comments index; its customer and scores stay.
func (s *Store) RedactText(ctx context.Context, r Response, now time.Time) error {
	sv, err := s.version(ctx, versions{}, r.SurveyID, r.SurveyVersion)
	if err != nil {
		return err
	}
	u := expression.Set(expression.Name("value.answers"), expression.Value(withoutText(sv, r))).
		Set(expression.Name("redactedAt"), expression.Value(now)).
		Remove(expression.Name("value.comment")).
		Remove(expression.Name("commentPk")).Remove(expression.Name("commentSk"))
	_, err = s.updateResponse(ctx, r, u, expression.AttributeExists(expression.Name("pk")))
	return err
}

// IndexComment puts a stored response that holds free text into the comments index
// (a backfill for responses saved before the index).
func (s *Store) IndexComment(ctx context.Context, r Response) error {
	sv, err := s.version(ctx, versions{}, r.SurveyID, r.SurveyVersion)
	if err != nil {
		return err
	}
	pk, sk := commentIndexKeys(sv, r)
	if pk == "" {
		return nil
	}
	u := expression.Set(expression.Name("commentPk"), expression.Value(pk)).Set(expression.Name("commentSk"), expression.Value(sk))
	_, err = s.updateResponse(ctx, r, u, expression.AttributeExists(expression.Name("pk")))
	return err
}

// CommentsBefore calls fn for every response submitted before `before` that still
// holds free text, through the comments index, shard by shard, oldest first. fn may
// take the response out of the index (RedactText) as it goes.
func (s *Store) CommentsBefore(ctx context.Context, before time.Time, fn func(Response) error) error {
	for shard := range aggShards {
		p := dynamodb.NewQueryPaginator(dynamo.Backfilled(s.DB, "surveys", CommentsIndex), &dynamodb.QueryInput{
			TableName: aws.String(s.Table), IndexName: aws.String(CommentsIndex),
			KeyConditionExpression: aws.String("commentPk = :pk AND commentSk < :before"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": dynamo.S(commentPK(shard)), ":before": dynamo.S(before.UTC().Format(indexTime)),
			},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return dynamo.Unavailable(err, "query old comments")
			}
			// The index holds keys only: the page's responses are read by key.
			raws, err := dynamo.GetMany(ctx, s.DB, s.Table, dynamo.KeysOf(page.Items), false)
			if err != nil {
				return dynamo.Unavailable(err, "read old comments")
			}
			var items []keyed[Response]
			if err := attributevalue.UnmarshalListOfMaps(raws, &items); err != nil {
				return err
			}
			for _, it := range items {
				if err := fn(it.Value); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// RecoveryKey is the dedupe key of the i-th alert a response's loop opened (-1: the
// alert kept when there was no one to tell): the Recoverer (shared/surveyloop) keys
// them so, and erasure finds them so, since the alerts quote the comment.
func RecoveryKey(responseID string, i int) string {
	if i < 0 {
		return "recovery#" + responseID
	}
	return fmt.Sprintf("recovery#%s#%d", responseID, i)
}

// ReassignInvitation gives an invitation of from to another customer (the survivor
// of a merge); false when it is gone or someone else's.
func (s *Store) ReassignInvitation(ctx context.Context, token, from, to string) (bool, error) {
	return s.invitationWrite(ctx, token, from, &to)
}

// DeleteInvitation deletes an invitation of the customer (erasure): its link stops
// working; false when it is gone or someone else's.
func (s *Store) DeleteInvitation(ctx context.Context, token, cid string) (bool, error) {
	return s.invitationWrite(ctx, token, cid, nil)
}

func (s *Store) invitationWrite(ctx context.Context, token, cid string, to *string) (bool, error) {
	cond, err := expression.NewBuilder().WithCondition(expression.Name("value.customerId").Equal(expression.Value(cid))).Build()
	if err != nil {
		return false, err
	}
	key := dynamo.Key(invitationPK(token), invitationSK)
	if to == nil {
		_, err = s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table), Key: key,
			ConditionExpression: cond.Condition(), ExpressionAttributeNames: cond.Names(), ExpressionAttributeValues: cond.Values()})
	} else {
		ex, berr := expression.NewBuilder().WithUpdate(expression.Set(expression.Name("value.customerId"), expression.Value(*to))).
			WithCondition(expression.Name("value.customerId").Equal(expression.Value(cid))).Build()
		if berr != nil {
			return false, berr
		}
		_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.Table), Key: key,
			UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
			ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values()})
	}
	switch {
	case dynamo.ConditionFailed(err):
		return false, nil
	case err != nil:
		return false, dynamo.Unavailable(err, "update invitation")
	}
	return true, nil
}
