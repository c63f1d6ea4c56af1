// Package outreach joins follow-ups to the customers they reach and the locations they
// are sent from: the customers' consent and marketing cap at send time, their profile
// and consent when staff schedule by customer id, and the builders of the functions
// that need both (followup-sender, followups-staff).
package outreach

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
)

// Gate admits messages to customers by their consent per channel and the marketing
// frequency cap (followup.Gate); staff messages pass.
type Gate struct {
	Customers *customer.Store
	Signer    *customer.Signer
	PublicURL string
	// CapWindow is the least time between two marketing messages to one customer.
	CapWindow time.Duration
}

var _ followup.Gate = (*Gate)(nil)

// Admit applies the rules: a marketing message needs an opt-in and a free slot (at
// most one per CapWindow); a service message goes unless the customer opted out.
func (g *Gate) Admit(ctx context.Context, f followup.Followup, now time.Time) (followup.Admission, error) {
	r := f.Recipient
	if r.Type != "customer" || r.ID == "" {
		return followup.Admission{}, nil
	}
	consents, err := g.Customers.Consents(ctx, r.ID)
	if err != nil {
		return followup.Admission{}, err
	}
	c, asked := consents[r.Channel]
	marketing := followup.Marketing(f.Kind)
	switch {
	case asked && !c.Granted:
		return followup.Admission{Skip: fmt.Sprintf("opted out of %s on %s (%s)", r.Channel, c.At.Format(time.DateOnly), c.Source)}, nil
	case marketing && !asked:
		return followup.Admission{Skip: "no opt-in for marketing by " + r.Channel}, nil
	case !marketing:
		return followup.Admission{}, nil
	}
	last, err := g.Customers.TakeMarketingSlot(ctx, r.ID, now, g.CapWindow)
	if errors.Is(err, customer.ErrCapped) {
		return followup.Admission{Skip: fmt.Sprintf("frequency cap: a marketing message went out %s", last.Format(time.RFC3339))}, nil
	}
	if err != nil {
		return followup.Admission{}, err
	}
	adm := followup.Admission{Release: func(ctx context.Context) { _ = g.Customers.ReleaseMarketingSlot(ctx, r.ID, now) }}
	token, err := g.Signer.Token(ctx, r.ID, r.Channel, now)
	if err != nil {
		adm.Release(ctx)
		return followup.Admission{}, err
	}
	adm.UnsubscribeURL = strings.TrimRight(g.PublicURL, "/") + "/v1/u/" + token
	return adm, nil
}

// Directory is the customer domain as scheduling sees it (followup.Directory).
type Directory struct {
	Customers *customer.Store
}

var _ followup.Directory = Directory{}

// Reachable checks that the caller may act on the customer.
func (d Directory) Reachable(ctx context.Context, p auth.Principal, cid string) error {
	return d.Customers.Reachable(ctx, p, cid)
}

// Profile is the customer's profile (a merged duplicate's survivor); zero when they
// have none.
func (d Directory) Profile(ctx context.Context, cid string) (followup.Profile, error) {
	prof, err := d.Customers.Profile(ctx, cid)
	if errors.Is(err, customer.ErrNoProfile) {
		return followup.Profile{}, nil
	}
	if err != nil {
		return followup.Profile{}, err
	}
	return followup.Profile{ID: prof.ID, Email: prof.Email, Phone: prof.Phone, Locale: prof.Locale, TimeZone: prof.TimeZone,
		Locations: prof.Locations()}, nil
}

// Consents are the customer's answers by channel.
func (d Directory) Consents(ctx context.Context, cid string) (map[string]followup.Consent, error) {
	cs, err := d.Customers.Consents(ctx, cid)
	if err != nil {
		return nil, err
	}
	out := make(map[string]followup.Consent, len(cs))
	for ch, c := range cs {
		out[ch] = followup.Consent{Granted: c.Granted, At: c.At, Source: c.Source}
	}
	return out, nil
}
