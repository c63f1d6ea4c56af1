package rewarding

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/reward"
)

// Profiles read a customer's profile (the customer domain): where and in which
// language to tell them of a voucher.
type Profiles interface {
	Profile(ctx context.Context, cid string) (customer.Profile, error)
}

// Notices tell customers of their vouchers (reward.Notices): the message delivering
// a voucher and the reminder before it expires, each a follow-up carrying the link to
// the customer's voucher page. Each follow-up's id is its occasion's, derived from
// the voucher's code ("voucher#<code>", "voucher-expiry#<code>"), and is scheduled in
// the voucher's own transaction, so a repeated or concurrent run schedules it once.
// Both are service messages (the customer's own voucher): no opt-in needed, sent
// unless the customer opted out of the channel, outside the marketing cap.
type Notices struct {
	Customers Profiles
	Links     *reward.Links
	Followups *followup.Store
	// PublicURL is the API's public address, which the link starts with.
	PublicURL string
}

var _ reward.Notices = (*Notices)(nil)

// Deliver schedules the message that gives the customer their voucher.
func (n *Notices) Deliver(ctx context.Context, v reward.Voucher, now time.Time) ([]types.TransactWriteItem, error) {
	return n.message(ctx, v, now, followup.KindVoucher)
}

// Remind schedules the reminder before the voucher expires.
func (n *Notices) Remind(ctx context.Context, v reward.Voucher, now time.Time) ([]types.TransactWriteItem, error) {
	return n.message(ctx, v, now, followup.KindVoucherExpiry)
}

// message is the follow-up of kind (also its template's id) about v, due now, with
// the link's lookup; none for a customer erased or without an address.
func (n *Notices) message(ctx context.Context, v reward.Voucher, now time.Time, kind string) ([]types.TransactWriteItem, error) {
	prof, err := n.Customers.Profile(ctx, v.CustomerID)
	switch {
	case errors.Is(err, customer.ErrNoProfile):
		return nil, nil
	case err != nil:
		return nil, err
	}
	to, ok := followup.ToCustomer(prof.ID, prof.Email, prof.Phone, prof.Locale, prof.TimeZone)
	if !ok {
		return nil, nil
	}
	token, lookups, err := n.Links.Token(ctx, reward.Link{Code: v.Code, CustomerID: v.CustomerID, Locale: to.Locale, TimeZone: to.TimeZone})
	if err != nil {
		return nil, err
	}
	zone, err := followup.Zone(to.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	key := kind + "#" + v.Code
	puts, err := n.Followups.SchedulePuts(followup.Followup{ID: followup.OccasionID(key), Kind: kind, LocationID: v.LocationID,
		Recipient: to, DueAt: now, DedupeKey: key, TemplateID: kind,
		Vars: map[string]string{"name": v.Title(to.Locale), "expiresOn": v.ExpiresAt.In(zone).Format("2006-01-02"),
			"link": PageURL(n.PublicURL, token)},
		Source: followup.Source{Type: "voucher", ID: v.Code}, CreatedAt: now})
	if err != nil {
		return nil, err
	}
	return append(lookups, puts...), nil
}

// PageURL is the address of the voucher page of token.
func PageURL(base, token string) string {
	return strings.TrimRight(base, "/") + "/v1/v/" + token
}
