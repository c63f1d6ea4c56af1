package dynamo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Backfill adds an index's key attributes to the items written before the index was:
// a domain describes which items lack them and what they are (with the same functions
// its writes use), and Run pages through the table once with a Scan. It is for an
// upgrade run by hand (shared/migrate), never for a request.
type Backfill struct {
	Table string
	// Filter selects the items of the domain's kind that lack the index's keys (a
	// Scan FilterExpression), with its Names and Values.
	Filter string
	Names  map[string]string
	Values map[string]types.AttributeValue
	// Keys gives the attributes to set on one item and the attributes whose values
	// they were computed from (the item is updated only if those are unchanged); ok
	// false leaves the item as it is.
	Keys func(item map[string]types.AttributeValue) (set, from map[string]types.AttributeValue, ok bool, err error)
}

// Scanner is what a backfill calls: Scan and UpdateItem.
type Scanner interface {
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Run scans the table and sets the keys where they are missing, each with a condition
// that one of them is missing and that the attributes they come from are unchanged: a
// write meanwhile (which sets the keys itself) wins, a key already there is set to the
// value it has, and nothing else of the item is ever written. It starts no page and no
// item once stop() is true and returns how many items it updated and whether it
// reached the table's end; a next run starts again from the beginning, where the
// filter passes over the items done.
func (b Backfill) Run(ctx context.Context, db Scanner, stop func() bool) (updated int, done bool, err error) {
	n := 0
	var start map[string]types.AttributeValue
	for {
		if stop() {
			return n, false, nil
		}
		page, err := db.Scan(ctx, &dynamodb.ScanInput{
			TableName: aws.String(b.Table), ExclusiveStartKey: start, FilterExpression: aws.String(b.Filter),
			ExpressionAttributeNames: b.Names, ExpressionAttributeValues: b.Values,
		})
		if err != nil {
			return n, false, Unavailable(err, "scan "+b.Table)
		}
		for _, item := range page.Items {
			if stop() {
				return n, false, nil
			}
			done, err := b.update(ctx, db, item)
			if err != nil {
				return n, false, err
			}
			if done {
				n++
			}
		}
		start = page.LastEvaluatedKey
		if len(start) == 0 {
			return n, true, nil
		}
	}
}

func (b Backfill) update(ctx context.Context, db Scanner, item map[string]types.AttributeValue) (bool, error) {
	set, from, ok, err := b.Keys(item)
	if err != nil || !ok {
		return false, err
	}
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var sets, missing, conds []string
	i := 0
	for _, k := range sortedKeys(set) {
		names[fmt.Sprintf("#s%d", i)], values[fmt.Sprintf(":s%d", i)] = k, set[k]
		sets = append(sets, fmt.Sprintf("#s%d = :s%d", i, i))
		missing = append(missing, fmt.Sprintf("attribute_not_exists(#s%d)", i))
		i++
	}
	for j, k := range sortedKeys(from) {
		names[fmt.Sprintf("#f%d", j)], values[fmt.Sprintf(":f%d", j)] = k, from[k]
		conds = append(conds, fmt.Sprintf("#f%d = :f%d", j, j))
	}
	_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(b.Table), Key: map[string]types.AttributeValue{"pk": item["pk"], "sk": item["sk"]},
		UpdateExpression:         aws.String("SET " + strings.Join(sets, ", ")),
		ConditionExpression:      aws.String(strings.Join(append([]string{"attribute_exists(pk)", "(" + strings.Join(missing, " OR ") + ")"}, conds...), " AND ")),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	})
	if ConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, Unavailable(err, "update "+b.Table)
	}
	return true, nil
}

func sortedKeys(m map[string]types.AttributeValue) []string {
	return slices.Sorted(maps.Keys(m))
}
