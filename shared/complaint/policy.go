package complaint

import (
	"context"
	"errors"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/problem"
)

// The complaint domain's access policy. A case belongs to the location it was filed
// at: staff of that location see and handle it; another location's case does not
// exist for them (404). Staff intake files a case at one of the caller's locations and
// may link it to a customer the caller sees. Lists and reports read only the caller's
// locations (auth.Within). Roles per action (close and reopen need a manager) are in
// the state table; roles per route in the wiring table.

// sees reports whether a principal may read and act on a case.
func sees(p auth.Principal, c Complaint) bool {
	return p.Sees(c.LocationID)
}

// visible reads a case the principal may see; another location's case is not found.
func (s *Service) visible(ctx context.Context, p auth.Principal, complaintID string) (caseItem, []Event, error) {
	c, events, err := s.Store.Case(ctx, complaintID)
	if errors.Is(err, ErrNotFound) || (err == nil && !sees(p, c.Complaint)) {
		return caseItem{}, nil, problem.New(problem.NotFound, "no such complaint")
	}
	return c, events, err
}

// mayFile checks a staff intake: the location must be one of the caller's and a named
// customer one the caller sees.
func (s *Service) mayFile(ctx context.Context, p auth.Principal, in Intake) error {
	if !p.Sees(in.LocationID) {
		return problem.New(problem.NotFound, "no such location")
	}
	if in.CustomerID == "" {
		return nil
	}
	return s.Customers.Reachable(ctx, p, in.CustomerID)
}

// within are the locations a queue or report reads for the principal.
func (s *Service) within(ctx context.Context, p auth.Principal, asked string) ([]string, error) {
	return auth.Within(ctx, p, asked, s.Locations.LocationIDs)
}
