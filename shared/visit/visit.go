// Package visit takes the visits and purchases that systems (a point-of-sale, a
// booking system) report: each sourceId once, moving the customer's figures, earning
// points through loyalty and inviting a post-service survey through follow-ups.
//
// The visit, its claim on the sourceId and the customer's figures are one transaction.
// Its effects in the other domains are idempotent by their own keys (the earn's
// sourceId, the follow-up's dedupe key, the invitation's derived token), run at once
// and, should that fail, again from the visit record by the visit-effects job until done.
package visit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Service reports visits and carries out their effects.
type Service struct {
	Customers *customer.Store
	Loyalty   *loyalty.Service
	Surveys   *survey.Store
	Followups *followup.Store
	Clock     clock.Clock
	PublicURL string
}

// Request is a visit as a system reports it.
type Request struct {
	SourceID   string     `json:"sourceId"`
	CustomerID string     `json:"customerId"`
	LocationID string     `json:"locationId"`
	Amount     *float64   `json:"amount"`
	Currency   string     `json:"currency"`
	At         *time.Time `json:"at"`
	// StaffID names the staff member who served; left out, a person's own token
	// names them (auth.ServingStaff) and a system's names nobody.
	StaffID string `json:"staffId"`
}

// Report stores a visit once per sourceId and carries out its effects; a repeat
// returns the first visit (replayed) and finishes its effects if they were cut short.
func (s *Service) Report(ctx context.Context, p auth.Principal, req Request) (customer.Visit, bool, error) {
	now := s.Clock.Now()
	v, err := s.check(ctx, p, req, now)
	if err != nil {
		return customer.Visit{}, false, err
	}
	err = s.Customers.RecordVisit(ctx, v)
	replayed := errors.Is(err, customer.ErrVisitReported)
	if replayed {
		first, ok, err := s.Customers.VisitBySource(ctx, v.SourceID)
		if err != nil || !ok {
			return customer.Visit{}, false, cmp.Or(err, error(problem.New(problem.Unavailable, "the visit is being recorded; retry")))
		}
		if first.CustomerID != v.CustomerID || first.Amount != v.Amount || first.LocationID != v.LocationID ||
			(req.StaffID != "" && first.StaffID != req.StaffID) {
			return customer.Visit{}, false, problem.New(problem.Conflict, "this sourceId was reported with other values")
		}
		v = first
	} else if err != nil {
		return customer.Visit{}, false, err
	}
	if !v.EffectsDone {
		done, err := s.Effects(ctx, v)
		if err != nil {
			// Recorded: the dispatcher's job finishes the effects from the visit.
			slog.WarnContext(ctx, "visit effects deferred", "sourceId", v.SourceID, "error", err.Error())
		} else {
			v = done
		}
	}
	return v, replayed, nil
}

// mayReport is the visit flow's access policy. A visit is reported at one of the
// caller's locations. A visit makes the customer belong to that location too (the
// customer domain's policy), so only a system (the point of sale that served the
// guest) may report one for a customer who belongs elsewhere; a manager reporting by
// hand may do so only for customers they already see, or new ones.
func (s *Service) mayReport(ctx context.Context, p auth.Principal, req Request) error {
	if !p.Sees(req.LocationID) {
		return problem.New(problem.NotFound, "no such location")
	}
	if p.Has(wiring.RoleSystem) {
		return nil
	}
	prof, err := s.Customers.Profile(ctx, req.CustomerID)
	switch {
	case errors.Is(err, customer.ErrNoProfile):
		return nil
	case err != nil:
		return err
	case !customer.Sees(p, prof):
		return customer.NotFound(req.CustomerID)
	}
	return nil
}

func (s *Service) check(ctx context.Context, p auth.Principal, req Request, now time.Time) (customer.Visit, error) {
	var errs []problem.FieldError
	bad := func(f, m string) { errs = append(errs, problem.FieldError{Field: f, Message: m}) }
	valid := func(v string) bool { return v != "" && len(v) <= 128 && !strings.ContainsAny(v, " \t\n/") }
	if !valid(req.SourceID) {
		bad("sourceId", "is required: the system's id of the visit or purchase")
	}
	if !valid(req.CustomerID) {
		bad("customerId", "is required")
	}
	if !valid(req.LocationID) {
		bad("locationId", "is required")
	}
	amount := 0.0
	if req.Amount != nil {
		if amount = *req.Amount; math.IsNaN(amount) || math.IsInf(amount, 0) || amount < 0 || amount > 1e9 {
			bad("amount", "must be 0 or a positive amount")
		}
		if req.Currency == "" && amount > 0 {
			bad("currency", "is required with an amount")
		}
	}
	at := now
	if req.At != nil {
		if at = req.At.UTC(); at.After(now.Add(5*time.Minute)) || at.Before(now.AddDate(-1, 0, 0)) {
			bad("at", "must be within the last year and not in the future")
		}
	}
	staff, err := auth.ServingStaff(p, req.StaffID, "staffId")
	var invalid *problem.Error
	switch {
	case errors.As(err, &invalid):
		errs = append(errs, invalid.Fields...)
	case err != nil:
		return customer.Visit{}, err
	}
	if err := problem.Fields(errs); err != nil {
		return customer.Visit{}, err
	}
	if err := s.mayReport(ctx, p, req); err != nil {
		return customer.Visit{}, err
	}
	if _, err := s.Customers.Locations.Location(ctx, req.LocationID); errors.Is(err, place.ErrNotFound) {
		return customer.Visit{}, problem.Field("locationId", fmt.Sprintf("%q is not a registered location", req.LocationID))
	} else if err != nil {
		return customer.Visit{}, err
	}
	if amount > 0 {
		rules, err := s.Loyalty.Store.Rules(ctx)
		if err != nil {
			return customer.Visit{}, err
		}
		if req.Currency != rules.Currency {
			return customer.Visit{}, problem.Field("currency", fmt.Sprintf("points are earned in %s", rules.Currency))
		}
	}
	return customer.Visit{ID: id.New(at), SourceID: req.SourceID, CustomerID: req.CustomerID, LocationID: req.LocationID,
		Amount: amount, Currency: req.Currency, At: at, ReceivedAt: now, By: p.Subject, StaffID: staff,
		InvitationToken: newInvitationToken()}, nil
}

// Effects earns the visit's points and schedules its survey invitation, then marks
// the visit done. Each step is idempotent, so running it again is harmless.
func (s *Service) Effects(ctx context.Context, v customer.Visit) (customer.Visit, error) {
	if v.Amount > 0 {
		amount := v.Amount
		e, _, err := s.Loyalty.Earn(ctx, "visit", v.CustomerID, loyalty.EarnRequest{SourceID: "visit:" + v.SourceID,
			Amount: &amount, Currency: v.Currency, LocationID: v.LocationID})
		if err != nil {
			return v, fmt.Errorf("earn: %w", err)
		}
		v.EntryID = e.ID
	}
	fid, err := s.invite(ctx, v)
	if err != nil {
		return v, fmt.Errorf("survey invitation: %w", err)
	}
	v.FollowupID, v.EffectsDone = fid, true
	return v, s.Customers.VisitEffectsDone(ctx, v)
}

// invite schedules the location's post-service survey for the visit's customer, if the
// location has one: an invitation whose token the visit holds (so a second run finds
// it), naming the visit's staff member so the response counts for them, and
// the follow-up that sends it, once per visit.
func (s *Service) invite(ctx context.Context, v customer.Visit) (string, error) {
	loc, err := s.Customers.Locations.Location(ctx, v.LocationID)
	if err != nil || loc.PostServiceSurvey == nil {
		return "", err
	}
	ps := loc.PostServiceSurvey
	prof, err := s.Customers.Profile(ctx, v.CustomerID)
	if err != nil && !errors.Is(err, customer.ErrNoProfile) {
		return "", err
	}
	token := v.InvitationToken
	if token == "" {
		// Reported before tokens were drawn at report time: keep one now.
		if token, err = s.Customers.InvitationToken(ctx, v.SourceID, newInvitationToken()); err != nil {
			return "", err
		}
	}
	r, reachable := followup.ToCustomer(v.CustomerID, prof.Email, prof.Phone, prof.Locale, cmp.Or(prof.TimeZone, loc.TimeZone))
	now := s.Clock.Now()
	inv := survey.Invitation{Token: token, Kind: survey.KindInvitation, SurveyID: ps.SurveyID, CustomerID: v.CustomerID,
		LocationID: v.LocationID, StaffID: v.StaffID, Locale: r.Locale, ExpiresAt: v.At.Add(time.Duration(ps.ExpiresInHours) * time.Hour), CreatedAt: now}
	if err := s.Surveys.PutInvitation(ctx, inv); err != nil && !errors.Is(err, survey.ErrVersionConflict) {
		return "", err
	}
	key := "visit-survey#" + v.SourceID
	f := followup.Followup{ID: followup.OccasionID(key), Kind: followup.KindPostServiceSurvey, LocationID: v.LocationID,
		DedupeKey: key, DueAt: v.At.Add(time.Duration(ps.DelayMinutes) * time.Minute),
		TemplateID: "post-service-survey", Vars: map[string]string{"link": strings.TrimRight(s.PublicURL, "/") + "/v1/s/" + token},
		QuietHours: loc.QuietHours, Source: followup.Source{Type: "visit", ID: v.SourceID}, CreatedAt: now}
	if !reachable {
		f.Unroutable = "the customer has no email or phone on their profile"
	}
	f.Recipient = r
	if f.DueAt.Before(now) {
		f.DueAt = now
	}
	puts, err := s.Followups.SchedulePuts(f)
	if err != nil {
		return "", err
	}
	_, err = s.Followups.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts})
	if err != nil && !dynamo.ConditionFailed(err) {
		return "", fmt.Errorf("schedule: %w", err)
	}
	if err != nil {
		return "", nil // scheduled by an earlier run (its dedupe claim holds)
	}
	return f.ID, nil
}

// newInvitationToken is an unguessable survey invitation token: 160 random bits, as
// long as the tokens a KMS HMAC key once derived from the sourceId (links already sent
// keep working: an invitation is looked up by its token).
func newInvitationToken() string { return id.Token(20) }

// RetryEffects finishes the effects of visits received over a minute ago whose first
// run did not complete (the visitEffects index lists them).
func (s *Service) RetryEffects(ctx context.Context, now time.Time) (int, error) {
	pending, err := s.Customers.PendingVisits(ctx, now.Add(-time.Minute))
	if err != nil {
		return 0, err
	}
	done := 0
	var first error
	for _, v := range pending {
		if _, err := s.Effects(ctx, v); err != nil {
			first = cmp.Or(first, err)
			continue
		}
		done++
	}
	return done, first
}
