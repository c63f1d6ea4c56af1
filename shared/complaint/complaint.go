// Package complaint is the complaints domain: intake from every channel, a case
// lifecycle with optimistic versioning and an immutable timeline, assignment rules,
// SLA clocks counted in the location's business hours with escalation up a ladder, the
// customer's tracking view, the staff queue and reports from aggregates.
package complaint

import (
	"slices"
	"time"
)

// Status is where a case is in its life.
type Status string

const (
	Received        Status = "received"
	Acknowledged    Status = "acknowledged"
	InProgress      Status = "in_progress"
	PendingCustomer Status = "pending_customer"
	Resolved        Status = "resolved"
	Closed          Status = "closed"
)

// Statuses lists every status, in lifecycle order.
var Statuses = []Status{Received, Acknowledged, InProgress, PendingCustomer, Resolved, Closed}

// Open tells whether a case in this status still needs work.
func (s Status) Open() bool { return s != Resolved && s != Closed }

// Action is what staff do to a case.
type Action string

const (
	Acknowledge   Action = "acknowledge"
	Assign        Action = "assign"
	Note          Action = "note"
	Start         Action = "start"
	AwaitCustomer Action = "await_customer"
	Resume        Action = "resume"
	Triage        Action = "triage"
	Resolve       Action = "resolve"
	Close         Action = "close"
	Reopen        Action = "reopen"
)

// Actions lists every action.
var Actions = []Action{Acknowledge, Assign, Note, Start, AwaitCustomer, Resume, Triage, Resolve, Close, Reopen}

// ManagerActions need a manager or admin.
var ManagerActions = []Action{Close, Reopen}

// transitions says, per action, the statuses it is allowed in and where it leads; an
// empty target keeps the status. Anything not listed is a conflict (409).
var transitions = map[Action]struct {
	from []Status
	to   Status
}{
	Acknowledge:   {[]Status{Received}, Acknowledged},
	Assign:        {[]Status{Received, Acknowledged, InProgress, PendingCustomer}, ""},
	Note:          {Statuses, ""},
	Start:         {[]Status{Received, Acknowledged}, InProgress},
	AwaitCustomer: {[]Status{Acknowledged, InProgress}, PendingCustomer},
	Resume:        {[]Status{PendingCustomer}, InProgress},
	Triage:        {[]Status{Received, Acknowledged, InProgress, PendingCustomer}, ""},
	Resolve:       {[]Status{Received, Acknowledged, InProgress, PendingCustomer}, Resolved},
	Close:         {[]Status{Resolved}, Closed},
	Reopen:        {[]Status{Resolved, Closed}, InProgress},
}

// Next is the status an action leads to from a status; ok is false when the action is
// not allowed there.
func Next(from Status, a Action) (to Status, ok bool) {
	t, known := transitions[a]
	if !known || !slices.Contains(t.from, from) {
		return "", false
	}
	if t.to == "" {
		return from, true
	}
	return t.to, true
}

// Severities, lowest first.
var Severities = []string{"low", "normal", "high", "critical"}

// Channels a complaint arrives by. The public route takes only PublicChannels; staff
// and systems enter the others.
var (
	Channels       = []string{"web", "wechat", "phone", "email", "walk-in", "survey"}
	PublicChannels = []string{"web", "wechat"}
)

// Contact is how to reach the complainant.
type Contact struct {
	Name  string `dynamodbav:"name" json:"name"`
	Phone string `dynamodbav:"phone,omitempty" json:"phone,omitempty"`
	Email string `dynamodbav:"email,omitempty" json:"email,omitempty"`
	// Locale is the language the customer wrote in (zh-CN or en), for messages to them.
	Locale string `dynamodbav:"locale,omitempty" json:"locale,omitempty"`
}

// Clock is one SLA clock (acknowledge or resolve) of a case. Targets are in business
// time of the location; a pause (waiting on the customer) moves the deadline by the
// business time it lasted.
type Clock struct {
	// Start is when the clock started (intake, or the last reopen for resolution).
	Start time.Time `dynamodbav:"start" json:"start"`
	// TargetMinutes is the policy's target in business minutes.
	TargetMinutes int `dynamodbav:"targetMinutes" json:"targetMinutes"`
	// Due is the deadline: Start plus the target plus the paused business time.
	Due time.Time `dynamodbav:"due" json:"due"`
	// PausedSince is set while the clock is paused.
	PausedSince *time.Time `dynamodbav:"pausedSince,omitempty" json:"pausedSince,omitempty"`
	// PausedMinutes is the business time spent paused, in whole minutes (rounded down
	// per pause); PausedWallSeconds the wall-clock time.
	PausedMinutes     int   `dynamodbav:"pausedMinutes" json:"pausedMinutes"`
	PausedWallSeconds int64 `dynamodbav:"pausedWallSeconds" json:"pausedWallSeconds"`
	// Stage is how many escalation-ladder steps have fired (warning, breach, ...).
	Stage int `dynamodbav:"stage" json:"stage"`
	// Stopped is when the clock was met (acknowledged, resolved); Met says whether in time.
	Stopped *time.Time `dynamodbav:"stopped,omitempty" json:"stopped,omitempty"`
	Met     *bool      `dynamodbav:"met,omitempty" json:"met,omitempty"`
	// BusinessMinutes is the business time from Start to Stopped, less pauses.
	BusinessMinutes int `dynamodbav:"businessMinutes,omitempty" json:"businessMinutes,omitempty"`
}

// Running tells whether the clock still counts toward a deadline.
func (c Clock) Running() bool { return c.Stopped == nil && c.PausedSince == nil }

// Complaint is a case.
type Complaint struct {
	ID          string  `dynamodbav:"id" json:"complaintId"`
	Reference   string  `dynamodbav:"reference" json:"reference"`
	LocationID  string  `dynamodbav:"locationId" json:"locationId"`
	Channel     string  `dynamodbav:"channel" json:"channel"`
	Category    string  `dynamodbav:"category" json:"category"`
	Severity    string  `dynamodbav:"severity" json:"severity"`
	Description string  `dynamodbav:"description" json:"description,omitempty"`
	Contact     Contact `dynamodbav:"contact" json:"contact"`
	CustomerID  string  `dynamodbav:"customerId,omitempty" json:"customerId,omitempty"`
	Status      Status  `dynamodbav:"status" json:"status"`
	Team        string  `dynamodbav:"team,omitempty" json:"team,omitempty"`
	Assignee    string  `dynamodbav:"assignee,omitempty" json:"assignee,omitempty"`
	// StaffID is the staff member whose service the complaint is about, as staff
	// entering it named them (auth.ServingStaff); a public complaint names nobody.
	StaffID string `dynamodbav:"staffId,omitempty" json:"staffId,omitempty"`
	// Version counts the case's changes; each has one timeline event of that number.
	Version     int       `dynamodbav:"version" json:"version"`
	CreatedAt   time.Time `dynamodbav:"createdAt" json:"createdAt"`
	UpdatedAt   time.Time `dynamodbav:"updatedAt" json:"updatedAt"`
	Acknowledge Clock     `dynamodbav:"ackClock" json:"acknowledgeClock"`
	Resolve     Clock     `dynamodbav:"resolveClock" json:"resolveClock"`
	// Breached is set once either clock passed its deadline (until the case is reopened).
	Breached           bool   `dynamodbav:"breached" json:"breached"`
	Resolution         string `dynamodbav:"resolution,omitempty" json:"resolution,omitempty"`
	RootCause          string `dynamodbav:"rootCause,omitempty" json:"rootCause,omitempty"`
	CompensationPoints int    `dynamodbav:"compensationPoints,omitempty" json:"compensationPoints,omitempty"`
	// CompensationVoucher is the voucher the last resolution granted, with its code.
	CompensationVoucher *VoucherGrant `dynamodbav:"compensationVoucher,omitempty" json:"compensationVoucher,omitempty"`
	ResolvedAt          *time.Time    `dynamodbav:"resolvedAt,omitempty" json:"resolvedAt,omitempty"`
	// ResolvedBy is the staff member who last resolved the case (kept through a
	// reopen, whose counter is theirs, until the next resolution); "" when no person did.
	ResolvedBy string     `dynamodbav:"resolvedBy,omitempty" json:"resolvedBy,omitempty"`
	ClosedAt   *time.Time `dynamodbav:"closedAt,omitempty" json:"closedAt,omitempty"`
	Reopens    int        `dynamodbav:"reopens" json:"reopens"`
	// ReportDay is the local day of intake at the location: the report aggregates the
	// case's changes land under.
	ReportDay string `dynamodbav:"reportDay" json:"-"`
}

// AcknowledgeBy and ResolveBy are the deadlines the API names.
func (c Complaint) AcknowledgeBy() time.Time { return c.Acknowledge.Due }
func (c Complaint) ResolveBy() time.Time     { return c.Resolve.Due }

// Event is one immutable timeline entry.
type Event struct {
	// Seq is the case version the event produced.
	Seq   int       `dynamodbav:"seq" json:"seq"`
	Type  string    `dynamodbav:"type" json:"type"`
	At    time.Time `dynamodbav:"at" json:"at"`
	Actor string    `dynamodbav:"actor" json:"actor"`
	// From and To are the statuses around a change.
	From Status `dynamodbav:"from,omitempty" json:"from,omitempty"`
	To   Status `dynamodbav:"to,omitempty" json:"to,omitempty"`
	Note string `dynamodbav:"note,omitempty" json:"note,omitempty"`
	// Internal events and notes are for staff only; the customer's view never shows them.
	Internal bool              `dynamodbav:"internal" json:"internal"`
	Details  map[string]string `dynamodbav:"details,omitempty" json:"details,omitempty"`
}

// Event types besides the actions' names.
const (
	EventReceived   = "received"
	EventAssigned   = "assigned"
	EventSLAWarning = "sla_warning"
	EventSLABreach  = "sla_breach"
	EventEscalated  = "escalated"
)
