package survey

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Scheduler gives the transaction items that schedule a follow-up.
type Scheduler interface {
	SchedulePuts(followup.Followup) ([]types.TransactWriteItem, error)
}

// Service is the survey domain's behaviour.
type Service struct {
	Store     *Store
	Followups Scheduler
	Clock     clock.Clock
}

// Receipt is what a submission answers with.
type Receipt struct {
	ResponseID string `json:"responseId"`
	Score      Score  `json:"score"`
}

// Commit lets the caller add its own items (the idempotency record) to the response's
// transaction once the receipt is known.
type Commit func(Receipt) ([]types.TransactWriteItem, error)

// Submit validates and stores a response; a low score schedules a recovery follow-up
// to the survey's alert contact in the same transaction.
func (s *Service) Submit(ctx context.Context, surveyID string, sub Submission, commit Commit) (Receipt, error) {
	sv, err := s.Store.Survey(ctx, surveyID)
	if errors.Is(err, ErrNotFound) {
		return Receipt{}, problem.Newf(problem.NotFound, "no survey %q", surveyID)
	}
	if err != nil {
		return Receipt{}, err
	}
	now := s.Clock.Now()
	r := Response{ID: id.New(now), SurveyID: sv.ID, SurveyVersion: sv.Version, LocationID: sv.LocationID, SubmittedAt: now}
	if err := s.invitation(ctx, sv, sub.InvitationToken, &r); err != nil {
		return Receipt{}, err
	}
	score, err := Check(sv, &sub)
	if err != nil {
		return Receipt{}, err
	}
	r.Answers, r.Comment, r.Score = sub.Answers, strings.TrimSpace(sub.Comment), score
	receipt := Receipt{ResponseID: r.ID, Score: score}

	var extra []types.TransactWriteItem
	if score.Low() && sv.Alert.Address != "" {
		puts, err := s.Followups.SchedulePuts(recovery(sv, r))
		if err != nil {
			return Receipt{}, err
		}
		extra = append(extra, puts...)
	}
	if commit != nil {
		items, err := commit(receipt)
		if err != nil {
			return Receipt{}, err
		}
		extra = append(extra, items...)
	}
	switch err := s.Store.SaveResponse(ctx, r, now, extra); {
	case errors.Is(err, errInvitationTaken):
		return Receipt{}, s.invitationGone(ctx, sub.InvitationToken)
	case errors.Is(err, errLockLost):
		return Receipt{}, problem.New(problem.Conflict, "a request with this Idempotency-Key is still in progress")
	case err != nil:
		return Receipt{}, err
	}
	return receipt, nil
}

// invitation checks the token (required unless the survey is anonymous) and binds the
// response to its customer and location.
func (s *Service) invitation(ctx context.Context, sv Survey, token string, r *Response) error {
	if token == "" {
		if sv.Anonymous {
			return nil
		}
		return problem.Field("invitationToken", "is required for this survey")
	}
	inv, err := s.Store.Invitation(ctx, token)
	if errors.Is(err, ErrNotFound) || (err == nil && inv.SurveyID != sv.ID) {
		return problem.New(problem.NotFound, "no such invitation for this survey")
	}
	if err != nil {
		return err
	}
	if err := gone(inv, s.Clock); err != nil {
		return err
	}
	r.Invitation, r.CustomerID, r.LocationID = token, inv.CustomerID, inv.LocationID
	return nil
}

func gone(inv Invitation, clk clock.Clock) error {
	if inv.Status == "used" {
		return problem.New(problem.Conflict, "this invitation has already been answered")
	}
	if !clk.Now().Before(inv.ExpiresAt) {
		return problem.New(problem.Gone, "this invitation has expired")
	}
	return nil
}

// invitationGone explains why the invitation's condition failed (used, or just expired).
func (s *Service) invitationGone(ctx context.Context, token string) error {
	inv, err := s.Store.Invitation(ctx, token)
	if err != nil {
		return err
	}
	if err := gone(inv, s.Clock); err != nil {
		return err
	}
	return problem.New(problem.Conflict, "this invitation has already been answered")
}

// recovery is the follow-up a low score opens: staff call the customer back.
func recovery(sv Survey, r Response) followup.Followup {
	var parts []string
	if r.Score.NPS != nil {
		parts = append(parts, fmt.Sprintf("NPS %d (%s)", *r.Score.NPS, r.Score.NPSCategory))
	}
	if r.Score.CSAT != nil {
		parts = append(parts, fmt.Sprintf("CSAT %d", *r.Score.CSAT))
	}
	where := r.LocationID
	if where == "" {
		where = "all locations"
	}
	body := fmt.Sprintf("A customer answered %q with %s at %s.\nResponse %s.", sv.Name, strings.Join(parts, ", "), where, r.ID)
	if r.CustomerID != "" {
		body += "\nCustomer " + r.CustomerID + ": please call them back."
	}
	if r.Comment != "" {
		body += "\nComment: " + r.Comment
	}
	return followup.Followup{
		ID: id.New(r.SubmittedAt), Kind: followup.KindRecoveryCallback, LocationID: r.LocationID,
		DedupeKey: "recovery#" + r.ID,
		Recipient: followup.Recipient{Type: "staff", Channel: sv.Alert.Channel, Address: sv.Alert.Address, Locale: sv.Alert.Locale},
		DueAt:     r.SubmittedAt, Subject: "Low score: " + strings.Join(parts, ", "), Body: body,
		Source: followup.Source{Type: "survey-response", ID: r.ID}, CreatedAt: r.SubmittedAt,
	}
}
