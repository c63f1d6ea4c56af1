package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// QueryAll runs a query to its last page and decodes every item as a T; what names
// the read in an outage's message. For queries whose whole answer is wanted and
// bounded (a catalogue, a location's customers, one shard of a sparse index).
func QueryAll[T any](ctx context.Context, db dynamodb.QueryAPIClient, in *dynamodb.QueryInput, what string) ([]T, error) {
	var out []T
	p := dynamodb.NewQueryPaginator(db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, Unavailable(err, what)
		}
		var items []T
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}
