package followup

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/notify"
)

// Channel delivers a message. Deliver must be safe to call twice for one message id.
type Channel interface {
	Deliver(ctx context.Context, m Message) error
}

// Sender consumes the follow-up queue and delivers each follow-up once in effect.
type Sender struct {
	Store    *Store
	Channels map[string]Channel
	Clock    clock.Clock
	// Lease is how long a claim on a follow-up lasts; a sender that dies mid-send
	// leaves it to expire, and a redelivery then sends again.
	Lease time.Duration
	// Gate, when set, applies consent and frequency caps to customers' messages.
	Gate Gate
	// Brand is the business's look in templated messages; a location's registered
	// branding (Locations) replaces it for that location's messages.
	Brand     notify.Brand
	Locations Places
	// Retry, when set, backs failed messages off: each receive waits twice as long
	// before SQS shows the message again (RetryBase, twice that, four times…), up to
	// 15 minutes.
	Retry     Visibility
	QueueURL  string
	RetryBase time.Duration
	// MaxReceives is the queue's maxReceiveCount: a message failing its last receive
	// goes to the DLQ, and its follow-up is marked failed.
	MaxReceives int
	// MaxWait is how long a follow-up waits for its predecessor (After) before it is
	// sent anyway: an order kept at the price of a message never sent is no order.
	// Zero is DefaultMaxWait.
	MaxWait time.Duration
}

// DefaultMaxWait is how long a follow-up waits for its predecessor by default: longer
// than a predecessor's whole retry budget (five receives, backed off) and the
// dispatcher's stuck watch together.
const DefaultMaxWait = time.Hour

// waitError says a follow-up's predecessor is not done: the follow-up is held back,
// due again no earlier than until.
type waitError struct {
	id, after string
	until     time.Time
}

func (e *waitError) Error() string {
	return fmt.Sprintf("follow-up %s waits for %s", e.id, e.after)
}

// Visibility is the part of the SQS client that delays a message's next receive.
type Visibility interface {
	ChangeMessageVisibility(context.Context, *sqs.ChangeMessageVisibilityInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// Backoff is the wait before the next receive of a message received n times.
func Backoff(first time.Duration, n int) time.Duration {
	const most = 15 * time.Minute
	if n < 1 {
		n = 1
	}
	if n > 10 {
		return most
	}
	return min(first<<(n-1), most)
}

// Handle processes a batch and reports the messages to retry; the rest are deleted.
// A message that can never be processed (bad JSON, unknown follow-up) is reported
// failed every time, so SQS moves it to the DLQ after maxReceiveCount.
//
// A follow-up whose predecessor (After) is not done waits: the batch is gone through
// again while that lets any through (a receipt later in the batch than its outcome),
// and what still waits is held back in the table, due again at once, for the
// dispatcher's next run. Its message is deleted: holding back is not a failure and
// must not spend the message's receives on its way to the DLQ.
func (s *Sender) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	held := map[string]*waitError{}
	waiting := s.pass(ctx, ev.Records, held, &resp)
	for len(waiting) > 0 {
		still := s.pass(ctx, waiting, held, &resp)
		if len(still) == len(waiting) {
			break
		}
		waiting = still
	}
	for _, rec := range waiting {
		if err := s.hold(ctx, held[rec.MessageId]); err != nil {
			slog.WarnContext(ctx, "follow-up not held back", "messageId", rec.MessageId, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		slog.InfoContext(ctx, "follow-up", "messageId", rec.MessageId, "outcome", "held:waits-for-predecessor")
	}
	return resp, nil
}

// handover is a claimed follow-up whose message waits to be handed to its batch
// channel with the others of its pass.
type handover struct {
	rec   events.SQSMessage
	f     Followup
	owner string
	adm   Admission
	msg   Message
	ch    BatchChannel
}

// pass goes through recs once, returning those that wait for their predecessor, and
// then hands the messages for each batch channel over together, recording each one's
// outcome: one request per batch rather than per message. A predecessor is recorded
// sent by the end of the pass, so the next pass lets its successor go. A message of a
// follow-up already taken in this round (SQS delivers at least once, a copy may share
// the batch) waits for the round's end and then finds it done, as it would have had
// the first been sent at once.
func (s *Sender) pass(ctx context.Context, recs []events.SQSMessage, held map[string]*waitError, resp *events.SQSEventResponse) []events.SQSMessage {
	var waiting []events.SQSMessage
	for len(recs) > 0 {
		var again []events.SQSMessage
		taken := map[string]bool{}
		batches := map[BatchChannel][]handover{}
		for _, rec := range recs {
			fid := followupOf(rec)
			if fid != "" {
				if taken[fid] {
					again = append(again, rec)
					continue
				}
				taken[fid] = true
			}
			h, w := s.process(ctx, rec, fid, resp)
			switch {
			case w != nil:
				waiting, held[rec.MessageId] = append(waiting, rec), w
			case h != nil:
				batches[h.ch] = append(batches[h.ch], *h)
			}
		}
		for ch, hs := range batches {
			ms := make([]Message, len(hs))
			for i, h := range hs {
				ms[i] = h.msg
			}
			errs := ch.DeliverBatch(ctx, ms)
			for i, h := range hs {
				outcome, err := s.delivered(ctx, h.f, h.owner, h.adm, errs[i])
				s.settle(ctx, h.rec, h.f.ID, outcome, err, resp)
			}
		}
		recs = again
	}
	return waiting
}

// followupOf is the follow-up a message names, "" when its body names none.
func followupOf(rec events.SQSMessage) string {
	var msg queueMessage
	if json.Unmarshal([]byte(rec.Body), &msg) != nil {
		return ""
	}
	return msg.FollowupID
}

// process handles one message, naming follow-up fid ("" for none), reporting a
// failure in resp; it returns the handover when the message waits for its batch, and
// the wait when the follow-up must wait for its predecessor (nothing is reported then).
func (s *Sender) process(ctx context.Context, rec events.SQSMessage, fid string, resp *events.SQSEventResponse) (*handover, *waitError) {
	outcome, h, err := s.handle(ctx, fid)
	var w *waitError
	switch {
	case errors.As(err, &w):
		return nil, w
	case err == nil && h != nil:
		h.rec = rec
		return h, nil
	}
	s.settle(ctx, rec, fid, outcome, err, resp)
	return nil, nil
}

// settle logs a message's outcome, or reports its failure in resp: on its last receive
// the follow-up is marked failed as SQS moves the message to the DLQ, else its next
// receive is backed off.
func (s *Sender) settle(ctx context.Context, rec events.SQSMessage, fid, outcome string, err error, resp *events.SQSEventResponse) {
	if err == nil {
		slog.InfoContext(ctx, "follow-up", "messageId", rec.MessageId, "outcome", outcome)
		return
	}
	slog.WarnContext(ctx, "follow-up not sent", "messageId", rec.MessageId, "error", err.Error())
	resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
	if lastReceive(s.MaxReceives, rec) && fid != "" {
		// SQS moves the message to the DLQ now: the record says so, and why.
		if ferr := s.Store.markFailed(context.WithoutCancel(ctx), fid, err.Error(), s.Clock.Now()); ferr != nil {
			slog.WarnContext(ctx, "mark failed", "followupId", fid, "error", ferr.Error())
		}
		return
	}
	backOff(ctx, s.Retry, s.QueueURL, s.RetryBase, rec)
}

// hold puts a waiting follow-up back in the table, due again when its wait says; if it
// is no longer waiting (another delivery took it), there is nothing to hold.
func (s *Sender) hold(ctx context.Context, w *waitError) error {
	_, err := s.Store.hold(ctx, w.id, w.until, s.Clock.Now())
	return err
}

// waitFor tells whether f must wait for its predecessor, the follow-up of the occasion
// it names in After, and until when at least: the predecessor's due time when it is
// not due yet, else now (the dispatcher's next run). A predecessor that is done (sent,
// skipped, failed, cancelled), or none, lets it go; so does waiting MaxWait.
func (s *Sender) waitFor(ctx context.Context, f Followup, now time.Time) error {
	if f.After == "" {
		return nil
	}
	prev, ok, err := s.Store.ByOccasion(ctx, f.After)
	if err != nil || !ok || prev.ID == f.ID {
		return err
	}
	switch prev.Status {
	case Sent, Skipped, Failed, Cancelled:
		return nil
	}
	most := cmp.Or(s.MaxWait, DefaultMaxWait)
	since := now
	if f.WaitingSince != nil {
		since = *f.WaitingSince
	}
	if now.Sub(since) >= most {
		slog.WarnContext(ctx, "follow-up sent before its predecessor", "followupId", f.ID, "predecessor", prev.ID,
			"predecessorStatus", string(prev.Status), "waited", now.Sub(since).String())
		return nil
	}
	until := now
	if prev.Status == Scheduled && prev.DueAt.After(now) {
		until = minTime(prev.DueAt, since.Add(most))
	}
	return &waitError{id: f.ID, after: prev.ID, until: until}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// backOff delays a failed message's next receive (Backoff of its receive count); if
// that fails, or there is no client, the queue's own visibility timeout applies.
func backOff(ctx context.Context, v Visibility, queueURL string, base time.Duration, rec events.SQSMessage) {
	if v == nil || rec.ReceiptHandle == "" {
		return
	}
	_, err := v.ChangeMessageVisibility(context.WithoutCancel(ctx), &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(rec.ReceiptHandle),
		VisibilityTimeout: int32(Backoff(base, receives(rec)) / time.Second),
	})
	if err != nil {
		slog.WarnContext(ctx, "back off", "messageId", rec.MessageId, "error", err.Error())
	}
}

// lastReceive tells whether a failing message is now going to the DLQ, after its
// queue's maxReceiveCount receives.
func lastReceive(maxReceives int, rec events.SQSMessage) bool {
	return maxReceives > 0 && receives(rec) >= maxReceives
}

// handle sends follow-up fid; a message that names none is poison.
func (s *Sender) handle(ctx context.Context, fid string) (string, *handover, error) {
	if fid == "" {
		return "", nil, fmt.Errorf("poison message: not a follow-up reference")
	}
	return s.send(ctx, fid)
}

// send delivers one follow-up, or returns it claimed with its message for a batch
// channel (handover). A failed one (dead-lettered before) is sent again when an
// operator redrives its message.
//
// The claim reads the follow-up as it takes it, so one that follows no predecessor
// costs one write and no read. One that does (After) is refused that claim, which
// returns it as it stands: it is checked against its predecessor (waitFor) and only
// then claimed.
func (s *Sender) send(ctx context.Context, fid string) (string, *handover, error) {
	now := s.Clock.Now()
	owner := id.New(now)
	it, claimed, err := s.Store.claim(ctx, fid, owner, now, s.Lease, false)
	if err != nil {
		return "", nil, err
	}
	if !claimed && it.PK == "" {
		return "", nil, fmt.Errorf("follow-up %s: %w", fid, ErrNotFound)
	}
	if !claimed && it.After != "" && !done(it.Status) {
		if err := s.waitFor(ctx, it.Followup, now); err != nil {
			return "", nil, err
		}
		if it, claimed, err = s.Store.claim(ctx, fid, owner, now, s.Lease, true); err != nil {
			return "", nil, err
		}
	}
	if !claimed {
		// Another delivery of this message holds the lease, or it is done.
		if done(it.Status) {
			return "done:" + string(it.Status), nil, nil
		}
		return "", nil, fmt.Errorf("follow-up %s is being sent by another delivery", fid)
	}
	return s.deliver(ctx, it.Followup, owner)
}

// done tells whether a follow-up has its outcome and is never sent again (a failed
// one is, when its message is redriven).
func done(st Status) bool { return st == Sent || st == Skipped || st == Cancelled }

func (s *Sender) deliver(ctx context.Context, f Followup, owner string) (string, *handover, error) {
	if f.Unroutable != "" {
		outcome, err := s.end(ctx, f, owner, Skipped, f.Unroutable)
		return outcome, nil, err
	}
	ch, ok := s.Channels[f.Recipient.Channel]
	if !ok {
		outcome, err := s.end(ctx, f, owner, Skipped, "no channel "+f.Recipient.Channel)
		return outcome, nil, err
	}
	now := s.Clock.Now()
	var adm Admission
	if s.Gate != nil {
		var err error
		if adm, err = s.Gate.Admit(ctx, f, now); err != nil {
			s.releaseLease(ctx, f.ID, owner)
			return "", nil, fmt.Errorf("admit %s: %w", f.ID, err)
		}
		if adm.Skip != "" {
			outcome, err := s.end(ctx, f, owner, Skipped, adm.Skip)
			return outcome, nil, err
		}
	}
	msg := withUnsubscribe(f.message(now), adm.UnsubscribeURL)
	if f.TemplateID != "" {
		var err error
		msg = f.message(now)
		if msg.Subject, msg.Body, msg.HTML, err = render(f, s.brand(ctx, f), adm.UnsubscribeURL); err != nil {
			if adm.Release != nil {
				adm.Release(context.WithoutCancel(ctx))
			}
			outcome, err := s.end(ctx, f, owner, Skipped, err.Error())
			return outcome, nil, err
		}
	}
	msg.UnsubscribeURL = adm.UnsubscribeURL
	if bc, ok := ch.(BatchChannel); ok {
		return "", &handover{f: f, owner: owner, adm: adm, msg: msg, ch: bc}, nil
	}
	outcome, err := s.delivered(ctx, f, owner, adm, ch.Deliver(ctx, msg))
	return outcome, nil, err
}

// delivered records what the channel made of f's message: sent; skipped when it
// refused it for good; on a transient failure nothing, the admission and the lease
// given back for a retry.
func (s *Sender) delivered(ctx context.Context, f Followup, owner string, adm Admission, err error) (string, error) {
	switch {
	case errors.Is(err, ErrPermanent):
		return s.end(ctx, f, owner, Skipped, err.Error())
	case err != nil:
		if adm.Release != nil {
			adm.Release(context.WithoutCancel(ctx))
		}
		s.releaseLease(ctx, f.ID, owner)
		return "", fmt.Errorf("deliver %s: %w", f.ID, err)
	}
	return s.end(ctx, f, owner, Sent, "")
}

func (s *Sender) releaseLease(ctx context.Context, id, owner string) {
	if err := s.Store.release(ctx, id, owner); err != nil {
		slog.WarnContext(ctx, "release lease", "followupId", id, "error", err.Error())
	}
}

func (s *Sender) end(ctx context.Context, f Followup, owner string, status Status, reason string) (string, error) {
	ok, err := s.Store.finish(ctx, f.ID, owner, status, s.Clock.Now(), reason)
	if err != nil {
		return "", err
	}
	if !ok {
		// The lease expired and another delivery took over; it records the outcome.
		return "lease-lost", nil
	}
	return string(status), nil
}

// brand is the look of a follow-up's message: its location's branding where registered.
func (s *Sender) brand(ctx context.Context, f Followup) notify.Brand {
	b := s.Brand
	if s.Locations == nil || f.LocationID == "" {
		return b
	}
	loc, err := s.Locations.Location(ctx, f.LocationID)
	if err != nil {
		return b // unknown location (or a read failure): the deployment's brand
	}
	lb := loc.Branding
	if lb.Name != "" {
		b.Name = lb.Name
	}
	b.Color, b.LogoURL, b.FooterText = lb.Color, lb.LogoURL, lb.FooterText
	return b
}
