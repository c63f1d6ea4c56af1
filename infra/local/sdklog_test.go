package local_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/logging"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// sdkLog is the SDK clients' logger, kept for the test to read.
type sdkLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *sdkLog) Logf(c logging.Classification, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(c)+" "+fmt.Sprintf(format, v...))
}

func (l *sdkLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// DynamoDB Local answers an error (a failed condition: a job's lease on a repeated
// tick) without the X-Amz-Crc32 header; the SDK then checked the body against a
// checksum of 0 and logged "failed to close HTTP response body ... did not match
// expected checksum" several times a tick in make run's log. The local clients
// (cloud.Local) must log nothing for a failed condition or a scheduled tick.
func TestLocalClientsLogNoChecksumWarnings(t *testing.T) {
	env := testenv.New(t)
	var log sdkLog
	// The clients as cloud.Local builds them, with only the logger swapped.
	env.Clients.DynamoDB = dynamodb.New(env.Clients.DynamoDB.Options(), func(o *dynamodb.Options) { o.Logger = &log })
	env.Clients.SQS = sqs.New(env.Clients.SQS.Options(), func(o *sqs.Options) { o.Logger = &log })
	ctx := context.Background()

	t.Run("a failed condition", func(t *testing.T) {
		put := func() error {
			_, err := env.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{
				TableName:           aws.String(env.Names("followups")),
				Item:                map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "sdklog"}, "sk": &types.AttributeValueMemberS{Value: "x"}},
				ConditionExpression: aws.String("attribute_not_exists(pk)"),
			})
			return err
		}
		if err := put(); err != nil {
			t.Fatal(err)
		}
		var failed *types.ConditionalCheckFailedException
		if err := put(); !errors.As(err, &failed) {
			t.Fatalf("second put: %v, want a failed condition", err)
		}
		if got := log.String(); got != "" {
			t.Errorf("the SDK logged:\n%s", got)
		}
	})

	t.Run("scheduled ticks", func(t *testing.T) {
		s := newStack(t, env, nil)
		for range 3 {
			// The dispatcher, and a leased job whose second and third ticks find the
			// turn taken.
			for _, fn := range []string{"followup-dispatcher", "complaint-sla"} {
				if _, err := s.runner.Invoke(ctx, fn, local.ScheduledEvent(time.Now(), "test")); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := log.String(); got != "" {
			t.Errorf("the SDK logged:\n%s", got)
		}
	})
}
