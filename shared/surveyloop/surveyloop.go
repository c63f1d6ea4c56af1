// Package surveyloop is the closed loop of survey responses: a response that meets its
// survey's loop rules alerts someone to call the customer back and, by rule, opens a
// complaint case, in the response's own transaction. It joins the survey domain, the
// follow-ups that carry the alerts and the complaints domain, and builds the
// surveys-public function that takes responses.
package surveyloop

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
)

// Scheduler gives the transaction items that schedule the follow-up of an occasion
// new with the response (its key names the response the transaction creates).
type Scheduler interface {
	ScheduleNewPuts(followup.Followup) ([]types.TransactWriteItem, error)
}

// Cases opens complaint cases from responses, as transaction items.
type Cases interface {
	CaseItems(ctx context.Context, in complaint.Intake) ([]types.TransactWriteItem, complaint.Receipt, error)
}

// Loop acts on a response's closed loop (it is the survey Service's Recoverer): the
// callback alerts, and the case of a loop with OpenCase.
type Loop struct {
	Followups Scheduler
	// Cases, when set, opens the case of a loop with OpenCase.
	Cases Cases
}

var _ survey.Recoverer = (*Loop)(nil)

// Recover adds the loop's alerts and case to the response's transaction and tells the
// case's reference, for the response to keep.
func (l *Loop) Recover(ctx context.Context, rec survey.Recovery, tx *dynamo.Tx) (survey.Recovered, error) {
	for _, f := range callbacks(rec) {
		puts, err := l.Followups.ScheduleNewPuts(f)
		if err != nil {
			return survey.Recovered{}, err
		}
		tx.Add(nil, puts...)
	}
	ref, items, err := l.openCase(ctx, rec.Survey, rec.Response)
	if err != nil {
		return survey.Recovered{}, err
	}
	tx.Add(nil, items...)
	return survey.Recovered{Case: ref}, nil
}

// openCase is the case a loop with OpenCase opens for a response at a location: its
// items join the response's transaction. A case the complaints domain refuses (an
// unknown category, an unregistered location) is logged and left out, so the
// customer's answers are never lost for it; the callback alert still goes.
func (l *Loop) openCase(ctx context.Context, sv survey.Survey, r survey.Response) (string, []types.TransactWriteItem, error) {
	rule := sv.Loop.OpenCase
	if rule == nil || l.Cases == nil || r.LocationID == "" {
		return "", nil, nil
	}
	desc := fmt.Sprintf("Survey %q (version %d), response %s: %s.", sv.Name, sv.Version, r.ID, strings.Join(r.Loop, "; "))
	if r.Comment != "" {
		desc += "\nComment: " + r.Comment
	}
	in := complaint.Intake{Category: rule.Category, Severity: rule.Severity, Description: desc, LocationID: r.LocationID,
		CustomerID: r.CustomerID, StaffID: r.StaffID, Contact: complaint.Contact{Name: "Survey respondent"}}
	items, rc, err := l.Cases.CaseItems(ctx, in)
	switch {
	case problem.KindOf(err) == problem.Invalid:
		slog.WarnContext(ctx, "survey loop case not opened", "surveyId", sv.ID, "responseId", r.ID, "error", err.Error())
		return "", nil, nil
	case err != nil:
		return "", nil, err
	}
	return rc.Reference, items, nil
}

// callbacks are the alerts the loop opens: to the loop's contact, or else to each
// manager of the response's location, asking for a callback by the recovery's
// deadline. With no one to tell, one alert is still written — it shows as skipped
// with the reason — so the loop is never lost with its response.
func callbacks(rec survey.Recovery) []followup.Followup {
	sv, r, loc := rec.Survey, rec.Response, rec.Location
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
	base := callback(sv, r, rec.CallbackBy)
	base.QuietHours = quiet
	if len(to) == 0 {
		base.DedupeKey = survey.RecoveryKey(r.ID, -1)
		base.ID = followup.OccasionID(base.DedupeKey)
		base.Unroutable = fmt.Sprintf("no one to alert: the loop names no contact and location %q has no managers in the registry", r.LocationID)
		return []followup.Followup{base}
	}
	out := make([]followup.Followup, len(to))
	for i, rcpt := range to {
		f := base
		f.Recipient, f.DedupeKey = rcpt, survey.RecoveryKey(r.ID, i)
		f.ID = followup.OccasionID(f.DedupeKey)
		out[i] = f
	}
	return out
}

// callback is the alert the loop opens: call the customer back by the deadline (its
// recipient, dedupe key and id are each alert's).
func callback(sv survey.Survey, r survey.Response, by time.Time) followup.Followup {
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
		Kind: followup.KindRecoveryCallback, LocationID: r.LocationID,
		// The alert goes at once (outside the recipient's quiet hours); the callback
		// itself is due by the deadline.
		DueAt:   r.SubmittedAt,
		Subject: "Service recovery: " + strings.Join(r.Loop, "; "), Body: body,
		Source: followup.Source{Type: "survey-response", ID: r.ID}, CreatedAt: r.SubmittedAt,
	}
}
