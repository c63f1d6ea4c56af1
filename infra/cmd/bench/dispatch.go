package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/queue"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// dispatchCost puts BENCH_DISPATCH_N (default 10,000) follow-ups due at once and runs
// the dispatcher as its schedule would, tick after tick within a Lambda-sized deadline,
// counting its DynamoDB queries and SQS calls against the floor: ⌈n/10⌉ send batches.
func dispatchCost(ctx context.Context, clients cloud.Clients) error {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("BENCH_DISPATCH_N")); err == nil && v > 0 {
		n = v
	}
	// Tables and queues of its own, so the submissions above do not count.
	names := dynamo.Prefixed("bench-dispatch-")
	if err := dynamo.CreateTables(ctx, clients.DynamoDB, names, wiring.Tables); err != nil {
		return err
	}
	urls, err := queue.Create(ctx, clients.SQS, names, wiring.Queues)
	if err != nil {
		return err
	}
	store := &followup.Store{DB: clients.DynamoDB, Table: names("followups")}
	due := time.Now().UTC().Add(-time.Minute)
	if err := scheduleMany(ctx, clients.DynamoDB, store, n, due); err != nil {
		return err
	}
	d := &followup.Dispatcher{Store: store, Queue: clients.SQS, QueueURL: urls["followups"], Clock: clock.System{},
		PageSize: 100, StuckAfter: 15 * time.Minute, Reserve: 5 * time.Second}
	mctx, m := cloud.WithMeter(ctx)
	start := time.Now()
	enqueued, ticks := 0, 0
	for enqueued < n {
		tick, cancel := context.WithTimeout(mctx, 50*time.Second) // the function's timeout
		rep, err := d.Run(tick)
		cancel()
		if err != nil {
			return err
		}
		ticks++
		enqueued += rep.Enqueued
		if !rep.More && rep.Enqueued == 0 {
			return fmt.Errorf("dispatch stalled at %d of %d", enqueued, n)
		}
	}
	took := time.Since(start)
	floor := (n + 9) / 10
	fmt.Printf("Dispatch of %d follow-ups due at once (%d shards, pages of 100)\n\n", n, followup.Shards)
	fmt.Printf("%-34s %10s\n", "what", "count")
	fmt.Printf("%-34s %10d\n", "scheduler ticks", ticks)
	fmt.Printf("%-34s %10d\n", "DynamoDB Query (due index)", m.Calls["Query"])
	fmt.Printf("%-34s %10d\n", "SQS SendMessageBatch", m.Calls["SendMessageBatch"])
	fmt.Printf("%-34s %10d   (%.2fx)\n", "  floor: ceil(n/10)", floor, float64(m.Calls["SendMessageBatch"])/float64(floor))
	fmt.Printf("%-34s %10d\n", "DynamoDB UpdateItem (mark queued)", m.Calls["UpdateItem"])
	fmt.Printf("%-34s %10.0f\n", "DynamoDB capacity units", m.CapacityUnits)
	fmt.Printf("%-34s %10s\n", "time per 1,000 follow-ups", (took / time.Duration(n) * 1000).Round(time.Millisecond))
	return nil
}

// scheduleMany writes n follow-ups as other domains' transactions would, from eight
// workers.
func scheduleMany(ctx context.Context, db *dynamodb.Client, store *followup.Store, n int, due time.Time) error {
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				f := followup.Followup{ID: id.New(time.Now()), Kind: "campaign", DueAt: due, Urgent: true,
					Recipient: followup.Recipient{Type: "customer", Channel: "email", Address: "guest@example.com"},
					Subject:   "Hello", Body: "Hello again"}
				f.DedupeKey = "bench#" + f.ID
				puts, err := store.SchedulePuts(f)
				if err == nil {
					_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
