package dynamo

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxTxItems is DynamoDB's limit on the items of one TransactWriteItems.
const MaxTxItems = 100

// ErrTxConflict means another transaction touched one of the items at the same time:
// nothing was written and the same transaction, built again, may succeed
// (retry.Conflict).
var ErrTxConflict = errors.New("transaction conflict")

// ErrTxTooLarge means the contributions add up to more items than one transaction
// holds.
var ErrTxTooLarge = errors.New("more items than one transaction holds")

// Tx is one DynamoDB transaction that several stores contribute their own items to:
// a flow that joins domains (a survey response and the case it opens, a resolution
// and its compensation) builds one, each domain's store adds the items of its own
// table, and the flow commits it. Each contribution says what a refused condition on
// its items means, so the transaction's outcome is told in the contributor's words
// and no store knows another's keys or where its items sit in the transaction.
type Tx struct {
	items    []types.TransactWriteItem
	refusals []error // per item: what ConditionalCheckFailed on it means, or nil
}

// Add contributes items. refused is the error a failed condition on any of them
// means (nil: the items carry no condition the caller needs told apart, and a
// refusal on them is reported as a plain condition failure).
func (t *Tx) Add(refused error, items ...types.TransactWriteItem) {
	for range items {
		t.refusals = append(t.refusals, refused)
	}
	t.items = append(t.items, items...)
}

// Len is the number of items contributed so far.
func (t *Tx) Len() int { return len(t.items) }

// Items are the contributed items, in order.
func (t *Tx) Items() []types.TransactWriteItem { return slices.Clone(t.items) }

// Commit writes the items in one transaction. A refused condition returns the error
// its contribution named (the first refused item's, in contribution order), or an
// error ConditionFailed recognises when it named none; a race with another writer
// returns ErrTxConflict; anything else is classified as Unavailable does, with what
// naming the write. An empty Tx writes nothing.
func (t *Tx) Commit(ctx context.Context, db API, what string) error {
	switch {
	case len(t.items) == 0:
		return nil
	case len(t.items) > MaxTxItems:
		return ErrTxTooLarge
	}
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: t.items})
	if err == nil {
		return nil
	}
	return t.outcome(err, what)
}

// outcome tells a cancelled transaction's error in its contributors' words.
func (t *Tx) outcome(err error, what string) error {
	reasons := CancellationReasons(err)
	for i, code := range reasons {
		if code == "ConditionalCheckFailed" && i < len(t.refusals) && t.refusals[i] != nil {
			return t.refusals[i]
		}
	}
	switch {
	case ConditionFailed(err):
		return err
	case slices.Contains(reasons, "TransactionConflict"):
		return ErrTxConflict
	}
	return Unavailable(err, what)
}
