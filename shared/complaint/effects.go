package complaint

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/place"
)

// Effects is what a case's life does beyond the complaints table: messages to the
// complainant and to staff, compensation points and vouchers. The flow that joins complaints to
// those domains (shared/casework) implements it. A method given a transaction adds its
// items to the case's own, naming what a refused condition on them means, so a case
// change and its effects are stored together or not at all.
type Effects interface {
	// Opened adds what a new case causes (the complainant's receipt).
	Opened(ctx context.Context, tx *dynamo.Tx, o Opening) error
	// Resolved adds what a resolution causes and says what was done.
	Resolved(ctx context.Context, tx *dynamo.Tx, r Resolution) (Settlement, error)
	// Escalated adds what one SLA ladder step causes (the staff it tells).
	Escalated(ctx context.Context, tx *dynamo.Tx, e Escalation) error
	// CallOff cancels the callback a resolution scheduled, once the case is reopened;
	// a callback already on its way is no error.
	CallOff(ctx context.Context, callbackID string, at time.Time) error
}

// Opening is a new case: what the complainant is told they filed.
type Opening struct {
	Case     Complaint
	Location place.Location
	// TrackingURL is the customer's link to follow the case ("" when the function has
	// no public URL).
	TrackingURL string
	At          time.Time
}

// Resolution is a case resolved, with what the resolution promised.
type Resolution struct {
	// Case is the case as resolved: its resolution, root cause and reopen count set.
	Case     Complaint
	Location place.Location
	At       time.Time
	Actor    string
	// CallbackAt is when to ask the complainant how the handling felt; zero for no
	// callback (the settings' CallbackAfterDays is 0).
	CallbackAt time.Time
	// Points are the compensation granted with the resolution, once per case however
	// often it is resolved; 0 for none. The case is linked to a customer when set.
	Points int
	// Voucher is the compensation voucher granted with the resolution, once per case
	// however often it is resolved (its currency set); nil for none. The case is
	// linked to a customer when set.
	Voucher *VoucherGrant
}

// Settlement is what a resolution's effects did.
type Settlement struct {
	// CallbackID is the callback scheduled ("" when none: no callback, or no address
	// to call back); the case keeps it to call it off if reopened.
	CallbackID string
	// CompensationEntry names the points granted now; AlreadyCompensated says an
	// earlier resolution of the case granted them.
	CompensationEntry  string
	AlreadyCompensated bool
	// VoucherCode is the compensation voucher's code: issued now, or, when
	// VoucherAlreadyIssued, by an earlier resolution of the case (nothing is added).
	VoucherCode          string
	VoucherAlreadyIssued bool
}

// Escalation is one SLA ladder step a case's clock reached.
type Escalation struct {
	// Case is the case as it will be written, its clocks advanced past the step.
	Case     Complaint
	Location place.Location
	Firing   Firing
	// Type is EventSLAWarning, EventSLABreach or EventEscalated.
	Type string
	Step Step
	// To are the staff the step tells, each with an address: the case's agent, the
	// location's managers or head office. Empty when the step found no one.
	To []contact.Contact
	At time.Time
}
