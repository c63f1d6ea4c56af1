package complaint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Locations reads the locations registry.
type Locations interface {
	Location(ctx context.Context, id string) (customer.Location, error)
	LocationIDs(ctx context.Context) ([]string, error)
}

// Customers finds the customer a contact belongs to, and whom a caller may see.
type Customers interface {
	FindByContact(ctx context.Context, phone, email string) (string, error)
	Reachable(ctx context.Context, p auth.Principal, cid string) error
}

// Followups schedules and cancels follow-ups.
type Followups interface {
	SchedulePuts(followup.Followup) ([]types.TransactWriteItem, error)
	Cancel(ctx context.Context, id string, at time.Time) error
}

// Service is the complaints domain's behaviour.
type Service struct {
	Store     *Store
	Locations Locations
	Customers Customers
	Followups Followups
	Clock     clock.Clock
	// PublicURL is the API's base URL, for the tracking link sent to the customer.
	PublicURL string
	// Loyalty grants a resolution's compensation points in its transaction.
	Loyalty *loyalty.Store
}

// Limits of intake fields.
const (
	MaxDescription = 5000
	MaxName        = 200
	MaxNote        = 5000
	MaxPoints      = 100000
)

// Intake is a new complaint as submitted.
type Intake struct {
	Channel     string  `json:"channel"`
	Category    string  `json:"category"`
	Description string  `json:"description"`
	Severity    string  `json:"severity"`
	LocationID  string  `json:"locationId"`
	Contact     Contact `json:"contact"`
	CustomerID  string  `json:"customerId"`
	// Assignee lets staff entering a case give it to someone at once.
	Assignee string `json:"assignee"`
	// Website is the form's honeypot: people never see it, bots fill it.
	Website string `json:"website"`
}

// Receipt is what intake answers with.
type Receipt struct {
	ComplaintID   string    `json:"complaintId"`
	Reference     string    `json:"reference"`
	TrackingToken string    `json:"trackingToken"`
	TrackingURL   string    `json:"trackingUrl,omitempty"`
	Status        Status    `json:"status"`
	AcknowledgeBy time.Time `json:"acknowledgeBy"`
	ResolveBy     time.Time `json:"resolveBy"`
}

// Commit lets the caller add its own items (the idempotency record) to the intake's
// transaction once the receipt is known.
type Commit func(Receipt) ([]types.TransactWriteItem, error)

func fieldErrors() (*[]problem.FieldError, func(string, string, ...any)) {
	var errs []problem.FieldError
	return &errs, func(f, format string, args ...any) {
		errs = append(errs, problem.FieldError{Field: f, Message: fmt.Sprintf(format, args...)})
	}
}

// check validates an intake against the settings, normalising contact fields. staff
// is nil for the public route.
func (in *Intake) check(st Settings, staff *auth.Principal) error {
	errs, bad := fieldErrors()
	channels := PublicChannels
	if staff != nil {
		channels = Channels
	}
	if in.Channel == "" && staff == nil {
		in.Channel = "web"
	}
	if !slices.Contains(channels, in.Channel) {
		bad("channel", "must be one of %s", strings.Join(channels, ", "))
	}
	if !slices.Contains(st.Categories, in.Category) {
		bad("category", "must be one of %s", strings.Join(st.Categories, ", "))
	}
	in.Description = strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(in.Description); n == 0 || n > MaxDescription {
		bad("description", "is required, at most %d characters", MaxDescription)
	}
	if in.Severity == "" {
		in.Severity = "normal"
	}
	if !slices.Contains(Severities, in.Severity) {
		bad("severity", "must be one of %s", strings.Join(Severities, ", "))
	}
	if !validID(in.LocationID) {
		bad("locationId", "is required: letters, digits, '.', '_' or '-'")
	}
	in.Contact.Name = strings.TrimSpace(in.Contact.Name)
	if n := utf8.RuneCountInString(in.Contact.Name); n == 0 || n > MaxName {
		bad("contact.name", "is required, at most %d characters", MaxName)
	}
	if in.Contact.Phone != "" {
		p, err := customer.NormalizePhone(in.Contact.Phone)
		if err != nil {
			bad("contact.phone", "must be a phone number, e.g. +86 138 0013 8000")
		}
		in.Contact.Phone = p
	}
	if in.Contact.Email != "" {
		e, err := customer.NormalizeEmail(in.Contact.Email)
		if err != nil {
			bad("contact.email", "must be an email address")
		}
		in.Contact.Email = e
	}
	if l := in.Contact.Locale; l != "" && l != "zh-CN" && l != "en" {
		bad("contact.locale", "must be zh-CN or en")
	}
	if in.CustomerID != "" && !validID(in.CustomerID) {
		bad("customerId", "must be letters, digits, '.', '_' or '-'")
	}
	if in.Assignee != "" && (staff == nil || !validID(in.Assignee)) {
		bad("assignee", "staff only: letters, digits, '.', '_' or '-'")
	}
	return problem.Fields(*errs)
}

// location reads a registered location, as a field error when it is unknown.
func (s *Service) location(ctx context.Context, id, field string) (customer.Location, error) {
	loc, err := s.Locations.Location(ctx, id)
	if errors.Is(err, customer.ErrNoLocation) {
		return customer.Location{}, problem.Field(field, fmt.Sprintf("%q is not a registered location", id))
	}
	return loc, err
}

// prepare checks an intake and builds the new case's change and receipt; bot is true
// when the honeypot was filled (nothing is to be stored, the receipt is a decoy).
func (s *Service) prepare(ctx context.Context, staff *auth.Principal, in Intake) (ch change, rc Receipt, bot bool, err error) {
	now := s.Clock.Now()
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return change{}, Receipt{}, false, err
	}
	if err := in.check(st, staff); err != nil {
		return change{}, Receipt{}, false, err
	}
	if staff != nil {
		if err := s.mayFile(ctx, *staff, in); err != nil {
			return change{}, Receipt{}, false, err
		}
	}
	loc, err := s.location(ctx, in.LocationID, "locationId")
	if err != nil {
		return change{}, Receipt{}, false, err
	}
	token := id.Token(20)
	c := Complaint{ID: id.New(now), LocationID: loc.ID, Channel: in.Channel, Category: in.Category,
		Severity: in.Severity, Description: in.Description, Contact: in.Contact, Status: Received,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.Website != "" {
		// A bot filled the honeypot: it sees success, nothing is stored.
		return change{}, Receipt{ComplaintID: c.ID, Reference: loc.ReferenceCode() + "-" + now.Format(refDay) + "-0000",
			TrackingToken: token, Status: Received, AcknowledgeBy: now, ResolveBy: now}, true, nil
	}
	zone, err := time.LoadLocation(loc.TimeZone)
	if err != nil {
		return change{}, Receipt{}, false, err
	}
	c.ReportDay = now.In(zone).Format(reportDay)
	pol := st.Policy(c.Category, c.Severity)
	if c.Acknowledge, err = startClock(loc, now, pol.AcknowledgeMinutes); err != nil {
		return change{}, Receipt{}, false, err
	}
	if c.Resolve, err = startClock(loc, now, pol.ResolveMinutes); err != nil {
		return change{}, Receipt{}, false, err
	}
	actor, linkNote := "customer", ""
	if staff != nil {
		actor = staff.Subject
	}
	c.CustomerID, linkNote, err = s.link(ctx, staff, in)
	if err != nil {
		return change{}, Receipt{}, false, err
	}
	received := Event{Seq: 1, Type: EventReceived, At: now, Actor: actor, To: Received,
		Details: map[string]string{"channel": c.Channel, "category": c.Category, "severity": c.Severity}}
	if linkNote != "" {
		received.Details["customerLink"] = linkNote
	}
	events := []Event{received}
	if assigned, err := s.assignNew(ctx, st, &c, in.Assignee, actor); err != nil {
		return change{}, Receipt{}, false, err
	} else if assigned != nil {
		events = append(events, *assigned)
	}
	c.Version = len(events)
	day := now.In(zone)
	n, err := s.Store.count(ctx, refSeqPK(loc.ReferenceCode(), day), "SEQ", now.Add(72*time.Hour))
	if err != nil {
		return change{}, Receipt{}, false, err
	}
	c.Reference = fmt.Sprintf("%s-%s-%04d", loc.ReferenceCode(), day.Format(refDay), n)
	rc = Receipt{ComplaintID: c.ID, Reference: c.Reference, TrackingToken: token, Status: c.Status,
		AcknowledgeBy: c.AcknowledgeBy(), ResolveBy: c.ResolveBy(), TrackingURL: s.trackingURL(token)}
	item, err := s.indexed(c, loc, st)
	if err != nil {
		return change{}, Receipt{}, false, err
	}
	ch = change{item: item, events: events, kpi: map[string]int{kpi.Opened: 1}, kpiDay: c.ReportDay}
	ch.deltas.inc("n", 1)
	for _, k := range []string{"cat#" + c.Category, "sev#" + c.Severity, "ch#" + c.Channel, "st#" + string(c.Status)} {
		ch.deltas.inc(k, 1)
	}
	trackItem, err := s.Store.put(map[string]any{"pk": trackPK(token), "sk": "TRACK", "complaintId": c.ID}, "attribute_not_exists(pk)")
	if err != nil {
		return change{}, Receipt{}, false, err
	}
	refItem, err := s.Store.put(map[string]any{"pk": refPK(c.Reference), "sk": "REF", "complaintId": c.ID}, "attribute_not_exists(pk)")
	if err != nil {
		return change{}, Receipt{}, false, err
	}
	ch.created = []types.TransactWriteItem{trackItem, refItem}
	if f, ok := s.toCustomer(c, loc, now, "complaint-received", "received", map[string]string{"link": rc.TrackingURL}); ok {
		if ch.extra, err = s.Followups.SchedulePuts(f); err != nil {
			return change{}, Receipt{}, false, err
		}
	}
	return ch, rc, false, nil
}

// Submit takes in a new complaint: public (staff nil) or entered by staff from another
// channel. The case, its first events, its tracking token and reference, its report
// counters, the customer's receipt message and the caller's items are one transaction.
func (s *Service) Submit(ctx context.Context, staff *auth.Principal, in Intake, commit Commit) (Receipt, error) {
	ch, rc, bot, err := s.prepare(ctx, staff, in)
	if err != nil || bot {
		return rc, err
	}
	if commit != nil {
		items, err := commit(rc)
		if err != nil {
			return Receipt{}, err
		}
		ch.extra = append(ch.extra, items...)
	}
	if err := s.Store.commit(ctx, ch); err != nil {
		if errors.Is(err, errLockLost) {
			return Receipt{}, problem.New(problem.Conflict, "a request with this Idempotency-Key is still in progress")
		}
		return Receipt{}, err
	}
	return rc, nil
}

// surveyLoop is who opens the cases of a survey's closed loop: a system acting for
// the response's location, whichever it is.
var surveyLoop = auth.Principal{Subject: "survey-loop", Roles: []string{"system"}, All: true}

// CaseItems are the transaction items that open a case from a survey response (channel
// "survey"), for the survey domain to commit with the response itself, so a bad score
// and its case are stored together or not at all.
func (s *Service) CaseItems(ctx context.Context, in Intake) ([]types.TransactWriteItem, Receipt, error) {
	in.Channel = "survey"
	ch, rc, _, err := s.prepare(ctx, &surveyLoop, in)
	if err != nil {
		return nil, Receipt{}, err
	}
	items, err := s.Store.items(ch)
	return items, rc, err
}

func (s *Service) trackingURL(token string) string {
	if s.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(s.PublicURL, "/") + "/v1/complaints/track/" + url.PathEscape(token)
}

// link is the customer a new case belongs to. Staff and systems may name one; the
// public route links only by the contact's normalised phone or email, so nobody can
// attach a complaint to a stranger's profile by guessing an id.
func (s *Service) link(ctx context.Context, staff *auth.Principal, in Intake) (string, string, error) {
	if staff != nil && in.CustomerID != "" {
		return in.CustomerID, "given", nil
	}
	found, err := s.Customers.FindByContact(ctx, in.Contact.Phone, in.Contact.Email)
	if err != nil {
		return "", "", err
	}
	switch {
	case found != "":
		return found, "matched by contact", nil
	case in.CustomerID != "":
		return "", "customerId not verified by the contact: not linked", nil
	}
	return "", "", nil
}

// assignNew gives a new case to the named agent, or by the rules to a team's next
// agent in turn; nil when nobody is assigned.
func (s *Service) assignNew(ctx context.Context, st Settings, c *Complaint, assignee, actor string) (*Event, error) {
	ev := &Event{Seq: 2, Type: EventAssigned, At: c.CreatedAt, Actor: actor, Internal: true, Details: map[string]string{}}
	switch {
	case assignee != "":
		c.Assignee = assignee
	default:
		team := st.Route(c.Category, c.LocationID)
		if team == "" || len(st.Teams[team]) == 0 {
			return nil, nil
		}
		turn, err := s.Store.count(ctx, rrPK(team), "RR", time.Time{})
		if err != nil {
			return nil, err
		}
		members := st.Teams[team]
		c.Team, c.Assignee = team, members[(turn-1)%len(members)].ID
		ev.Actor = "rules"
		ev.Details["team"] = team
	}
	ev.Details["assignee"] = c.Assignee
	return ev, nil
}

// indexed is the case with its index keys: the queues, the customer's cases when one
// is linked, and the SLA index while a clock runs toward its next ladder step.
func (s *Service) indexed(c Complaint, h Hours, st Settings) (caseItem, error) {
	it := caseItem{Complaint: c, QueuePK: queuePK(c.LocationID), QueueSK: statusSK(c.Status, c.CreatedAt, c.ID)}
	if c.Assignee != "" {
		it.AssigneePK, it.AssigneeSK = assigneePK(c.Assignee), statusSK(c.Status, c.CreatedAt, c.ID)
	}
	if c.CustomerID != "" {
		it.CustomerPK, it.CustomerSK = customer.CustomerPK(c.CustomerID), customerSK(c.CreatedAt, c.ID)
	}
	next, ok, err := c.nextCheck(h, st.Ladder)
	if err != nil {
		return caseItem{}, err
	}
	if ok {
		it.SLAPK, it.SLASK = slaPK(shardOf(c.ID, slaShards)), slaSK(next, c.ID)
	}
	return it, nil
}

// toCustomer is a message to the complainant by email, else SMS; false when the
// contact left neither. Each message about a case follows the one before it (After):
// the outcome follows the receipt (or, after a reopening, the previous outcome) and
// the callback follows the outcome, so the customer reads them in the order they
// happened even when they fall due together.
func (s *Service) toCustomer(c Complaint, loc customer.Location, due time.Time, template, occasion string, vars map[string]string) (followup.Followup, bool) {
	r, ok := followup.ToCustomer(c.CustomerID, c.Contact.Email, c.Contact.Phone, c.Contact.Locale, loc.TimeZone)
	if !ok {
		return followup.Followup{}, false
	}
	all := map[string]string{"reference": c.Reference}
	for k, v := range vars {
		all[k] = v
	}
	kind := followup.KindComplaintCallback
	if template != "complaint-callback" {
		kind = followup.KindComplaintUpdate
	}
	key := func(occasion string, reopens int) string {
		return fmt.Sprintf("complaint#%s#%s#%d", c.ID, occasion, reopens)
	}
	var after string
	switch {
	case occasion == "outcome" && c.Reopens == 0:
		after = key("received", 0)
	case occasion == "outcome":
		after = key("outcome", c.Reopens-1)
	case occasion == "callback":
		after = key("outcome", c.Reopens)
	}
	return followup.Followup{
		ID: id.New(due), Kind: kind, LocationID: c.LocationID, Recipient: r, DueAt: due, QuietHours: loc.QuietHours,
		DedupeKey: key(occasion, c.Reopens), After: after, TemplateID: template, Vars: all,
		Source: followup.Source{Type: "complaint", ID: c.ID}, CreatedAt: s.Clock.Now(),
	}, true
}

// Case is a case with its full timeline, for staff.
type Case struct {
	Complaint
	AcknowledgeByAt time.Time `json:"acknowledgeBy"`
	ResolveByAt     time.Time `json:"resolveBy"`
	Timeline        []Event   `json:"timeline,omitempty"`
}

func caseOf(c Complaint, events []Event) Case {
	return Case{Complaint: c, AcknowledgeByAt: c.AcknowledgeBy(), ResolveByAt: c.ResolveBy(), Timeline: events}
}

// Get is a case with its full timeline.
func (s *Service) Get(ctx context.Context, p auth.Principal, complaintID string) (Case, error) {
	c, events, err := s.visible(ctx, p, complaintID)
	return caseOf(c.Complaint, events), err
}

// Tracking is the customer's view of their complaint.
type Tracking struct {
	Reference  string            `json:"reference"`
	Status     Status            `json:"status"`
	Category   string            `json:"category"`
	LocationID string            `json:"locationId"`
	CreatedAt  time.Time         `json:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt"`
	Resolution string            `json:"resolution,omitempty"`
	Timeline   []PublicEvent     `json:"timeline"`
	Location   customer.Branding `json:"-"`
	Locale     string            `json:"-"`
	// For the tracking page only: whether the customer left a phone or an email to be
	// reached at, and when the case is to be acknowledged.
	Contactable   bool      `json:"-"`
	AcknowledgeBy time.Time `json:"-"`
}

// PublicEvent is a timeline entry as the customer sees it: no actor, no internal note.
type PublicEvent struct {
	At     time.Time `json:"at"`
	Type   string    `json:"type"`
	Status Status    `json:"status"`
	Note   string    `json:"note,omitempty"`
}

// Track is the customer's view by tracking token; an unknown token is not found and
// tells nothing else.
func (s *Service) Track(ctx context.Context, token string) (Tracking, error) {
	notFound := problem.New(problem.NotFound, "no complaint with this tracking link")
	if token == "" || len(token) > 100 {
		return Tracking{}, notFound
	}
	cid, err := s.Store.byToken(ctx, token)
	if errors.Is(err, ErrNotFound) {
		return Tracking{}, notFound
	}
	if err != nil {
		return Tracking{}, err
	}
	c, events, err := s.Store.Case(ctx, cid)
	if errors.Is(err, ErrNotFound) {
		return Tracking{}, notFound
	}
	if err != nil {
		return Tracking{}, err
	}
	t := Tracking{Reference: c.Reference, Status: c.Status, Category: c.Category, LocationID: c.LocationID,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Resolution: c.Resolution, Timeline: []PublicEvent{}, Locale: c.Contact.Locale,
		Contactable: c.Contact.Phone != "" || c.Contact.Email != "", AcknowledgeBy: c.AcknowledgeBy()}
	status := Received
	for _, e := range events {
		if e.To != "" {
			status = e.To
		}
		if e.Internal {
			continue
		}
		t.Timeline = append(t.Timeline, PublicEvent{At: e.At, Type: e.Type, Status: status, Note: e.Note})
	}
	slices.Reverse(t.Timeline) // newest first
	return t, nil
}

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
	CompensationPoints int    `json:"compensationPoints"`
	Severity           string `json:"severity"`
	Category           string `json:"category"`
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
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return Case{}, err
	}
	if err := req.check(st); err != nil {
		return Case{}, err
	}
	cur, events, err := s.visible(ctx, p, complaintID)
	if err != nil {
		return Case{}, err
	}
	if slices.Contains(ManagerActions, req.Action) && !p.Has(wiring.ManagerUp...) {
		return Case{}, problem.Newf(problem.Forbidden, "only a manager or admin may %s a case", req.Action)
	}
	if req.Version != 0 && req.Version != cur.Version {
		return Case{}, problem.Newf(problem.Conflict, "the case is at version %d, not %d: reload it", cur.Version, req.Version)
	}
	to, ok := Next(cur.Status, req.Action)
	if !ok {
		return Case{}, problem.Newf(problem.Conflict, "cannot %s a case that is %s", req.Action, cur.Status)
	}
	loc, err := s.Locations.Location(ctx, cur.LocationID)
	if err != nil {
		return Case{}, err
	}
	now := s.Clock.Now()
	c := cur.Complaint
	ch := change{prev: cur.Version}
	ev := Event{Seq: c.Version + 1, Type: string(req.Action), At: now, Actor: p.Subject, From: c.Status, To: to, Note: req.Note, Details: map[string]string{}}
	if to == c.Status {
		ev.From, ev.To = "", ""
	}
	callbackID := cur.CallbackID
	switch req.Action {
	case Acknowledge:
		err = s.stopAck(&c, loc, now, &ch.deltas)
	case Start:
		err = s.stopAck(&c, loc, now, &ch.deltas)
	case Assign:
		ev.Internal = true
		ev.Details["assignee"], ev.Details["previous"] = req.Assignee, c.Assignee
		c.Assignee = req.Assignee
		if req.Team != "" {
			c.Team = req.Team
		}
	case Note:
		ev.Internal = !req.Public
	case AwaitCustomer:
		c.Resolve.pause(now)
	case Resume:
		err = c.Resolve.resume(loc, now)
	case Triage:
		ev.Internal = true
		err = s.triage(&c, loc, st, req, ev.Details, &ch.deltas)
	case Resolve:
		if err = s.stopAck(&c, loc, now, &ch.deltas); err == nil {
			callbackID, err = s.resolve(&c, loc, now, st, req, &ch)
		}
		if err == nil && req.CompensationPoints > 0 {
			err = s.compensate(ctx, c, req.CompensationPoints, p.Subject, now, ev.Details, &ch)
		}
		ev.Note = c.Resolution
		ev.Details["rootCause"] = c.RootCause
		if req.Note != "" {
			ev.Details["internalNote"] = req.Note
		}
		if c.CompensationPoints > 0 {
			ev.Details["compensationPoints"] = fmt.Sprint(c.CompensationPoints)
		}
	case Close:
		c.ClosedAt = &now
	case Reopen:
		err = s.reopen(&c, loc, now, st, &ch.deltas)
		callbackID = ""
	}
	if err != nil {
		return Case{}, err
	}
	if req.Action == Assign || req.Action == Triage {
		ev.Internal = true
	} else if req.Action != Note {
		// Status changes are shown to the customer; a note on them only when public.
		if !req.Public && req.Action != Resolve {
			ev.Note = ""
			if req.Note != "" {
				ev.Details["internalNote"] = req.Note
			}
		}
	}
	if to != c.Status {
		ch.deltas.inc("st#"+string(c.Status), -1)
		ch.deltas.inc("st#"+string(to), 1)
	}
	c.Status, c.Version, c.UpdatedAt = to, c.Version+1, now
	ch.events = []Event{ev}
	if ch.item, err = s.indexed(c, loc, st); err != nil {
		return Case{}, err
	}
	ch.item.CallbackID = callbackID
	if err := s.Store.commit(ctx, ch); errors.Is(err, ErrChanged) {
		return Case{}, problem.New(problem.Conflict, "the case changed meanwhile: reload it and try again")
	} else if err != nil {
		return Case{}, err
	}
	if req.Action == Reopen && cur.CallbackID != "" {
		// The callback asked how a handling felt that is not over: call it off.
		if err := s.Followups.Cancel(ctx, cur.CallbackID, now); err != nil && !errors.Is(err, followup.ErrNotCancellable) {
			slog.WarnContext(ctx, "cancel callback failed", "complaintId", c.ID, "followupId", cur.CallbackID, "error", err.Error())
		}
	}
	return caseOf(c, append(events, ev)), nil
}

// stopAck stops the acknowledge clock (acknowledging, or starting or resolving a case
// not yet acknowledged) and counts it for the report.
func (s *Service) stopAck(c *Complaint, h Hours, now time.Time, d *deltas) error {
	if c.Acknowledge.Stopped != nil {
		return nil
	}
	if err := c.Acknowledge.stop(h, now); err != nil {
		return err
	}
	d.inc(metKey("ack", *c.Acknowledge.Met), 1)
	d.push("ackMinutes", c.Acknowledge.BusinessMinutes)
	return nil
}

func metKey(clock string, met bool) string {
	if met {
		return clock + "Met"
	}
	return clock + "Missed"
}

// resolve records the outcome, tells the customer, and schedules the callback asking
// how the handling felt; it returns the callback's id.
func (s *Service) resolve(c *Complaint, loc customer.Location, now time.Time, st Settings, req ActionRequest, ch *change) (string, error) {
	if err := c.Resolve.stop(loc, now); err != nil {
		return "", err
	}
	first := c.ResolvedAt == nil
	c.Resolution, c.RootCause, c.CompensationPoints, c.ResolvedAt = req.Resolution, req.RootCause, req.CompensationPoints, &now
	ch.deltas.inc(metKey("res", *c.Resolve.Met), 1)
	ch.deltas.push("resMinutes", c.Resolve.BusinessMinutes)
	// Every resolution counts on its local day (a reopened case resolved again counts
	// again); within the SLA when the resolve clock met its deadline.
	day, err := kpi.At(now, loc.TimeZone)
	if err != nil {
		return "", err
	}
	ch.kpi, ch.kpiDay = map[string]int{kpi.Resolved: 1}, day.Day
	if *c.Resolve.Met {
		ch.kpi[kpi.ResolvedMet] = 1
	}
	ch.deltas.inc("rc#"+c.RootCause, 1)
	if first {
		ch.deltas.inc("resolvedCases", 1)
	}
	if f, ok := s.toCustomer(*c, loc, now, "complaint-outcome", "outcome", map[string]string{"resolution": c.Resolution}); ok {
		puts, err := s.Followups.SchedulePuts(f)
		if err != nil {
			return "", err
		}
		ch.extra = append(ch.extra, puts...)
	}
	if st.CallbackAfterDays == 0 {
		return "", nil
	}
	f, ok := s.toCustomer(*c, loc, now.AddDate(0, 0, st.CallbackAfterDays), "complaint-callback", "callback", nil)
	if !ok {
		return "", nil
	}
	puts, err := s.Followups.SchedulePuts(f)
	if err != nil {
		return "", err
	}
	ch.extra = append(ch.extra, puts...)
	return f.ID, nil
}

// compensate grants a resolution's compensation points to the case's customer through
// the loyalty ledger, in the resolution's transaction, with the case reference as the
// sourceId: a case compensates once, however often it is resolved.
func (s *Service) compensate(ctx context.Context, c Complaint, points int, actor string, now time.Time, details map[string]string, ch *change) error {
	if c.CustomerID == "" {
		return problem.Field("compensationPoints", "the case is linked to no customer to give points to")
	}
	if s.Loyalty == nil {
		return problem.Field("compensationPoints", "loyalty is not available to this function")
	}
	src := "complaint:" + c.Reference
	if _, done, err := s.Loyalty.Source(ctx, c.CustomerID, src); err != nil {
		return err
	} else if done {
		details["compensation"] = "already granted for this case"
		return nil
	}
	rules, err := s.Loyalty.Rules(ctx)
	if err != nil {
		return err
	}
	items, e, err := s.Loyalty.CreditItems(c.CustomerID, src, points, "compensation for "+c.Reference, actor, rules, now)
	if err != nil {
		return err
	}
	details["compensationEntry"] = e.ID
	ch.extra = append(ch.extra, items...)
	return nil
}

// reopen restarts the resolution clock of a case resolved within the reopen window.
func (s *Service) reopen(c *Complaint, h Hours, now time.Time, st Settings, d *deltas) error {
	if c.ResolvedAt == nil || now.After(c.ResolvedAt.AddDate(0, 0, st.ReopenWindowDays)) {
		return problem.Newf(problem.Conflict, "the reopen window of %d days after resolution has passed", st.ReopenWindowDays)
	}
	if c.Reopens == 0 {
		d.inc("reopenedCases", 1)
	}
	d.inc("reopens", 1)
	c.Reopens++
	c.ClosedAt, c.Breached = nil, false
	clk, err := startClock(h, now, c.Resolve.TargetMinutes)
	c.Resolve = clk
	return err
}

// triage changes severity or category; running clocks take the new policy's targets.
func (s *Service) triage(c *Complaint, h Hours, st Settings, req ActionRequest, details map[string]string, d *deltas) error {
	if req.Severity != "" && req.Severity != c.Severity {
		details["severity"] = c.Severity + " → " + req.Severity
		d.inc("sev#"+c.Severity, -1)
		d.inc("sev#"+req.Severity, 1)
		c.Severity = req.Severity
	}
	if req.Category != "" && req.Category != c.Category {
		details["category"] = c.Category + " → " + req.Category
		d.inc("cat#"+c.Category, -1)
		d.inc("cat#"+req.Category, 1)
		c.Category = req.Category
	}
	pol := st.Policy(c.Category, c.Severity)
	if c.Acknowledge.Stopped == nil {
		if err := c.Acknowledge.retarget(h, pol.AcknowledgeMinutes); err != nil {
			return err
		}
	}
	if c.Resolve.Stopped == nil {
		return c.Resolve.retarget(h, pol.ResolveMinutes)
	}
	return nil
}
