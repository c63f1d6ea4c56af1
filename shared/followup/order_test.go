package followup_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
)

// recorder is a channel that keeps the order in which it was asked to deliver.
type recorder struct {
	mu  sync.Mutex
	ids []string
}

func (r *recorder) Deliver(_ context.Context, m followup.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, m.ID)
	return nil
}

func (r *recorder) order() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

// occasion schedules a follow-up for an occasion (its dedupe key), after another.
func (f *fixture) occasion(t *testing.T, key, after string, due time.Time) string {
	t.Helper()
	fu := followup.Followup{
		ID: id.New(f.clk.Now()), Kind: followup.KindComplaintUpdate, DedupeKey: key, After: after,
		Recipient: followup.Recipient{Type: "customer", ID: "c-1", Channel: "email", Address: "c1@example.com", TimeZone: "UTC"},
		DueAt:     due, Subject: key, Body: key, CreatedAt: f.clk.Now(), Urgent: true,
	}
	puts, err := f.store.SchedulePuts(fu)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.Clients.DynamoDB.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
		t.Fatal(err)
	}
	return fu.ID
}

func (f *fixture) status(t *testing.T, id string) followup.Followup {
	t.Helper()
	fu, err := f.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return fu
}

// An outcome and its receipt in one batch, the outcome first: the receipt goes first.
func TestAFollowupInTheSameBatchAsItsPredecessorGoesAfterIt(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	f.sender.Channels = map[string]followup.Channel{"email": rec}
	now := f.clk.Now()
	receipt := f.occasion(t, "case-1#received", "", now)
	outcome := f.occasion(t, "case-1#outcome", "case-1#received", now)
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m-outcome", Body: `{"followupId":"` + outcome + `"}`},
		{MessageId: "m-receipt", Body: `{"followupId":"` + receipt + `"}`},
	}}
	resp, err := f.sender.Handle(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("send: %+v, %v", resp, err)
	}
	if got := rec.order(); !slices.Equal(got, []string{receipt, outcome}) {
		t.Fatalf("delivered %v, want the receipt %s then the outcome %s", got, receipt, outcome)
	}
}

// An outcome whose receipt is still on its way is held back, not failed: its message is
// done with (no receive spent towards the DLQ), the record waits in the due index, and
// the dispatcher's next run sends it once the receipt is out.
func TestAFollowupWaitsForItsPredecessorAcrossBatches(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	f.sender.Channels = map[string]followup.Channel{"email": rec}
	ctx := context.Background()
	now := f.clk.Now()
	receipt := f.occasion(t, "case-2#received", "", now)
	outcome := f.occasion(t, "case-2#outcome", "case-2#received", now)
	if rep, err := f.disp.Run(ctx); err != nil || rep.Enqueued != 2 {
		t.Fatalf("dispatch: %+v, %v", rep, err)
	}
	ev := f.receive(t)
	var first, second events.SQSEvent // the outcome's message alone, then the receipt's
	for _, r := range ev.Records {
		if r.Body == `{"followupId":"`+outcome+`"}` {
			first.Records = append(first.Records, r)
		} else {
			second.Records = append(second.Records, r)
		}
	}
	if len(first.Records) != 1 || len(second.Records) != 1 {
		t.Fatalf("queue held %d messages", len(ev.Records))
	}
	if resp, err := f.sender.Handle(ctx, first); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("held back must not fail the message: %+v, %v", resp, err)
	}
	held := f.status(t, outcome)
	if len(rec.order()) != 0 || held.Status != followup.Scheduled || held.WaitingSince == nil || !held.WaitingSince.Equal(now) {
		t.Fatalf("outcome: delivered %v, status %s, waiting since %v; want held back, scheduled, waiting since %v",
			rec.order(), held.Status, held.WaitingSince, now)
	}
	// Until the receipt is out, every run holds the outcome back again.
	f.clk.Advance(time.Minute)
	if rep, err := f.disp.Run(ctx); err != nil || rep.Enqueued != 1 {
		t.Fatalf("dispatch while waiting: %+v, %v", rep, err)
	}
	if resp, _ := f.sender.Handle(ctx, f.receive(t)); len(resp.BatchItemFailures) != 0 || len(rec.order()) != 0 {
		t.Fatalf("sent while the receipt waits: %+v, %v", resp, rec.order())
	}
	if resp, _ := f.sender.Handle(ctx, second); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("receipt: %+v", resp)
	}
	f.clk.Advance(time.Minute)
	if rep, err := f.disp.Run(ctx); err != nil || rep.Enqueued != 1 {
		t.Fatalf("dispatch after the receipt: %+v, %v", rep, err)
	}
	if resp, _ := f.sender.Handle(ctx, f.receive(t)); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("outcome: %+v", resp)
	}
	if got := rec.order(); !slices.Equal(got, []string{receipt, outcome}) {
		t.Fatalf("delivered %v, want the receipt %s then the outcome %s", got, receipt, outcome)
	}
	if rep, _ := f.disp.Run(ctx); rep.Enqueued != 0 {
		t.Fatalf("a run after both were sent enqueued %d", rep.Enqueued)
	}
}

// A predecessor that is done in any way lets its successor go; one not due yet holds
// it to its due time; no follow-up for the occasion, or a wait past MaxWait, holds
// nothing.
func TestWhatAFollowupWaitsFor(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		prev func(f *fixture, t *testing.T) // schedules (or not) the predecessor "p"
		sent bool
	}{
		{"no follow-up for the occasion", func(*fixture, *testing.T) {}, true},
		{"a cancelled predecessor", func(f *fixture, t *testing.T) {
			if err := f.store.Cancel(ctx, f.occasion(t, "p", "", f.clk.Now()), f.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a predecessor due later", func(f *fixture, t *testing.T) { f.occasion(t, "p", "", f.clk.Now().Add(20*time.Minute)) }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			rec := &recorder{}
			f.sender.Channels = map[string]followup.Channel{"email": rec}
			c.prev(f, t)
			next := f.occasion(t, "n", "p", f.clk.Now())
			ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m", Body: `{"followupId":"` + next + `"}`}}}
			if resp, err := f.sender.Handle(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("%+v, %v", resp, err)
			}
			if got := len(rec.order()) == 1; got != c.sent {
				t.Fatalf("sent: %v, want %v", got, c.sent)
			}
			if !c.sent {
				if fu := f.status(t, next); !fu.DueAt.Equal(f.clk.Now().Add(20 * time.Minute)) {
					t.Fatalf("held back to %v, want the predecessor's due time", fu.DueAt)
				}
			}
		})
	}
	t.Run("a predecessor that never finishes holds for MaxWait at most", func(t *testing.T) {
		f := newFixture(t)
		rec := &recorder{}
		f.sender.Channels = map[string]followup.Channel{"email": rec}
		f.sender.MaxWait = 30 * time.Minute
		f.occasion(t, "p", "", f.clk.Now().Add(24*time.Hour))
		next := f.occasion(t, "n", "p", f.clk.Now())
		ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m", Body: `{"followupId":"` + next + `"}`}}}
		if _, err := f.sender.Handle(ctx, ev); err != nil || len(rec.order()) != 0 {
			t.Fatalf("sent at once: %v, %v", rec.order(), err)
		}
		if fu := f.status(t, next); !fu.DueAt.Equal(f.clk.Now().Add(30 * time.Minute)) {
			t.Fatalf("held back to %v, want MaxWait from now", fu.DueAt)
		}
		f.clk.Advance(30 * time.Minute)
		if rep, err := f.disp.Run(ctx); err != nil || rep.Enqueued != 1 {
			t.Fatalf("dispatch: %+v, %v", rep, err)
		}
		if _, err := f.sender.Handle(ctx, f.receive(t)); err != nil || len(rec.order()) != 1 {
			t.Fatalf("not sent after MaxWait: %v, %v", rec.order(), err)
		}
	})
}
