package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rapport-crm/rapport/infra/cost"
	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// sendCost prices k follow-ups from due to delivered through the runner's functions:
// one dispatcher run enqueues them, the sender takes them off the followups queue in
// batches of ten as Lambda's event source would and hands each email to the emails
// FIFO queue, and followup-email takes those off in batches of ten (each event
// source's receives and deletes counted as SQS requests, the FIFO queue's at its own
// price). Delivery goes to the outbox locally (one item each, standing in for the
// channel; in AWS the channel's own price, SES's $0.10 per thousand emails, replaces it).
func sendCost(ctx context.Context, r *local.Runner, clients cloud.Clients, table string, queues map[string]string, prices *pricer) error {
	const k = 100
	store := &followup.Store{DB: clients.DynamoDB, Table: table}
	for i := range k {
		f := followup.Followup{ID: id.New(time.Now()), Kind: "alert", DueAt: time.Now().Add(-time.Minute), Urgent: true,
			Recipient: followup.Recipient{Type: "staff", Channel: "email", Address: "frontdesk" + strconv.Itoa(i) + "@loc-1.example"},
			Subject:   "Service recovery", Body: "A guest answered 3."}
		f.DedupeKey = "bench-send#" + f.ID
		if _, err := store.Schedule(ctx, f); err != nil {
			return err
		}
	}
	var (
		units          cost.Units
		parts          = &bill{}
		steps          = map[string]cost.Units{} // units by function
		sqsReq, fifoRq int
		lambda         float64 // dollars
	)
	run := func(name string, payload []byte) error {
		mctx, m := cloud.WithMeter(ctx)
		b := &bill{}
		m.Probe = prices.probe(b)
		start := time.Now()
		if _, err := r.Invoke(mctx, name, payload); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		row, _ := wiring.FunctionByName(name)
		lambda += cost.USEast1.Price(cost.Usage{LambdaMB: row.MemoryMB, LambdaDuration: time.Since(start), Invocations: 1}).Lambda
		units, sqsReq, fifoRq = units.Add(b.units), sqsReq+b.sqs, fifoRq+b.fifo
		steps[name] = steps[name].Add(b.units)
		parts.addParts(b.parts)
		return b.err
	}
	if err := run("followup-dispatcher", []byte(`{}`)); err != nil {
		return err
	}
	if err := drain(ctx, clients, queues["followups"], k, func(payload []byte) error {
		sqsReq += 2 // what the event source does around each batch: a receive and a delete
		return run("followup-sender", payload)
	}); err != nil {
		return err
	}
	if err := drain(ctx, clients, queues["emails"], k, func(payload []byte) error {
		fifoRq += 2
		return run("followup-email", payload)
	}); err != nil {
		return err
	}
	per := cost.USEast1.Price(cost.Usage{Units: units, SQSRequests: sqsReq, SQSFIFORequests: fifoRq})
	each := func(d float64) float64 { return d / k * 1e6 }
	perItem := map[string]cost.Units{}
	for p, u := range parts.parts {
		perItem[p] = cost.Units{Read: u.Read / k, Write: u.Write / k}
	}
	perStep := map[string]cost.Units{}
	for name, u := range steps {
		perStep[name] = cost.Units{Read: u.Read / k, Write: u.Write / k}
	}
	batches := (k + 9) / 10
	least := cost.USEast1.Price(cost.Usage{Units: cost.Units{Read: sendFloor.units.Read * k, Write: sendFloor.units.Write * k},
		SQSRequests: 3 * batches, SQSFIFORequests: 3 * batches})
	sendRow = &sendPrice{k: k, units: cost.Units{Read: units.Read / k, Write: units.Write / k}, parts: perItem, steps: perStep,
		dynamo: each(per.DynamoDB), lambda: each(lambda), sqs: each(per.SQS), total: each(per.DynamoDB + lambda + per.SQS),
		floor: each(least.DynamoDB + lambda + least.SQS)}
	return nil
}

// sendFloor is the least a follow-up could cost from due to delivered and keep its
// guarantees, per follow-up. Its SQS requests are three per batch of ten on each queue
// (a batched send, the event source's receive and delete), and its Lambda time is the
// run's own.
var sendFloor = floor{units: cost.Units{Read: 0.5, Write: 6}, why: "The dispatcher's mark (1) with its queuedAt in the " +
	"follow-up's due-index entry (1), which the stuck watch reads: nothing lost if its message is; the sender's claim under a " +
	"lease (1, the due index projecting only the id and queuedAt, which it leaves as they are, so its entry stays) and its " +
	"finish (1) with the entry's removal (1): sent once in effect; " +
	"the outbox's item standing in for the channel (1); the deliverer's eventually consistent look at the status (0.5; a message " +
	"redriven from the DLQ marks its follow-up sent again); the due query's share, a few hundredths of a unit, left out. SQS: " +
	"a batch of ten sent, received and deleted on each queue, the sender's hand-over to the FIFO queue batched too."}

// drain takes k messages off a queue in batches of up to ten, as Lambda's event source
// would, handing each batch to fn as an SQS event and deleting it after.
func drain(ctx context.Context, clients cloud.Clients, queueURL string, k int, fn func(payload []byte) error) error {
	for taken := 0; taken < k; {
		out, err := clients.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			return err
		}
		if len(out.Messages) == 0 {
			return fmt.Errorf("sendCost: %d of %d messages came off %s", taken, k, queueURL)
		}
		var ev events.SQSEvent
		var done []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body)})
			done = append(done, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
		payload, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if err := fn(payload); err != nil {
			return err
		}
		if _, err := clients.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: done}); err != nil {
			return err
		}
		taken += len(out.Messages)
	}
	return nil
}

// sendPrice is a follow-up's cost from due to delivered, per million follow-ups.
type sendPrice struct {
	k                          int
	units                      cost.Units
	parts                      map[string]cost.Units // units by kind of item, per follow-up
	steps                      map[string]cost.Units // units by function, per follow-up
	dynamo, lambda, sqs, total float64
	floor                      float64 // sendFloor all-in, with the run's Lambda time
}

var sendRow *sendPrice
