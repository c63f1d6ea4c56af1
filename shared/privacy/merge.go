package privacy

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/problem"
)

// MergeReport is what a merge moved from the duplicate to the survivor.
type MergeReport struct {
	CustomerID  string `json:"customerId"`
	DuplicateID string `json:"duplicateId"`
	// Resumed says the duplicate was merged before: this run finished what was left.
	Resumed bool  `json:"resumed"`
	Moved   Moved `json:"moved"`
}

// Moved counts the records a merge moved.
type Moved struct {
	Visits          int           `json:"visits"`
	SurveyResponses int           `json:"surveyResponses"`
	Invitations     int           `json:"invitations"`
	Complaints      int           `json:"complaints"`
	Followups       int           `json:"followups"`
	Vouchers        int           `json:"vouchers"`
	Points          loyalty.Moved `json:"points"`
}

// Merge merges a duplicate profile into the survivor: first the duplicate is marked
// merged (its profile leads to the survivor, its phone and email find the survivor,
// new visits land on the survivor), then every domain's records move: visits, survey
// responses, complaints, follow-ups and the invitations they carry, vouchers (with
// their issue claims and their links' lookups: reward.Store.Reassign), and the points
// through the ledger. Each move is conditional on the record still being the
// duplicate's, so running the merge again after a crash finishes it and moves nothing
// twice. Merging a customer into itself is invalid; into a merged profile, or a
// duplicate merged into another, is a conflict.
func (s *Service) Merge(ctx context.Context, p auth.Principal, survivorID, dupID string) (MergeReport, error) {
	dupID = strings.TrimSpace(dupID)
	if dupID == "" {
		return MergeReport{}, problem.Field("duplicateId", "is required: the customer to merge into this one")
	}
	if _, err := s.visibleProfile(ctx, p, survivorID); err != nil {
		return MergeReport{}, err
	}
	if _, err := s.visibleProfile(ctx, p, dupID); err != nil && dupID != survivorID {
		if problem.KindOf(err) == problem.NotFound {
			return MergeReport{}, problem.Field("duplicateId", "no such customer: "+dupID)
		}
		return MergeReport{}, err
	}
	now := s.Clock.Now()
	rep := MergeReport{CustomerID: survivorID, DuplicateID: dupID}
	var err error
	if rep.Resumed, err = s.Customers.StartMerge(ctx, survivorID, dupID, p.Subject, now); err != nil {
		return MergeReport{}, err
	}
	if rep.Moved.Visits, err = s.Customers.MoveVisits(ctx, dupID, survivorID, now); err != nil {
		return rep, err
	}
	responses, err := s.Surveys.CustomerResponses(ctx, dupID)
	if err != nil {
		return rep, err
	}
	for _, r := range responses {
		ok, err := s.Surveys.ReassignResponse(ctx, r, dupID, survivorID)
		if err != nil {
			return rep, err
		}
		rep.Moved.SurveyResponses += count(ok)
	}
	cases, err := s.Complaints.CustomerCaseIDs(ctx, dupID)
	if err != nil {
		return rep, err
	}
	for _, id := range cases {
		ok, err := s.Complaints.ReassignCase(ctx, id, dupID, survivorID, p.Subject, now)
		if err != nil {
			return rep, err
		}
		rep.Moved.Complaints += count(ok)
	}
	fs, err := s.Followups.CustomerFollowups(ctx, dupID)
	if err != nil {
		return rep, err
	}
	for _, f := range fs {
		if tok, ok := invitationToken(f); ok {
			moved, err := s.Surveys.ReassignInvitation(ctx, tok, dupID, survivorID)
			if err != nil {
				return rep, err
			}
			rep.Moved.Invitations += count(moved)
		}
		ok, err := s.Followups.Reassign(ctx, f.ID, dupID, survivorID)
		if err != nil {
			return rep, err
		}
		rep.Moved.Followups += count(ok)
	}
	vs, err := s.Rewards.CustomerVouchers(ctx, dupID)
	if err != nil {
		return rep, err
	}
	for _, v := range vs {
		if _, err := s.Rewards.Relink(ctx, v.Code, dupID, survivorID); err != nil {
			return rep, err
		}
		ok, err := s.Rewards.Reassign(ctx, v, dupID, survivorID)
		if err != nil {
			return rep, err
		}
		rep.Moved.Vouchers += count(ok)
	}
	if rep.Moved.Points, err = s.Loyalty.MergeInto(ctx, dupID, survivorID, p.Subject, now); err != nil {
		return rep, err
	}
	return rep, nil
}

func count(ok bool) int {
	if ok {
		return 1
	}
	return 0
}
