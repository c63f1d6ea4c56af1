package followup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/notify"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// A follow-up goes out in two steps, in two functions, so that each carries only its
// own AWS clients: followup-sender claims it, applies consent, renders it and hands
// the rendered email or SMS to its channel's queue through Relay (webhooks it sends
// itself); followup-email or followup-sms (Deliverer) takes it from there to SES, SNS
// or the outbox.

// MessageQueue is the part of the SQS client that Relay uses.
type MessageQueue interface {
	SendMessage(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	SendMessageBatch(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// A BatchChannel also delivers several messages in one call: the sender hands a
// batch's messages for it over together, after claiming each, and records each
// outcome after.
type BatchChannel interface {
	Channel
	// DeliverBatch delivers ms and returns each one's error, in order, as Deliver
	// would have for it alone.
	DeliverBatch(ctx context.Context, ms []Message) []error
}

// Relay is the sender's channel for email and SMS: it puts the rendered message on its
// channel's FIFO queue (emails, texts) with the follow-up's id as its deduplication id, so a message
// handed over twice within five minutes (a sender stopped between handing it over and
// recording it sent, its lease expired, its message received again) is delivered once.
type Relay struct {
	Queue    MessageQueue
	QueueURL string
}

// RelayLimit is the largest rendered message Relay hands over, 256 KiB: far above what
// the templates render, within what every SQS queue accepts (SQS bills each 64 KB).
const RelayLimit = 256 << 10

// Deliver hands m to the deliverer. A message too large for the queue is refused for
// good (its follow-up is skipped); a queue that does not answer is a transient failure.
func (r *Relay) Deliver(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if len(body) > RelayLimit {
		return notify.Permanent(fmt.Sprintf("relay: rendered message is %d bytes, more than the queue's %d", len(body), RelayLimit), nil)
	}
	group := queueID(m.ID)
	_, err = r.Queue.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(r.QueueURL), MessageBody: aws.String(string(body)), MessageAttributes: r.source(),
		MessageGroupId: aws.String(group), MessageDeduplicationId: aws.String(group),
	})
	if err != nil {
		return fmt.Errorf("relay %s: %w", m.ID, err)
	}
	return nil
}

// source names the queue in each message (wiring.SourceAttribute): the email and SMS
// queues share their DLQ, and a redrive returns each message to the queue it came from.
func (r *Relay) source() map[string]sqstypes.MessageAttributeValue {
	return map[string]sqstypes.MessageAttributeValue{
		wiring.SourceAttribute: {DataType: aws.String("String"), StringValue: aws.String(wiring.QueueURLName(r.QueueURL))},
	}
}

// RelayBatch is the most messages one SendMessageBatch takes (SQS's limit), and
// RelayLimit the most bytes their bodies may add up to.
const RelayBatch = 10

// DeliverBatch hands ms to the deliverer, as many in one request as SQS takes (ten,
// RelayLimit bytes together): a request per batch of ten instead of one per message.
// Each keeps its deduplication id, so a batch handed over again is delivered once.
func (r *Relay) DeliverBatch(ctx context.Context, ms []Message) []error {
	errs := make([]error, len(ms))
	var (
		entries []sqstypes.SendMessageBatchRequestEntry
		at      []int // the index in ms of each entry
		size    int
	)
	flush := func() {
		if len(entries) > 0 {
			r.sendBatch(ctx, ms, entries, at, errs)
		}
		entries, at, size = nil, nil, 0
	}
	for i, m := range ms {
		body, err := json.Marshal(m)
		switch {
		case err != nil:
			errs[i] = err
			continue
		case len(body) > RelayLimit:
			errs[i] = notify.Permanent(fmt.Sprintf("relay: rendered message is %d bytes, more than the queue's %d", len(body), RelayLimit), nil)
			continue
		}
		if len(entries) == RelayBatch || size+len(body) > RelayLimit {
			flush()
		}
		group := queueID(m.ID)
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(len(entries))),
			MessageBody: aws.String(string(body)), MessageAttributes: r.source(),
			MessageGroupId: aws.String(group), MessageDeduplicationId: aws.String(group)})
		at, size = append(at, i), size+len(body)
	}
	flush()
	return errs
}

// sendBatch sends one SendMessageBatch and sets the error of each entry SQS did not take.
func (r *Relay) sendBatch(ctx context.Context, ms []Message, entries []sqstypes.SendMessageBatchRequestEntry, at []int, errs []error) {
	out, err := r.Queue.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(r.QueueURL), Entries: entries})
	if err != nil {
		for _, i := range at {
			errs[i] = fmt.Errorf("relay %s: %w", ms[i].ID, err)
		}
		return
	}
	answered := make([]bool, len(entries))
	for _, ok := range out.Successful {
		if j, err := strconv.Atoi(aws.ToString(ok.Id)); err == nil && j >= 0 && j < len(answered) {
			answered[j] = true
		}
	}
	for _, f := range out.Failed {
		j, err := strconv.Atoi(aws.ToString(f.Id))
		if err != nil || j < 0 || j >= len(answered) {
			continue
		}
		// Not taken: a failure the sender retries, as Deliver's refused request is.
		errs[at[j]] = fmt.Errorf("relay %s: %s: %s", ms[at[j]].ID, aws.ToString(f.Code), aws.ToString(f.Message))
		answered[j] = true
	}
	for j, ok := range answered {
		if !ok { // neither taken nor refused in the answer: say so rather than assume it sent
			errs[at[j]] = fmt.Errorf("relay %s: no answer for it in the batch", ms[at[j]].ID)
		}
	}
}

// queueID is a follow-up id as a FIFO group and deduplication id: itself when SQS takes
// it (at most 128 printable ASCII characters), else its SHA-256 in hex.
func queueID(id string) string {
	ok := len(id) <= 128
	for i := 0; ok && i < len(id); i++ {
		ok = id[i] > 0x20 && id[i] < 0x7f
	}
	if ok {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// Deliverer consumes a channel's queue (emails, texts): each message one rendered email
// or SMS of a follow-up that followup-sender has recorded sent. A channel's permanent refusal
// (a bad address, SES rejecting the message) turns the follow-up to skipped with the
// reason; a transient one backs the message off like the sender does, and the last
// receive marks the follow-up failed before SQS moves the message to the DLQ.
type Deliverer struct {
	Store    *Store
	Channels map[string]Channel
	Clock    clock.Clock
	// Retry, QueueURL, RetryBase and MaxReceives back failed messages off as Sender's do.
	Retry       Visibility
	QueueURL    string
	RetryBase   time.Duration
	MaxReceives int
}

// Handle delivers a batch and reports the messages to retry.
func (d *Deliverer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		fid, outcome, err := d.handle(ctx, rec)
		if err == nil {
			slog.InfoContext(ctx, "delivery", "messageId", rec.MessageId, "outcome", outcome)
			continue
		}
		slog.WarnContext(ctx, "delivery failed", "messageId", rec.MessageId, "error", err.Error())
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		if lastReceive(d.MaxReceives, rec) && fid != "" {
			if ferr := d.Store.undelivered(context.WithoutCancel(ctx), fid, err.Error(), d.Clock.Now()); ferr != nil {
				slog.WarnContext(ctx, "mark failed", "followupId", fid, "error", ferr.Error())
			}
			continue
		}
		backOff(ctx, d.Retry, d.QueueURL, d.RetryBase, rec)
	}
	return resp, nil
}

func (d *Deliverer) handle(ctx context.Context, rec events.SQSMessage) (string, string, error) {
	var m Message
	if err := json.Unmarshal([]byte(rec.Body), &m); err != nil || m.ID == "" {
		return "", "", errors.New("poison message: not a rendered follow-up message")
	}
	ch, ok := d.Channels[m.Channel]
	if !ok {
		return m.ID, "skipped", d.Store.refused(ctx, m.ID, "no channel "+m.Channel)
	}
	err := ch.Deliver(ctx, m)
	switch {
	case errors.Is(err, ErrPermanent):
		return m.ID, "skipped", d.Store.refused(ctx, m.ID, err.Error())
	case err != nil:
		return m.ID, "", fmt.Errorf("deliver %s: %w", m.ID, err)
	}
	// A message of a follow-up marked failed (a last receive) is one an operator
	// redrove from the DLQ: SQS may count its receives afresh, so the record says.
	// Failing to record it is no reason to deliver it again.
	if err := d.Store.delivered(ctx, m.ID, d.Clock.Now()); err != nil {
		slog.WarnContext(ctx, "record delivered", "followupId", m.ID, "error", err.Error())
	}
	return m.ID, "delivered", nil
}

// receives is how many times SQS has shown a message, this time included.
func receives(rec events.SQSMessage) int {
	n, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	return n
}
