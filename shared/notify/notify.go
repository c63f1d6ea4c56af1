// Package notify sends messages over email, SMS and webhooks.
//
// Each adapter (Webhook over HTTPS here; email over Amazon SES v2 in notify/email and
// SMS over Amazon SNS in notify/sms, apart so that only the sender links those
// services) delivers one Message and sorts its failures in two: errors that wrap
// ErrPermanent can never succeed for this message (an invalid address, an opted-out
// number, a receiver that answers 400), every other error is transient and worth
// retrying. Failures of the sending account or its configuration (an unverified
// sender, a suspended account, missing permissions) are transient on purpose: they are
// fixed by an operator, and until then the message waits in the queue and its DLQ
// instead of being skipped.
//
// Error texts never carry the recipient's address or phone number, nor a webhook
// URL's query (where bot webhooks keep their access tokens): callers log them.
package notify

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ErrPermanent marks a delivery that can never succeed: the message should be
// skipped with the error as its reason, not retried. followup.ErrPermanent is meant
// to be this same value.
var ErrPermanent = errors.New("permanent delivery failure")

// Message is one message to one recipient, already rendered.
type Message struct {
	// ID is the follow-up's id: receivers use it as a dedupe key (SES email tag and
	// header, webhook header and body).
	ID   string
	Kind string
	// Channel is the name the message was routed by ("email", "sms", "webhook").
	Channel string
	// To is an email address, an E.164 phone number, or the webhook's URL.
	To     string
	Locale string
	// Subject is the email subject and the webhook's title; SMS ignores it.
	Subject string
	// Text is the plain-text body (SMS, webhook, the email's text part); HTML is the
	// email's optional HTML part.
	Text       string
	HTML       string
	LocationID string
	// Marketing marks a promotional message: SMS goes as Promotional instead of
	// Transactional, and email carries List-Unsubscribe headers when UnsubscribeURL
	// is set.
	Marketing      bool
	UnsubscribeURL string
	// SentAt is when the sender handed the message over; zero means now.
	SentAt time.Time
}

// Channel is what every adapter (Webhook, email.Channel, sms.Channel) is: followup's
// Channel with this package's Message.
type Channel interface {
	Deliver(ctx context.Context, m Message) error
}

// failure is a delivery error: a short operation, whether it is permanent, and the
// cause, whose text is shown with the recipient redacted. errors.Is and errors.As
// see both ErrPermanent (when permanent) and the cause.
type failure struct {
	op        string
	permanent bool
	cause     error
	redact    []string
}

func (f *failure) Error() string {
	if f.cause == nil {
		return f.op
	}
	msg := f.cause.Error()
	for _, s := range f.redact {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[recipient]")
		}
	}
	return f.op + ": " + msg
}

func (f *failure) Unwrap() []error {
	var errs []error
	if f.permanent {
		errs = append(errs, ErrPermanent)
	}
	if f.cause != nil {
		errs = append(errs, f.cause)
	}
	return errs
}

// Permanent is a failure of this message that retrying cannot fix: op is a short
// operation, cause (optional) what went wrong; each redact string (the recipient's
// address in the forms a service may quote it) is masked in the error's text.
func Permanent(op string, cause error, redact ...string) error {
	return &failure{op: op, permanent: true, cause: cause, redact: redact}
}

// Transient is a failure that may pass on a later attempt (arguments as Permanent).
func Transient(op string, cause error, redact ...string) error {
	return &failure{op: op, cause: cause, redact: redact}
}

// oneLine folds a rendered subject's line breaks and runs of space into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
