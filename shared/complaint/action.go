package complaint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// ActionRequest is a staff action on a case.
type ActionRequest struct {
	Action     Action `json:"action"`
	Assignee   string `json:"assignee"`
	Team       string `json:"team"`
	Note       string `json:"note"`
	Public     bool   `json:"public"`
	Resolution string `json:"resolution"`
	RootCause  string `json:"rootCause"`
	// CompensationPoints are loyalty points granted with the resolution; the case
	// reference is their sourceId.
	CompensationPoints int `json:"compensationPoints"`
	// Compensation is the resolution's compensation as one object: points (as
	// compensationPoints) and a voucher.
	Compensation *Compensation `json:"compensation"`
	Severity     string        `json:"severity"`
	Category     string        `json:"category"`
	// Version, when given, must be the case's current version (a stale screen's
	// action is refused with 409).
	Version int `json:"version"`
}

func (r *ActionRequest) check(st Settings) error {
	errs, bad := fieldErrors()
	if !slices.Contains(Actions, r.Action) {
		names := make([]string, len(Actions))
		for i, a := range Actions {
			names[i] = string(a)
		}
		bad("action", "must be one of %s", strings.Join(names, ", "))
		return problem.Fields(*errs)
	}
	r.Note, r.Resolution = strings.TrimSpace(r.Note), strings.TrimSpace(r.Resolution)
	if utf8.RuneCountInString(r.Note) > MaxNote {
		bad("note", "at most %d characters", MaxNote)
	}
	switch r.Action {
	case Assign:
		if !validID(r.Assignee) {
			bad("assignee", "is required: letters, digits, '.', '_' or '-'")
		}
		if r.Team != "" && len(st.Teams[r.Team]) == 0 {
			bad("team", "is not a team")
		}
	case Note:
		if r.Note == "" {
			bad("note", "is required")
		}
	case Resolve:
		if n := utf8.RuneCountInString(r.Resolution); n == 0 || n > MaxNote {
			bad("resolution", "is required, at most %d characters", MaxNote)
		}
		if !slices.Contains(st.RootCauses, r.RootCause) {
			bad("rootCause", "must be one of %s", strings.Join(st.RootCauses, ", "))
		}
		if r.CompensationPoints < 0 || r.CompensationPoints > MaxPoints {
			bad("compensationPoints", "must be 0 to %d", MaxPoints)
		}
		if comp := r.Compensation; comp != nil {
			switch {
			case comp.Points < 0 || comp.Points > MaxPoints:
				bad("compensation.points", "must be 0 to %d", MaxPoints)
			case comp.Points != 0 && r.CompensationPoints != 0 && comp.Points != r.CompensationPoints:
				bad("compensation.points", "differs from compensationPoints: give the points once")
			case comp.Points != 0:
				r.CompensationPoints = comp.Points
			}
			if comp.Voucher != nil {
				comp.Voucher.check("compensation.voucher", bad)
			}
		}
	case Triage:
		if r.Severity == "" && r.Category == "" {
			bad("severity", "give a new severity or category")
		}
		if r.Severity != "" && !slices.Contains(Severities, r.Severity) {
			bad("severity", "must be one of %s", strings.Join(Severities, ", "))
		}
		if r.Category != "" && !slices.Contains(st.Categories, r.Category) {
			bad("category", "must be one of %s", strings.Join(st.Categories, ", "))
		}
	}
	return problem.Fields(*errs)
}

// Act applies a staff action. Two staff acting at once cannot both win: the case is
// written only if still at the version read.
func (s *Service) Act(ctx context.Context, p auth.Principal, complaintID string, req ActionRequest) (Case, error) {
	a, timeline, err := s.begin(ctx, p, complaintID, req)
	if err != nil {
		return Case{}, err
	}
	if err := handlers[req.Action](a, ctx); err != nil {
		return Case{}, err
	}
	if err := s.finish(ctx, a); err != nil {
		return Case{}, err
	}
	if a.callOff != "" {
		// The callback asked how a handling felt that is not over: call it off.
		if err := s.Effects.CallOff(ctx, a.callOff, a.now); err != nil {
			slog.WarnContext(ctx, "cancel callback failed", "complaintId", a.c.ID, "followupId", a.callOff, "error", err.Error())
		}
	}
	return caseOf(a.c, append(timeline, a.ev)), nil
}

// action is one staff action under way: the case as it will be written, its event,
// its change, and the transaction its effects join.
type action struct {
	svc *Service
	req ActionRequest
	st  Settings
	loc place.Location
	now time.Time
	c   Complaint
	ev  Event
	ch  change
	tx  *dynamo.Tx
	to  Status // where the state table leads
	// staff is the staff member acting, whose counters the action adds to ("" when
	// no person acts: a machine client).
	staff string
	// callback is the pending callback the case carries after the action; callOff one
	// to cancel once the action is stored.
	callback, callOff string
}

// handlers say what each action does to a case besides moving its status (Next).
var handlers = map[Action]func(*action, context.Context) error{
	Acknowledge:   (*action).acknowledge,
	Start:         (*action).acknowledge,
	Assign:        (*action).assign,
	Note:          (*action).note,
	AwaitCustomer: (*action).await,
	Resume:        (*action).resume,
	Triage:        (*action).triage,
	Resolve:       (*action).resolve,
	Close:         (*action).close,
	Reopen:        (*action).reopen,
}

// begin checks an action against the settings, the caller's access and role, the
// version the caller saw and the state table, and sets it up on the case.
func (s *Service) begin(ctx context.Context, p auth.Principal, complaintID string, req ActionRequest) (*action, []Event, error) {
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := req.check(st); err != nil {
		return nil, nil, err
	}
	cur, events, err := s.visible(ctx, p, complaintID)
	if err != nil {
		return nil, nil, err
	}
	if slices.Contains(ManagerActions, req.Action) && !p.Has(wiring.ManagerUp...) {
		return nil, nil, problem.Newf(problem.Forbidden, "only a manager or admin may %s a case", req.Action)
	}
	if req.Version != 0 && req.Version != cur.Version {
		return nil, nil, problem.Newf(problem.Conflict, "the case is at version %d, not %d: reload it", cur.Version, req.Version)
	}
	to, ok := Next(cur.Status, req.Action)
	if !ok {
		return nil, nil, problem.Newf(problem.Conflict, "cannot %s a case that is %s", req.Action, cur.Status)
	}
	loc, err := s.Locations.Location(ctx, cur.LocationID)
	if err != nil {
		return nil, nil, err
	}
	now := s.Clock.Now()
	day, err := kpi.At(now, loc.TimeZone)
	if err != nil {
		return nil, nil, err
	}
	acting, err := auth.ServingStaff(p, "", "")
	if err != nil {
		return nil, nil, err
	}
	a := &action{svc: s, req: req, st: st, loc: loc, now: now, c: cur.Complaint, to: to, tx: &dynamo.Tx{}, staff: acting,
		ch: change{prev: cur.Version, bodyKept: cur.body, kpiDay: day.Day}, callback: cur.CallbackID,
		ev: Event{Seq: cur.Version + 1, Type: string(req.Action), At: now, Actor: p.Subject, From: cur.Status, To: to,
			Note: req.Note, Details: map[string]string{}}}
	if to == cur.Status {
		a.ev.From, a.ev.To = "", ""
	}
	return a, events, nil
}

// finish moves the case to its new status and version and writes it, its event and
// its effects as one transaction.
func (s *Service) finish(ctx context.Context, a *action) error {
	c := &a.c
	if a.to != c.Status {
		a.ch.deltas.inc("st#"+string(c.Status), -1)
		a.ch.deltas.inc("st#"+string(a.to), 1)
	}
	c.Status, c.Version, c.UpdatedAt = a.to, c.Version+1, a.now
	a.ch.events = []Event{a.ev}
	var err error
	if a.ch.item, err = s.indexed(*c, a.loc, a.st); err != nil {
		return err
	}
	a.ch.item.CallbackID = a.callback
	if err := s.Store.add(a.tx, a.ch); err != nil {
		return err
	}
	if err := s.Store.commit(ctx, a.tx); errors.Is(err, ErrChanged) {
		return problem.New(problem.Conflict, "the case changed meanwhile: reload it and try again")
	} else if err != nil {
		return err
	}
	return nil
}

// statusNote keeps the note of a status change for staff unless it is public: status
// changes are shown to the customer.
func (a *action) statusNote() {
	if !a.req.Public {
		a.ev.Note = ""
		if a.req.Note != "" {
			a.ev.Details["internalNote"] = a.req.Note
		}
	}
}

// acknowledge (and start) stop the acknowledge clock.
func (a *action) acknowledge(context.Context) error {
	a.statusNote()
	return a.stopAck()
}

func (a *action) assign(context.Context) error {
	a.ev.Internal = true
	a.ev.Details["assignee"], a.ev.Details["previous"] = a.req.Assignee, a.c.Assignee
	a.c.Assignee = a.req.Assignee
	if a.req.Team != "" {
		a.c.Team = a.req.Team
	}
	return nil
}

func (a *action) note(context.Context) error {
	a.ev.Internal = !a.req.Public
	return nil
}

// await pauses the resolve clock while the case waits on the customer.
func (a *action) await(context.Context) error {
	a.statusNote()
	a.c.Resolve.pause(a.now)
	return nil
}

func (a *action) resume(context.Context) error {
	a.statusNote()
	return a.c.Resolve.resume(a.loc, a.now)
}

func (a *action) close(context.Context) error {
	a.statusNote()
	a.c.ClosedAt = &a.now
	return nil
}

// stopAck stops the acknowledge clock (acknowledging, or starting or resolving a case
// not yet acknowledged) and counts it for the report.
func (a *action) stopAck() error {
	c := &a.c
	if c.Acknowledge.Stopped != nil {
		return nil
	}
	if err := c.Acknowledge.stop(a.loc, a.now); err != nil {
		return err
	}
	a.ch.deltas.inc(metKey("ack", *c.Acknowledge.Met), 1)
	a.ch.deltas.push("ackMinutes", c.Acknowledge.BusinessMinutes)
	a.ch.staff.add(a.staff, ackCounts(c.Acknowledge))
	return nil
}

func metKey(clock string, met bool) string {
	if met {
		return clock + "Met"
	}
	return clock + "Missed"
}

// resolve records the outcome and counts it, and hands the resolution to the effects
// in the case's transaction: the customer's outcome message, the callback asking how
// the handling felt, the compensation points and voucher.
func (a *action) resolve(ctx context.Context) error {
	if err := a.stopAck(); err != nil {
		return err
	}
	if err := a.record(); err != nil {
		return err
	}
	c := &a.c
	if a.req.CompensationPoints > 0 && c.CustomerID == "" {
		return problem.Field("compensationPoints", "the case is linked to no customer to give points to")
	}
	voucher, err := a.voucher()
	if err != nil {
		return err
	}
	c.CompensationVoucher = voucher
	r := Resolution{Case: *c, Location: a.loc, At: a.now, Actor: a.ev.Actor, Points: a.req.CompensationPoints, Voucher: voucher}
	if a.st.CallbackAfterDays > 0 {
		r.CallbackAt = a.now.AddDate(0, 0, a.st.CallbackAfterDays)
	}
	done, err := a.svc.Effects.Resolved(ctx, a.tx, r)
	if err != nil {
		return err
	}
	a.callback = done.CallbackID
	a.ev.Note = c.Resolution
	a.ev.Details["rootCause"] = c.RootCause
	if a.req.Note != "" {
		a.ev.Details["internalNote"] = a.req.Note
	}
	if c.CompensationPoints > 0 {
		a.ev.Details["compensationPoints"] = fmt.Sprint(c.CompensationPoints)
	}
	switch {
	case done.AlreadyCompensated:
		a.ev.Details["compensation"] = "already granted for this case"
	case done.CompensationEntry != "":
		a.ev.Details["compensationEntry"] = done.CompensationEntry
		// Points granted now are the resolver's; an earlier resolution's grant is not.
		a.ch.staff.add(a.staff, map[string]int{kpi.CompPoints: c.CompensationPoints})
	}
	if voucher != nil {
		voucher.Code = done.VoucherCode
		if done.VoucherAlreadyIssued {
			a.ev.Details["compensationVoucher"] = "already issued for this case: " + done.VoucherCode
		} else {
			a.ev.Details["compensationVoucher"] = done.VoucherCode
			a.ch.staff.add(a.staff, map[string]int{kpi.CompVouchers: 1})
		}
	}
	return nil
}

// voucher is the resolution's compensation voucher, for the case's customer, in the
// location's currency when the amount off names none; nil when none is granted.
func (a *action) voucher() (*VoucherGrant, error) {
	comp := a.req.Compensation
	if comp == nil || comp.Voucher == nil {
		return nil, nil
	}
	g := *comp.Voucher
	if a.c.CustomerID == "" {
		return nil, problem.Field("compensation.voucher", "the case is linked to no customer to give a voucher to")
	}
	if g.Value.AmountOff != 0 && g.Value.Currency == "" {
		if a.loc.Currency == "" {
			return nil, problem.Field("compensation.voucher.value.currency", "is required: the location names no currency")
		}
		g.Value.Currency = a.loc.Currency
	}
	return &g, nil
}

// record stops the resolve clock and records the outcome on the case and its counters.
func (a *action) record() error {
	c, now := &a.c, a.now
	if err := c.Resolve.stop(a.loc, now); err != nil {
		return err
	}
	first := c.ResolvedAt == nil
	c.Resolution, c.RootCause, c.CompensationPoints, c.ResolvedAt = a.req.Resolution, a.req.RootCause, a.req.CompensationPoints, &now
	c.ResolvedBy = a.staff
	a.ch.deltas.inc(metKey("res", *c.Resolve.Met), 1)
	a.ch.deltas.push("resMinutes", c.Resolve.BusinessMinutes)
	// Every resolution counts on its local day (a reopened case resolved again counts
	// again, for the location and for the staff member resolving it); within the SLA
	// when the resolve clock met its deadline.
	a.ch.kpi = map[string]int{kpi.Resolved: 1, kpi.ResolvedMet: met(c.Resolve)}
	a.ch.staff.add(a.staff, resolveCounts(c.Resolve))
	a.ch.deltas.inc("rc#"+c.RootCause, 1)
	if first {
		a.ch.deltas.inc("resolvedCases", 1)
	}
	return nil
}

// reopen restarts the resolution clock of a case resolved within the reopen window;
// the callback about the handling that is not over is called off.
func (a *action) reopen(context.Context) error {
	a.statusNote()
	c := &a.c
	if c.ResolvedAt == nil || a.now.After(c.ResolvedAt.AddDate(0, 0, a.st.ReopenWindowDays)) {
		return problem.Newf(problem.Conflict, "the reopen window of %d days after resolution has passed", a.st.ReopenWindowDays)
	}
	if c.Reopens == 0 {
		a.ch.deltas.inc("reopenedCases", 1)
	}
	a.ch.deltas.inc("reopens", 1)
	// The reopen counts against the resolution it undoes: its resolver's, on the
	// reopen's day.
	a.ch.staff.add(c.ResolvedBy, map[string]int{kpi.Reopened: 1})
	c.Reopens++
	c.ClosedAt, c.Breached = nil, false
	clk, err := startClock(a.loc, a.now, c.Resolve.TargetMinutes)
	c.Resolve = clk
	a.callOff, a.callback = a.callback, ""
	return err
}

// triage changes severity or category; running clocks take the new policy's targets.
func (a *action) triage(context.Context) error {
	a.ev.Internal = true
	c, req, d := &a.c, a.req, &a.ch.deltas
	if req.Severity != "" && req.Severity != c.Severity {
		a.ev.Details["severity"] = c.Severity + " → " + req.Severity
		d.inc("sev#"+c.Severity, -1)
		d.inc("sev#"+req.Severity, 1)
		c.Severity = req.Severity
	}
	if req.Category != "" && req.Category != c.Category {
		a.ev.Details["category"] = c.Category + " → " + req.Category
		d.inc("cat#"+c.Category, -1)
		d.inc("cat#"+req.Category, 1)
		c.Category = req.Category
	}
	pol := a.st.Policy(c.Category, c.Severity)
	if c.Acknowledge.Stopped == nil {
		if err := c.Acknowledge.retarget(a.loc, pol.AcknowledgeMinutes); err != nil {
			return err
		}
	}
	if c.Resolve.Stopped == nil {
		return c.Resolve.retarget(a.loc, pol.ResolveMinutes)
	}
	return nil
}
