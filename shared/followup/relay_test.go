package followup_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/notify"
)

// handOverThenDie is a sender's process that dies right after its channel took the
// message: the relay has put it on the queue, the follow-up is not recorded sent.
type handOverThenDie struct {
	ch  followup.Channel
	die context.CancelFunc
}

func (h handOverThenDie) Deliver(ctx context.Context, m followup.Message) error {
	if err := h.ch.Deliver(ctx, m); err != nil {
		return err
	}
	h.die()
	return ctx.Err()
}

// relayed sends the due follow-ups through the emails queue, as followup-sender does
// in AWS, and returns what is on that queue.
func (f *fixture) relayed(t *testing.T) events.SQSEvent {
	t.Helper()
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.sender.Channels = map[string]followup.Channel{"email": f.relay()}
	if resp, err := f.sender.Handle(context.Background(), f.receive(t)); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("send: %+v, %v", resp, err)
	}
	return f.env.Receive(t, "emails")
}

// queued counts a queue's messages, shown or not.
func (f *fixture) queued(t *testing.T, queue string) int {
	t.Helper()
	return f.env.Messages(t, f.env.Queues[queue])
}

func (f *fixture) relay() *followup.Relay {
	return &followup.Relay{Queue: f.env.Clients.SQS, QueueURL: f.env.Queues["emails"]}
}

// A sender that dies between handing a message over and recording it sent leaves the
// follow-up to the next after its lease; that one hands it over again. The emails
// queue keeps it once (its deduplication id is the follow-up's), and the deliverer,
// given every copy SQS could show it, puts it in the outbox once.
func TestAFollowupHandedOverTwiceIsDeliveredOnce(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 2)
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ev := f.receive(t)
	ctx, cancel := context.WithCancel(context.Background())
	dying := &followup.Sender{Store: f.store, Channels: map[string]followup.Channel{"email": handOverThenDie{f.relay(), cancel}},
		Clock: f.clk, Lease: time.Minute}
	if resp, _ := dying.Handle(ctx, ev); len(resp.BatchItemFailures) == 0 {
		t.Fatal("the dying sender reported no failure")
	}
	f.clk.Advance(2 * time.Minute)
	f.sender.Channels = map[string]followup.Channel{"email": f.relay()}
	if resp, err := f.sender.Handle(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("the next sender: %+v, %v", resp, err)
	}
	if n := f.queued(t, "emails"); n != len(ids) {
		t.Fatalf("%d messages on the emails queue, want %d (one per follow-up)", n, len(ids))
	}
	emails := f.env.Receive(t, "emails")
	d := &followup.Deliverer{Store: f.store, Channels: map[string]followup.Channel{"email": f.outbox}, Clock: f.clk}
	emails.Records = append(emails.Records, emails.Records...)
	if resp, err := d.Handle(context.Background(), emails); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("deliver: %+v, %v", resp, err)
	}
	counts := f.outboxCount(t)
	for _, id := range ids {
		fu, err := f.store.Get(context.Background(), id)
		if err != nil || fu.Status != followup.Sent || counts[id] != 1 {
			t.Errorf("follow-up %s: %s, in the outbox %d times, %v; want sent, once", id, fu.Status, counts[id], err)
		}
	}
	var m followup.Message
	msgs, _ := f.outbox.List(context.Background(), 10)
	if len(msgs) > 0 {
		m = msgs[0]
	}
	if m.To != "desk@example.com" || m.Subject != "s" || m.Body != "b" || m.Channel != "email" {
		t.Errorf("the delivered message %+v is not the one the sender rendered", m)
	}
}

// refusing is a channel that refuses every message for good, as SES does an address
// it will never deliver to.
type refusing struct{}

func (refusing) Deliver(context.Context, followup.Message) error {
	return notify.Permanent("email: invalid recipient address", nil)
}

func TestAMessageTheChannelRefusesSkipsItsFollowupWithTheReason(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 1)
	emails := f.relayed(t)
	d := &followup.Deliverer{Store: f.store, Channels: map[string]followup.Channel{"email": refusing{}}, Clock: f.clk}
	if resp, err := d.Handle(context.Background(), emails); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("a refusal is an outcome, not a failure to retry: %+v, %v", resp, err)
	}
	fu, err := f.store.Get(context.Background(), ids[0])
	if err != nil || fu.Status != followup.Skipped || !strings.Contains(fu.SkipReason, "invalid recipient address") {
		t.Fatalf("%s %q, %v; want skipped with the channel's reason", fu.Status, fu.SkipReason, err)
	}
}

// refuseAtOnce is a relay whose deliverer refuses the message before the sender has
// recorded the follow-up sent: SQS and Lambda can be that quick.
type refuseAtOnce struct{ f *fixture }

func (r refuseAtOnce) Deliver(ctx context.Context, m followup.Message) error {
	if err := r.f.relay().Deliver(ctx, m); err != nil {
		return err
	}
	d := &followup.Deliverer{Store: r.f.store, Channels: map[string]followup.Channel{"email": refusing{}}, Clock: r.f.clk}
	if resp, err := d.Handle(ctx, r.f.env.Receive(r.f.t, "emails")); err != nil || len(resp.BatchItemFailures) != 0 {
		return fmt.Errorf("deliver: %+v, %v", resp, err)
	}
	return nil
}

// The refusal stands though it came first: the sender's record of the send then finds
// its lease gone and leaves the follow-up skipped.
func TestARefusalBeforeTheSenderRecordsTheSendStands(t *testing.T) {
	f := newFixture(t)
	f.t = t
	ids := f.schedule(t, f.clk.Now(), 1)
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.sender.Channels = map[string]followup.Channel{"email": refuseAtOnce{f}}
	if resp, err := f.sender.Handle(context.Background(), f.receive(t)); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("send: %+v, %v", resp, err)
	}
	fu, err := f.store.Get(context.Background(), ids[0])
	if err != nil || fu.Status != followup.Skipped || !strings.Contains(fu.SkipReason, "invalid recipient address") {
		t.Fatalf("%s %q, %v; want skipped with the channel's reason", fu.Status, fu.SkipReason, err)
	}
}

type visibility struct{ timeouts []int32 }

func (v *visibility) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	v.timeouts = append(v.timeouts, in.VisibilityTimeout)
	return &sqs.ChangeMessageVisibilityOutput{}, nil
}

// A channel that keeps failing backs the message off, receive after receive; the
// last receive marks the follow-up failed with why, before SQS moves the message to
// the DLQ. Redriven and delivered, it is sent again.
func TestAMessageThatKeepsFailingMarksItsFollowupFailedUntilARedriveDeliversIt(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 1)
	emails := f.relayed(t)
	vis := &visibility{}
	broken := &followup.Deliverer{Store: f.store, Channels: map[string]followup.Channel{"email": failing{}}, Clock: f.clk,
		Retry: vis, QueueURL: "q", RetryBase: 30 * time.Second, MaxReceives: 3}
	for n := 1; n <= 3; n++ {
		emails.Records[0].Attributes = map[string]string{"ApproximateReceiveCount": strconv.Itoa(n)}
		emails.Records[0].ReceiptHandle = "h"
		if resp, _ := broken.Handle(context.Background(), emails); len(resp.BatchItemFailures) != 1 {
			t.Fatalf("receive %d: %+v", n, resp)
		}
		fu, _ := f.store.Get(context.Background(), ids[0])
		if want := map[bool]followup.Status{true: followup.Failed, false: followup.Sent}[n == 3]; fu.Status != want {
			t.Fatalf("after receive %d: %s, want %s", n, fu.Status, want)
		}
	}
	if want := []int32{30, 60}; len(vis.timeouts) != 2 || vis.timeouts[0] != want[0] || vis.timeouts[1] != want[1] {
		t.Errorf("backed off %v, want %v (none on the last receive)", vis.timeouts, want)
	}
	fu, _ := f.store.Get(context.Background(), ids[0])
	if !strings.Contains(fu.SkipReason, "smtp down") {
		t.Fatalf("reason %q", fu.SkipReason)
	}
	// Redriven, the message is received afresh (SQS may count from one again).
	emails.Records[0].Attributes = map[string]string{"ApproximateReceiveCount": "1"}
	d := &followup.Deliverer{Store: f.store, Channels: map[string]followup.Channel{"email": f.outbox}, Clock: f.clk}
	if resp, _ := d.Handle(context.Background(), emails); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("after the redrive: %+v", resp)
	}
	fu, _ = f.store.Get(context.Background(), ids[0])
	if fu.Status != followup.Sent || fu.SkipReason != "" || f.outboxCount(t)[ids[0]] != 1 {
		t.Fatalf("after the redrive: %s %q, in the outbox %d times; want sent once", fu.Status, fu.SkipReason, f.outboxCount(t)[ids[0]])
	}
}

func TestADeliveryThatIsNoRenderedMessageGoesToTheDLQ(t *testing.T) {
	f := newFixture(t)
	d := &followup.Deliverer{Store: f.store, Channels: map[string]followup.Channel{"email": f.outbox}, Clock: f.clk}
	resp, err := d.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-bad-json", Body: "{not json"},
		{MessageId: "m-no-id", Body: `{"channel":"email","to":"a@example.com"}`},
	}})
	if err != nil || len(resp.BatchItemFailures) != 2 {
		t.Fatalf("%+v, %v; want both reported failed", resp, err)
	}
}

// A rendered message too large for SQS is refused for good before it is handed
// over: the follow-up is skipped with why, nothing waits on the queue.
func TestAMessageTooLargeForTheQueueIsRefused(t *testing.T) {
	f := newFixture(t)
	r := f.relay()
	err := r.Deliver(context.Background(), followup.Message{ID: "fu-big", Channel: "email", To: "a@example.com", Subject: "s",
		Body: strings.Repeat("x", followup.RelayLimit)})
	if !errors.Is(err, followup.ErrPermanent) || !strings.Contains(err.Error(), "bytes") {
		t.Fatalf("%v, want a permanent refusal naming the size", err)
	}
	if ev := f.env.Receive(t, "emails"); len(ev.Records) != 0 {
		t.Fatalf("%d messages on the queue", len(ev.Records))
	}
	// An id SQS cannot take as a group is hashed, not refused.
	long := followup.Message{ID: strings.Repeat("é", 80), Channel: "email", To: "a@example.com", Subject: "s", Body: "b"}
	if err := r.Deliver(context.Background(), long); err != nil {
		t.Fatal(err)
	}
	if ev := f.env.Receive(t, "emails"); len(ev.Records) != 1 || !strings.Contains(ev.Records[0].Body, "éé") {
		t.Fatalf("%+v", ev)
	}
}

// counted is the SQS client as the relay uses it, counting its requests, and refusing
// the batch entries of the follow-ups in refuse as SQS reports an entry it did not take.
type counted struct {
	followup.MessageQueue
	singles, batches int
	refuse           map[string]bool
}

func (c *counted) SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	c.singles++
	return c.MessageQueue.SendMessage(ctx, in, opts...)
}

func (c *counted) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	c.batches++
	var kept []sqstypes.SendMessageBatchRequestEntry
	var failed []sqstypes.BatchResultErrorEntry
	for _, e := range in.Entries {
		var m followup.Message
		if err := json.Unmarshal([]byte(aws.ToString(e.MessageBody)), &m); err != nil {
			return nil, err
		}
		if c.refuse[m.ID] {
			failed = append(failed, sqstypes.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError"), Message: aws.String("try again")})
			continue
		}
		kept = append(kept, e)
	}
	out := &sqs.SendMessageBatchOutput{}
	if len(kept) > 0 {
		var err error
		if out, err = c.MessageQueue.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: in.QueueUrl, Entries: kept}, opts...); err != nil {
			return nil, err
		}
	}
	out.Failed = append(out.Failed, failed...)
	return out, nil
}

// A batch's emails go to the emails queue in one request, not one each; an entry SQS
// does not take leaves its follow-up to the message's next receive, the others sent.
func TestABatchsEmailsAreHandedOverInOneRequest(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 10)
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := &counted{MessageQueue: f.env.Clients.SQS, refuse: map[string]bool{ids[3]: true}}
	f.sender.Channels = map[string]followup.Channel{"email": &followup.Relay{Queue: q, QueueURL: f.env.Queues["emails"]}}
	ev := f.receive(t)
	if len(ev.Records) != len(ids) {
		t.Fatalf("%d messages on the followups queue, want %d", len(ev.Records), len(ids))
	}
	resp, err := f.sender.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if q.batches != 1 || q.singles != 0 {
		t.Fatalf("%d batch and %d single requests, want one batch", q.batches, q.singles)
	}
	var refused events.SQSMessage
	for _, rec := range ev.Records {
		if strings.Contains(rec.Body, ids[3]) {
			refused = rec
		}
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != refused.MessageId {
		t.Fatalf("failures %+v, want the refused entry's message alone", resp.BatchItemFailures)
	}
	for i, id := range ids {
		fu, err := f.store.Get(context.Background(), id)
		want := map[bool]followup.Status{true: followup.Queued, false: followup.Sent}[i == 3]
		if err != nil || fu.Status != want {
			t.Errorf("follow-up %d: %s, %v; want %s", i, fu.Status, err, want)
		}
	}
	if n := f.queued(t, "emails"); n != len(ids)-1 {
		t.Fatalf("%d messages on the emails queue, want %d", n, len(ids)-1)
	}
	// Its message received again, the follow-up goes (its lease was given back).
	q.refuse = nil
	if resp, err := f.sender.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{refused}}); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("the next receive: %+v, %v", resp, err)
	}
	if fu, _ := f.store.Get(context.Background(), ids[3]); fu.Status != followup.Sent || f.queued(t, "emails") != len(ids) {
		t.Fatalf("after the next receive: %s, %d on the emails queue", fu.Status, f.queued(t, "emails"))
	}
}

// sizes is a queue that takes every message and notes each batch's length.
type sizes struct{ batches []int }

func (s *sizes) SendMessage(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	return nil, errors.New("want batches")
}

func (s *sizes) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	s.batches = append(s.batches, len(in.Entries))
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		out.Successful = append(out.Successful, sqstypes.SendMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

// A batch holds at most ten messages and RelayLimit bytes; a message over the limit is
// refused for good and the rest go.
func TestTheRelaysBatchesKeepToSQSsLimits(t *testing.T) {
	msgs := func(n, body int) []followup.Message {
		ms := make([]followup.Message, n)
		for i := range ms {
			ms[i] = followup.Message{ID: fmt.Sprintf("fu-%d", i), Channel: "email", To: "desk@example.com", Body: strings.Repeat("x", body)}
		}
		return ms
	}
	for _, c := range []struct {
		name    string
		ms      []followup.Message
		batches []int
	}{
		{"eleven small", msgs(11, 10), []int{10, 1}},
		{"three of 100 KiB", msgs(3, 100<<10), []int{2, 1}},
	} {
		q := &sizes{}
		for i, err := range (&followup.Relay{Queue: q, QueueURL: "q.fifo"}).DeliverBatch(context.Background(), c.ms) {
			if err != nil {
				t.Errorf("%s: message %d: %v", c.name, i, err)
			}
		}
		if fmt.Sprint(q.batches) != fmt.Sprint(c.batches) {
			t.Errorf("%s: batches of %v, want %v", c.name, q.batches, c.batches)
		}
	}
	ms := append(msgs(2, 10), followup.Message{ID: "fu-big", Body: strings.Repeat("x", followup.RelayLimit)})
	q := &sizes{}
	errs := (&followup.Relay{Queue: q, QueueURL: "q.fifo"}).DeliverBatch(context.Background(), ms)
	if errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], followup.ErrPermanent) || fmt.Sprint(q.batches) != "[2]" {
		t.Fatalf("errors %v, batches %v; want the big one refused for good and the others in one batch", errs, q.batches)
	}
}

// A copy of a message in the same batch (SQS delivers at least once) waits for the
// first to be handed over and recorded, then finds its follow-up sent: no failure to
// retry, and one message on the emails queue.
func TestACopyInTheSameBatchFindsItsFollowupSent(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 2)
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	q := &counted{MessageQueue: f.env.Clients.SQS}
	f.sender.Channels = map[string]followup.Channel{"email": &followup.Relay{Queue: q, QueueURL: f.env.Queues["emails"]}}
	ev := f.receive(t)
	ev.Records = append(ev.Records, ev.Records[0])
	if resp, err := f.sender.Handle(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("send: %+v, %v; want no failure", resp, err)
	}
	if q.batches != 1 || f.queued(t, "emails") != len(ids) {
		t.Fatalf("%d batches, %d on the emails queue; want 1 and %d", q.batches, f.queued(t, "emails"), len(ids))
	}
	for _, id := range ids {
		if fu, _ := f.store.Get(context.Background(), id); fu.Status != followup.Sent {
			t.Errorf("follow-up %s is %s, want sent", id, fu.Status)
		}
	}
}

// silent is a queue whose batch answer names none of the entries.
type silent struct{ sizes }

func (*silent) SendMessageBatch(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	return &sqs.SendMessageBatchOutput{}, nil
}

// An entry the batch's answer does not name is not taken for sent: it fails, to be
// retried (its deduplication id keeps a second hand-over to one delivery).
func TestAnEntryTheAnswerDoesNotNameIsRetried(t *testing.T) {
	errs := (&followup.Relay{Queue: &silent{}, QueueURL: "q.fifo"}).DeliverBatch(context.Background(),
		[]followup.Message{{ID: "fu-1", Body: "b"}, {ID: "fu-2", Body: "b"}})
	for i, err := range errs {
		if err == nil || errors.Is(err, followup.ErrPermanent) {
			t.Errorf("message %d: %v; want a failure to retry", i, err)
		}
	}
}
