package followup

import (
	"context"
	"errors"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// The follow-up domain's access policy. A follow-up belongs to the location it is
// sent from; one without a location (a reminder the ledger schedules) belongs to
// none, so only all-locations tokens see it. Scheduling acts on the customer too: the
// caller must see both the location and the customer.

// Directory is what the policy and scheduling need to know of customers: who may
// reach a customer, and the customer's profile and consent, which address a follow-up
// scheduled by customer id. The customer domain answers it (shared/outreach).
type Directory interface {
	Reachable(ctx context.Context, p auth.Principal, cid string) error
	// Profile is the customer's profile; zero (no ID), without error, when they have none.
	Profile(ctx context.Context, cid string) (Profile, error)
	// Consents are the customer's answers by channel; a channel never asked is absent.
	Consents(ctx context.Context, cid string) (map[string]Consent, error)
}

// Profile is what follow-ups need of a customer's profile.
type Profile struct {
	// ID is the profile's customer id: a merged duplicate's is the survivor's.
	ID       string
	Email    string
	Phone    string
	Locale   string
	TimeZone string
	// Locations are where the customer belongs: home first, then those that served them.
	Locations []string
}

// Consent is a customer's answer for one channel: granted or not, when and how.
type Consent struct {
	Granted bool
	At      time.Time
	Source  string
}

// Places reads the locations registry: a location's zone, quiet hours and branding.
type Places interface {
	Location(ctx context.Context, id string) (place.Location, error)
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
func mayScheduleFor(p auth.Principal, f *Followup, prof Profile) error {
	if f.LocationID == "" {
		for _, l := range prof.Locations {
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
