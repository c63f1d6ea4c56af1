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

// Directory is what the policy and scheduling need of the customer domain: the
// locations registry, who may reach a customer, and the customer's profile and
// consent, which address a follow-up scheduled by customer id.
type Directory interface {
	Location(ctx context.Context, id string) (customer.Location, error)
	Reachable(ctx context.Context, p auth.Principal, cid string) error
	Profile(ctx context.Context, cid string) (customer.Profile, error)
	Consents(ctx context.Context, cid string) (map[string]customer.Consent, error)
}

// Sees reports whether a principal may read or cancel a follow-up.
func Sees(p auth.Principal, f Followup) bool {
	return p.All || p.Sees(f.LocationID)
}

// notFound is the one answer for a follow-up the caller may not see or that does not exist.
func notFound(id string) error {
	return problem.New(problem.NotFound, "no such follow-up")
}

// mayReach checks that the caller may act on the customer a follow-up is for; it
// comes first, so another location's customer is 404 whatever else the request says.
func (s *Staff) mayReach(ctx context.Context, p auth.Principal, cid string) error {
	if s.Customers == nil {
		return errors.New("follow-ups: no customer directory to check access against")
	}
	return s.Customers.Reachable(ctx, p, cid)
}

// mayScheduleFor checks a new follow-up's location against the policy. One that names
// no location is sent from the customer's (prof, zero if none): home first, else the
// first that served them, that the caller may act for. A token limited to locations
// must end with one of its own.
func mayScheduleFor(p auth.Principal, f *Followup, prof customer.Profile) error {
	if f.LocationID == "" {
		for _, l := range prof.Locations() {
			if p.Sees(l) {
				f.LocationID = l
				break
			}
		}
	}
	if f.LocationID == "" && !p.All {
		return problem.Field("locationId", "is required: one of your locations")
	}
	if f.LocationID != "" && !p.Sees(f.LocationID) {
		return problem.New(problem.NotFound, "no such location")
	}
	return nil
}
