package complaint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
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
	// StaffID is the staff member whose service the complaint is about (staff intake
	// only): given, or else the staff member entering it (auth.ServingStaff).
	StaffID string `json:"staffId"`
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
		p, err := contact.NormalizePhone(in.Contact.Phone)
		if err != nil {
			bad("contact.phone", "must be a phone number, e.g. +86 138 0013 8000")
		}
		in.Contact.Phone = p
	}
	if in.Contact.Email != "" {
		e, err := contact.NormalizeEmail(in.Contact.Email)
		if err != nil {
			bad("contact.email", "must be an email address")
		}
		in.Contact.Email = e
	}
	if l := in.Contact.Locale; l != "" && !i18n.Supported(l) {
		bad("contact.locale", "must be zh-CN or en")
	}
	if in.CustomerID != "" && !validID(in.CustomerID) {
		bad("customerId", "must be letters, digits, '.', '_' or '-'")
	}
	if in.Assignee != "" && (staff == nil || !validID(in.Assignee)) {
		bad("assignee", "staff only: letters, digits, '.', '_' or '-'")
	}
	if in.StaffID != "" && staff == nil {
		bad("staffId", "staff only: the public route names no staff member")
	} else if staff != nil {
		var pe *problem.Error
		if _, err := auth.ServingStaff(*staff, in.StaffID, "staffId"); errors.As(err, &pe) {
			*errs = append(*errs, pe.Fields...)
		}
	}
	return problem.Fields(*errs)
}

// opened is a new case ready to be written: its change, and the opening its effects
// are told of.
type opened struct {
	ch      change
	opening Opening
}

// prepare checks an intake and builds the new case and its receipt; bot is true when
// the honeypot was filled (nothing is to be stored, the receipt is a decoy).
func (s *Service) prepare(ctx context.Context, staff *auth.Principal, in Intake) (o opened, rc Receipt, bot bool, err error) {
	now := s.Clock.Now()
	st, err := s.Store.Settings(ctx)
	if err != nil {
		return opened{}, Receipt{}, false, err
	}
	if err := in.check(st, staff); err != nil {
		return opened{}, Receipt{}, false, err
	}
	servedBy := ""
	if staff != nil {
		if err := s.mayFile(ctx, *staff, in); err != nil {
			return opened{}, Receipt{}, false, err
		}
		if servedBy, err = auth.ServingStaff(*staff, in.StaffID, "staffId"); err != nil {
			return opened{}, Receipt{}, false, err
		}
	}
	loc, err := s.location(ctx, in.LocationID, "locationId")
	if err != nil {
		return opened{}, Receipt{}, false, err
	}
	secret := id.Token(20)
	c := Complaint{ID: id.New(now), LocationID: loc.ID, Channel: in.Channel, Category: in.Category,
		Severity: in.Severity, Description: in.Description, Contact: in.Contact, StaffID: servedBy, Status: Received,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if in.Website != "" {
		// A bot filled the honeypot: it sees success, nothing is stored.
		ref := loc.ReferenceCode() + "-" + now.Format(refDay) + "-0000"
		return opened{}, Receipt{ComplaintID: c.ID, Reference: ref,
			TrackingToken: trackingToken(ref, secret), Status: Received, AcknowledgeBy: now, ResolveBy: now}, true, nil
	}
	zone, err := time.LoadLocation(loc.TimeZone)
	if err != nil {
		return opened{}, Receipt{}, false, err
	}
	c.ReportDay = now.In(zone).Format(reportDay)
	pol := st.Policy(c.Category, c.Severity)
	if c.Acknowledge, err = startClock(loc, now, pol.AcknowledgeMinutes); err != nil {
		return opened{}, Receipt{}, false, err
	}
	if c.Resolve, err = startClock(loc, now, pol.ResolveMinutes); err != nil {
		return opened{}, Receipt{}, false, err
	}
	actor, linkNote := "customer", ""
	if staff != nil {
		actor = staff.Subject
	}
	// The reference's number and the customer's link are independent: one round trip.
	day := now.In(zone)
	var (
		n        int
		countErr error
		wg       sync.WaitGroup
	)
	wg.Go(func() {
		n, countErr = s.Store.count(ctx, refSeqPK(loc.ReferenceCode(), day), "SEQ", now.Add(72*time.Hour))
	})
	c.CustomerID, linkNote, err = s.link(ctx, staff, in)
	wg.Wait()
	if err = cmp.Or(err, countErr); err != nil {
		return opened{}, Receipt{}, false, err
	}
	received := Event{Seq: 1, Type: EventReceived, At: now, Actor: actor, To: Received,
		Details: map[string]string{"channel": c.Channel, "category": c.Category, "severity": c.Severity}}
	if linkNote != "" {
		received.Details["customerLink"] = linkNote
	}
	if c.StaffID != "" {
		received.Details["staffId"] = c.StaffID
	}
	events := []Event{received}
	if assigned, err := s.assignNew(ctx, st, &c, in.Assignee, actor); err != nil {
		return opened{}, Receipt{}, false, err
	} else if assigned != nil {
		events = append(events, *assigned)
	}
	c.Version = len(events)
	c.Reference = fmt.Sprintf("%s-%s-%04d", loc.ReferenceCode(), day.Format(refDay), n)
	token := trackingToken(c.Reference, secret)
	rc = Receipt{ComplaintID: c.ID, Reference: c.Reference, TrackingToken: token, Status: c.Status,
		AcknowledgeBy: c.AcknowledgeBy(), ResolveBy: c.ResolveBy(), TrackingURL: s.trackingURL(token)}
	item, err := s.indexed(c, loc, st)
	if err != nil {
		return opened{}, Receipt{}, false, err
	}
	ch := change{item: item, events: events, kpi: map[string]int{kpi.Opened: 1}, kpiDay: c.ReportDay}
	ch.staff.add(c.StaffID, map[string]int{kpi.Attributed: 1})
	ch.deltas.inc("n", 1)
	for _, k := range []string{"cat#" + c.Category, "sev#" + c.Severity, "ch#" + c.Channel, "st#" + string(c.Status)} {
		ch.deltas.inc(k, 1)
	}
	refItem, err := s.Store.put(map[string]any{"pk": refPK(c.Reference), "sk": "REF", "complaintId": c.ID, "trackHash": hashHex(secret)},
		"attribute_not_exists(pk)")
	if err != nil {
		return opened{}, Receipt{}, false, err
	}
	ch.created = []types.TransactWriteItem{refItem}
	return opened{ch: ch, opening: Opening{Case: c, Location: loc, TrackingURL: rc.TrackingURL, At: now}}, rc, false, nil
}

// open adds a new case and what it causes to tx.
func (s *Service) open(ctx context.Context, tx *dynamo.Tx, o opened) error {
	if err := s.Store.add(tx, o.ch); err != nil {
		return err
	}
	return s.Effects.Opened(ctx, tx, o.opening)
}

// Submit takes in a new complaint: public (staff nil) or entered by staff from another
// channel. The case, its first events, its tracking token and reference, its report
// counters, the customer's receipt message and the caller's items are one transaction.
func (s *Service) Submit(ctx context.Context, staff *auth.Principal, in Intake, commit Commit) (Receipt, error) {
	o, rc, bot, err := s.prepare(ctx, staff, in)
	if err != nil || bot {
		return rc, err
	}
	tx := &dynamo.Tx{}
	if commit != nil {
		items, err := commit(rc)
		if err != nil {
			return Receipt{}, err
		}
		// The caller's items come first: when its idempotency record is refused, that
		// is what the caller is told, whatever else was refused with it.
		tx.Add(errLockLost, items...)
	}
	if err := s.open(ctx, tx, o); err != nil {
		return Receipt{}, err
	}
	if err := s.Store.commit(ctx, tx); err != nil {
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
// and its case are stored together or not at all. They include the case's effects
// (the complainant's receipt), so the Service needs its Effects.
func (s *Service) CaseItems(ctx context.Context, in Intake) ([]types.TransactWriteItem, Receipt, error) {
	tx := &dynamo.Tx{}
	rc, err := s.AddCase(ctx, tx, in)
	if err != nil {
		return nil, Receipt{}, err
	}
	if tx.Len() > dynamo.MaxTxItems {
		return nil, Receipt{}, fmt.Errorf("complaint %s: %w", rc.ComplaintID, dynamo.ErrTxTooLarge)
	}
	return tx.Items(), rc, nil
}

// AddCase adds to a caller's transaction what CaseItems returns: a case opened from a
// survey response and its effects, each contribution naming what its refusal means
// (ErrChanged for the case's own items).
func (s *Service) AddCase(ctx context.Context, tx *dynamo.Tx, in Intake) (Receipt, error) {
	in.Channel = "survey"
	o, rc, bot, err := s.prepare(ctx, &surveyLoop, in)
	if err != nil || bot {
		return rc, err
	}
	if err := s.open(ctx, tx, o); err != nil {
		return Receipt{}, err
	}
	return rc, nil
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
