package membership_test

// The programme's messages, against DynamoDB Local: the loyalty service with its
// effects writes follow-ups in the transactions of the tier changes and expiry
// reminders that cause them.

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/membership"
	"github.com/rapport-crm/rapport/shared/testenv"
)

var t0 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

type fixture struct {
	svc       *loyalty.Service
	followups *followup.Store
	clk       *clock.Manual
	env       *testenv.Env
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testenv.New(t)
	clk := clock.NewManual(t0)
	followups := &followup.Store{DB: env.Clients.DynamoDB, Table: env.Names("followups")}
	svc := &loyalty.Service{Store: &loyalty.Store{DB: env.Clients.DynamoDB, Table: env.Names("loyalty")}, Clock: clk,
		Effects: membership.Messages{Followups: followups}}
	return &fixture{svc: svc, followups: followups, clk: clk, env: env}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// step is one thing that happens to a member at a time: an earn, a redeem or a run
// of the timers.
type step struct {
	at     time.Time
	op     string
	src    string
	points int
}

func (f *fixture) play(t *testing.T, cid string, steps []step) {
	t.Helper()
	ctx := context.Background()
	for i, s := range steps {
		f.clk.Set(s.at)
		var err error
		switch s.op {
		case "earn":
			_, _, err = f.svc.Earn(ctx, "pos", cid, loyalty.EarnRequest{SourceID: s.src, Points: s.points})
		case "redeem":
			_, _, err = f.svc.Redeem(ctx, "pos", cid, loyalty.PointsRequest{SourceID: s.src, Points: s.points})
		case "timers":
			var rep loyalty.TimerReport
			if rep, err = f.svc.RunTimers(ctx, s.at); err == nil && rep.Failed > 0 {
				t.Fatalf("step %d: timers %+v", i, rep)
			}
		default:
			t.Fatalf("step %d: unknown op %q", i, s.op)
		}
		if err != nil {
			t.Fatalf("step %d (%s %s at %s): %v", i, s.op, s.src, s.at.Format(time.RFC3339), err)
		}
	}
}

// all are a customer's follow-ups, oldest first.
func (f *fixture) all(t *testing.T, cid string) []followup.Followup {
	t.Helper()
	fs, _, err := f.followups.ForCustomer(context.Background(), cid, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(fs)
	return fs
}

// tierChanges are a customer's tier-change follow-ups, oldest first, as
// "<kind>:<tier>": the kind is the one in the dedupe key ("tier#<id>#<kind>#<to>#<date>").
func (f *fixture) tierChanges(t *testing.T, cid string) []string {
	t.Helper()
	out := []string{}
	for _, fu := range f.all(t, cid) {
		if fu.Kind != followup.KindTierChange {
			continue
		}
		parts := strings.Split(fu.DedupeKey, "#")
		// A notice keeps the member's tier and names the next one and the date.
		notice := parts[2] == "downgrade_notice"
		if len(parts) != 5 || parts[1] != cid || fu.Recipient.Address == "" ||
			(notice && (fu.TemplateID != "tier-notice" || fu.Vars["on"] == "")) || (!notice && fu.TemplateID != "tier-change") {
			t.Fatalf("tier follow-up %+v", fu)
		}
		if fu.Source != (followup.Source{Type: "loyalty-account", ID: cid}) || fu.Recipient.ID != cid || fu.Recipient.Type != "customer" {
			t.Fatalf("tier follow-up's source or recipient: %+v", fu)
		}
		if notice {
			out = append(out, parts[2]+":"+fu.Vars["next"])
			continue
		}
		out = append(out, parts[2]+":"+fu.Vars["tier"])
	}
	return out
}

// Members are told of an upgrade, of a coming downgrade and of the downgrade, once
// each, by the channel their membership gives; keeping a tier, or leaving no address,
// means no message. (Default tiers: silver 1000, gold 5000, platinum 20000.)
func TestTierMessages(t *testing.T) {
	review := utc("2027-11-23T02:00:00Z")
	graceEnds := utc("2027-12-23T02:00:00Z")
	for _, c := range []struct {
		name    string
		member  loyalty.Membership
		steps   []step
		changes []string
		channel string
	}{
		{name: "the earn that crosses a threshold brings the congratulation",
			member: loyalty.Membership{Email: "m1@example.com", Locale: "en"},
			steps: []step{
				{at: t0, op: "earn", src: "a", points: 999},
				{at: t0.Add(time.Hour), op: "earn", src: "b", points: 1},
			},
			changes: []string{"upgrade:silver"}, channel: "email"},
		{name: "short at the review: a notice, then the downgrade after the grace period",
			member: loyalty.Membership{Email: "m1@example.com", Locale: "zh-CN", TimeZone: "Asia/Shanghai"},
			steps: []step{
				{at: t0, op: "earn", src: "start", points: 6000},
				{at: utc("2027-03-01T10:00:00Z"), op: "earn", src: "march", points: 1500},
				{at: review, op: "timers"},
				{at: graceEnds, op: "timers"},
			},
			changes: []string{"upgrade:gold", "downgrade_notice:silver", "downgrade:silver"}, channel: "email"},
		{name: "earning the tier back during the grace period is no message",
			member: loyalty.Membership{Email: "m1@example.com", Locale: "zh-CN", TimeZone: "Asia/Shanghai"},
			steps: []step{
				{at: t0, op: "earn", src: "start", points: 6000},
				{at: utc("2027-03-01T10:00:00Z"), op: "earn", src: "march", points: 1500},
				{at: review, op: "timers"},
				{at: utc("2027-12-03T10:00:00Z"), op: "earn", src: "december", points: 3500},
				{at: graceEnds, op: "timers"},
			},
			changes: []string{"upgrade:gold", "downgrade_notice:silver"}, channel: "email"},
		{name: "a member with only a phone is told by SMS",
			member:  loyalty.Membership{Phone: "+86 138 0013 8000"},
			steps:   []step{{at: t0, op: "earn", src: "a", points: 6000}},
			changes: []string{"upgrade:gold"}, channel: "sms"},
		{name: "no address: the upgrade is made, there is no one to tell",
			steps:   []step{{at: t0, op: "earn", src: "a", points: 6000}},
			changes: []string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.member.Email != "" || c.member.Phone != "" {
				if _, err := f.svc.Enrol(context.Background(), "m-1", c.member); err != nil {
					t.Fatal(err)
				}
			}
			f.play(t, "m-1", c.steps)
			if got := f.tierChanges(t, "m-1"); !slices.Equal(got, c.changes) {
				t.Errorf("tier changes %v, want %v", got, c.changes)
			}
			for _, fu := range f.all(t, "m-1") {
				wantLocale := cmp.Or(c.member.Locale, "zh-CN")
				if fu.Recipient.Channel != c.channel || fu.Recipient.Locale != wantLocale || fu.Recipient.TimeZone != c.member.TimeZone {
					t.Errorf("recipient %+v, want channel %s, locale %s, zone %q", fu.Recipient, c.channel, wantLocale, c.member.TimeZone)
				}
				if fu.TemplateID == "tier-notice" && (fu.Vars["tier"] != "gold" || fu.Vars["on"] != "2027-12-23") {
					t.Errorf("notice vars %v: the tier kept until 2027-12-23", fu.Vars)
				}
				if !fu.RequestedAt.Equal(fu.CreatedAt) || !strings.HasSuffix(fu.DedupeKey, fu.CreatedAt.Format("#2006-01-02")) {
					t.Errorf("a tier message is asked for when made (quiet hours may move it), keyed by its day: %+v", fu)
				}
			}
		})
	}
}

// The reminder before points expire goes once per lot, with the points still left and
// the expiry date; the lot is reminded even when the member left no address to tell.
func TestPointsExpiryReminder(t *testing.T) {
	for _, c := range []struct {
		name   string
		member loyalty.Membership
		told   bool
	}{
		{name: "by email", member: loyalty.Membership{Email: "c5@example.com", Locale: "en", TimeZone: "Asia/Shanghai"}, told: true},
		{name: "no address", member: loyalty.Membership{Locale: "en"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if _, err := f.svc.Enrol(ctx, "c-5", c.member); err != nil {
				t.Fatal(err)
			}
			expires := t0.AddDate(1, 0, 0) // the default rules: 12 months, reminded 30 days before
			f.play(t, "c-5", []step{
				{at: t0, op: "earn", src: "stay", points: 200},
				{at: t0.AddDate(0, 0, 1), op: "redeem", src: "spa", points: 50},
				{at: expires.AddDate(0, 0, -31), op: "timers"},
			})
			var reminders []followup.Followup
			count := func() {
				reminders = nil
				for _, fu := range f.all(t, "c-5") {
					if fu.Kind == followup.KindPointsExpiry {
						reminders = append(reminders, fu)
					}
				}
			}
			if count(); len(reminders) != 0 {
				t.Fatalf("reminded early: %+v", reminders)
			}
			f.clk.Set(expires.AddDate(0, 0, -30))
			rep, err := f.svc.RunTimers(ctx, expires.AddDate(0, 0, -30))
			if err != nil || rep.Reminded != 1 {
				t.Fatalf("reminder: %+v %v", rep, err)
			}
			f.play(t, "c-5", []step{{at: expires.AddDate(0, 0, -29), op: "timers"}})
			count()
			if !c.told {
				if len(reminders) != 0 {
					t.Fatalf("a reminder without an address: %+v", reminders)
				}
				return
			}
			if len(reminders) != 1 {
				t.Fatalf("%d reminders, want 1: %+v", len(reminders), reminders)
			}
			r := reminders[0]
			entries, err := f.svc.Ledger(ctx, "c-5", 50, "")
			if err != nil {
				t.Fatal(err)
			}
			lot := entries.Items[len(entries.Items)-1].Lot // the earn's lot
			if lot == nil || r.DedupeKey != "points-expiry#"+lot.ID || r.Source != (followup.Source{Type: "loyalty-lot", ID: lot.ID}) {
				t.Fatalf("reminder %+v of lot %+v", r, lot)
			}
			if r.TemplateID != "points-expiry" || r.Vars["points"] != "150" || r.Vars["expiresOn"] != expires.Format("2006-01-02") {
				t.Fatalf("reminder template %s vars %v", r.TemplateID, r.Vars)
			}
			if r.Recipient != (followup.Recipient{Type: "customer", ID: "c-5", Channel: "email", Address: "c5@example.com", Locale: "en", TimeZone: "Asia/Shanghai"}) {
				t.Fatalf("reminder recipient %+v", r.Recipient)
			}
		})
	}
}
