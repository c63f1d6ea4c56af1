// Package privacy carries out a person's rights across every domain: merging a
// duplicate profile into its survivor, exporting all personal data Rapport holds on a
// person, erasing it irreversibly, and expiring the personal data of old complaints
// and survey comments after their retention period.
//
// It owns no table. Each domain's store does its own part (their privacy.go); this
// package finds a person's records through the domains' byCustomer indexes and key
// ranges, never a scan, and drives the parts in an order that a rerun after a crash
// can finish: every step is idempotent, and the record that finds the rest (a profile,
// an index key) goes last.
package privacy

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/survey"
)

// Service is the privacy operations over the domains' stores.
type Service struct {
	Customers  *customer.Store
	Locations  *location.Store
	Surveys    *survey.Store
	Complaints *complaint.Store
	Loyalty    *loyalty.Store
	Followups  *followup.Store
	Rewards    *reward.Store
	Clock      clock.Clock
}

// maxMergeDepth bounds how deep merges of merges are followed (Profile follows five).
const maxMergeDepth = 5

// The privacy flow's access policy. Merge, export and erasure act on a person across
// every location and every domain, so they are for managers of the customer's home
// location (or all-locations tokens), not of every location that once served them
// (customer.Sees, enough to read a profile). Anyone else finds no such customer.

// visible tells whether a principal may act on the whole of a customer whose home
// location is locationID.
func visible(p auth.Principal, locationID string) bool {
	return p.All || p.Sees(locationID)
}

func noCustomer(cid string) error { return problem.New(problem.NotFound, "no such customer") }

// visibleProfile reads a profile as stored (without following a merge) that the
// principal may act on; another location's is not found.
func (s *Service) visibleProfile(ctx context.Context, p auth.Principal, cid string) (customer.Profile, error) {
	prof, err := s.Customers.StoredProfile(ctx, cid)
	if errors.Is(err, customer.ErrNoProfile) || (err == nil && !visible(p, prof.LocationID)) {
		return customer.Profile{}, noCustomer(cid)
	}
	return prof, err
}

// person is a customer with every duplicate merged into it (and into those), the
// survivor first.
func (s *Service) person(ctx context.Context, cid string) ([]string, error) {
	ids := []string{cid}
	seen := map[string]bool{cid: true}
	level := []string{cid}
	for depth := 0; depth < maxMergeDepth && len(level) > 0; depth++ {
		var next []string
		for _, id := range level {
			dups, err := s.Customers.Merged(ctx, id)
			if err != nil {
				return nil, err
			}
			for _, d := range dups {
				if !seen[d] {
					seen[d] = true
					ids = append(ids, d)
					next = append(next, d)
				}
			}
		}
		level = next
	}
	return ids, nil
}

// invitationToken is the survey invitation a follow-up links to (a post-service
// survey's message), if any.
func invitationToken(f followup.Followup) (string, bool) {
	link := f.Vars["link"]
	i := strings.Index(link, "/v1/s/")
	if i < 0 {
		return "", false
	}
	tok, err := url.PathUnescape(strings.SplitN(link[i+len("/v1/s/"):], "?", 2)[0])
	return tok, err == nil && tok != ""
}
