package complaint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
)

// SLAReport says what one SLA check did.
type SLAReport struct {
	Checked   int `json:"checked"`
	Fired     int `json:"fired"`
	Conflicts int `json:"conflicts"`
	Failed    int `json:"failed"`
}

// CheckSLAs finds the cases whose clocks reached a ladder step by now, through the
// sharded SLA index (never a scan), and fires each step once: a timeline event and a
// notification through the follow-up engine, in one transaction with the case.
func (s *Service) CheckSLAs(ctx context.Context, now time.Time) (SLAReport, error) {
	var rep SLAReport
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return rep, err
	}
	locs := map[string]customer.Location{}
	var firstErr error
	for shard := range slaShards {
		var start map[string]types.AttributeValue
		for {
			out, err := s.Store.DB.Query(ctx, &dynamodb.QueryInput{
				TableName: aws.String(s.Store.Table), IndexName: aws.String("sla"),
				KeyConditionExpression: aws.String("slaPk = :pk AND slaSk <= :upTo"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": dynamo.S(slaPK(shard)), ":upTo": dynamo.S(slaUpTo(now)),
				},
				ProjectionExpression: aws.String("id"), Limit: aws.Int32(100), ExclusiveStartKey: start,
			})
			if err != nil {
				return rep, dynamo.Unavailable(err, "query SLA index")
			}
			var ids []struct {
				ID string `dynamodbav:"id"`
			}
			if err := attributevalue.UnmarshalListOfMaps(out.Items, &ids); err != nil {
				return rep, err
			}
			for _, it := range ids {
				rep.Checked++
				n, err := s.escalate(ctx, st, locs, it.ID, now)
				switch {
				case errors.Is(err, ErrChanged):
					rep.Conflicts++ // staff acted meanwhile: the next run looks again
				case err != nil:
					// One case that cannot be escalated must not hold up the others;
					// it stays in the index and is tried again on the next run.
					rep.Failed++
					firstErr = cmp.Or(firstErr, err)
					slog.ErrorContext(ctx, "sla check failed", "complaintId", it.ID, "error", err.Error())
				}
				rep.Fired += n
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			start = out.LastEvaluatedKey
		}
	}
	if firstErr != nil {
		return rep, fmt.Errorf("%d of %d cases failed, the first: %w", rep.Failed, rep.Checked, firstErr)
	}
	return rep, nil
}

// escalate fires the ladder steps one case reached; it returns how many.
func (s *Service) escalate(ctx context.Context, st Settings, locs map[string]customer.Location, caseID string, now time.Time) (int, error) {
	cur, err := s.Store.caseOnly(ctx, caseID)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	loc, ok := locs[cur.LocationID]
	if !ok {
		if loc, err = s.Locations.Location(ctx, cur.LocationID); err != nil {
			return 0, fmt.Errorf("case %s: %w", caseID, err)
		}
		locs[cur.LocationID] = loc
	}
	c := cur.Complaint
	firings, err := c.fire(loc, st.Ladder, now)
	if err != nil {
		return 0, err
	}
	ch := change{prev: cur.Version}
	for _, f := range firings {
		typ := f.eventType(st.Ladder)
		step := st.Ladder[f.Step]
		c.Version++
		ch.events = append(ch.events, Event{Seq: c.Version, Type: typ, At: now, Actor: "sla", Internal: true,
			Details: map[string]string{"clock": f.Clock, "step": fmt.Sprint(f.Step + 1), "share": fmt.Sprintf("%.0f%%", step.At*100),
				"notify": step.Notify, "due": f.Due.Format(time.RFC3339), "reachedAt": f.At.Format(time.RFC3339)}})
		if typ == EventSLABreach {
			ch.deltas.inc("breached#"+f.Clock, 1)
		}
		notes, err := s.notifications(c, loc, st, f, typ, now)
		if err != nil {
			return 0, err
		}
		for _, n := range notes {
			puts, err := s.Followups.SchedulePuts(n)
			if err != nil {
				return 0, err
			}
			ch.extra = append(ch.extra, puts...)
		}
	}
	if len(firings) > 0 {
		c.UpdatedAt = now
	}
	// Even with nothing fired the index entry is rewritten: it may have been stale.
	if ch.item, err = s.indexed(c, loc, st); err != nil {
		return 0, err
	}
	ch.item.CallbackID = cur.CallbackID
	if err := s.Store.commit(ctx, ch); err != nil {
		return 0, err
	}
	for _, f := range firings {
		slog.InfoContext(ctx, "sla step", "complaintId", c.ID, "clock", f.Clock, "step", f.Step+1)
	}
	return len(firings), nil
}

// notifications are the messages of one ladder step, to the assignee, the location's
// managers or head office. Outside the location's business hours they wait for its
// next opening, unless the case is critical. With no one to tell, one is still written
// (it shows as skipped with the reason), so the step is never silently lost.
func (s *Service) notifications(c Complaint, loc customer.Location, st Settings, f Firing, typ string, now time.Time) ([]followup.Followup, error) {
	step := st.Ladder[f.Step]
	var to []followup.Recipient
	staff := func(name, channel, address, locale string) {
		if address != "" {
			to = append(to, followup.Recipient{Type: "staff", ID: name, Channel: channel, Address: address, Locale: locale, TimeZone: loc.TimeZone})
		}
	}
	managers := func() {
		for _, m := range loc.Managers {
			staff(m.Name, m.Channel, m.Address, m.Locale)
		}
	}
	switch step.Notify {
	case NotifyAssignee:
		if a, ok := st.Agent(c.Assignee); ok && a.Address != "" {
			staff(a.ID, a.Channel, a.Address, a.Locale)
		} else {
			managers()
		}
	case NotifyManagers:
		managers()
	case NotifyHeadOffice:
		for _, m := range st.HeadOffice {
			staff(m.Name, m.Channel, m.Address, m.Locale)
		}
	}
	due := now
	critical := c.Severity == "critical"
	if !critical {
		var err error
		if due, err = loc.AddBusinessHours(now, 0); err != nil {
			return nil, err
		}
	}
	kind := followup.KindEscalation
	if typ == EventSLAWarning {
		kind = followup.KindSLAWarning
	}
	base := followup.Followup{Kind: kind, LocationID: c.LocationID, DueAt: due, Urgent: critical,
		// Business hours already decided when it goes; staff have no quiet hours here.
		QuietHours: "00:00-00:00", TemplateID: "complaint-sla",
		Source: followup.Source{Type: "complaint", ID: c.ID}, CreatedAt: now}
	dedupe := fmt.Sprintf("sla#%s#%s#%d#%d", c.ID, f.Clock, c.Reopens, f.Step)
	if len(to) == 0 {
		base.ID, base.DedupeKey = id.New(now), dedupe
		base.Vars = slaVars(c, loc, f, typ, "en")
		base.Unroutable = fmt.Sprintf("no one to notify: ladder step %q found no address (location %q managers, head office, assignee)", step.Notify, c.LocationID)
		return []followup.Followup{base}, nil
	}
	out := make([]followup.Followup, len(to))
	for i, r := range to {
		n := base
		n.ID, n.Recipient, n.DedupeKey = id.New(now), r, fmt.Sprintf("%s#%d", dedupe, i)
		n.Vars = slaVars(c, loc, f, typ, r.Locale)
		out[i] = n
	}
	return out, nil
}

// slaVars are the SLA message's words in the recipient's language.
func slaVars(c Complaint, loc customer.Location, f Firing, typ, locale string) map[string]string {
	words := map[string]map[string]string{
		"en":    {EventSLAWarning: "SLA warning", EventSLABreach: "SLA breached, escalated", EventEscalated: "Escalated to head office", "acknowledge": "acknowledge", "resolve": "resolve"},
		"zh-CN": {EventSLAWarning: "SLA 预警", EventSLABreach: "SLA 已超时，已升级", EventEscalated: "已升级至总部", "acknowledge": "受理", "resolve": "解决"},
	}
	w, ok := words[locale]
	if !ok {
		w = words["en"]
	}
	zone, _ := time.LoadLocation(loc.TimeZone)
	return map[string]string{"reference": c.Reference, "severity": c.Severity, "category": c.Category,
		"location": loc.Name, "clock": w[f.Clock], "what": w[typ], "due": f.Due.In(zone).Format("2006-01-02 15:04 MST")}
}
