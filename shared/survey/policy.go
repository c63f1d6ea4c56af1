package survey

import (
	"context"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/problem"
)

// The survey domain's access policy. A survey bound to a location belongs to it: its
// staff read it, invite to it and read its results; its managers change it. A survey
// for every location is read by any staff member who works at some location (each sees
// the results of their own locations) and changed only by all-locations tokens (head
// office), since a change reaches every location. Invitations and links are made at
// one of the caller's locations. Another location's survey does not exist for a caller.

// sees reports whether a principal may read a survey.
func sees(p auth.Principal, sv Survey) bool {
	if sv.LocationID == "" {
		return p.All || len(p.Locations) > 0
	}
	return p.Sees(sv.LocationID)
}

func noSurvey(surveyID string) error {
	return problem.New(problem.NotFound, "no such survey")
}

// mayBind checks that a principal may define or change a survey for a location ("" is
// every location).
func mayBind(p auth.Principal, location string) error {
	switch {
	case location == "" && !p.All:
		return problem.Field("locationId", "is required: one of your locations (a survey for every location is head office's)")
	case location != "" && !p.Sees(location):
		return problem.New(problem.NotFound, "no such location")
	}
	return nil
}

// mayChange checks that a principal may change a survey it sees.
func mayChange(p auth.Principal, sv Survey) error {
	if sv.LocationID == "" && !p.All {
		return problem.New(problem.Forbidden, "a survey for every location is changed by head office (an all-locations token)")
	}
	return nil
}

// mayActAt checks that a principal may invite or open a link at a location; an
// unreadable location id is left to the field checks.
func mayActAt(p auth.Principal, location string) error {
	if ValidID(location) && !p.Sees(location) {
		return problem.New(problem.NotFound, "no such location")
	}
	return nil
}

// within are the aggregate partitions a results query reads: the location asked for,
// the caller's locations, or every location's total for an all-locations token.
func within(ctx context.Context, p auth.Principal, location string) ([]string, error) {
	if location == "" && p.All {
		return []string{allLocations}, nil
	}
	return auth.Within(ctx, p, location, nil)
}
