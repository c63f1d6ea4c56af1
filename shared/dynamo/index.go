package dynamo

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// Querier is the query call of a DynamoDB client, as the SDK's paginators take it.
type Querier interface {
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Backfilled queries an index of a wiring table through db. When that index replaces
// another (wiring.Index.Replaces), a query DynamoDB refuses because it is still
// building the new index after a deploy, or because the table lacks it (a table
// restored from before it, adopted by tableNames), goes to the old one instead, which
// has the same keys and projects every attribute, so it answers the same query (and
// the same start key) with at least what the new one would. Without a replaced index
// it is db.
func Backfilled(db Querier, table, index string) Querier {
	t, ok := wiring.TableByName(table)
	if !ok {
		return db
	}
	ix, ok := t.Index(index)
	if !ok || ix.Replaces == "" {
		return db
	}
	return backfilled{db: db, index: index, old: ix.Replaces}
}

type backfilled struct {
	db         Querier
	index, old string
}

func (b backfilled) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := b.db.Query(ctx, in, opts...)
	if err == nil || aws.ToString(in.IndexName) != b.index || !notReadable(err) {
		return out, err
	}
	old := *in
	old.IndexName = aws.String(b.old)
	return b.db.Query(ctx, &old, opts...)
}

// notReadable reports whether DynamoDB refused a query for its index: a
// ValidationException "Cannot read from backfilling global secondary index", or "The
// table does not have the specified index".
func notReadable(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
		return false
	}
	msg := strings.ToLower(ae.ErrorMessage())
	return strings.Contains(msg, "backfilling") || strings.Contains(msg, "does not have the specified index")
}
