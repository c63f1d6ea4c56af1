package casework

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/place"
)

// Escalated schedules the notifications of one SLA ladder step.
func (e *Effects) Escalated(_ context.Context, tx *dynamo.Tx, s complaint.Escalation) error {
	notes, err := notifications(s)
	if err != nil {
		return err
	}
	for _, n := range notes {
		if err := e.schedule(tx, n, e.Followups.SchedulePuts); err != nil {
			return err
		}
	}
	return nil
}

// notifications are the messages of one ladder step, one to each member of staff it
// tells. Outside the location's business hours they wait for its next opening, unless
// the case is critical. With no one to tell, one is still written (it shows as
// skipped with the reason), so the step is never silently lost.
func notifications(s complaint.Escalation) ([]followup.Followup, error) {
	c, loc, f, now := s.Case, s.Location, s.Firing, s.At
	due := now
	critical := c.Severity == "critical"
	if !critical {
		var err error
		if due, err = loc.AddBusinessHours(now, 0); err != nil {
			return nil, err
		}
	}
	kind := followup.KindEscalation
	if s.Type == complaint.EventSLAWarning {
		kind = followup.KindSLAWarning
	}
	base := followup.Followup{Kind: kind, LocationID: c.LocationID, DueAt: due, Urgent: critical,
		// Business hours already decided when it goes; staff have no quiet hours here.
		QuietHours: "00:00-00:00", TemplateID: "complaint-sla",
		Source: followup.Source{Type: "complaint", ID: c.ID}, CreatedAt: now}
	dedupe := fmt.Sprintf("sla#%s#%s#%d#%d", c.ID, f.Clock, c.Reopens, f.Step)
	if len(s.To) == 0 {
		base.ID, base.DedupeKey = followup.OccasionID(dedupe), dedupe
		base.Vars = slaVars(s, "en")
		base.Unroutable = fmt.Sprintf("no one to notify: ladder step %q found no address (location %q managers, head office, assignee)", s.Step.Notify, c.LocationID)
		return []followup.Followup{base}, nil
	}
	out := make([]followup.Followup, len(s.To))
	for i, to := range s.To {
		n := base
		n.DedupeKey = fmt.Sprintf("%s#%d", dedupe, i)
		n.ID = followup.OccasionID(n.DedupeKey)
		n.Recipient = followup.Recipient{Type: "staff", ID: to.Name, Channel: to.Channel, Address: to.Address, Locale: to.Locale, TimeZone: loc.TimeZone}
		n.Vars = slaVars(s, to.Locale)
		out[i] = n
	}
	return out, nil
}

// slaWords are the SLA messages' words, by locale.
var slaWords = i18n.Texts[map[string]string]{
	i18n.English: {complaint.EventSLAWarning: "SLA warning", complaint.EventSLABreach: "SLA breached, escalated",
		complaint.EventEscalated: "Escalated to head office", "acknowledge": "acknowledge", "resolve": "resolve"},
	i18n.Chinese: {complaint.EventSLAWarning: "SLA 预警", complaint.EventSLABreach: "SLA 已超时，已升级",
		complaint.EventEscalated: "已升级至总部", "acknowledge": "受理", "resolve": "解决"},
}

// slaVars are the SLA message's words in the recipient's language.
func slaVars(s complaint.Escalation, locale string) map[string]string {
	w := slaWords.Pick(locale)
	c, loc, f := s.Case, s.Location, s.Firing
	zone, _ := place.Zone(loc.TimeZone)
	return map[string]string{"reference": c.Reference, "severity": c.Severity, "category": c.Category,
		"location": loc.Name, "clock": w[f.Clock], "what": w[s.Type], "due": f.Due.In(zone).Format("2006-01-02 15:04 MST")}
}
