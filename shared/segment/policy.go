package segment

import (
	"context"
	"errors"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// The segment domain's access policy. A segment is drawn over the customers of one home
// location and belongs to it: that location's staff list it and its members, its
// managers save it and send campaigns to it. Another location's segment does not exist
// for a caller (404). The value and win-back settings apply to every location and are
// head office's (the wiring table gives their PUT to admins only); a location's own
// win-back override is its managers' (OverrideWinBack).

// sees reports whether a principal may use a segment.
func sees(p auth.Principal, seg Segment) bool {
	return p.Sees(seg.Filter.LocationID)
}

// WinBackOverride sets (days) or removes (null) a location's own win-back days, over
// the version of the value settings read.
type WinBackOverride struct {
	Days    *int `json:"days"`
	Version int  `json:"version"`
}

// OverrideWinBack changes one location's win-back days in the value settings: the one
// part of them a location's manager may change.
func (s *Service) OverrideWinBack(ctx context.Context, p auth.Principal, locationID string, o WinBackOverride) (customer.ValueSettings, error) {
	if !p.Sees(locationID) {
		return customer.ValueSettings{}, problem.New(problem.NotFound, "no such location")
	}
	if _, err := s.Customers.Locations.Location(ctx, locationID); errors.Is(err, place.ErrNotFound) {
		return customer.ValueSettings{}, problem.New(problem.NotFound, "no such location")
	} else if err != nil {
		return customer.ValueSettings{}, err
	}
	v, err := s.Customers.ValueSettings(ctx)
	if err != nil {
		return customer.ValueSettings{}, err
	}
	if v.Version != o.Version {
		return customer.ValueSettings{}, problem.Newf(problem.Conflict, "the value settings are at version %d: send the version you read", v.Version)
	}
	if o.Days == nil {
		delete(v.WinBack.Locations, locationID)
	} else {
		if v.WinBack.Locations == nil {
			v.WinBack.Locations = map[string]int{}
		}
		v.WinBack.Locations[locationID] = *o.Days
	}
	if err := v.Validate(); err != nil {
		return customer.ValueSettings{}, err
	}
	v.UpdatedAt, v.UpdatedBy = s.Clock.Now(), p.Subject
	saved, err := s.Customers.PutValueSettings(ctx, v)
	if errors.Is(err, customer.ErrValueSettingsChanged) {
		return customer.ValueSettings{}, problem.New(problem.Conflict, "the settings changed meanwhile: send the version you read")
	}
	return saved, err
}
