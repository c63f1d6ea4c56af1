package survey

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/kpi"
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
	// Locations, when set, routes loop alerts to location managers and counts callback
	// deadlines in the location's business hours.
	Locations Locations
	// Cases, when set, opens the case of a loop with OpenCase.
	Cases Cases
}

// Cases opens complaint cases from responses, as transaction items.
type Cases interface {
	CaseItems(ctx context.Context, in complaint.Intake) ([]types.TransactWriteItem, complaint.Receipt, error)
}

// Locations reads the locations registry.
type Locations interface {
	Location(ctx context.Context, id string) (customer.Location, error)
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
// loop rules say so, a recovery follow-up: one transaction.
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
		r.LocationID, r.CustomerID = tok.LocationID, tok.CustomerID
		if tok.Kind == KindInvitation {
			r.Invitation = tok.Token
		}
	}
	score, err := Check(sv, &sub)
	if err != nil {
		return Receipt{}, err
	}
	if sub.SubmissionID != "" && !ValidID(sub.SubmissionID) {
		return Receipt{}, problem.Field("submissionId", "must be letters, digits, '.', '_' or '-' (at most 64)")
	}
	r.Answers, r.Comment, r.Score, r.SubmissionID = sub.Answers, strings.TrimSpace(sub.Comment), score, sub.SubmissionID
	r.Loop = sv.Loop.Reasons(r)
	receipt := Receipt{ResponseID: r.ID, Score: score, Loop: r.Loop}
	if sub.Website != "" {
		// A bot filled the honeypot: it sees success, nothing is stored.
		return receipt, nil
	}
	var extra []types.TransactWriteItem
	if len(r.Loop) > 0 {
		alerts, err := s.callbacks(ctx, sv, r)
		if err != nil {
			return Receipt{}, err
		}
		for _, f := range alerts {
			puts, err := s.Followups.SchedulePuts(f)
			if err != nil {
				return Receipt{}, err
			}
			extra = append(extra, puts...)
		}
		items, err := s.openCase(ctx, sv, &r)
		if err != nil {
			return Receipt{}, err
		}
		extra = append(extra, items...)
	}
	if commit != nil {
		items, err := commit(receipt)
		if err != nil {
			return Receipt{}, err
		}
		extra = append(extra, items...)
	}
	day, err := s.localDay(ctx, r)
	if err != nil {
		return Receipt{}, err
	}
	switch err := s.Store.SaveResponse(ctx, sv, r, tok, now, day, extra); {
	case errors.Is(err, errInvitationTaken):
		return Receipt{}, s.tokenSpent(ctx, tok)
	case errors.Is(err, errDuplicate):
		return Receipt{}, problem.New(problem.Conflict, "this submission has already been stored")
	case errors.Is(err, errLockLost):
		return Receipt{}, problem.New(problem.Conflict, "a request with this Idempotency-Key is still in progress")
	case err != nil:
		return Receipt{}, err
	}
	return receipt, nil
}

// localDay is the response's day at its location, in the location's time zone; in UTC
// when the service has no registry or the registry does not know the location.
func (s *Service) localDay(ctx context.Context, r Response) (string, error) {
	zone := ""
	if s.Locations != nil && r.LocationID != "" {
		l, err := s.Locations.Location(ctx, r.LocationID)
		switch {
		case err == nil:
			zone = l.TimeZone
		case !errors.Is(err, customer.ErrNoLocation):
			return "", err
		}
	}
	p, err := kpi.At(r.SubmittedAt, zone)
	return p.Day, err
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

// openCase is the case a loop with OpenCase opens for a response at a location: its
// items join the response's transaction. A case the complaints domain refuses (an
// unknown category, an unregistered location) is logged and left out, so the
// customer's answers are never lost for it; the callback alert still goes.
func (s *Service) openCase(ctx context.Context, sv Survey, r *Response) ([]types.TransactWriteItem, error) {
	rule := sv.Loop.OpenCase
	if rule == nil || s.Cases == nil || r.LocationID == "" {
		return nil, nil
	}
	desc := fmt.Sprintf("Survey %q (version %d), response %s: %s.", sv.Name, sv.Version, r.ID, strings.Join(r.Loop, "; "))
	if r.Comment != "" {
		desc += "\nComment: " + r.Comment
	}
	in := complaint.Intake{Category: rule.Category, Severity: rule.Severity, Description: desc, LocationID: r.LocationID,
		CustomerID: r.CustomerID, Contact: complaint.Contact{Name: "Survey respondent"}}
	items, rc, err := s.Cases.CaseItems(ctx, in)
	switch {
	case problem.KindOf(err) == problem.Invalid:
		slog.WarnContext(ctx, "survey loop case not opened", "surveyId", sv.ID, "responseId", r.ID, "error", err.Error())
		return nil, nil
	case err != nil:
		return nil, err
	}
	r.Case = rc.Reference
	return items, nil
}

// callbacks are the alerts the loop opens: to the loop's contact, or else to each
// manager of the response's location, asking for a callback by a deadline counted in
// the location's business hours. With no one to tell, one alert is still written —
// it shows as skipped with the reason — so the loop is never lost with its response.
func (s *Service) callbacks(ctx context.Context, sv Survey, r Response) ([]followup.Followup, error) {
	var loc customer.Location
	if s.Locations != nil && r.LocationID != "" {
		l, err := s.Locations.Location(ctx, r.LocationID)
		switch {
		case err == nil:
			loc = l
		case !errors.Is(err, customer.ErrNoLocation):
			return nil, err
		}
	}
	within := time.Duration(sv.Loop.CallbackWithinHours) * time.Hour
	by := r.SubmittedAt.Add(within)
	if loc.ID != "" {
		var err error
		if by, err = loc.AddBusinessHours(r.SubmittedAt, within); err != nil {
			return nil, err
		}
	}
	var to []followup.Recipient
	var quiet string
	if n := sv.Loop.Notify; n.Address != "" {
		to = append(to, followup.Recipient{Type: "staff", Channel: n.Channel, Address: n.Address, Locale: n.Locale, TimeZone: n.TimeZone})
		quiet = n.QuietHours
	} else {
		for _, m := range loc.Managers {
			to = append(to, followup.Recipient{Type: "staff", ID: m.Name, Channel: m.Channel, Address: m.Address, Locale: m.Locale, TimeZone: loc.TimeZone})
		}
		quiet = loc.QuietHours
	}
	base := callback(sv, r, by)
	base.QuietHours = quiet
	if len(to) == 0 {
		base.DedupeKey = "recovery#" + r.ID
		base.Unroutable = fmt.Sprintf("no one to alert: the loop names no contact and location %q has no managers in the registry", r.LocationID)
		return []followup.Followup{base}, nil
	}
	out := make([]followup.Followup, len(to))
	for i, rcpt := range to {
		f := base
		f.ID, f.Recipient, f.DedupeKey = id.New(r.SubmittedAt), rcpt, fmt.Sprintf("recovery#%s#%d", r.ID, i)
		out[i] = f
	}
	return out, nil
}

// callback is the alert the loop opens: call the customer back by the deadline.
func callback(sv Survey, r Response, by time.Time) followup.Followup {
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
	body := fmt.Sprintf("A customer answered %q (version %d) at %s: %s.\nWhy: %s.\nResponse %s.",
		sv.Name, sv.Version, where, strings.Join(parts, ", "), strings.Join(r.Loop, "; "), r.ID)
	who := "the customer"
	if r.CustomerID != "" {
		who = "customer " + r.CustomerID
	}
	body += fmt.Sprintf("\nCall %s back by %s.", who, by.Format(time.RFC3339))
	if r.Comment != "" {
		body += "\nComment: " + r.Comment
	}
	return followup.Followup{
		ID: id.New(r.SubmittedAt), Kind: followup.KindRecoveryCallback, LocationID: r.LocationID,
		// The alert goes at once (outside the recipient's quiet hours); the callback
		// itself is due by the deadline.
		DueAt:   r.SubmittedAt,
		Subject: "Service recovery: " + strings.Join(r.Loop, "; "), Body: body,
		Source: followup.Source{Type: "survey-response", ID: r.ID}, CreatedAt: r.SubmittedAt,
	}
}
