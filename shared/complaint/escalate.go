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

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/place"
)

// SLAReport says what one SLA check did.
type SLAReport struct {
	Checked   int `json:"checked"`
	Fired     int `json:"fired"`
	Conflicts int `json:"conflicts"`
	Failed    int `json:"failed"`
}

// CheckSLAs finds the cases whose clocks reached a ladder step by now, through the
// sharded SLA index (never a scan), and fires each step once: a timeline event and
// the step's effects (the staff it tells), in one transaction with the case.
func (s *Service) CheckSLAs(ctx context.Context, now time.Time) (SLAReport, error) {
	var rep SLAReport
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return rep, err
	}
	locs := map[string]place.Location{}
	var firstErr error
	for shard := range slaShards {
		var start map[string]types.AttributeValue
		for {
			// The index holds keys only: the case's id is its pk's.
			out, err := dynamo.Backfilled(s.Store.DB, "complaints", slaIndex).Query(ctx, &dynamodb.QueryInput{
				TableName: aws.String(s.Store.Table), IndexName: aws.String(slaIndex),
				KeyConditionExpression: aws.String("slaPk = :pk AND slaSk <= :upTo"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": dynamo.S(slaPK(shard)), ":upTo": dynamo.S(slaUpTo(now)),
				},
				ProjectionExpression: aws.String("pk"), Limit: aws.Int32(100), ExclusiveStartKey: start,
			})
			if err != nil {
				return rep, dynamo.Unavailable(err, "query SLA index")
			}
			var keys []struct {
				PK string `dynamodbav:"pk"`
			}
			if err := attributevalue.UnmarshalListOfMaps(out.Items, &keys); err != nil {
				return rep, err
			}
			for _, k := range keys {
				rep.Checked++
				id := caseIDOf(k.PK)
				n, err := s.escalate(ctx, st, locs, id, now)
				switch {
				case errors.Is(err, ErrChanged):
					rep.Conflicts++ // staff acted meanwhile: the next run looks again
				case err != nil:
					// One case that cannot be escalated must not hold up the others;
					// it stays in the index and is tried again on the next run.
					rep.Failed++
					firstErr = cmp.Or(firstErr, err)
					slog.ErrorContext(ctx, "sla check failed", "complaintId", id, "error", err.Error())
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
func (s *Service) escalate(ctx context.Context, st Settings, locs map[string]place.Location, caseID string, now time.Time) (int, error) {
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
	ch, tx := change{prev: cur.Version, bodyKept: cur.body}, &dynamo.Tx{}
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
		esc := Escalation{Case: c, Location: loc, Firing: f, Type: typ, Step: step, To: recipients(c, loc, st, step), At: now}
		if err := s.Effects.Escalated(ctx, tx, esc); err != nil {
			return 0, err
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
	if err := s.Store.add(tx, ch); err != nil {
		return 0, err
	}
	if err := s.Store.commit(ctx, tx); err != nil {
		return 0, err
	}
	for _, f := range firings {
		slog.InfoContext(ctx, "sla step", "complaintId", c.ID, "clock", f.Clock, "step", f.Step+1)
	}
	return len(firings), nil
}

// recipients are the staff one ladder step tells, each with an address: the case's
// agent (the location's managers when it has none with an address), the location's
// managers, or head office. Agents are named by their id.
func recipients(c Complaint, loc place.Location, st Settings, step Step) []contact.Contact {
	var to []contact.Contact
	add := func(name, channel, address, locale string) {
		if address != "" {
			to = append(to, contact.Contact{Name: name, Channel: channel, Address: address, Locale: locale})
		}
	}
	managers := func() {
		for _, m := range loc.Managers {
			add(m.Name, m.Channel, m.Address, m.Locale)
		}
	}
	switch step.Notify {
	case NotifyAssignee:
		if a, ok := st.Agent(c.Assignee); ok && a.Address != "" {
			add(a.ID, a.Channel, a.Address, a.Locale)
		} else {
			managers()
		}
	case NotifyManagers:
		managers()
	case NotifyHeadOffice:
		for _, m := range st.HeadOffice {
			add(m.Name, m.Channel, m.Address, m.Locale)
		}
	}
	return to
}
