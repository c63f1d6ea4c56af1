package privacy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/survey"
)

// Retention is how long personal data stays where its purpose has ended.
type Retention struct {
	// ComplaintDays after a case closed, its contact, description, resolution, notes
	// and the messages to the complainant go.
	ComplaintDays int
	// SurveyCommentDays after a response, its comment and text answers go.
	SurveyCommentDays int
}

// DefaultRetention keeps closed complaints a year and survey comments two.
var DefaultRetention = Retention{ComplaintDays: 365, SurveyCommentDays: 730}

// RetentionReport says what one run removed.
type RetentionReport struct {
	Complaints      int `json:"complaints"`
	SurveyResponses int `json:"surveyResponses"`
	Followups       int `json:"followups"`
	OutboxMessages  int `json:"outboxMessages"`
}

// Retain removes the personal data whose retention period has ended: of complaints
// closed more than ComplaintDays ago (found location by location through the queue
// index) and survey comments older than SurveyCommentDays (through the comments
// index). Never a scan; a case or response done before is not read again (responses
// leave the comments index; cases are skipped by a filter). One failing part does not
// hold up the other.
func (s *Service) Retain(ctx context.Context, now time.Time, r Retention) (RetentionReport, error) {
	var rep RetentionReport
	errC := s.retainComplaints(ctx, now, now.AddDate(0, 0, -r.ComplaintDays), &rep)
	errS := s.retainComments(ctx, now, now.AddDate(0, 0, -r.SurveyCommentDays), &rep)
	return rep, errors.Join(errC, errS)
}

// retainComplaints redacts, case by case, the messages to the complainant and their
// delivered copies first, then the case, whose redaction takes it off the list.
func (s *Service) retainComplaints(ctx context.Context, now, cutoff time.Time, rep *RetentionReport) error {
	locs, err := s.Locations.Locations(ctx)
	if err != nil {
		return fmt.Errorf("complaints: %w", err)
	}
	for _, l := range locs {
		ids, err := s.Complaints.ClosedBefore(ctx, l.ID, cutoff)
		if err != nil {
			return fmt.Errorf("complaints of %s: %w", l.ID, err)
		}
		for _, id := range ids {
			red := complaint.Redaction{Reason: "retention", Actor: "retention", At: now, ClosedBefore: cutoff}
			ok, err := s.redactCase(ctx, id, red, nil, rep)
			if err != nil {
				return fmt.Errorf("complaint %s: %w", id, err)
			}
			rep.Complaints += count(ok)
		}
	}
	return nil
}

// redactCase redacts a case's messages to the complainant (and, on an erasure, any
// delivered copy to the contact's phone or email) and then the case itself.
func (s *Service) redactCase(ctx context.Context, id string, red complaint.Redaction, counts map[string]int, rep *RetentionReport) (bool, error) {
	c, err := s.Complaints.CaseWithTimeline(ctx, id)
	if errors.Is(err, complaint.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !red.Applies(c.Complaint) {
		return false, nil
	}
	var fids []string
	for _, key := range casework.FollowupKeys(c.Complaint) {
		fid, err := s.Followups.RedactOccasion(ctx, key, false, red.At)
		if err != nil {
			return false, err
		}
		if fid != "" {
			fids = append(fids, fid)
		}
	}
	n, err := s.Followups.DeleteDelivered(ctx, fids)
	if err != nil {
		return false, err
	}
	if red.Reason == "erasure" {
		m, err := s.Followups.DeleteDeliveredTo(ctx, []string{c.Contact.Phone, c.Contact.Email})
		if err != nil {
			return false, err
		}
		n += m
	}
	if counts != nil {
		counts["outboxMessages"] += n
	}
	if rep != nil {
		rep.Followups += len(fids)
		rep.OutboxMessages += n
	}
	return s.Complaints.RedactCase(ctx, id, red)
}

// retainComments redacts each old response's loop alerts (they quote the comment)
// and their delivered copies first, then the response, which leaves the index.
func (s *Service) retainComments(ctx context.Context, now, cutoff time.Time, rep *RetentionReport) error {
	err := s.Surveys.CommentsBefore(ctx, cutoff, func(r survey.Response) error {
		alerts, err := s.redactAlerts(ctx, r)
		if err != nil {
			return err
		}
		n, err := s.Followups.DeleteDelivered(ctx, alerts)
		if err != nil {
			return err
		}
		rep.Followups += len(alerts)
		rep.OutboxMessages += n
		if err := s.Surveys.RedactText(ctx, r, now); err != nil {
			return err
		}
		rep.SurveyResponses++
		return nil
	})
	if err != nil {
		return fmt.Errorf("survey comments: %w", err)
	}
	return nil
}
