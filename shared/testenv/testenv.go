// Package testenv gives integration tests the real emulators: the ones make test
// started (RAPPORT_DYNAMODB_ENDPOINT, RAPPORT_SQS_ENDPOINT), or, under a plain
// go test, ones it starts for the test process. Each test gets its own tables and
// queues under a unique prefix. Tests that use it are never skipped.
package testenv

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/rapport-crm/rapport/shared/cloud"
	// Every test that builds functions records their AWS calls when make test asks
	// (RAPPORT_RECORD_CALLS): infra/stack holds the grants to them.
	_ "github.com/rapport-crm/rapport/shared/cloud/record"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/queue"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Region is the one region used everywhere locally.
const Region = emulator.DefaultRegion

var (
	once      sync.Once
	endpoints [2]string
	startErr  error
)

// Endpoints are the DynamoDB and SQS endpoints of the shared emulators.
func Endpoints(t testing.TB) (dynamoDB, sqs string) {
	t.Helper()
	once.Do(func() {
		endpoints = [2]string{os.Getenv("RAPPORT_DYNAMODB_ENDPOINT"), os.Getenv("RAPPORT_SQS_ENDPOINT")}
		if endpoints[0] != "" && endpoints[1] != "" {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		// Started for the life of the test process; the children die with it.
		em, err := emulator.Start(ctx, emulator.Options{})
		if err != nil {
			startErr = fmt.Errorf("no emulators (run make test, or make tools first): %w", err)
			return
		}
		endpoints = [2]string{em.DynamoDBEndpoint, em.SQSEndpoint}
	})
	if startErr != nil {
		t.Fatal(startErr)
	}
	return endpoints[0], endpoints[1]
}

// Env is one test's slice of the emulators.
type Env struct {
	Clients cloud.Clients
	// Names maps wiring table and queue names to this test's physical names.
	Names  dynamo.Names
	Queues queue.URLs
	// KeyDir holds this test's signing key files (made at random on first use), as
	// .local/keys does for make run.
	KeyDir string
}

// New creates every wiring table and queue under a fresh prefix.
func New(t testing.TB) *Env {
	t.Helper()
	ddb, sqs := Endpoints(t)
	return NewAt(t, ddb, sqs)
}

// NewAt is New against given endpoints (a test's own emulators).
func NewAt(t testing.TB, ddbEndpoint, sqsEndpoint string) *Env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := cloud.Local(ctx, ddbEndpoint, sqsEndpoint, Region)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "t" + strings.ToLower(id.New(time.Now())[14:]) + "-"
	names := dynamo.Prefixed(prefix)
	if err := dynamo.CreateTables(ctx, c.DynamoDB, names, wiring.Tables); err != nil {
		t.Fatal(err)
	}
	urls, err := queue.Create(ctx, c.SQS, names, wiring.Queues)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Clients: c, Names: names, Queues: urls, KeyDir: t.TempDir()}
}

// FunctionEnv is the environment a wiring row gives its function, resolved to this
// test's tables, queues and key files: what the stack sets in AWS.
func (e *Env) FunctionEnv(row wiring.Function) map[string]string {
	return row.Environment(e.Names, func(q string) string { return e.Queues[q] }, "http://127.0.0.1:8080", keyring.LocalRefs(e.KeyDir))
}

// Receive drains a queue into an SQS event, leaving the messages on the queue
// (invisible for five minutes): the test decides which to delete.
func (e *Env) Receive(t *testing.T, queue string) events.SQSEvent {
	t.Helper()
	var ev events.SQSEvent
	for {
		out, err := e.Clients.SQS.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(e.Queues[queue]), MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300,
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return ev
		}
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), Body: aws.ToString(m.Body)})
		}
	}
}

// Messages counts the messages in the queue at url, shown or in flight: SQS shows one
// message of a FIFO group at a time, so a receive alone would not see a second copy.
func (e *Env) Messages(t testing.TB, url string) int {
	t.Helper()
	out, err := e.Clients.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible},
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, v := range out.Attributes {
		c, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s %q: %v", name, v, err)
		}
		n += c
	}
	return n
}

// Before is the wiring table named name as a stage deployed before its renamed indexes
// has it: each under the name it replaces, every attribute projected. ok is false when
// the table renames no index.
func Before(name string) (before wiring.Table, ok bool) {
	def, found := wiring.TableByName(name)
	if !found {
		return wiring.Table{}, false
	}
	before = def
	before.Indexes = nil
	for _, ix := range def.Indexes {
		if ix.Replaces != "" {
			ix, ok = wiring.Index{Name: ix.Replaces, PartitionKey: ix.PartitionKey, SortKey: ix.SortKey}, true
		}
		before.Indexes = append(before.Indexes, ix)
	}
	return before, ok
}

// TableBefore makes the wiring table named name as Before has it, under a name of its
// own, and returns that name.
func (e *Env) TableBefore(t testing.TB, name string) string {
	t.Helper()
	before, ok := Before(name)
	if !ok {
		t.Fatalf("table %s renames no index", name)
	}
	names := dynamo.Prefixed("before-" + id.Token(4) + "-")
	if err := dynamo.CreateTables(context.Background(), e.Clients.DynamoDB, names, []wiring.Table{before}); err != nil {
		t.Fatal(err)
	}
	return names(name)
}
