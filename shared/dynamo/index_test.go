package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// queries records the indexes asked and refuses those in refuse with err.
type queries struct {
	asked  []string
	refuse map[string]error
}

func (q *queries) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	name := aws.ToString(in.IndexName)
	q.asked = append(q.asked, name)
	if err := q.refuse[name]; err != nil {
		return nil, err
	}
	return &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{{"pk": dynamo.S(name)}}}, nil
}

// While DynamoDB backfills an index that replaces another (right after the deploy
// that made it), or on a table restored from before it, its queries are answered by
// the old one; any other refusal is the caller's, and an index that replaces none is
// queried as is.
func TestBackfilled(t *testing.T) {
	backfilling := fmt.Errorf("operation error DynamoDB: Query: %w", &smithy.GenericAPIError{Code: "ValidationException",
		Message: "Cannot read from backfilling global secondary index: slaKeys"})
	missing := &smithy.GenericAPIError{Code: "ValidationException", Message: "The table does not have the specified index: slaKeys"}
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "slow down"}
	cases := []struct {
		name         string
		table, index string
		refuse       error
		asked        []string
		err          error
	}{
		{"active", "complaints", "slaKeys", nil, []string{"slaKeys"}, nil},
		{"backfilling", "complaints", "slaKeys", backfilling, []string{"slaKeys", "sla"}, nil},
		{"not on the table (restored from before it)", "complaints", "slaKeys", missing, []string{"slaKeys", "sla"}, nil},
		{"other refusal", "complaints", "slaKeys", throttled, []string{"slaKeys"}, throttled},
		{"replaces none", "complaints", "queue", backfilling, []string{"queue"}, backfilling},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := &queries{refuse: map[string]error{c.index: c.refuse}}
			out, err := dynamo.Backfilled(q, c.table, c.index).Query(context.Background(), &dynamodb.QueryInput{IndexName: aws.String(c.index)})
			if !slices.Equal(q.asked, c.asked) {
				t.Errorf("asked %v, want %v", q.asked, c.asked)
			}
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if err == nil {
				if got := out.Items[0]["pk"].(*types.AttributeValueMemberS).Value; got != c.asked[len(c.asked)-1] {
					t.Errorf("answered by %s, want %s", got, c.asked[len(c.asked)-1])
				}
			}
		})
	}
}
