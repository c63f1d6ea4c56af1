package survey

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Service is the survey domain's behaviour.
type Service struct {
	Store *Store
	Clock clock.Clock
	// Locations, when set, counts a response's day and its callback deadline at its
	// location: in the location's time zone and business hours.
	Locations Locations
	// Recoverer acts on the closed loop of the responses that meet their survey's
	// rules, in the response's transaction; a Service that takes such a response
	// without one refuses it rather than lose its loop.
	Recoverer Recoverer
}

// Locations reads the locations registry.
type Locations interface {
	Location(ctx context.Context, id string) (place.Location, error)
}

// Receipt is what a submission answers with.
type Receipt struct {
	ResponseID string `json:"responseId"`
	Score      Score  `json:"score"`
	// Loop lists why the response opened the closed loop, if it did.
	Loop []string `json:"loop,omitempty"`
}

// Commit lets the caller add its own items (the idempotency record) to the response's
// transaction once the receipt is known.
type Commit func(Receipt) ([]types.TransactWriteItem, error)

// Submit validates and stores a response with its aggregates and, when the survey's
// loop rules say so, what the Recoverer adds for its recovery: one transaction.
func (s *Service) Submit(ctx context.Context, surveyID string, sub Submission, commit Commit) (Receipt, error) {
	now := s.Clock.Now()
	current, err, inv, invErr := s.Store.SurveyAndInvitation(ctx, surveyID, sub.InvitationToken)
	if errors.Is(err, ErrNotFound) {
		return Receipt{}, problem.New(problem.NotFound, "no such survey")
	}
	if err != nil {
		return Receipt{}, err
	}
	sv, err := s.version(ctx, current, sub.Version)
	if err != nil {
		return Receipt{}, err
	}
	tok, err := s.token(sv, sub.InvitationToken, inv, invErr)
	if err != nil {
		return Receipt{}, err
	}
	r := Response{ID: id.New(now), SurveyID: sv.ID, SurveyVersion: sv.Version, LocationID: sv.LocationID, SubmittedAt: now}
	if tok != nil {
		r.LocationID, r.CustomerID, r.StaffID = tok.LocationID, tok.CustomerID, tok.StaffID
		if tok.Kind == KindInvitation {
			r.Invitation = tok.Token
		}
	}
	score, err := Check(sv, &sub)
	if err != nil {
		return Receipt{}, err
	}
	r.Answers, r.Comment, r.Score = sub.Answers, strings.TrimSpace(sub.Comment), score
	r.Loop = sv.Loop.Reasons(r)
	receipt := Receipt{ResponseID: r.ID, Score: score, Loop: r.Loop}
	if sub.Website != "" {
		// A bot filled the honeypot: it sees success, nothing is stored.
		return receipt, nil
	}
	loc, err := s.location(ctx, r.LocationID)
	if err != nil {
		return Receipt{}, err
	}
	tx := &dynamo.Tx{}
	if len(r.Loop) > 0 {
		if err := s.recover(ctx, sv, &r, loc, tx); err != nil {
			return Receipt{}, err
		}
	}
	p, err := kpi.At(r.SubmittedAt, loc.TimeZone)
	if err != nil {
		return Receipt{}, err
	}
	if err := s.Store.AddResponse(tx, sv, r, tok, now, p.Day); err != nil {
		return Receipt{}, err
	}
	if commit != nil {
		items, err := commit(receipt)
		if err != nil {
			return Receipt{}, err
		}
		tx.Add(errLockLost, items...)
	}
	switch err := s.Store.SaveResponse(ctx, tx); {
	case errors.Is(err, errInvitationTaken):
		return Receipt{}, s.tokenSpent(ctx, tok)
	case errors.Is(err, errLockLost):
		return Receipt{}, problem.New(problem.Conflict, "a request with this Idempotency-Key is still in progress")
	case err != nil:
		return Receipt{}, err
	}
	return receipt, nil
}

// location is the response's location as the registry holds it; zero when the
// response has none, the service has no registry or the registry does not know it
// (the response's day is then counted in UTC, its callback deadline in plain hours).
func (s *Service) location(ctx context.Context, id string) (place.Location, error) {
	if s.Locations == nil || id == "" {
		return place.Location{}, nil
	}
	l, err := s.Locations.Location(ctx, id)
	if errors.Is(err, place.ErrNotFound) {
		return place.Location{}, nil
	}
	return l, err
}

// recover hands a response that met its loop rules to the Recoverer, whose items join
// tx, and keeps the reference of the case it opened on the response.
func (s *Service) recover(ctx context.Context, sv Survey, r *Response, loc place.Location, tx *dynamo.Tx) error {
	if s.Recoverer == nil {
		return fmt.Errorf("survey %s: response %s meets the loop, and nothing acts on loops here", sv.ID, r.ID)
	}
	rec, err := recovery(sv, *r, loc)
	if err != nil {
		return err
	}
	out, err := s.Recoverer.Recover(ctx, rec, tx)
	if err != nil {
		return err
	}
	r.Case = out.Case
	return nil
}

// version is the definition the answers are for: the current one, or an earlier
// version the form was showing when the survey changed.
func (s *Service) version(ctx context.Context, current Survey, v int) (Survey, error) {
	switch {
	case v == 0 || v == current.Version:
		return current, nil
	case v < 0 || v > current.Version:
		return Survey{}, problem.Field("version", fmt.Sprintf("must be a version of this survey (1 to %d)", current.Version))
	}
	sv, err := s.Store.SurveyVersion(ctx, current.ID, v)
	if errors.Is(err, ErrNotFound) {
		return Survey{}, problem.Field("version", "is not a stored version of this survey")
	}
	return sv, err
}

// token checks the invitation or public link the response comes through (read with
// the survey); every response needs one.
func (s *Service) token(sv Survey, token string, inv Invitation, err error) (*Invitation, error) {
	if token == "" {
		return nil, problem.Field("invitationToken", "is required: answer through an invitation or a survey's public link")
	}
	if errors.Is(err, ErrNotFound) || (err == nil && inv.SurveyID != sv.ID) {
		return nil, problem.New(problem.NotFound, "no such invitation for this survey")
	}
	if err != nil {
		return nil, err
	}
	if sv.LocationID != "" && inv.LocationID != sv.LocationID {
		return nil, problem.Field("invitationToken", "is for another location than the survey's")
	}
	if err := spent(inv, s.Clock.Now()); err != nil {
		return nil, err
	}
	return &inv, nil
}

func spent(inv Invitation, now time.Time) error {
	if inv.Kind == KindInvitation && inv.Status == "used" {
		return problem.New(problem.Conflict, "this invitation has already been answered")
	}
	if !now.Before(inv.ExpiresAt) {
		return problem.New(problem.Gone, "this link has expired")
	}
	return nil
}

// tokenSpent explains why the token's condition failed: used, just expired, or (for a
// public link) the day's cap reached.
func (s *Service) tokenSpent(ctx context.Context, tok *Invitation) error {
	if tok.Kind == KindLink {
		e := problem.New(problem.Throttled, "this link has reached its daily limit of responses; try again tomorrow")
		e.RetryAfter = 3600
		return e
	}
	inv, err := s.Store.Invitation(ctx, tok.Token)
	if err != nil {
		return err
	}
	if err := spent(inv, s.Clock.Now()); err != nil {
		return err
	}
	return problem.New(problem.Conflict, "this invitation has already been answered")
}
