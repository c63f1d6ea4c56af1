package report

import (
	"context"

	"github.com/rapport-crm/rapport/shared/auth"
)

// The KPI report's access policy: staff (the wiring table's roles) read the figures of
// the locations they see. A report of one location needs that location (another is not
// found); without one it sums the caller's own locations, or every registered location
// for an all-locations token. A token with no locations sees none: its report is zeros.

// within are the locations a report sums for the principal.
func (s *Service) within(ctx context.Context, p auth.Principal, asked string) ([]string, error) {
	return auth.Within(ctx, p, asked, s.Registry)
}
