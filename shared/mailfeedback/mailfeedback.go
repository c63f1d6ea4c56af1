// Package mailfeedback feeds what only SES sees back into consent: the configuration
// set publishes bounce and complaint events to an SNS topic, the topic delivers them
// (wrapped in SNS's JSON envelope, raw delivery off) to the mail-feedback queue, and
// this flow turns the email consent of a permanently bouncing or complaining address's
// customer off.
package mailfeedback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Consent sources of the opt-outs this flow records.
const (
	SourceBounce    = "ses-bounce"
	SourceComplaint = "ses-complaint"
)

// Feedback is what one SES event asks of consent.
type Feedback struct {
	// Source is SourceBounce or SourceComplaint; "" when the event changes nothing (a
	// transient bounce, another event type, an SNS message that is not a notification).
	Source string
	// Recipients are the addresses as SES gives them.
	Recipients []string
	// At is when SES saw the bounce or complaint (zero if it did not say).
	At time.Time
	// Ignored says why an event changes nothing, for the log.
	Ignored string
}

// ErrMalformed wraps every reason a message cannot be read; retrying will not help,
// so the queue's redrive moves it to the DLQ for a look.
var ErrMalformed = errors.New("malformed SES notification")

type recipient struct {
	EmailAddress string `json:"emailAddress"`
}

type sesEvent struct {
	EventType        string `json:"eventType"`
	NotificationType string `json:"notificationType"` // identity notifications say this instead
	Bounce           *struct {
		BounceType        string      `json:"bounceType"`
		BouncedRecipients []recipient `json:"bouncedRecipients"`
		Timestamp         time.Time   `json:"timestamp"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients []recipient `json:"complainedRecipients"`
		Timestamp            time.Time   `json:"timestamp"`
	} `json:"complaint"`
}

// Parse reads one queue message: an SNS notification whose Message is an SES event (or,
// should raw delivery be turned on, the SES event itself).
func Parse(body string) (Feedback, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &top); err != nil {
		return Feedback{}, fmt.Errorf("%w: body is not a JSON object", ErrMalformed)
	}
	if rawType, ok := top["Type"]; ok { // the SNS envelope (keys are case-sensitive here)
		var typ, msg string
		if err := json.Unmarshal(rawType, &typ); err != nil {
			return Feedback{}, fmt.Errorf("%w: SNS Type is not a string", ErrMalformed)
		}
		if typ != "Notification" {
			return Feedback{Ignored: "sns-" + typ}, nil
		}
		if err := json.Unmarshal(top["Message"], &msg); err != nil {
			return Feedback{}, fmt.Errorf("%w: SNS Message is not a string", ErrMalformed)
		}
		body = msg
	}
	var ev sesEvent
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return Feedback{}, fmt.Errorf("%w: SES event does not decode", ErrMalformed)
	}
	kind := ev.EventType
	if kind == "" {
		kind = ev.NotificationType
	}
	var f Feedback
	var list []recipient
	switch kind {
	case "Bounce":
		if ev.Bounce == nil {
			return Feedback{}, fmt.Errorf("%w: Bounce event without bounce", ErrMalformed)
		}
		if ev.Bounce.BounceType != "Permanent" {
			// Transient (a full mailbox) and Undetermined: the address may work tomorrow.
			return Feedback{Ignored: "bounce-" + ev.Bounce.BounceType}, nil
		}
		f = Feedback{Source: SourceBounce, At: ev.Bounce.Timestamp}
		list = ev.Bounce.BouncedRecipients
	case "Complaint":
		if ev.Complaint == nil {
			return Feedback{}, fmt.Errorf("%w: Complaint event without complaint", ErrMalformed)
		}
		f = Feedback{Source: SourceComplaint, At: ev.Complaint.Timestamp}
		list = ev.Complaint.ComplainedRecipients
	case "":
		return Feedback{}, fmt.Errorf("%w: no eventType", ErrMalformed)
	default:
		return Feedback{Ignored: "event-" + kind}, nil
	}
	if len(list) == 0 {
		return Feedback{}, fmt.Errorf("%w: %s without recipients", ErrMalformed, kind)
	}
	for _, r := range list {
		f.Recipients = append(f.Recipients, r.EmailAddress)
	}
	return f, nil
}

// Handler applies each message of a batch, reporting the ones to retry.
type Handler struct {
	Customers *customer.Store
	Clock     clock.Clock
}

// Handle parses each record and turns the email consent of each known recipient off.
// An opt-out already recorded is not written again (customer.Store.OptOut), so a
// redelivered message changes nothing more. Addresses are never logged: only counts.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		counts, err := h.apply(ctx, rec.Body)
		if err != nil {
			slog.WarnContext(ctx, "mail feedback not applied", "messageId", rec.MessageId, "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		slog.InfoContext(ctx, "mail feedback", "messageId", rec.MessageId, "source", counts.source, "ignored", counts.ignored,
			"recipients", counts.recipients, "optedOut", counts.optedOut, "unchanged", counts.unchanged, "unknown", counts.unknown)
	}
	return resp, nil
}

type counts struct {
	source, ignored                          string
	recipients, optedOut, unchanged, unknown int
}

func (h *Handler) apply(ctx context.Context, body string) (counts, error) {
	f, err := Parse(body)
	if err != nil {
		return counts{}, err
	}
	c := counts{source: f.Source, ignored: f.Ignored, recipients: len(f.Recipients)}
	if f.Source == "" {
		return c, nil
	}
	at := f.At
	if at.IsZero() {
		at = h.Clock.Now()
	}
	for _, addr := range f.Recipients {
		email := addr
		if a, err := mail.ParseAddress(addr); err == nil {
			email = a.Address // "Name <a@b>" forms, should SES ever send one
		}
		if _, err := contact.NormalizeEmail(email); err != nil {
			c.unknown++
			continue
		}
		id, err := h.Customers.FindByContact(ctx, "", email)
		if err != nil {
			return c, err
		}
		if id == "" {
			c.unknown++
			continue
		}
		changed, err := h.Customers.OptOut(ctx, id, customer.Consent{Channel: "email", At: at, Source: f.Source, By: "ses"})
		if err != nil {
			return c, err
		}
		if changed {
			c.optedOut++
		} else {
			c.unchanged++ // off already, or a newer consent is current (logged only)
		}
	}
	return c, nil
}

// Function builds mail-feedback, fed by the mail-feedback queue.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	h := &Handler{Customers: &customer.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Locations: &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}}, Clock: d.Clock}
	return app.Function{Queue: h.Handle}, nil
}
