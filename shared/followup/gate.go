package followup

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/customer"
)

// Gate decides whether a message may go to its recipient now.
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

// CustomerGate admits messages to customers by their consent per channel and the
// marketing frequency cap; staff messages pass.
type CustomerGate struct {
	Customers *customer.Store
	Signer    *customer.Signer
	PublicURL string
	// CapWindow is the least time between two marketing messages to one customer.
	CapWindow time.Duration
}

// Admit applies the rules: a marketing message needs an opt-in and a free slot (at
// most one per CapWindow); a service message goes unless the customer opted out.
func (g *CustomerGate) Admit(ctx context.Context, f Followup, now time.Time) (Admission, error) {
	r := f.Recipient
	if r.Type != "customer" || r.ID == "" {
		return Admission{}, nil
	}
	consents, err := g.Customers.Consents(ctx, r.ID)
	if err != nil {
		return Admission{}, err
	}
	c, asked := consents[r.Channel]
	marketing := Marketing(f.Kind)
	switch {
	case asked && !c.Granted:
		return Admission{Skip: fmt.Sprintf("opted out of %s on %s (%s)", r.Channel, c.At.Format(time.DateOnly), c.Source)}, nil
	case marketing && !asked:
		return Admission{Skip: "no opt-in for marketing by " + r.Channel}, nil
	case !marketing:
		return Admission{}, nil
	}
	last, err := g.Customers.TakeMarketingSlot(ctx, r.ID, now, g.CapWindow)
	if errors.Is(err, customer.ErrCapped) {
		return Admission{Skip: fmt.Sprintf("frequency cap: a marketing message went out %s", last.Format(time.RFC3339))}, nil
	}
	if err != nil {
		return Admission{}, err
	}
	adm := Admission{Release: func(ctx context.Context) { _ = g.Customers.ReleaseMarketingSlot(ctx, r.ID, now) }}
	token, err := g.Signer.Token(ctx, r.ID, r.Channel, now)
	if err != nil {
		adm.Release(ctx)
		return Admission{}, err
	}
	adm.UnsubscribeURL = strings.TrimRight(g.PublicURL, "/") + "/v1/u/" + token
	return adm, nil
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
