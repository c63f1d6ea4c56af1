package idempotency

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/web"
)

// Commit gives the items a handler adds to its own transaction once its reply is known.
type Commit[T any] func(reply T) ([]types.TransactWriteItem, error)

// WithReply runs a write whose JSON reply, under an Idempotency-Key, is stored in the
// write's own transaction: run gets a Commit that encodes the reply and returns the
// item completing the key, so an effect never exists without its replayable reply. It
// returns the reply, its encoding (nil if run never committed, e.g. a honeypot) and
// the error; on an error the key is released.
func WithReply[T any](ctx context.Context, status int, run func(Commit[T]) (T, error)) (T, []byte, error) {
	var body []byte
	claim, hasKey := FromContext(ctx)
	commit := func(reply T) ([]types.TransactWriteItem, error) {
		var err error
		if body, err = web.Marshal(reply); err != nil || !hasKey {
			return nil, err
		}
		item, err := claim.CompleteItem(status, "application/json", body)
		return []types.TransactWriteItem{item}, err
	}
	reply, err := run(commit)
	if err != nil && hasKey {
		claim.Abandon()
	}
	return reply, body, err
}
