package casework_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/casework/desk"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// These tests run a complaint's life over the real stores of the domains it reaches
// (customers, follow-ups, loyalty) and check what it did to them.

type fixture struct {
	svc       *complaint.Service
	clk       *clock.Manual
	customers *customer.Store
	followups *followup.Store
	loyalty   *loyalty.Store
	rewards   *reward.Store
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
	customers := &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers"), Locations: &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}}
	followups := &followup.Store{DB: env.Clients.DynamoDB, Table: env.Names("followups")}
	loc := shanghai
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.Locations.(*location.Store).PutLocation(context.Background(), loc, 0); err != nil {
		t.Fatal(err)
	}
	points := &loyalty.Store{DB: env.Clients.DynamoDB, Table: env.Names("loyalty")}
	rewards := &reward.Store{DB: env.Clients.DynamoDB, Table: env.Names("rewards"), Locations: customers.Locations.(*location.Store)}
	svc := &complaint.Service{Store: &complaint.Store{DB: env.Clients.DynamoDB, Table: env.Names("complaints")},
		Locations: customers.Locations.(*location.Store), Customers: customers, Clock: clk, PublicURL: "https://api.example",
		Effects: &casework.Effects{Followups: followups, Compensation: &desk.Points{Loyalty: points}, Vouchers: &desk.Vouchers{Rewards: rewards}}}
	return &fixture{svc: svc, clk: clk, customers: customers, followups: followups, loyalty: points, rewards: rewards, zone: zone, env: env}
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

// The customer is told the case was received, with the tracking link: the receipt
// is a follow-up written in the case's transaction. (The case itself, its deadlines
// and its tracking view: complaint's TestIntakeOpensACaseAndTellsTheCustomer.)
func TestIntakeTellsTheCustomer(t *testing.T) {
	f := newFixture(t)
	rc := f.submit(t, intake("high"))
	if !referenceRe.MatchString(rc.Reference) || rc.Status != complaint.Received {
		t.Fatalf("receipt %+v", rc)
	}
	if n := f.count(t, rc.ComplaintID, followup.KindComplaintUpdate); n != 1 {
		t.Fatalf("%d receipts to the customer", n)
	}
	if tok := f.tokenOf(t, rc.ComplaintID); tok != rc.TrackingToken {
		t.Fatalf("the receipt links to %q, want the case's tracking token", tok)
	}
}

func TestIntakeLinksTheCustomerByNormalisedContact(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	items := f.customers.ContactIndex("cust-7", "+86 138-0013-8000", "")
	if _, err := f.customers.DB.TransactWriteItems(ctx, transact(items)); err != nil {
		t.Fatal(err)
	}
	rc := f.submit(t, intake("normal")) // phone written "138 0013 8000"
	c, _ := f.svc.Get(ctx, manager, rc.ComplaintID)
	if c.CustomerID != "cust-7" {
		t.Fatalf("customer %q, want cust-7 matched by phone", c.CustomerID)
	}
	// The public route does not take a customer id on trust.
	in := intake("normal")
	in.Contact.Phone, in.Contact.Email, in.CustomerID = "", "someone@example.com", "cust-7"
	rc = f.submit(t, in)
	if c, _ := f.svc.Get(ctx, manager, rc.ComplaintID); c.CustomerID != "" {
		t.Fatalf("public intake linked %q by a claimed id", c.CustomerID)
	}
	// Staff may name one they see (a customer of their location); a customer of another
	// location, or one with no profile, does not exist for them.
	for cid, home := range map[string]string{"cust-8": "sh-01", "cust-9": "bj-01"} {
		if _, _, err := f.customers.CreateProfile(ctx, customer.ProfileInput{ID: cid, Name: aws.String("Han"), LocationID: aws.String(home)}, "t", f.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
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

func TestResolutionCompensatesOnceAndTellsTheCustomer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.customers.DB.TransactWriteItems(ctx, transact(f.customers.ContactIndex("cust-1", "13800138000", ""))); err != nil {
		t.Fatal(err)
	}
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
	// The compensation is in the customer's ledger, with the case reference as its source.
	acct, _, _, err := f.loyalty.Account(ctx, "cust-1")
	if err != nil || acct.Balance != 200 {
		t.Fatalf("loyalty after compensation: %+v %v", acct, err)
	}
	if e, ok, _ := f.loyalty.Source(ctx, "cust-1", "complaint:"+resolved.Reference); !ok || e.Points != 200 {
		t.Fatalf("compensation entry %+v", e)
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
	if acct, _, _, _ := f.loyalty.Account(ctx, "cust-1"); acct.Balance != 200 || again.Timeline[len(again.Timeline)-1].Details["compensation"] == "" {
		t.Fatalf("second compensation: balance %d, event %+v", acct.Balance, again.Timeline[len(again.Timeline)-1])
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
	// The receipt and both outcomes went to the customer; the first callback was
	// called off by the reopen, the second is scheduled.
	if f.count(t, id, followup.KindComplaintUpdate) != 3 || f.count(t, id, followup.KindComplaintCallback) != 2 {
		t.Fatal("outcome or callback missing")
	}
}

// tokenOf reads the tracking token back from the customer's receipt message vars.
func (f *fixture) tokenOf(t *testing.T, complaintID string) string {
	t.Helper()
	for _, fu := range f.all(t, complaintID) {
		if link := fu.Vars["link"]; link != "" {
			return link[len("https://api.example/v1/complaints/track/"):]
		}
	}
	t.Fatal("no receipt with a tracking link")
	return ""
}

func TestReopenCallsOffTheCallback(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.submit(t, intake("normal")).ComplaintID
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded.", RootCause: "process"})
	f.clk.Advance(24 * time.Hour)
	c := f.act(t, manager, id, complaint.ActionRequest{Action: complaint.Reopen, Note: "Guest called again."})
	if c.Status != complaint.InProgress || c.Reopens != 1 || c.Resolve.Stopped != nil || !c.Resolve.Start.Equal(f.clk.Now()) {
		t.Fatalf("reopened %+v", c)
	}
	// The callback about a handling that is not over was called off.
	for _, fu := range f.all(t, id) {
		if fu.Kind == followup.KindComplaintCallback && fu.Status != followup.Cancelled {
			t.Fatalf("callback still %s", fu.Status)
		}
	}
	f.act(t, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded again.", RootCause: "process"})
	f.act(t, manager, id, complaint.ActionRequest{Action: complaint.Close})
	f.clk.Advance(15 * 24 * time.Hour)
	if _, err := f.svc.Act(ctx, manager, id, complaint.ActionRequest{Action: complaint.Reopen}); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("reopen after the window: %v, want 409", err)
	}
}

// A high-severity complaint nobody acknowledges: the SLA ladder's steps tell the
// location's manager (the warning, the breach) and head office (escalated at 150%),
// each once however often the job runs. (When each step fires and what the case
// records: complaint's TestSLALadderFiresEachStepOnce.)
func TestSLALadderNotifiesStaffOncePerStep(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := complaint.DefaultSettings()
	st.HeadOffice = []contact.Contact{{Name: "HQ", Channel: "email", Address: "hq@example.com", Locale: "en"}}
	if _, err := f.svc.Store.PutSettings(ctx, st, 0); err != nil {
		t.Fatal(err)
	}
	id := f.submit(t, intake("high")).ComplaintID // acknowledge by 12:00: 120 business minutes
	for _, at := range []string{"2026-11-23 11:36", "2026-11-23 11:50", "2026-11-23 12:00", "2026-11-23 14:00", "2026-11-23 17:00"} {
		f.clk.Set(f.local(at))
		if _, err := f.svc.CheckSLAs(ctx, f.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]string{followup.KindSLAWarning: {"wang@sh01.example"}, followup.KindEscalation: {"hq@example.com", "wang@sh01.example"}}
	got := map[string][]string{}
	for _, fu := range f.all(t, id) {
		if fu.Recipient.Type == "staff" {
			got[fu.Kind] = append(got[fu.Kind], fu.Recipient.Address)
		}
	}
	for k := range want {
		slices.Sort(got[k])
		if !slices.Equal(want[k], got[k]) {
			t.Fatalf("%s to %v, want %v", k, got[k], want[k])
		}
	}
}

// Outside business hours, staff notifications wait for the next opening unless the
// case is critical.
func TestNotificationsWaitForBusinessHoursUnlessCritical(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clk.Set(f.local("2026-11-23 17:30"))
	normal := f.submit(t, intake("high")).ComplaintID       // 30 minutes today, 90 tomorrow
	critical := f.submit(t, intake("critical")).ComplaintID // 30 minutes: 18:00 today
	f.clk.Set(f.local("2026-11-24 02:00"))
	if _, err := f.svc.CheckSLAs(ctx, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	f.clk.Set(f.local("2026-11-24 10:30")) // high: 80% of 120 is 09:06, breach 10:30
	if _, err := f.svc.CheckSLAs(ctx, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	for _, fu := range f.all(t, critical) {
		if fu.Recipient.Type == "staff" && (!fu.Urgent || !fu.DueAt.Equal(f.local("2026-11-24 02:00"))) {
			t.Fatalf("critical notification %s due %s urgent %v", fu.Kind, fu.DueAt.In(f.zone), fu.Urgent)
		}
	}
	staff := 0
	for _, fu := range f.all(t, normal) {
		if fu.Recipient.Type == "staff" {
			staff++
			open, _ := shanghai.Open(fu.DueAt)
			if !open || fu.Urgent {
				t.Fatalf("%s due %s outside business hours", fu.Kind, fu.DueAt.In(f.zone))
			}
		}
	}
	if staff != 2 {
		t.Fatalf("%d staff notifications for the high case, want warning and breach", staff)
	}
}

func ptr[T any](v T) *T { return &v }

// all are the follow-ups a case caused.
func (f *fixture) all(t *testing.T, complaintID string) []followup.Followup {
	t.Helper()
	// A test may scan its own small table; request paths never do.
	out, err := f.env.Clients.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{
		TableName: aws.String(f.followups.Table), FilterExpression: aws.String("#s.id = :id AND sk = :fu"),
		ExpressionAttributeNames:  map[string]string{"#s": "source"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: complaintID}, ":fu": &types.AttributeValueMemberS{Value: "FU"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var fs []followup.Followup
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &fs); err != nil {
		t.Fatal(err)
	}
	return fs
}

func transact(items []types.TransactWriteItem) *dynamodb.TransactWriteItemsInput {
	return &dynamodb.TransactWriteItemsInput{TransactItems: items}
}

func (f *fixture) count(t *testing.T, complaintID, kind string) int {
	n := 0
	for _, fu := range f.all(t, complaintID) {
		if fu.Kind == kind {
			n++
		}
	}
	return n
}

func hasField(err error, field string) bool {
	var p *problem.Error
	return errors.As(err, &p) && slices.ContainsFunc(p.Fields, func(fe problem.FieldError) bool { return fe.Field == field })
}

// A function without the loyalty table (complaints-public, complaint-sla) cannot grant
// compensation: the resolution is refused whole, nothing of it stored.
func TestCompensationWithoutLoyaltyIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.customers.DB.TransactWriteItems(ctx, transact(f.customers.ContactIndex("cust-1", "13800138000", ""))); err != nil {
		t.Fatal(err)
	}
	id := f.submit(t, intake("normal")).ComplaintID
	f.svc.Effects = &casework.Effects{Followups: f.followups}
	_, err := f.svc.Act(ctx, agent, id, complaint.ActionRequest{Action: complaint.Resolve, Resolution: "Refunded.", RootCause: "process", CompensationPoints: 50})
	if !hasField(err, "compensationPoints") {
		t.Fatalf("compensation without loyalty: %v", err)
	}
	if c, _ := f.svc.Get(ctx, manager, id); c.Status != complaint.Received || f.count(t, id, followup.KindComplaintUpdate) != 1 {
		t.Fatalf("a refused resolution left %s with %d updates", c.Status, f.count(t, id, followup.KindComplaintUpdate))
	}
}

// A ladder step that finds no one to tell still writes its notification, skipped with
// the reason, so the step is never silently lost.
func TestAStepWithNoOneToTellIsKeptWithTheReason(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alone := shanghai
	alone.ID, alone.Code, alone.Name, alone.Managers = "sh-02", "SH02", "Shanghai Pudong", nil
	if _, err := f.customers.Locations.(*location.Store).PutLocation(ctx, alone, 0); err != nil {
		t.Fatal(err)
	}
	in := intake("high")
	in.LocationID = "sh-02"
	id := f.submit(t, in).ComplaintID
	f.clk.Set(f.local("2026-11-23 11:36")) // 80% of the 120 minutes to acknowledge
	if rep, err := f.svc.CheckSLAs(ctx, f.clk.Now()); err != nil || rep.Fired != 1 {
		t.Fatalf("check %+v %v", rep, err)
	}
	var notes []followup.Followup
	for _, fu := range f.all(t, id) {
		if fu.Kind == followup.KindSLAWarning {
			notes = append(notes, fu)
		}
	}
	if len(notes) != 1 || notes[0].Recipient.Address != "" || !strings.Contains(notes[0].Unroutable, `ladder step "assignee" found no address`) {
		t.Fatalf("warnings %+v", notes)
	}
}

// The complainant's messages are each the occasion of a change only their transaction
// can make (the case's opening, its resolution at its reopening), so each is its
// follow-up's record alone: no dedupe claim written, no check for one.
func TestTheComplainantsMessagesAreTheirRecordsAlone(t *testing.T) {
	f := newFixture(t)
	fx := &casework.Effects{Followups: f.followups}
	c := complaint.Complaint{ID: "06H4WN9T0V8J434D42P1YGTS4W", LocationID: "sh-01", Reference: "SH01-20261123-0001",
		Contact: complaint.Contact{Name: "Li Lei", Email: "li.lei@example.com", Locale: "en"}, Reopens: 1, Resolution: "Refunded."}
	now := f.clk.Now()
	tx := &dynamo.Tx{}
	if err := fx.Opened(context.Background(), tx, complaint.Opening{Case: c, Location: shanghai, TrackingURL: "https://t.example/x", At: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.Resolved(context.Background(), tx, complaint.Resolution{Case: c, Location: shanghai, At: now, CallbackAt: now.Add(72 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	items := tx.Items()
	if len(items) != 3 {
		t.Fatalf("%d items, want the receipt, the outcome and the callback", len(items))
	}
	for i, it := range items {
		if it.Put == nil || !strings.HasPrefix(it.Put.Item["pk"].(*types.AttributeValueMemberS).Value, "FU#") ||
			aws.ToString(it.Put.ConditionExpression) != "attribute_not_exists(pk)" {
			t.Errorf("item %d: %+v, want a new follow-up record", i, it)
		}
	}
}
