package complaint_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// The complaint domain's own behaviour, over the real complaints table and small fakes
// of its ports (fakes_test.go). What a case's life does to other domains (messages,
// compensation, the customer directory) is tested in shared/casework.

type fixture struct {
	svc       *complaint.Service
	clk       *clock.Manual
	locations *locations
	customers *customers
	effects   *effects
	zone      *time.Location
	env       *testenv.Env
}

// shanghai is a branch with split shifts Monday to Friday, a short Saturday, closed
// on Sunday and on 1 January, with a manager to escalate to.
var shanghai = place.Location{ID: "sh-01", Code: "SH01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai",
	WeeklyHours: map[string][]string{
		"mon": {"09:00-12:00", "13:00-18:00"}, "tue": {"09:00-12:00", "13:00-18:00"}, "wed": {"09:00-12:00", "13:00-18:00"},
		"thu": {"09:00-12:00", "13:00-18:00"}, "fri": {"09:00-12:00", "13:00-18:00"}, "sat": {"10:00-14:00"},
	},
	Holidays: []string{"2027-01-01"},
	Managers: []contact.Contact{{Name: "Wang", Channel: "email", Address: "wang@sh01.example", Locale: "zh-CN"}},
}

var (
	agent    = auth.Principal{Subject: "agent-1", Roles: []string{"agent"}, Locations: []string{"sh-01"}}
	manager  = auth.Principal{Subject: "mgr-1", Roles: []string{"manager"}, Locations: []string{"sh-01"}}
	outsider = auth.Principal{Subject: "agent-9", Roles: []string{"agent"}, Locations: []string{"bj-01"}}
)

// newFixture starts on Monday 23 November 2026, 10:00 in Shanghai.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testenv.New(t)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	clk := clock.NewManual(time.Date(2026, 11, 23, 10, 0, 0, 0, zone))
	loc := shanghai
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	locs := &locations{}
	locs.put(loc)
	people := &customers{byContact: map[string]string{}, home: map[string]string{}}
	fx := &effects{table: env.Names("complaints")}
	svc := &complaint.Service{Store: &complaint.Store{DB: env.Clients.DynamoDB, Table: env.Names("complaints")},
		Locations: locs, Customers: people, Effects: fx, Clock: clk, PublicURL: "https://api.example"}
	return &fixture{svc: svc, clk: clk, locations: locs, customers: people, effects: fx, zone: zone, env: env}
}

func (f *fixture) local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, f.zone)
	if err != nil {
		panic(err)
	}
	return t
}

func intake(severity string) complaint.Intake {
	return complaint.Intake{Category: "waiting_time", Description: "Forty minutes at the counter.", Severity: severity,
		LocationID: "sh-01", Contact: complaint.Contact{Name: "Li Lei", Phone: "138 0013 8000", Email: "Li.Lei@Example.com", Locale: "en"}}
}

func (f *fixture) submit(t *testing.T, in complaint.Intake) complaint.Receipt {
	t.Helper()
	rc, err := f.svc.Submit(context.Background(), nil, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func (f *fixture) act(t *testing.T, p auth.Principal, id string, req complaint.ActionRequest) complaint.Case {
	t.Helper()
	c, err := f.svc.Act(context.Background(), p, id, req)
	if err != nil {
		t.Fatalf("%s: %v", req.Action, err)
	}
	return c
}

var referenceRe = regexp.MustCompile(`^SH01-20261123-\d{4}$`)

func TestIntakeOpensACaseWithBusinessHourDeadlines(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := f.submit(t, intake("high"))
	if !referenceRe.MatchString(rc.Reference) || rc.Status != complaint.Received || len(rc.TrackingToken) < 20 {
		t.Fatalf("receipt %+v", rc)
	}
	// High: acknowledge within 2 business hours, resolve within 8. From Monday 10:00:
	// 12:00 (the morning ends exactly then), and Tuesday 10:00 after lunch and night.
	if !rc.AcknowledgeBy.Equal(f.local("2026-11-23 12:00")) || !rc.ResolveBy.Equal(f.local("2026-11-24 10:00")) {
		t.Fatalf("deadlines %s, %s", rc.AcknowledgeBy.In(f.zone), rc.ResolveBy.In(f.zone))
	}
	c, err := f.svc.Get(ctx, manager, rc.ComplaintID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Contact.Phone != "+8613800138000" || c.Contact.Email != "li.lei@example.com" || c.Version != 1 || len(c.Timeline) != 1 || c.Timeline[0].Type != "received" {
		t.Fatalf("case %+v", c)
	}
	tr, err := f.svc.Track(ctx, rc.TrackingToken)
	if err != nil || tr.Reference != rc.Reference || tr.Status != complaint.Received || len(tr.Timeline) != 1 {
		t.Fatalf("tracking %+v %v", tr, err)
	}
	for _, bad := range []string{"", "nope", rc.TrackingToken + "x"} {
		if _, err := f.svc.Track(ctx, bad); problem.KindOf(err) != problem.NotFound {
			t.Errorf("token %q: %v, want not found", bad, err)
		}
	}
	// Its effects are told of the new case, with the customer's tracking link.
	if len(f.effects.opened) != 1 {
		t.Fatalf("%d openings, want 1", len(f.effects.opened))
	}
	o := f.effects.opened[0]
	if o.Case.ID != rc.ComplaintID || o.Case.Reference != rc.Reference || o.Location.ID != "sh-01" || !o.At.Equal(f.clk.Now()) ||
		o.TrackingURL != rc.TrackingURL || o.TrackingURL != "https://api.example/v1/complaints/track/"+rc.TrackingToken {
		t.Fatalf("opening %+v, receipt %+v", o, rc)
	}
}

func TestIntakeNamesEveryBadField(t *testing.T) {
	f := newFixture(t)
	in := complaint.Intake{Channel: "fax", Category: "noise", Severity: "urgent", LocationID: "sh-01",
		Contact: complaint.Contact{Phone: "12", Email: "not-mail", Locale: "fr"}}
	_, err := f.svc.Submit(context.Background(), nil, in, nil)
	for _, field := range []string{"channel", "category", "description", "severity", "contact.name", "contact.phone", "contact.email", "contact.locale"} {
		if !hasField(err, field) {
			t.Errorf("%v does not name %s", err, field)
		}
	}
	// Staff-only channels and an unregistered location are refused on the public route.
	in = intake("normal")
	in.Channel = "phone"
	if _, err := f.svc.Submit(context.Background(), nil, in, nil); !hasField(err, "channel") {
		t.Errorf("public phone intake: %v", err)
	}
	in = intake("normal")
	in.LocationID = "nowhere"
	if _, err := f.svc.Submit(context.Background(), nil, in, nil); !hasField(err, "locationId") {
		t.Errorf("unknown location: %v", err)
	}
	// Staff enter a phone complaint for their own locations only: another location
	// does not exist for them, and staff with no location have none to file at.
	in = intake("normal")
	in.Channel = "phone"
	nowhere := auth.Principal{Subject: "agent-0", Roles: []string{"agent"}}
	for name, p := range map[string]auth.Principal{"another location's staff": outsider, "staff with no location": nowhere} {
		if _, err := f.svc.Submit(context.Background(), &p, in, nil); problem.KindOf(err) != problem.NotFound || err.Error() != `not-found: no such location` {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := f.svc.Submit(context.Background(), &agent, in, nil); err != nil {
		t.Errorf("phone intake by staff: %v", err)
	}
}

func TestHoneypotStoresNothing(t *testing.T) {
	f := newFixture(t)
	in := intake("normal")
	in.Website = "http://spam.example"
	rc := f.submit(t, in)
	if _, err := f.svc.Get(context.Background(), manager, rc.ComplaintID); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("a bot's complaint was stored: %v", err)
	}
	page, err := f.svc.Queue(context.Background(), manager, complaint.QueueQuery{LocationID: "sh-01", Limit: 50})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("queue %+v %v", page, err)
	}
	if len(f.effects.opened) != 0 {
		t.Fatalf("a bot's complaint had effects: %+v", f.effects.opened)
	}
}

func TestIntakeLinksTheCustomerByNormalisedContact(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.customers.byContact["+8613800138000"] = "cust-7"
	rc := f.submit(t, intake("normal")) // phone written "138 0013 8000"
	c, _ := f.svc.Get(ctx, manager, rc.ComplaintID)
	if c.CustomerID != "cust-7" || c.Timeline[0].Details["customerLink"] != "matched by contact" {
		t.Fatalf("customer %q (%v), want cust-7 matched by the normalised phone", c.CustomerID, c.Timeline[0].Details)
	}
	// The public route does not take a customer id on trust.
	in := intake("normal")
	in.Contact.Phone, in.Contact.Email, in.CustomerID = "", "someone@example.com", "cust-7"
	rc = f.submit(t, in)
	if c, _ := f.svc.Get(ctx, manager, rc.ComplaintID); c.CustomerID != "" || c.Timeline[0].Details["customerLink"] != "customerId not verified by the contact: not linked" {
		t.Fatalf("public intake linked %q by a claimed id (%v)", c.CustomerID, c.Timeline[0].Details)
	}
	// Staff may name one they see (a customer of their location); a customer of another
	// location, or one with no profile, does not exist for them.
	f.customers.home["cust-8"], f.customers.home["cust-9"] = "sh-01", "bj-01"
	staffIntake := func(cid string) complaint.Intake {
		return complaint.Intake{Channel: "walk-in", Category: "billing", Description: "Charged twice.",
			LocationID: "sh-01", CustomerID: cid, Contact: complaint.Contact{Name: "Han"}}
	}
	for _, cid := range []string{"cust-9", "cust-nobody"} {
		if _, err := f.svc.Submit(ctx, &agent, staffIntake(cid), nil); problem.KindOf(err) != problem.NotFound || err.Error() != "not-found: no such customer" {
			t.Errorf("staff intake naming %s: %v", cid, err)
		}
	}
	rc, err := f.svc.Submit(ctx, &agent, staffIntake("cust-8"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := f.svc.Get(ctx, manager, rc.ComplaintID); c.CustomerID != "cust-8" || c.Channel != "walk-in" {
		t.Fatalf("staff intake %+v", c)
	}
}

func TestRulesAssignRoundRobinInsideTheTeam(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := complaint.DefaultSettings()
	st.Teams = map[string][]complaint.Agent{
		"billing-desk": {{ID: "ann"}, {ID: "bo"}, {ID: "cy"}},
		"front":        {{ID: "dee"}},
	}
	st.Rules = []complaint.Rule{{Category: "billing", LocationID: "sh-01", Team: "billing-desk"}, {Team: "front"}}
	if _, err := f.svc.Store.PutSettings(ctx, st, 0); err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 4 {
		in := intake("normal")
		in.Category = "billing"
		c, _ := f.svc.Get(ctx, manager, f.submit(t, in).ComplaintID)
		got = append(got, c.Assignee)
		if c.Team != "billing-desk" || c.Timeline[1].Type != "assigned" || !c.Timeline[1].Internal {
			t.Fatalf("case %+v", c)
		}
	}
	if !slices.Equal(got, []string{"ann", "bo", "cy", "ann"}) {
		t.Fatalf("assignees %v, want turns", got)
	}
	c, _ := f.svc.Get(ctx, manager, f.submit(t, intake("normal")).ComplaintID)
	if c.Assignee != "dee" {
		t.Fatalf("the catch-all rule gave %q", c.Assignee)
	}
	page, err := f.svc.Queue(ctx, manager, complaint.QueueQuery{Assignee: "ann", Limit: 50})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("ann's queue: %d %v", len(page.Items), err)
	}
}

func TestActionsConflictsAndAccess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.customers.byContact["+8613800138000"] = "cust-1"
	id := f.submit(t, intake("normal")).ComplaintID
	conflict := func(p auth.Principal, req complaint.ActionRequest) {
		t.Helper()
		if _, err := f.svc.Act(ctx, p, id, req); problem.KindOf(err) != problem.Conflict {
			t.Fatalf("%s: %v, want 409", req.Action, err)
		}
	}
	conflict(agent, complaint.ActionRequest{Action: complaint.Resume})
	conflict(manager, complaint.ActionRequest{Action: complaint.Close})
	conflict(manager, complaint.ActionRequest{Action: complaint.Reopen})
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Acknowledge, Note: "Called the guest."})
	conflict(agent, complaint.ActionRequest{Action: complaint.Acknowledge})
	// A stale screen: the version read is no longer the case's.
	conflict(agent, complaint.ActionRequest{Action: complaint.Note, Note: "x", Version: 1})
	if _, err := f.svc.Act(ctx, outsider, id, complaint.ActionRequest{Action: complaint.Note, Note: "peek"}); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("another location's agent: %v, want 404", err)
	}
	if _, err := f.svc.Get(ctx, outsider, id); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("another location's agent reads: %v, want 404", err)
	}
	if _, err := f.svc.Get(ctx, auth.Principal{Subject: "agent-0", Roles: []string{"agent"}}, id); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("an agent with no location reads: %v, want 404", err)
	}
	if _, err := f.svc.Act(ctx, agent, id, complaint.ActionRequest{Action: complaint.Resolve}); !hasField(err, "resolution") || !hasField(err, "rootCause") {
		t.Fatalf("resolve without its fields: %v", err)
	}
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Note, Note: "Guest is a regular; offer a voucher."})
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Note, Note: "We are checking the queue system.", Public: true})
	resolved := f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Added a second counter at peak times.", RootCause: "capacity", CompensationPoints: 200})
	// The resolution's effects are asked for the compensation, for the linked customer,
	// and for the callback the settings promise in 3 days; the event names the entry.
	r := f.effects.resolved[0]
	if r.Case.ID != id || r.Case.CustomerID != "cust-1" || r.Case.Resolution != "Added a second counter at peak times." || r.Points != 200 ||
		r.Actor != agent.Subject || !r.CallbackAt.Equal(f.clk.Now().AddDate(0, 0, 3)) {
		t.Fatalf("resolution %+v", r)
	}
	if last := resolved.Timeline[len(resolved.Timeline)-1]; last.Details["compensationEntry"] != "entry-"+resolved.Reference || last.Details["compensationPoints"] != "200" {
		t.Fatalf("resolution event %+v", last)
	}
	if _, err := f.svc.Act(ctx, agent, id, complaint.ActionRequest{Action: complaint.Close}); problem.KindOf(err) != problem.Forbidden {
		t.Fatalf("an agent closes: %v, want 403", err)
	}
	c := f.act(t, manager, id, complaint.ActionRequest{Action: complaint.Close})
	if c.Status != complaint.Closed || c.Version != 6 || len(c.Timeline) != 6 || c.CompensationPoints != 200 {
		t.Fatalf("closed case %+v", c)
	}
	for i, e := range c.Timeline {
		if e.Seq != i+1 || e.Actor == "" || e.At.IsZero() {
			t.Fatalf("event %d: %+v", i, e)
		}
	}
	// The customer sees status changes, the public note and the resolution; never the
	// internal note.
	tok := f.tokenOf(t, id)
	tr, err := f.svc.Track(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	// Reopened and resolved again with compensation, the case does not pay twice.
	f.act(t, manager, id, complaint.ActionRequest{Action: complaint.Reopen})
	again := f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Checked again.", RootCause: "capacity", CompensationPoints: 200})
	if last := again.Timeline[len(again.Timeline)-1]; last.Details["compensation"] != "already granted for this case" || last.Details["compensationEntry"] != "" {
		t.Fatalf("second compensation: event %+v", last)
	}
	var notes []string
	for _, e := range tr.Timeline {
		notes = append(notes, e.Note)
		if e.Note == "Guest is a regular; offer a voucher." || e.Note == "Called the guest." {
			t.Fatalf("internal note shown to the customer: %+v", tr.Timeline)
		}
	}
	if tr.Status != complaint.Closed || !slices.Contains(notes, "We are checking the queue system.") || tr.Resolution == "" || len(tr.Timeline) != 5 {
		t.Fatalf("tracking %+v", tr)
	}
	// One opening and two resolutions had effects; the first callback was called off by
	// the reopen.
	if len(f.effects.opened) != 1 || len(f.effects.resolved) != 2 || !slices.Equal(f.effects.calledOff, []string{"callback-1"}) {
		t.Fatalf("opened %d, resolved %d, called off %v", len(f.effects.opened), len(f.effects.resolved), f.effects.calledOff)
	}
}

// tokenOf reads the tracking token back from the link the case's opening carried.
func (f *fixture) tokenOf(t *testing.T, complaintID string) string {
	t.Helper()
	for _, o := range f.effects.opened {
		if o.Case.ID == complaintID {
			return o.TrackingURL[len("https://api.example/v1/complaints/track/"):]
		}
	}
	t.Fatal("no opening with a tracking link")
	return ""
}

func TestReopenWithinTheWindowOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.submit(t, intake("normal")).ComplaintID
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded.", RootCause: "process"})
	f.clk.Advance(24 * time.Hour)
	c := f.act(t, manager, id, complaint.ActionRequest{Action: complaint.Reopen, Note: "Guest called again."})
	if c.Status != complaint.InProgress || c.Reopens != 1 || c.Resolve.Stopped != nil || !c.Resolve.Start.Equal(f.clk.Now()) {
		t.Fatalf("reopened %+v", c)
	}
	// The callback about a handling that is not over was called off, once.
	if !slices.Equal(f.effects.calledOff, []string{"callback-1"}) {
		t.Fatalf("called off %v", f.effects.calledOff)
	}
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded again.", RootCause: "process"})
	f.act(t, manager, id, complaint.ActionRequest{Action: complaint.Close})
	f.clk.Advance(15 * 24 * time.Hour)
	if _, err := f.svc.Act(ctx, manager, id, complaint.ActionRequest{Action: complaint.Reopen}); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("reopen after the window: %v, want 409", err)
	}
}

// Waiting on the customer pauses the resolution clock: the deadline moves by the
// business time spent waiting, and the pause is recorded.
func TestPendingCustomerPausesTheResolveClock(t *testing.T) {
	f := newFixture(t)
	rc := f.submit(t, intake("high")) // resolve by Tuesday 10:00
	id := rc.ComplaintID
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Start})
	f.clk.Set(f.local("2026-11-23 11:00"))
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.AwaitCustomer, Note: "Please send the receipt.", Public: true})
	f.clk.Set(f.local("2026-11-23 16:00")) // 4 business hours later (lunch excluded)
	c := f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resume})
	if c.Resolve.PausedMinutes != 240 || c.Resolve.PausedWallSeconds != 5*3600 || !c.ResolveBy().Equal(f.local("2026-11-24 15:00")) {
		t.Fatalf("after the pause: %+v, resolve by %s", c.Resolve, c.ResolveBy().In(f.zone))
	}
	f.clk.Set(f.local("2026-11-24 14:00"))
	c = f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded.", RootCause: "process"})
	// Monday 10:00–Tuesday 14:00 is 12 business hours, 4 of them paused.
	if !*c.Resolve.Met || c.Resolve.BusinessMinutes != 8*60-60 {
		t.Fatalf("resolve clock %+v", c.Resolve)
	}
}

func TestConcurrentResolvesOneWins(t *testing.T) {
	f := newFixture(t)
	id := f.submit(t, intake("normal")).ComplaintID
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Start})
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = f.svc.Act(context.Background(), agent, id, complaint.ActionRequest{Action: complaint.Resolve,
				Resolution: fmt.Sprintf("Resolution %d", i), RootCause: "process"})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case problem.KindOf(err) != problem.Conflict:
			t.Fatalf("a loser got %v, want 409", err)
		}
	}
	c, _ := f.svc.Get(context.Background(), manager, id)
	if won != 1 || c.Version != 3 || len(c.Timeline) != 3 || c.Status != complaint.Resolved {
		t.Fatalf("%d resolves won; case at version %d with %d events", won, c.Version, len(c.Timeline))
	}
}

func TestConcurrentIntakesGetDistinctReferences(t *testing.T) {
	f := newFixture(t)
	const n = 100
	refs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			rc, err := f.svc.Submit(context.Background(), nil, intake("normal"), nil)
			refs[i], errs[i] = rc.Reference, err
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, r := range refs {
		if errs[i] != nil {
			t.Fatalf("intake %d: %v", i, errs[i])
		}
		if !referenceRe.MatchString(r) || seen[r] {
			t.Fatalf("reference %q malformed or repeated", r)
		}
		seen[r] = true
	}
	rep, err := f.svc.Report(context.Background(), manager, "2026-11-23", "2026-11-23", "sh-01")
	if err != nil || rep.Total != n || rep.ByStatus["received"] != n {
		t.Fatalf("report after %d intakes: %+v %v", n, rep, err)
	}
}

// A high-severity complaint nobody acknowledges: a warning to the location's manager
// at 80% of the target, the breach escalated at 100%, head office at 150%; each step
// once however often the job runs, each a timeline event and a recorded notification.
func TestSLALadderFiresEachStepOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := complaint.DefaultSettings()
	st.HeadOffice = []contact.Contact{{Name: "HQ", Channel: "email", Address: "hq@example.com", Locale: "en"}}
	if _, err := f.svc.Store.PutSettings(ctx, st, 0); err != nil {
		t.Fatal(err)
	}
	id := f.submit(t, intake("high")).ComplaintID // acknowledge by 12:00: 120 business minutes
	check := func(at string) complaint.SLAReport {
		t.Helper()
		f.clk.Set(f.local(at))
		rep, err := f.svc.CheckSLAs(ctx, f.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := check("2026-11-23 11:35"); rep.Fired != 0 {
		t.Fatalf("fired before 80%%: %+v", rep)
	}
	if rep := check("2026-11-23 11:36"); rep.Fired != 1 { // 96 of 120 minutes
		t.Fatalf("at 80%%: %+v", rep)
	}
	check("2026-11-23 11:50")
	if rep := check("2026-11-23 12:00"); rep.Fired != 1 {
		t.Fatalf("at the deadline: %+v", rep)
	}
	// Lunch and the night do not count: 150% (180 minutes) is 14:00.
	if rep := check("2026-11-23 13:59"); rep.Fired != 0 {
		t.Fatalf("during lunch: %+v", rep)
	}
	if rep := check("2026-11-23 14:00"); rep.Fired != 1 {
		t.Fatalf("at 150%%: %+v", rep)
	}
	check("2026-11-23 17:00")
	c, _ := f.svc.Get(ctx, manager, id)
	var types []string
	for _, e := range c.Timeline {
		types = append(types, e.Type)
	}
	if !slices.Equal(types, []string{"received", "sla_warning", "sla_breach", "escalated"}) || !c.Breached {
		t.Fatalf("timeline %v breached %v", types, c.Breached)
	}
	// Each step once, to whom it names: the unassigned case's warning to the managers,
	// the breach to the managers, the escalation to head office.
	want := []string{"sla_warning acknowledge 0 wang@sh01.example", "sla_breach acknowledge 1 wang@sh01.example", "escalated acknowledge 2 hq@example.com"}
	var got []string
	for _, e := range f.effects.escalated {
		var to []string
		for _, c := range e.To {
			to = append(to, c.Address)
		}
		if e.Case.ID != id || e.Location.ID != "sh-01" {
			t.Fatalf("escalation %+v", e)
		}
		got = append(got, fmt.Sprintf("%s %s %d %s", e.Type, e.Firing.Clock, e.Firing.Step, strings.Join(to, ",")))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("escalations %v, want %v", got, want)
	}
	// Acknowledging late (at 17:00: 6 business hours) stops the clock as missed.
	c = f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Acknowledge})
	if *c.Acknowledge.Met || c.Acknowledge.BusinessMinutes != 6*60 {
		t.Fatalf("acknowledge clock %+v", c.Acknowledge)
	}
	page, err := f.svc.Queue(ctx, manager, complaint.QueueQuery{Breached: ptr(true), Limit: 50})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != id {
		t.Fatalf("breached queue %+v %v", page, err)
	}
}

func TestReportFromAggregates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ids := make([]string, 4)
	for i, cat := range []string{"billing", "billing", "waiting_time", "facilities"} {
		in := intake("normal")
		in.Category = cat
		ids[i] = f.submit(t, in).ComplaintID
	}
	f.clk.Advance(30 * time.Minute)
	f.act(t, agent, ids[0], complaint.ActionRequest{Action: complaint.Acknowledge})
	f.clk.Advance(60 * time.Minute)
	f.act(t, agent, ids[1], complaint.ActionRequest{Action: complaint.Acknowledge})
	f.act(t, agent, ids[0], complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refund.", RootCause: "system_error"})
	f.act(t, agent, ids[1], complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refund.", RootCause: "system_error"})
	f.clk.Set(f.local("2026-11-26 11:00")) // past the 24 business hours of normal severity
	f.act(t, agent, ids[2], complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Extra staff.", RootCause: "capacity"})
	f.act(t, manager, ids[0], complaint.ActionRequest{Action: complaint.Reopen})
	rep, err := f.svc.Report(ctx, manager, "2026-11-23", "2026-11-23", "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 4 || rep.ByCategory["billing"] != 2 || rep.ByLocation["sh-01"] != 4 ||
		rep.ByStatus["in_progress"] != 1 || rep.ByStatus["resolved"] != 2 || rep.ByStatus["received"] != 1 {
		t.Fatalf("counts %+v", rep)
	}
	// The third case was acknowledged only by its late resolution.
	if rep.SLA.Acknowledge.Met != 2 || rep.SLA.Acknowledge.Missed != 1 || rep.SLA.Resolve.Met != 2 || rep.SLA.Resolve.Missed != 1 {
		t.Fatalf("sla %+v", rep.SLA)
	}
	if *rep.SLA.Resolve.Compliance != 0.667 || rep.TimeToAcknowledge.Count != 3 || *rep.TimeToAcknowledge.MedianMinutes != 90 {
		t.Fatalf("compliance %v, ack times %+v", *rep.SLA.Resolve.Compliance, rep.TimeToAcknowledge)
	}
	if rep.ReopenRate != 0.333 || rep.Reopens != 1 || rep.TopRootCauses[0] != (complaint.RootCount{RootCause: "system_error", Count: 2}) {
		t.Fatalf("reopen %v, roots %+v", rep.ReopenRate, rep.TopRootCauses)
	}
	if _, err := f.svc.Report(ctx, outsider, "", "", "sh-01"); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("another location's report: %v", err)
	}
	// Head office (every location) counts the cases from the registry; staff with no
	// location count none, and cannot ask for one.
	hq := auth.Principal{Subject: "hq", Roles: []string{"admin"}, All: true}
	if rep, err := f.svc.Report(ctx, hq, "2026-11-23", "2026-11-23", ""); err != nil || rep.Total != 4 || rep.ByLocation["sh-01"] != 4 {
		t.Fatalf("head office's report %+v %v", rep, err)
	}
	nowhere := auth.Principal{Subject: "mgr-0", Roles: []string{"manager"}}
	if rep, err := f.svc.Report(ctx, nowhere, "2026-11-23", "2026-11-23", ""); err != nil || rep.Total != 0 || len(rep.ByLocation) != 0 {
		t.Fatalf("the report of staff with no location %+v %v", rep, err)
	}
	if _, err := f.svc.Report(ctx, nowhere, "", "", "sh-01"); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("a location's report for staff with no location: %v", err)
	}
	if _, err := f.svc.Report(ctx, manager, "2026-12-01", "2026-11-01", ""); !hasField(err, "from") {
		t.Fatalf("from after to: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func hasField(err error, field string) bool {
	var p *problem.Error
	return errors.As(err, &p) && slices.ContainsFunc(p.Fields, func(fe problem.FieldError) bool { return fe.Field == field })
}

// A case whose location cannot be counted in (its registry entry broken) does not hold
// up the others: they escalate, it is reported and tried again next time.
func TestOneBrokenCaseDoesNotStopTheSLAJob(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bj := shanghai
	bj.ID, bj.Code, bj.Name = "bj-01", "BJ01", "Beijing"
	f.locations.put(bj)
	broken := f.submit(t, intake("high")).ComplaintID
	in := intake("high")
	in.LocationID = "bj-01"
	fine := f.submit(t, in).ComplaintID
	bad := shanghai
	bad.TimeZone = "Mars/Olympus_Mons" // written past validation, as a damaged item would be
	f.locations.put(bad)
	f.clk.Set(f.local("2026-11-23 12:00"))
	rep, err := f.svc.CheckSLAs(ctx, f.clk.Now())
	if err == nil || rep.Failed != 1 || rep.Fired != 2 {
		t.Fatalf("report %+v, error %v", rep, err)
	}
	hq := auth.Principal{Subject: "hq", Roles: []string{"admin"}, All: true}
	if c, _ := f.svc.Get(ctx, hq, fine); len(c.Timeline) != 3 {
		t.Fatalf("the healthy case: %v", c.Timeline)
	}
	if c, _ := f.svc.Get(ctx, hq, broken); len(c.Timeline) != 1 {
		t.Fatalf("the broken case: %v", c.Timeline)
	}
}

// A case change and its effects are one transaction: an effect's item refused leaves
// the case as it was, and the refusal is told in the words its contributor named.
func TestARefusedEffectLeavesTheCaseUnchanged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.submit(t, intake("normal")).ComplaintID
	errRefused := errors.New("the effect was refused")
	f.effects.refuse = errRefused
	_, err := f.svc.Act(ctx, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded.", RootCause: "process"})
	if !errors.Is(err, errRefused) {
		t.Fatalf("resolve with a refused effect: %v, want the effect's own error", err)
	}
	if c, _ := f.svc.Get(ctx, manager, id); c.Status != complaint.Received || c.Version != 1 || len(c.Timeline) != 1 {
		t.Fatalf("the case was written without its effect: %+v", c)
	}
	f.effects.refuse = nil
	if c := f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded.", RootCause: "process"}); c.Status != complaint.Resolved {
		t.Fatalf("resolve after: %+v", c)
	}
}

// The caller's items (the idempotency record) join the intake's transaction: when they
// are refused, the intake is a key still in progress (409) and nothing is stored.
func TestARefusedIdempotencyRecordStoresNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	refused := func(complaint.Receipt) ([]types.TransactWriteItem, error) {
		return []types.TransactWriteItem{{ConditionCheck: &types.ConditionCheck{TableName: aws.String(f.svc.Store.Table),
			Key: dynamo.Key("IDEM#test#k", "IDEM"), ConditionExpression: aws.String("attribute_exists(pk)")}}}, nil
	}
	_, err := f.svc.Submit(ctx, nil, intake("normal"), refused)
	if problem.KindOf(err) != problem.Conflict || !strings.Contains(err.Error(), "Idempotency-Key is still in progress") {
		t.Fatalf("intake with a refused record: %v", err)
	}
	page, err := f.svc.Queue(ctx, manager, complaint.QueueQuery{LocationID: "sh-01", Limit: 50})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("queue %+v %v", page, err)
	}
}

func TestATrackingTokenIsItsReferenceAndASecret(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, second := f.submit(t, intake("high")), f.submit(t, intake("low"))
	ref, secret, ok := strings.Cut(first.TrackingToken, ".")
	if !ok || ref != first.Reference || len(secret) < 32 {
		t.Fatalf("token %q, want %s.<secret>", first.TrackingToken, first.Reference)
	}
	if tr, err := f.svc.Track(ctx, first.TrackingToken); err != nil || tr.Reference != first.Reference {
		t.Fatalf("tracking %+v %v", tr, err)
	}
	_, otherSecret, _ := strings.Cut(second.TrackingToken, ".")
	for _, bad := range []string{
		first.Reference + ".",                           // no secret
		first.Reference + "." + otherSecret,             // another case's secret
		first.Reference + "." + strings.ToLower(secret), // near miss
		second.Reference + "." + secret,                 // this secret, another reference
		"NOPE-20261123-0001." + secret,                  // no such reference
		secret,                                          // the secret alone
	} {
		if _, err := f.svc.Track(ctx, bad); problem.KindOf(err) != problem.NotFound {
			t.Errorf("token %q: %v, want not found", bad, err)
		}
	}
	// A token of the earlier form, a secret alone found by its TRACK item, still finds
	// its case.
	old := "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	sum := sha256.Sum256([]byte(old))
	if _, err := f.env.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(f.env.Names("complaints")),
		Item: map[string]types.AttributeValue{"pk": dynamo.S("TRACK#" + hex.EncodeToString(sum[:])), "sk": dynamo.S("TRACK"),
			"complaintId": dynamo.S(second.ComplaintID)}}); err != nil {
		t.Fatal(err)
	}
	if tr, err := f.svc.Track(ctx, old); err != nil || tr.Reference != second.Reference {
		t.Fatalf("earlier token: %+v %v", tr, err)
	}
}

// Right after the deploy that makes customerCases, DynamoDB refuses queries on it while
// it fills, and a table restored from before it lacks it: a customer's cases (for a
// merge, an export, an erasure) are then found through the byCustomer index it
// replaces (every attribute projected). Here the table is as deployed before.
func TestACustomersCasesAreFoundThroughTheReplacedIndex(t *testing.T) {
	f := newFixture(t)
	f.svc.Store.Table = f.env.TableBefore(t, "complaints")
	f.customers.byContact["+8613800138000"] = "cust-7"
	rc := f.submit(t, intake("normal"))
	ids, err := f.svc.Store.CustomerCaseIDs(context.Background(), "cust-7")
	if err != nil || len(ids) != 1 || ids[0] != rc.ComplaintID {
		t.Fatalf("cust-7's cases %v, %v; want [%s]", ids, err, rc.ComplaintID)
	}
}
