package followup

import (
	"context"
	"errors"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/problem"
)

// The follow-up domain's access policy. A follow-up belongs to the location it is
// sent from; one without a location (a reminder the ledger schedules) belongs to
// none, so only all-locations tokens see it. Scheduling acts on the customer too: the
// caller must see both the location and the customer.

// Directory is what the policy and scheduling need of the customer domain.
type Directory interface {
	Location(ctx context.Context, id string) (customer.Location, error)
	Reachable(ctx context.Context, p auth.Principal, cid string) error
}

// Sees reports whether a principal may read or cancel a follow-up.
func Sees(p auth.Principal, f Followup) bool {
	return p.All || p.Sees(f.LocationID)
}

// notFound is the one answer for a follow-up the caller may not see or that does not exist.
func notFound(id string) error {
	return problem.Newf(problem.NotFound, "no follow-up %q", id)
}

// mayScheduleFor checks a new follow-up against the policy: its location (required of
// a token limited to locations) and its customer.
func (s *Staff) mayScheduleFor(ctx context.Context, p auth.Principal, f Followup) error {
	if f.LocationID == "" && !p.All {
		return problem.Field("locationId", "is required: one of your locations")
	}
	if f.LocationID != "" && !p.Sees(f.LocationID) {
		return problem.Newf(problem.NotFound, "no location %q", f.LocationID)
	}
	if s.Customers == nil {
		return errors.New("follow-ups: no customer directory to check access against")
	}
	return s.Customers.Reachable(ctx, p, f.Recipient.ID)
}
