package customer

import (
	"context"
	"errors"
	"slices"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// The customer domain's access policy. A customer belongs to their home location and
// to every location that served them (a reported visit): staff of any of those
// locations see and serve them, as a guest of one hotel is known at the front desk of
// the next. A token limited to other locations finds no such customer (404); a
// customer with no location (a loyalty account a system opened by id alone) belongs to
// no location, so only all-locations tokens (admin, system) see them.

// Locations are the locations a customer belongs to: home first, then those that
// served them.
func (p Profile) Locations() []string {
	var out []string
	if p.LocationID != "" {
		out = append(out, p.LocationID)
	}
	for _, l := range p.ServedAt {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// Sees reports whether a principal may read and act on a customer.
func Sees(p auth.Principal, prof Profile) bool {
	return p.All || p.SeesAny(prof.Locations())
}

// NotFound is the one answer for a customer the caller may not see or that does not exist.
func NotFound(cid string) error {
	return problem.New(problem.NotFound, "no such customer")
}

// CustomerLocations are the locations a customer belongs to, for other domains'
// policies (loyalty accounts, follow-ups, the timeline). A customer without a
// profile belongs to none.
func (s *Store) CustomerLocations(ctx context.Context, cid string) ([]string, error) {
	prof, err := s.Profile(ctx, cid)
	if errors.Is(err, ErrNoProfile) {
		return nil, nil
	}
	return prof.Locations(), err
}

// Visible reads a customer's profile for a principal: another location's customer is
// not found.
func (s *Store) Visible(ctx context.Context, p auth.Principal, cid string) (Profile, error) {
	prof, err := s.Profile(ctx, cid)
	if errors.Is(err, ErrNoProfile) || (err == nil && !Sees(p, prof)) {
		return Profile{}, NotFound(cid)
	}
	return prof, err
}

// Reachable checks that a principal may act on a customer by id: one it sees, or, for an
// all-locations token, any id (a customer may be known only by the id a system gave).
func (s *Store) Reachable(ctx context.Context, p auth.Principal, cid string) error {
	if p.All {
		return nil
	}
	_, err := s.Visible(ctx, p, cid)
	return err
}

// Locations reads the locations registry (shared/location): a customer's home and the
// places of their visits must be registered.
type Locations interface {
	Location(ctx context.Context, id string) (place.Location, error)
}

// visibleLocation reads a registered location the principal may act on: another
// location, or one the registry does not hold, is not found.
func (s *Store) visibleLocation(ctx context.Context, p auth.Principal, id string) (place.Location, error) {
	l, err := s.Locations.Location(ctx, id)
	if errors.Is(err, place.ErrNotFound) || (err == nil && !p.Sees(l.ID)) {
		return place.Location{}, problem.New(problem.NotFound, "no such location")
	}
	return l, err
}
