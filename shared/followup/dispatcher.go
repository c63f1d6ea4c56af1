package followup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rapport-crm/rapport/shared/clock"
)

// Enqueuer is the part of the SQS client the dispatcher uses.
type Enqueuer interface {
	SendMessageBatch(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Dispatcher finds due follow-ups through the sharded due index (never a scan) and
// enqueues them for the sender.
type Dispatcher struct {
	Store    *Store
	Queue    Enqueuer
	QueueURL string
	Clock    clock.Clock
	// PageSize is how many index entries are read per query page.
	PageSize int
	// StuckAfter is how long a follow-up may sit in queued before it is enqueued again.
	StuckAfter time.Duration
	// Reserve is the time kept back from the invocation's deadline; a backlog that
	// does not fit continues on the next tick.
	Reserve time.Duration
}

// Report says what one run did.
type Report struct {
	Enqueued int  `json:"enqueued"`
	Requeued int  `json:"requeued"`
	Failed   int  `json:"failed"`
	More     bool `json:"more"`
}

// Run enqueues everything due now, shard by shard and page by page, until done or
// the deadline's reserve is reached. The domains' periodic jobs are functions of their
// own (shared/job), on their own schedules.
func (d *Dispatcher) Run(ctx context.Context) (Report, error) {
	rep, err := d.dispatch(ctx)
	d.beat(ctx, err)
	return rep, err
}

func (d *Dispatcher) dispatch(ctx context.Context) (Report, error) {
	now := d.Clock.Now()
	stuck := now.Add(-d.StuckAfter)
	var rep Report
	for s := range Shards {
		for _, pass := range []struct {
			pk   string
			upTo time.Time
		}{
			{duePK(s), now},
			// Follow-ups queued before queuing left their entry where it was: they sit
			// in a partition of their own, by when they were queued.
			{queuedPK(s), stuck},
		} {
			more, err := d.drain(ctx, pass.pk, pass.upTo, stuck, &rep)
			if err != nil {
				return rep, err
			}
			if more {
				rep.More = true
				return rep, nil
			}
		}
	}
	return rep, nil
}

// drain enqueues what is waiting in one index partition: the follow-ups never queued
// (or held back since), and those queued or being sent since before stuck (their
// message may be lost); more is true when time ran out first. It tells them apart by
// queuedAt alone, so that an index projecting only id and queuedAt would do, and a
// claim, which changes neither, would leave the entry as it is.
func (d *Dispatcher) drain(ctx context.Context, pk string, upTo, stuck time.Time, rep *Report) (bool, error) {
	var start map[string]types.AttributeValue
	for {
		if d.outOfTime(ctx) {
			return true, nil
		}
		items, next, err := d.Store.waiting(ctx, pk, upTo, d.PageSize, start)
		if err != nil {
			return false, err
		}
		var wanted []item
		for _, it := range items {
			if it.QueuedAt.IsZero() || !it.QueuedAt.After(stuck) {
				wanted = append(wanted, it)
			}
		}
		for i := 0; i < len(wanted); i += 10 {
			if err := d.enqueue(ctx, wanted[i:min(i+10, len(wanted))], rep); err != nil {
				return false, err
			}
		}
		if next == nil {
			return false, nil
		}
		start = next
	}
}

func (d *Dispatcher) outOfTime(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) < d.Reserve
}

// enqueue sends up to ten follow-ups in one batch and then marks the accepted ones. A
// follow-up enqueued but not marked (a crash in between) is enqueued again later; the
// sender's conditional claim makes the second copy harmless.
func (d *Dispatcher) enqueue(ctx context.Context, batch []item, rep *Report) error {
	entries := make([]sqstypes.SendMessageBatchRequestEntry, len(batch))
	for i, it := range batch {
		body, err := json.Marshal(queueMessage{FollowupID: it.ID})
		if err != nil {
			return err
		}
		entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))}
	}
	out, err := d.Queue.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(d.QueueURL), Entries: entries})
	if err != nil {
		return fmt.Errorf("enqueue follow-ups: %w", err)
	}
	for _, f := range out.Failed {
		rep.Failed++
		slog.WarnContext(ctx, "enqueue refused", "code", aws.ToString(f.Code), "senderFault", f.SenderFault)
	}
	now := d.Clock.Now()
	// Mark the batch's follow-ups concurrently: each is its own conditional write.
	marked := make([]bool, len(out.Successful))
	requeued := make([]bool, len(out.Successful))
	errs := make([]error, len(out.Successful))
	var wg sync.WaitGroup
	for j, ok := range out.Successful {
		i, err := strconv.Atoi(aws.ToString(ok.Id))
		if err != nil || i < 0 || i >= len(batch) {
			return fmt.Errorf("enqueue follow-ups: unexpected batch entry id %q", aws.ToString(ok.Id))
		}
		requeued[j] = !batch[i].QueuedAt.IsZero()
		wg.Go(func() {
			if requeued[j] {
				marked[j], errs[j] = d.Store.markRequeued(ctx, batch[i], now)
			} else {
				marked[j], errs[j] = d.Store.markQueued(ctx, batch[i], now)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for j, m := range marked {
		switch {
		case m && requeued[j]:
			rep.Requeued++
		case m:
			rep.Enqueued++
		}
	}
	return nil
}
