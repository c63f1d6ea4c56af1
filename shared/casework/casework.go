// Package casework is what a complaint's life does to other domains: the complainant's
// messages and callback (shared/followup), SLA notifications to staff, compensation
// on resolution (through a Compensator: points in the loyalty ledger, and a
// VoucherCompensator: a voucher of the rewards domain, casework/desk),
// and the customer a contact belongs to on intake (shared/customer). Effects
// implements complaint.Effects, adding its items to the case's own transaction; the
// function builders join the domains' stores.
package casework

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Effects turns a case's life into messages and points: it implements complaint.Effects.
type Effects struct {
	Followups *followup.Store
	// Compensation grants a resolution's compensation points; nil where the function
	// grants none (a compensation is then refused).
	Compensation Compensator
	// Vouchers issues a resolution's compensation voucher; nil where the function
	// issues none (a voucher is then refused).
	Vouchers VoucherCompensator
}

// Compensator grants a resolution's compensation points in the resolution's
// transaction, once per case however often it is resolved: granted says it was
// granted before (and nothing is added), entry names what it adds.
type Compensator interface {
	Compensate(ctx context.Context, tx *dynamo.Tx, r complaint.Resolution, refused error) (entry string, granted bool, err error)
}

// VoucherCompensator issues a resolution's compensation voucher in the resolution's
// transaction, once per case however often it is resolved: issued says an earlier
// resolution issued it (and nothing is added); code is the voucher's, either way.
type VoucherCompensator interface {
	CompensateVoucher(ctx context.Context, tx *dynamo.Tx, r complaint.Resolution, refused error) (code string, issued bool, err error)
}

var _ complaint.Effects = (*Effects)(nil)

// Items of a case's effects are refused only when another writer got to the same
// occasion first (a message's dedupe claim, a compensation's source claim): that is
// the case changing meanwhile, in the complaint domain's words.
var refused = complaint.ErrChanged

// Opened schedules the complainant's receipt, with the tracking link.
func (e *Effects) Opened(_ context.Context, tx *dynamo.Tx, o complaint.Opening) error {
	_, _, err := e.tell(tx, o.Case, o.Location, o.At, o.At, "complaint-received", "received", map[string]string{"link": o.TrackingURL})
	return err
}

// Resolved tells the complainant the outcome, schedules the callback asking how the
// handling felt, and grants the compensation points and voucher.
func (e *Effects) Resolved(ctx context.Context, tx *dynamo.Tx, r complaint.Resolution) (complaint.Settlement, error) {
	var done complaint.Settlement
	c := r.Case
	if _, _, err := e.tell(tx, c, r.Location, r.At, r.At, "complaint-outcome", "outcome", map[string]string{"resolution": c.Resolution}); err != nil {
		return done, err
	}
	if !r.CallbackAt.IsZero() {
		f, ok, err := e.tell(tx, c, r.Location, r.CallbackAt, r.At, "complaint-callback", "callback", nil)
		if err != nil {
			return done, err
		}
		if ok {
			done.CallbackID = f.ID
		}
	}
	if r.Voucher != nil {
		if e.Vouchers == nil {
			return done, problem.Field("compensation.voucher", "vouchers are not available to this function")
		}
		code, issued, err := e.Vouchers.CompensateVoucher(ctx, tx, r, refused)
		if err != nil {
			return done, err
		}
		done.VoucherCode, done.VoucherAlreadyIssued = code, issued
	}
	if r.Points > 0 {
		return e.compensate(ctx, tx, r, done)
	}
	return done, nil
}

// CallOff cancels a callback; one already being sent, or sent, is left to go.
func (e *Effects) CallOff(ctx context.Context, callbackID string, at time.Time) error {
	if err := e.Followups.Cancel(ctx, callbackID, at); err != nil && !errors.Is(err, followup.ErrNotCancellable) {
		return err
	}
	return nil
}

// compensate grants a resolution's points through the Compensator.
func (e *Effects) compensate(ctx context.Context, tx *dynamo.Tx, r complaint.Resolution, done complaint.Settlement) (complaint.Settlement, error) {
	if e.Compensation == nil {
		return done, problem.Field("compensationPoints", "loyalty is not available to this function")
	}
	entry, granted, err := e.Compensation.Compensate(ctx, tx, r, refused)
	done.CompensationEntry, done.AlreadyCompensated = entry, granted
	return done, err
}

// tell schedules a message to the complainant about the case (false when the contact
// left no way to reach them). Each is the occasion of a change only the transaction it
// joins can make: the case's opening (the case is put only if new), or its resolution
// at its current reopening (the case is written only at the version read, and a
// resolved case leads back only through a reopening, which moves the key on). So the
// occasion is new with that transaction, and no claim made before occasion ids can
// name it: its record alone claims it (followup.Store.ScheduleNewPuts).
func (e *Effects) tell(tx *dynamo.Tx, c complaint.Complaint, loc place.Location, due, now time.Time, template, occasion string, vars map[string]string) (followup.Followup, bool, error) {
	f, ok := toCustomer(c, loc, due, now, template, occasion, vars)
	if !ok {
		return f, false, nil
	}
	return f, true, e.schedule(tx, f, e.Followups.ScheduleNewPuts)
}

// schedule adds to tx the items that schedule f, as puts gives them (SchedulePuts, or
// ScheduleNewPuts for an occasion new with tx).
func (e *Effects) schedule(tx *dynamo.Tx, f followup.Followup, puts func(followup.Followup) ([]types.TransactWriteItem, error)) error {
	items, err := puts(f)
	if err != nil {
		return err
	}
	tx.Add(refused, items...)
	return nil
}

// toCustomer is a message to the complainant by email, else SMS; false when the
// contact left neither. Each message about a case follows the one before it (After):
// the outcome follows the receipt (or, after a reopening, the previous outcome) and
// the callback follows the outcome, so the customer reads them in the order they
// happened even when they fall due together.
func toCustomer(c complaint.Complaint, loc place.Location, due, now time.Time, template, occasion string, vars map[string]string) (followup.Followup, bool) {
	r, ok := followup.ToCustomer(c.CustomerID, c.Contact.Email, c.Contact.Phone, c.Contact.Locale, loc.TimeZone)
	if !ok {
		return followup.Followup{}, false
	}
	all := map[string]string{"reference": c.Reference}
	for k, v := range vars {
		all[k] = v
	}
	kind := followup.KindComplaintCallback
	if template != "complaint-callback" {
		kind = followup.KindComplaintUpdate
	}
	var after string
	switch {
	case occasion == "outcome" && c.Reopens == 0:
		after = messageKey(c.ID, "received", 0)
	case occasion == "outcome":
		after = messageKey(c.ID, "outcome", c.Reopens-1)
	case occasion == "callback":
		after = messageKey(c.ID, "outcome", c.Reopens)
	}
	key := messageKey(c.ID, occasion, c.Reopens)
	return followup.Followup{
		ID: followup.OccasionID(key), Kind: kind, LocationID: c.LocationID, Recipient: r, DueAt: due, QuietHours: loc.QuietHours,
		DedupeKey: key, After: after, TemplateID: template, Vars: all,
		Source: followup.Source{Type: "complaint", ID: c.ID}, CreatedAt: now,
	}, true
}

// messageKey is the dedupe key of a message to the complainant: one per case, occasion
// and reopening.
func messageKey(caseID, occasion string, reopens int) string {
	return fmt.Sprintf("complaint#%s#%s#%d", caseID, occasion, reopens)
}

// FollowupKeys are the dedupe keys of the messages a case sent its complainant: the
// receipt, the outcome and the callback, for every reopening.
func FollowupKeys(c complaint.Complaint) []string {
	var keys []string
	for n := 0; n <= c.Reopens; n++ {
		for _, occasion := range []string{"received", "outcome", "callback"} {
			keys = append(keys, messageKey(c.ID, occasion, n))
		}
	}
	return keys
}
