// Package membership joins the loyalty programme to the customers it serves, the
// follow-ups it causes and the vouchers it gives: it tells members of their tier
// changes and of points about to expire, issues the birthday voucher (birthday.go),
// and builds the loyalty function and the jobs that do so.
package membership

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/loyalty"
)

// Scheduler gives the transaction items that schedule a follow-up.
type Scheduler interface {
	SchedulePuts(followup.Followup) ([]types.TransactWriteItem, error)
}

// Messages are the programme's effects (loyalty.Effects): a follow-up to the member for
// each event worth telling, scheduled in the event's own transaction.
type Messages struct {
	Followups Scheduler
}

var _ loyalty.Effects = Messages{}

// TierChanged tells a member of a new tier, or that theirs will go down unless they
// earn it back; keeping one's tier needs no message.
func (m Messages) TierChanged(ev loyalty.TierChanged) ([]types.TransactWriteItem, error) {
	f, ok := tierMessage(ev.Account, ev.Change, ev.At)
	if !ok {
		return nil, nil
	}
	return m.Followups.SchedulePuts(f)
}

// PointsExpiring reminds a member of a lot's remaining points before they expire.
func (m Messages) PointsExpiring(ev loyalty.PointsExpiring) ([]types.TransactWriteItem, error) {
	r, ok := recipient(ev.Account)
	if !ok {
		return nil, nil
	}
	lot, now := ev.Lot, ev.At
	key := "points-expiry#" + lot.ID
	return m.Followups.SchedulePuts(followup.Followup{ID: followup.OccasionID(key), Kind: followup.KindPointsExpiry, Recipient: r, DueAt: now,
		DedupeKey: key, TemplateID: "points-expiry",
		Vars:   map[string]string{"points": fmt.Sprint(lot.Remaining), "expiresOn": lot.ExpiresAt.Format("2006-01-02")},
		Source: followup.Source{Type: "loyalty-lot", ID: lot.ID}, CreatedAt: now})
}

// recipient is the member's address for a message, by email or else SMS; false when
// they left neither.
func recipient(a loyalty.Account) (followup.Recipient, bool) {
	return followup.ToCustomer(a.CustomerID, a.Email, a.Phone, a.Locale, a.TimeZone)
}

// tierMessage is the message of a tier change; false when there is none to send (the
// tier was kept) or no one to tell (no address).
func tierMessage(a loyalty.Account, ch loyalty.TierChange, now time.Time) (followup.Followup, bool) {
	r, ok := recipient(a)
	if !ok || ch.Kind == "kept" {
		return followup.Followup{}, false
	}
	template, vars := "tier-change", map[string]string{"tier": ch.To}
	if ch.Kind == "downgrade_notice" && a.DowngradeAt != nil {
		// Still in the tier: say what happens, and by when it can be kept.
		template, vars = "tier-notice", map[string]string{"tier": ch.From, "next": ch.To, "on": a.DowngradeAt.Format("2006-01-02")}
	}
	key := fmt.Sprintf("tier#%s#%s#%s#%s", a.CustomerID, ch.Kind, ch.To, now.Format("2006-01-02"))
	return followup.Followup{ID: followup.OccasionID(key), Kind: followup.KindTierChange, Recipient: r, DueAt: now,
		DedupeKey: key, TemplateID: template, Vars: vars,
		Source: followup.Source{Type: "loyalty-account", ID: a.CustomerID}, CreatedAt: now}, true
}
