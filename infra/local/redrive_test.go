package local_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/queue"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// The email and SMS queues share one DLQ: an email and an SMS that failed there go
// back, each by its own redrive, to the queue it came from, and nowhere else.
func TestRedriveOfASharedDLQReturnsEachMessageToItsQueue(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	// GIVEN the wiring's queues that share a DLQ, failing on their first receive
	var defs []wiring.Queue
	for _, q := range wiring.Queues {
		if q.DeadLetter != "" {
			q.VisibilityTimeoutSeconds, q.MaxReceiveCount = 1, 1
			defs = append(defs, q)
		}
	}
	dlqs := wiring.DeadLetterQueues(defs)
	if len(defs) != 2 || len(dlqs) != 1 || defs[0].Name != "emails" || defs[1].Name != "texts" {
		t.Fatalf("queues sharing a DLQ: %v, %v; want emails and texts, sharing one", defs, dlqs)
	}
	urls, err := queue.Create(ctx, env.Clients.SQS, func(q string) string { return env.Names("shared-" + q) }, defs)
	if err != nil {
		t.Fatal(err)
	}
	dlq := urls[dlqs[0].Name]
	for name, url := range env.Queues {
		if _, ok := urls[name]; !ok {
			urls[name] = url
		}
	}
	s := newStack(t, env, func(c *local.Config) { c.Queues = urls })

	// AND an email and an SMS handed over by the sender's relay (one alone, one in a
	// batch), neither delivered
	email := &followup.Relay{Queue: env.Clients.SQS, QueueURL: urls["emails"]}
	if err := email.Deliver(ctx, followup.Message{ID: "f-email", Channel: "email", To: "a@example.com", Body: "hello"}); err != nil {
		t.Fatal(err)
	}
	text := &followup.Relay{Queue: env.Clients.SQS, QueueURL: urls["texts"]}
	if errs := text.DeliverBatch(ctx, []followup.Message{{ID: "f-sms", Channel: "sms", To: "+8613800138000", Body: "hello"}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	for _, q := range []string{"emails", "texts"} {
		deadline := time.Now().Add(20 * time.Second)
		for env.Messages(t, urls[q]) > 0 {
			if _, err := env.Clients.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
				QueueUrl: aws.String(urls[q]), VisibilityTimeout: 0, WaitTimeSeconds: 0,
			}); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the message never left for the DLQ", q)
			}
		}
	}
	if n := env.Messages(t, dlq); n != 2 {
		t.Fatalf("the shared DLQ holds %d messages, want the email and the SMS", n)
	}

	for _, c := range []struct{ queue, id string }{{"emails", "f-email"}, {"texts", "f-sms"}} {
		// WHEN one queue's dead letters are redriven
		r := s.do(t, http.MethodPost, "/dev/redrive/"+c.queue, "application/json", []byte("{}"), map[string]string{local.DevHeader: "1"})

		// THEN its own message alone is moved, back to it
		if r.status != http.StatusOK || strings.TrimSpace(r.body) != `{"moved":1}` {
			t.Fatalf("redrive %s: %d %s", c.queue, r.status, r.body)
		}
		out, err := env.Clients.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(urls[c.queue]), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames: []string{wiring.SourceAttribute},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) != 1 || !strings.Contains(aws.ToString(out.Messages[0].Body), `"id":"`+c.id+`"`) {
			t.Fatalf("%s after its redrive holds %d messages (%v), want %s", c.queue, len(out.Messages), out.Messages, c.id)
		}
		if got := aws.ToString(out.Messages[0].MessageAttributes[wiring.SourceAttribute].StringValue); !strings.HasSuffix(urls[c.queue], "/"+got) {
			t.Errorf("%s: source %q, want the queue's name", c.queue, got)
		}
	}
	// AND the DLQ is empty
	if n := env.Messages(t, dlq); n != 0 {
		t.Errorf("the shared DLQ still holds %d messages", n)
	}
}
