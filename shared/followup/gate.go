package followup

import (
	"context"
	"strings"
	"time"
)

// Gate decides whether a message may go to its recipient now: the customers' consent
// and the marketing frequency cap (shared/outreach answers it for the customer domain).
type Gate interface {
	Admit(ctx context.Context, f Followup, now time.Time) (Admission, error)
}

// Admission is a gate's answer.
type Admission struct {
	// Skip, when set, is why the message must not go (the follow-up is skipped).
	Skip string
	// Release undoes what admitting took (the frequency-cap slot) if the send fails.
	Release func(context.Context)
	// UnsubscribeURL goes into marketing messages.
	UnsubscribeURL string
}

// withUnsubscribe appends the unsubscribe link to a marketing message's body.
func withUnsubscribe(m Message, url string) Message {
	if url == "" {
		return m
	}
	label := "Unsubscribe"
	if strings.HasPrefix(m.Locale, "zh") {
		label = "退订"
	}
	m.Body += "\n\n" + label + ": " + url
	return m
}
