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
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// sendCase is a kind of follow-up priced from due to delivered, per follow-up.
type sendCase struct {
	name string
	// floor is the least a follow-up of the case could cost and keep its guarantees
	// (its trips unused); kms the KMS requests it makes there.
	floor floor
	kms   int
	// prepare makes the i-th follow-up, and anything its sending reads.
	prepare func(ctx context.Context, i int) (followup.Followup, error)
}

// sendCost prices k follow-ups of each case from due to delivered through the runner's
// functions: one dispatcher run enqueues them, the sender takes them off the followups
// queue in batches of ten as Lambda's event source would and hands each email to the
// emails FIFO queue, and followup-email takes those off in batches of ten (each event
// source's receives and deletes counted as SQS requests, the FIFO queue's at its own
// price). Delivery goes to the outbox locally (one item each, standing in for the
// channel; in AWS the channel's own price, SES's $0.10 per thousand emails, replaces
// it). The cases are a staff alert and a customer's marketing email, whose sending
// also asks the customer's consent, takes the marketing slot and signs the unsubscribe
// link (one GenerateMac in AWS, counted here where a key file stands in for KMS).
func sendCost(ctx context.Context, r *local.Runner, clients cloud.Clients, names func(string) string, queues map[string]string,
	keyDir string, prices *pricer) error {
	customers := &customer.Store{DB: clients.DynamoDB, Table: names("customers")}
	ring, err := keyring.MACRing(keyring.LocalRefs(keyDir)("unsubscribe"), nil)
	if err != nil {
		return err
	}
	signer := &customer.Signer{Store: customers}
	for _, k := range ring {
		signer.Keys = append(signer.Keys, k)
	}
	cases := []sendCase{
		{name: sendName, floor: sendFloors[sendName], prepare: func(_ context.Context, i int) (followup.Followup, error) {
			return followup.Followup{ID: id.New(time.Now()), Kind: "alert", DueAt: time.Now().Add(-time.Minute), Urgent: true,
				Recipient: followup.Recipient{Type: "staff", Channel: "email", Address: "frontdesk" + strconv.Itoa(i) + "@loc-1.example"},
				Subject:   "Service recovery", Body: "A guest answered 3."}, nil
		}},
		{name: marketingName, floor: sendFloors[marketingName], kms: 1, prepare: func(ctx context.Context, i int) (followup.Followup, error) {
			// A member who opted in to email and had a marketing message before: the
			// unsubscribe link's lookup is recorded (a first message records it too, in
			// a transaction of 4 write units), and the marketing slot is free again.
			now := time.Now()
			cid := "bench-member-" + id.New(now)
			if err := customers.SetConsent(ctx, cid, customer.Consent{Channel: "email", Granted: true, At: now, Source: "front-desk"}); err != nil {
				return followup.Followup{}, err
			}
			if _, err := signer.Token(ctx, cid, "email", now); err != nil {
				return followup.Followup{}, err
			}
			return followup.Followup{ID: id.New(now), Kind: followup.KindCampaign, DueAt: now.Add(-time.Minute), QuietHours: "00:00-00:00",
				Recipient: followup.Recipient{Type: "customer", ID: cid, Channel: "email", Address: cid + "@guest.example"},
				Subject:   "Our spring menu", Body: "A table for two awaits."}, nil
		}},
	}
	sendRows = nil
	for _, c := range cases {
		row, err := sendOne(ctx, r, clients, names("followups"), queues, prices, c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		sendRows = append(sendRows, row)
	}
	return nil
}

// sendOne prices sendK follow-ups of case c, made and then sent while no other is due.
func sendOne(ctx context.Context, r *local.Runner, clients cloud.Clients, table string, queues map[string]string, prices *pricer, c sendCase) (*sendPrice, error) {
	const k = sendK
	store := &followup.Store{DB: clients.DynamoDB, Table: table}
	for i := range k {
		f, err := c.prepare(ctx, i)
		if err != nil {
			return nil, err
		}
		f.DedupeKey = "bench-send#" + f.ID
		if _, err := store.Schedule(ctx, f); err != nil {
			return nil, err
		}
	}
	var (
		units          cost.Units
		parts          = &bill{}
		steps          = map[string]cost.Units{} // units by function
		sqsReq, fifoRq int
		kmsReq         int
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
		units, sqsReq, fifoRq, kmsReq = units.Add(b.units), sqsReq+b.sqs, fifoRq+b.fifo, kmsReq+b.kms
		steps[name] = steps[name].Add(b.units)
		parts.addParts(b.parts)
		return b.err
	}
	if err := run("followup-dispatcher", []byte(`{}`)); err != nil {
		return nil, err
	}
	if err := drain(ctx, clients, queues["followups"], k, func(payload []byte) error {
		sqsReq += 2 // what the event source does around each batch: a receive and a delete
		return run("followup-sender", payload)
	}); err != nil {
		return nil, err
	}
	if err := drain(ctx, clients, queues["emails"], k, func(payload []byte) error {
		fifoRq += 2
		return run("followup-email", payload)
	}); err != nil {
		return nil, err
	}
	per := cost.USEast1.Price(cost.Usage{Units: units, SQSRequests: sqsReq, SQSFIFORequests: fifoRq, KMSRequests: kmsReq})
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
	least := cost.USEast1.Price(cost.Usage{Units: cost.Units{Read: c.floor.units.Read * k, Write: c.floor.units.Write * k},
		SQSRequests: 3 * batches, SQSFIFORequests: 3 * batches, KMSRequests: c.kms * k})
	return &sendPrice{name: c.name, why: c.floor, k: k, units: cost.Units{Read: units.Read / k, Write: units.Write / k}, parts: perItem, steps: perStep,
		kmsRequests: float64(kmsReq) / k, dynamo: each(per.DynamoDB), lambda: each(lambda), sqs: each(per.SQS), kms: each(per.KMS),
		total: each(per.DynamoDB + lambda + per.SQS + per.KMS), floor: each(least.DynamoDB + lambda + least.SQS + least.KMS)}, nil
}

// sendFloors are the follow-up cases' floors, by case.
var sendFloors = map[string]floor{sendName: sendFloor, marketingName: marketingFloor}

// sendK is how many follow-ups of each case are sent.
const sendK = 100

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

// marketingFloor is sendFloor with what a marketing message to a customer adds.
var marketingFloor = floor{units: cost.Units{Read: 2, Write: 7}, why: "The alert's floor, and what a marketing message " +
	"to a customer adds: the customer's consent read consistently at the moment of sending (1: an opt-out a second ago " +
	"holds), the marketing slot taken (1: at most one a week, however many campaigns), the unsubscribe link's lookup " +
	"looked at (0.5, eventually consistent: recorded once per customer, channel and key version) and the link signed " +
	"inside KMS (one GenerateMac, $3 per million: the key never leaves KMS, and no table holds the link)."}

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
	name                       string
	why                        floor // the case's floor and its reasoning
	k                          int
	units                      cost.Units
	parts                      map[string]cost.Units // units by kind of item, per follow-up
	steps                      map[string]cost.Units // units by function, per follow-up
	kmsRequests                float64               // KMS requests per follow-up
	dynamo, lambda, sqs, total float64
	kms                        float64
	floor                      float64 // the case's floor all-in, with the run's Lambda time
}

// sendRows are the follow-up cases of the run, in the order they ran.
var sendRows []*sendPrice

// sendRow is the follow-up case called name, nil when it did not run.
func sendRow(name string) *sendPrice {
	for _, r := range sendRows {
		if r.name == name {
			return r
		}
	}
	return nil
}
