package followup_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/testenv"
)

type fixture struct {
	t      *testing.T
	env    *testenv.Env
	clk    *clock.Manual
	store  *followup.Store
	outbox *followup.Outbox
	disp   *followup.Dispatcher
	sender *followup.Sender
}

func newFixture(t *testing.T) *fixture {
	env := testenv.New(t)
	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	table := env.Names("followups")
	store := &followup.Store{DB: env.Clients.DynamoDB, Table: table}
	out := &followup.Outbox{DB: env.Clients.DynamoDB, Table: table, Keep: time.Hour}
	return &fixture{
		env: env, clk: clk, store: store, outbox: out,
		disp: &followup.Dispatcher{Store: store, Queue: env.Clients.SQS, QueueURL: env.Queues["followups"], Clock: clk,
			PageSize: 25, StuckAfter: 15 * time.Minute, Reserve: time.Second},
		sender: &followup.Sender{Store: store, Channels: map[string]followup.Channel{"email": out}, Clock: clk, Lease: time.Minute},
	}
}

// schedule writes follow-ups as another domain's transaction would.
func (f *fixture) schedule(t *testing.T, due time.Time, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		fu := followup.Followup{
			ID: id.New(f.clk.Now()), Kind: followup.KindRecoveryCallback,
			Recipient: followup.Recipient{Type: "staff", Channel: "email", Address: "desk@example.com"},
			DueAt:     due, Subject: "s", Body: "b", CreatedAt: f.clk.Now(),
		}
		fu.DedupeKey = "test#" + fu.ID
		puts, err := f.store.SchedulePuts(fu)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.env.Clients.DynamoDB.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, fu.ID)
	}
	return ids
}

// receive drains the follow-up queue into an SQS event (without deleting).
func (f *fixture) receive(t *testing.T) events.SQSEvent {
	t.Helper()
	return f.env.Receive(t, "followups")
}

func (f *fixture) outboxCount(t *testing.T) map[string]int {
	t.Helper()
	msgs, err := f.outbox.List(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, m := range msgs {
		counts[m.ID]++
	}
	return counts
}

func TestDueFollowupsAreEnqueuedAndDeliveredOnceEvenWhenDeliveredTwice(t *testing.T) {
	f := newFixture(t)
	due := f.schedule(t, f.clk.Now(), 3)
	later := f.schedule(t, f.clk.Now().Add(time.Hour), 1)

	rep, err := f.disp.Run(context.Background())
	if err != nil || rep.Enqueued != 3 {
		t.Fatalf("dispatch: %+v, %v; want 3 enqueued", rep, err)
	}
	ev := f.receive(t)
	if len(ev.Records) != 3 {
		t.Fatalf("%d messages on the queue, want 3", len(ev.Records))
	}
	// SQS may deliver a message twice: both copies in one batch, and the batch again.
	ev.Records = append(ev.Records, ev.Records...)
	for range 2 {
		resp, err := f.sender.Handle(context.Background(), ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("send: %+v, %v", resp, err)
		}
	}
	counts := f.outboxCount(t)
	for _, id := range due {
		if counts[id] != 1 {
			t.Errorf("follow-up %s in the outbox %d times, want 1", id, counts[id])
		}
		fu, err := f.store.Get(context.Background(), id)
		if err != nil || fu.Status != followup.Sent || fu.SentAt.IsZero() {
			t.Errorf("follow-up %s: status %s, sentAt %v, %v", id, fu.Status, fu.SentAt, err)
		}
	}
	if counts[later[0]] != 0 {
		t.Error("a follow-up due later was sent now")
	}
	// A second dispatcher run finds nothing new.
	if rep, err := f.disp.Run(context.Background()); err != nil || rep.Enqueued != 0 {
		t.Fatalf("second dispatch: %+v, %v", rep, err)
	}
}

func TestSenderThatDiedMidSendIsTakenOverAfterTheLease(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 1)
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ev := f.receive(t)
	// A first sender claims the follow-up and dies before delivering: its channel hangs.
	ctx, cancel := context.WithCancel(context.Background())
	dead := &followup.Sender{Store: f.store, Channels: map[string]followup.Channel{"email": hang{cancel}}, Clock: f.clk, Lease: time.Minute}
	resp, _ := dead.Handle(ctx, ev)
	if len(resp.BatchItemFailures) != 1 {
		t.Fatalf("the dying sender reported %d failures, want 1", len(resp.BatchItemFailures))
	}
	// A redelivery within the lease is refused (retry later), after it is sent once.
	if resp, _ := f.sender.Handle(context.Background(), ev); len(resp.BatchItemFailures) != 1 {
		t.Fatalf("redelivery within the lease: %d failures, want 1", len(resp.BatchItemFailures))
	}
	f.clk.Advance(2 * time.Minute)
	if resp, _ := f.sender.Handle(context.Background(), ev); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery after the lease failed: %+v", resp)
	}
	if n := f.outboxCount(t)[ids[0]]; n != 1 {
		t.Fatalf("outbox holds it %d times, want 1", n)
	}
}

// hang is a channel that never returns before its context ends.
// hang is a channel whose process dies during the send: its context ends then.
type hang struct{ die context.CancelFunc }

func (h hang) Deliver(ctx context.Context, _ followup.Message) error {
	h.die()
	return ctx.Err()
}

func TestPoisonMessagesAreReportedFailedForTheDLQ(t *testing.T) {
	f := newFixture(t)
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-bad-json", Body: "{not json"},
		{MessageId: "m-unknown", Body: `{"followupId":"no-such-followup"}`},
		{MessageId: "m-empty", Body: `{}`},
	}}
	resp, err := f.sender.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 3 {
		t.Fatalf("failures %+v, want all three", resp.BatchItemFailures)
	}
}

func TestUnknownChannelIsSkippedWithAReason(t *testing.T) {
	f := newFixture(t)
	f.sender.Channels = map[string]followup.Channel{}
	ids := f.schedule(t, f.clk.Now(), 1)
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.sender.Handle(context.Background(), f.receive(t)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %+v", resp)
	}
	fu, err := f.store.Get(context.Background(), ids[0])
	if err != nil || fu.Status != followup.Skipped || fu.SkipReason == "" {
		t.Fatalf("status %s reason %q, %v; want skipped with a reason", fu.Status, fu.SkipReason, err)
	}
}

func TestBacklogIsDrainedPageByPageAcrossTicks(t *testing.T) {
	f := newFixture(t)
	const n = 120
	f.schedule(t, f.clk.Now().Add(-time.Minute), n)
	// A tick with no time left does nothing and says there is more.
	short, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	rep, err := f.disp.Run(short)
	cancel()
	if err != nil || !rep.More || rep.Enqueued != 0 {
		t.Fatalf("out-of-time tick: %+v, %v", rep, err)
	}
	rep, err = f.disp.Run(context.Background())
	if err != nil || rep.Enqueued != n || rep.More {
		t.Fatalf("full tick: %+v, %v; want %d enqueued", rep, err, n)
	}
	if got := len(f.receive(t).Records); got != n {
		t.Fatalf("%d messages queued, want %d", got, n)
	}
}

func TestFollowupStuckInQueuedIsEnqueuedAgain(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 1)
	if rep, err := f.disp.Run(context.Background()); err != nil || rep.Enqueued != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	f.receive(t) // the message is lost to the sender (say, purged)
	f.clk.Advance(10 * time.Minute)
	if rep, _ := f.disp.Run(context.Background()); rep.Requeued != 0 {
		t.Fatalf("requeued before the timeout: %+v", rep)
	}
	f.clk.Advance(10 * time.Minute)
	rep, err := f.disp.Run(context.Background())
	if err != nil || rep.Requeued != 1 {
		t.Fatalf("after the timeout: %+v, %v; want 1 requeued", rep, err)
	}
	ev := f.receive(t)
	if len(ev.Records) != 1 {
		t.Fatalf("%d messages, want 1", len(ev.Records))
	}
	if resp, _ := f.sender.Handle(context.Background(), ev); len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp)
	}
	if f.outboxCount(t)[ids[0]] != 1 {
		t.Fatal("requeued follow-up not delivered once")
	}
}

// raw is a follow-up's record as stored, index keys and all.
func (f *fixture) raw(t *testing.T, id string) map[string]types.AttributeValue {
	t.Helper()
	out, err := f.env.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(f.store.Table), Key: dynamo.Key("FU#"+id, "FU"), ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		t.Fatalf("read %s: %v", id, err)
	}
	return out.Item
}

func str(v types.AttributeValue) string {
	s, _ := v.(*types.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}

// Queuing a follow-up rewrites its due entry where it is instead of moving it (one
// index write, not two). One queued the earlier way, moved to the partition of queued
// ones by when, is still enqueued again once stuck, and each is sent once.
func TestQueuingLeavesTheDueEntryWhereItIs(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 2)
	before := f.raw(t, ids[0])
	if rep, err := f.disp.Run(context.Background()); err != nil || rep.Enqueued != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	after := f.raw(t, ids[0])
	if str(after["status"]) != "queued" || str(after["duePk"]) != str(before["duePk"]) || str(after["dueSk"]) != str(before["dueSk"]) {
		t.Fatalf("queued: status %s, due entry %s/%s; want queued at %s/%s", str(after["status"]),
			str(after["duePk"]), str(after["dueSk"]), str(before["duePk"]), str(before["dueSk"]))
	}
	// The second as an earlier release queued it.
	second := f.raw(t, ids[1])
	queuedAt, err := time.Parse(time.RFC3339Nano, str(second["queuedAt"]))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.env.Clients.DynamoDB.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(f.store.Table), Key: dynamo.Key("FU#"+ids[1], "FU"),
		UpdateExpression: aws.String("SET duePk = :pk, dueSk = :sk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(strings.Replace(str(second["duePk"]), "DUE#", "QUEUED#", 1)),
			":sk": dynamo.S(queuedAt.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + ids[1]),
		}})
	if err != nil {
		t.Fatal(err)
	}
	f.receive(t) // both messages lost
	f.clk.Advance(10 * time.Minute)
	if rep, _ := f.disp.Run(context.Background()); rep.Requeued != 0 || rep.Enqueued != 0 {
		t.Fatalf("before they are stuck: %+v", rep)
	}
	f.clk.Advance(10 * time.Minute)
	if rep, err := f.disp.Run(context.Background()); err != nil || rep.Requeued != 2 || rep.Enqueued != 0 {
		t.Fatalf("once stuck: %+v, %v; want both requeued", rep, err)
	}
	if rep, _ := f.disp.Run(context.Background()); rep.Requeued != 0 {
		t.Fatalf("requeued again at once: %+v", rep)
	}
	ev := f.receive(t)
	if len(ev.Records) != 2 {
		t.Fatalf("%d messages, want 2", len(ev.Records))
	}
	if resp, _ := f.sender.Handle(context.Background(), ev); len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp)
	}
	for _, id := range ids {
		if n := f.outboxCount(t)[id]; n != 1 {
			t.Errorf("follow-up %s delivered %d times, want 1", id, n)
		}
		if it := f.raw(t, id); it["duePk"] != nil {
			t.Errorf("follow-up %s sent but still in the due index (%s)", id, str(it["duePk"]))
		}
	}
}

func TestOneOccasionYieldsOneFollowup(t *testing.T) {
	f := newFixture(t)
	mk := func() followup.Followup {
		return followup.Followup{ID: id.New(f.clk.Now()), Kind: "birthday", DedupeKey: "birthday#c-1#2026",
			Recipient: followup.Recipient{Type: "customer", Channel: "email", Address: "a@example.com"}, DueAt: f.clk.Now()}
	}
	for i, want := range []bool{true, false} {
		puts, err := f.store.SchedulePuts(mk())
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.env.Clients.DynamoDB.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: puts})
		if (err == nil) != want {
			t.Fatalf("schedule %d: err %v, want success %v", i, err, want)
		}
	}
}

// Scheduling moves a due time out of the recipient's quiet hours, unless urgent; the
// dispatcher only sees it when the moved time comes.
func TestSchedulingRespectsTheRecipientsQuietHours(t *testing.T) {
	f := newFixture(t)
	late := time.Date(2026, 11, 23, 15, 30, 0, 0, time.UTC) // 23:30 in Shanghai
	f.clk.Set(late)
	mk := func(urgent bool, quiet string) string {
		fu := followup.Followup{ID: id.New(late), Kind: followup.KindRecoveryCallback,
			Recipient: followup.Recipient{Type: "staff", Channel: "email", Address: "m@example.com", TimeZone: "Asia/Shanghai"},
			DueAt:     late, Urgent: urgent, QuietHours: quiet}
		fu.DedupeKey = "q#" + fu.ID
		puts, err := f.store.SchedulePuts(fu)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.env.Clients.DynamoDB.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
			t.Fatal(err)
		}
		return fu.ID
	}
	quiet, urgent, custom := mk(false, ""), mk(true, ""), mk(false, "23:45-08:00")
	for id, want := range map[string]time.Time{
		quiet:  time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC), // 09:00 Shanghai
		urgent: late,
		custom: late, // 23:30 is before this location's 23:45
	} {
		fu, err := f.store.Get(context.Background(), id)
		if err != nil || !fu.DueAt.Equal(want) || !fu.RequestedAt.Equal(late) {
			t.Errorf("due %s (asked %s), want %s: %v", fu.DueAt, fu.RequestedAt, want, err)
		}
	}
	if rep, err := f.disp.Run(context.Background()); err != nil || rep.Enqueued != 2 {
		t.Fatalf("at 23:30: %+v %v; want the urgent and the custom one", rep, err)
	}
	f.clk.Set(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	if rep, err := f.disp.Run(context.Background()); err != nil || rep.Enqueued != 1 {
		t.Fatalf("at 09:00: %+v %v; want the quiet one", rep, err)
	}
	bad := followup.Followup{ID: "x", DedupeKey: "x", DueAt: late, Recipient: followup.Recipient{TimeZone: "Mars/Olympus"}}
	if _, err := f.store.SchedulePuts(bad); err == nil {
		t.Fatal("an unknown zone was accepted")
	}
}

// dying delivers n messages and then dies: its context ends mid-batch.
type dying struct {
	inner  followup.Channel
	left   int
	cancel context.CancelFunc
}

func (d *dying) Deliver(ctx context.Context, m followup.Message) error {
	if d.left == 0 {
		d.cancel()
		return ctx.Err()
	}
	d.left--
	return d.inner.Deliver(ctx, m)
}

// The sender dies mid-batch; SQS then delivers every message three more times, in
// batches that repeat each other: every follow-up is sent exactly once.
func TestSenderKilledMidBatchAndRedeliveredThreeTimesSendsEachOnce(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 10)
	if rep, err := f.disp.Run(context.Background()); err != nil || rep.Enqueued != 10 {
		t.Fatalf("%+v %v", rep, err)
	}
	ev := f.receive(t)
	ctx, cancel := context.WithCancel(context.Background())
	killed := &followup.Sender{Store: f.store, Channels: map[string]followup.Channel{"email": &dying{inner: f.outbox, left: 4, cancel: cancel}},
		Clock: f.clk, Lease: time.Minute}
	_, _ = killed.Handle(ctx, ev)
	// The dead sender's leases run out before SQS shows the messages again.
	f.clk.Advance(2 * time.Minute)
	for range 3 {
		if resp, err := f.sender.Handle(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("redelivery: %+v %v", resp, err)
		}
	}
	counts := f.outboxCount(t)
	for _, id := range ids {
		if counts[id] != 1 {
			t.Errorf("follow-up %s delivered %d times, want 1", id, counts[id])
		}
		if fu, _ := f.store.Get(context.Background(), id); fu.Status != followup.Sent {
			t.Errorf("follow-up %s is %s", id, fu.Status)
		}
	}
}

// A follow-up whose message fails its last receive is marked failed with the reason as
// the message goes to the DLQ; after a fix, the redriven message sends it.
func TestFollowupIsMarkedFailedWhenItsMessageIsDeadLettered(t *testing.T) {
	f := newFixture(t)
	ids := f.schedule(t, f.clk.Now(), 1)
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ev := f.receive(t)
	broken := &followup.Sender{Store: f.store, Channels: map[string]followup.Channel{"email": failing{}}, Clock: f.clk, Lease: time.Minute, MaxReceives: 3}
	for n := 1; n <= 3; n++ {
		ev.Records[0].Attributes = map[string]string{"ApproximateReceiveCount": strconv.Itoa(n)}
		if resp, _ := broken.Handle(context.Background(), ev); len(resp.BatchItemFailures) != 1 {
			t.Fatalf("receive %d: %+v", n, resp)
		}
		fu, _ := f.store.Get(context.Background(), ids[0])
		if want := map[bool]followup.Status{true: followup.Failed, false: followup.Queued}[n == 3]; fu.Status != want {
			t.Fatalf("after receive %d: %s, want %s", n, fu.Status, want)
		}
	}
	fu, _ := f.store.Get(context.Background(), ids[0])
	if !strings.Contains(fu.SkipReason, "smtp down") {
		t.Fatalf("reason %q", fu.SkipReason)
	}
	// The stuck-in-queued sweep leaves it alone; the redriven message sends it.
	f.clk.Advance(time.Hour)
	if rep, _ := f.disp.Run(context.Background()); rep.Requeued != 0 {
		t.Fatalf("a failed follow-up was requeued: %+v", rep)
	}
	ev.Records[0].Attributes = map[string]string{"ApproximateReceiveCount": "1"}
	if resp, _ := f.sender.Handle(context.Background(), ev); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("after the redrive: %+v", resp)
	}
	if f.outboxCount(t)[ids[0]] != 1 {
		t.Fatal("the redriven follow-up was not sent once")
	}
}

type failing struct{}

func (failing) Deliver(context.Context, followup.Message) error { return errors.New("smtp down") }

// A follow-up with no one to send to is kept and shows as skipped with the reason.
func TestUnroutableFollowupIsSkippedWithTheReason(t *testing.T) {
	f := newFixture(t)
	fu := followup.Followup{ID: "fu-unroutable", DedupeKey: "d-unroutable", Kind: followup.KindRecoveryCallback, DueAt: f.clk.Now(),
		Recipient: followup.Recipient{Type: "staff"}, Unroutable: "location loc-9 has no managers"}
	if _, err := f.store.Schedule(context.Background(), fu); err != nil {
		t.Fatal(err)
	}
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.sender.Handle(context.Background(), f.receive(t)); len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp)
	}
	got, _ := f.store.Get(context.Background(), fu.ID)
	if got.Status != followup.Skipped || got.SkipReason != "location loc-9 has no managers" {
		t.Fatalf("%s %q", got.Status, got.SkipReason)
	}
}

// Right after the deploy that makes dueIds, DynamoDB refuses queries on it while it
// fills, and a table restored from before it lacks it: the dispatcher then finds the
// due follow-ups through the due index it replaces (every attribute projected). Here
// the table is as deployed before; two due follow-ups are queued and sent, once.
func TestDueFollowupsAreFoundThroughTheReplacedIndex(t *testing.T) {
	f := newFixture(t)
	f.store.Table = f.env.TableBefore(t, "followups")
	f.outbox.Table = f.store.Table
	due := f.schedule(t, f.clk.Now(), 2)
	for run, want := range []int{2, 0} {
		if rep, err := f.disp.Run(context.Background()); err != nil || rep.Enqueued != want {
			t.Fatalf("dispatch %d: %+v, %v; want %d enqueued", run+1, rep, err, want)
		}
		if run == 0 {
			if resp, err := f.sender.Handle(context.Background(), f.receive(t)); err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("send: %+v, %v", resp, err)
			}
		}
	}
	counts := f.outboxCount(t)
	for _, id := range due {
		if counts[id] != 1 {
			t.Errorf("follow-up %s in the outbox %d times, want 1", id, counts[id])
		}
	}
}

// A customer's follow-ups are listed from byCustomerKeys, which holds keys only, and read
// by key, newest first; right after the deploy that makes it (DynamoDB refuses queries
// on it while it fills), and on a table restored from before it, from the byCustomer
// index it replaces. One moved to another customer (a merge) is that customer's.
func TestACustomersFollowupsAreListedThroughEitherIndex(t *testing.T) {
	for _, before := range []bool{false, true} {
		t.Run(fmt.Sprintf("deployed before byCustomerKeys: %v", before), func(t *testing.T) {
			f := newFixture(t)
			if before {
				f.store.Table = f.env.TableBefore(t, "followups")
			}
			ctx := context.Background()
			var ids []string
			for i, key := range []string{"birthday#c-1#2025", "birthday#c-1#2026", "birthday#c-1#2027"} {
				fu := f.occasionFollowup(key, "a@example.com")
				fu.CreatedAt = f.clk.Now().Add(time.Duration(i) * time.Minute)
				if _, err := f.store.Schedule(ctx, fu); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, fu.ID)
			}
			if ok, err := f.store.Reassign(ctx, ids[0], "c-1", "c-2"); !ok || err != nil {
				t.Fatalf("reassign: %v %v", ok, err)
			}
			fs, err := f.store.CustomerFollowups(ctx, "c-1")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, fu := range fs {
				got = append(got, fu.ID)
				if fu.Subject != "s" || fu.Recipient.Address != "a@example.com" {
					t.Errorf("follow-up %s read without its record: %+v", fu.ID, fu)
				}
			}
			if want := []string{ids[2], ids[1]}; !slices.Equal(got, want) {
				t.Errorf("c-1's follow-ups %v, want %v (newest first)", got, want)
			}
			if moved, err := f.store.CustomerFollowups(ctx, "c-2"); err != nil || len(moved) != 1 || moved[0].ID != ids[0] {
				t.Errorf("c-2's follow-ups %+v %v, want the moved one", moved, err)
			}
		})
	}
}
