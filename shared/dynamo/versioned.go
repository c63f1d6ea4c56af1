package dynamo

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrVersion means a versioned item was saved by someone else since it was read.
var ErrVersion = errors.New("saved by someone else meanwhile")

// GetVersioned reads one item into dst with a strongly consistent read; false when
// there is none. what names it in an outage's message.
func GetVersioned(ctx context.Context, db API, table, pk, sk string, dst any, what string) (bool, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: Key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, Unavailable(err, "read "+what)
	}
	if out.Item == nil {
		return false, nil
	}
	return true, attributevalue.UnmarshalMap(out.Item, dst)
}

// PutVersioned writes item (its own keys and a "version" attribute already the next
// one) only if the stored item is at expect, or absent when expect is 0: ErrVersion
// otherwise. Settings and rules that managers edit are saved this way.
func PutVersioned(ctx context.Context, db API, table string, item any, expect int, what string) error {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return err
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(table), Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if expect > 0 {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": N(int64(expect))}
	}
	_, err = db.PutItem(ctx, in)
	switch {
	case ConditionFailed(err):
		return ErrVersion
	case err != nil:
		return Unavailable(err, "save "+what)
	}
	return nil
}
