package loyalty

import (
	"context"
	"errors"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/problem"
)

// The loyalty domain's access policy. An account is its customer's: a caller acts on
// it (balance, ledger, membership, earn, redeem, reverse, adjust) only if it sees the
// customer (a point of sale, or an agent at the front desk earning for a bill), that is if the customer belongs to one of its locations (home or served
// there, as the customer domain keeps it). An account whose customer has no profile
// belongs to no location: only all-locations tokens (head office, a system with
// rapport/location:*) reach it. An earn at a location needs that location too. Anyone
// else finds no such account (404). The rules apply to every location: reading them is
// for staff, changing them for admins (the wiring table).

// Customers tells where a customer belongs.
type Customers interface {
	CustomerLocations(ctx context.Context, cid string) ([]string, error)
}

// ErrNoPolicy means the service was built without the customer directory its routes
// need to decide access.
var ErrNoPolicy = errors.New("loyalty: no customer directory to decide access")

// mayAct checks that a principal may read or act on a customer's account.
func (s *Service) mayAct(ctx context.Context, p auth.Principal, cid string) error {
	if p.All {
		return nil
	}
	if s.Customers == nil {
		return ErrNoPolicy
	}
	locs, err := s.Customers.CustomerLocations(ctx, cid)
	if err != nil {
		return err
	}
	if !p.SeesAny(locs) {
		return problem.New(problem.NotFound, "no such loyalty account")
	}
	return nil
}

// mayEarnAt checks the location an earn or a redeem names, if any.
func mayEarnAt(p auth.Principal, locationID string) error {
	if locationID != "" && !p.Sees(locationID) {
		return problem.New(problem.NotFound, "no such location")
	}
	return nil
}
