package local

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// poller emulates Lambda's SQS event source mapping for one function: it gathers up to
// BatchSize messages within the batching window, invokes the function, deletes what
// succeeded and leaves the reported failures to reappear after the visibility timeout,
// so the queue's redrive policy moves repeat failures to the DLQ.
type poller struct {
	name     string
	fn       app.Function
	trigger  wiring.QueueTrigger
	client   *sqs.Client
	queueURL string
	queueARN string
	region   string
	timeout  time.Duration
	// wait is the long-poll time per receive; tests shorten it.
	wait int32
}

func (p *poller) run(ctx context.Context) {
	for ctx.Err() == nil {
		msgs, err := p.gather(ctx)
		if err != nil {
			if ctx.Err() == nil {
				slog.Warn("queue poll failed; retrying", "function", p.name, "error", err.Error())
				sleep(ctx, time.Second)
			}
			continue
		}
		if len(msgs) > 0 {
			p.invoke(ctx, msgs)
		}
	}
}

func (p *poller) gather(ctx context.Context) ([]types.Message, error) {
	var batch []types.Message
	var deadline time.Time
	for len(batch) < p.trigger.BatchSize {
		wait := p.wait
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				break
			}
			wait = int32(min(float64(wait), left.Seconds()))
		}
		out, err := p.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(p.queueURL), MaxNumberOfMessages: int32(min(10, p.trigger.BatchSize-len(batch))),
			WaitTimeSeconds:             wait,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			if len(batch) > 0 {
				return batch, nil
			}
			return nil, err
		}
		batch = append(batch, out.Messages...)
		if len(batch) == 0 {
			return nil, nil // an empty long poll: poll again
		}
		if deadline.IsZero() {
			deadline = time.Now().Add(time.Duration(p.trigger.WindowSeconds) * time.Second)
		}
		if p.trigger.WindowSeconds == 0 {
			break
		}
	}
	return batch, nil
}

func (p *poller) invoke(ctx context.Context, msgs []types.Message) {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	handles := map[string]string{}
	for i, m := range msgs {
		attrs := map[string]string{}
		for k, v := range m.Attributes {
			attrs[k] = v
		}
		msgAttrs := map[string]events.SQSMessageAttribute{}
		for k, v := range m.MessageAttributes {
			msgAttrs[k] = events.SQSMessageAttribute{StringValue: v.StringValue, BinaryValue: v.BinaryValue, DataType: aws.ToString(v.DataType)}
		}
		ev.Records[i] = events.SQSMessage{
			MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body),
			Md5OfBody: aws.ToString(m.MD5OfBody), Attributes: attrs, MessageAttributes: msgAttrs,
			EventSource: "aws:sqs", EventSourceARN: p.queueARN, AWSRegion: p.region,
		}
		handles[aws.ToString(m.MessageId)] = aws.ToString(m.ReceiptHandle)
	}
	failed, err := p.call(ctx, ev)
	if err != nil {
		// A function error fails the whole batch, as in Lambda.
		slog.Warn("queue batch failed", "function", p.name, "messages", len(msgs), "error", err.Error())
		return
	}
	var done []types.DeleteMessageBatchRequestEntry
	for mid, h := range handles {
		if !failed[mid] {
			done = append(done, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(len(done))), ReceiptHandle: aws.String(h)})
		}
	}
	if len(done) == 0 {
		return
	}
	if _, err := p.client.DeleteMessageBatch(context.WithoutCancel(ctx), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.queueURL), Entries: done}); err != nil {
		slog.Warn("delete processed messages", "function", p.name, "error", err.Error())
	}
}

// call invokes the function and returns the message ids it reported failed.
func (p *poller) call(ctx context.Context, ev events.SQSEvent) (map[string]bool, error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.timeout)
	defer cancel()
	out, err := p.fn.Invoke(ictx, payload)
	if err != nil {
		return nil, err
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("batch response: %w", err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == "" {
			return nil, fmt.Errorf("a batch item failure without an id fails the batch")
		}
		failed[f.ItemIdentifier] = true
	}
	return failed, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
