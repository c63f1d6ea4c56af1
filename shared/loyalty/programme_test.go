package loyalty_test

// The programme around the ledger, against DynamoDB Local: tiers across the rolling
// window and the yearly review, referrals and their abuse, birthdays in the member's
// zone, managers' adjustments. Every test ends with a clean reconciliation.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/problem"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func (f *fixture) enrol(t *testing.T, cid string, m loyalty.Membership) loyalty.Account {
	t.Helper()
	a, err := f.svc.Enrol(context.Background(), cid, m)
	if err != nil {
		t.Fatalf("enrol %s: %v", cid, err)
	}
	return a
}

// buy earns from a purchase in yuan, as a point of sale does.
func (f *fixture) buy(t *testing.T, cid, src string, yuan float64) (loyalty.Entry, bool) {
	t.Helper()
	e, replayed, err := f.svc.Earn(context.Background(), "pos", cid, loyalty.EarnRequest{SourceID: src, Amount: &yuan, Currency: "CNY"})
	if err != nil {
		t.Fatalf("buy %s for %s: %v", src, cid, err)
	}
	return e, replayed
}

func (f *fixture) account(t *testing.T, cid string) loyalty.Account {
	t.Helper()
	a, _, _, err := f.svc.Store.Account(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// runTimers moves the clock to at and runs the dispatcher's timers there.
func (f *fixture) runTimers(t *testing.T, at time.Time) loyalty.TimerReport {
	t.Helper()
	f.clk.Set(at)
	rep, err := f.svc.RunTimers(context.Background(), at)
	if err != nil || rep.Failed > 0 {
		t.Fatalf("timers at %v: %+v %v", at, rep, err)
	}
	return rep
}

// entries is a customer's whole ledger, oldest first.
func (f *fixture) entries(t *testing.T, cid string) []loyalty.Entry {
	t.Helper()
	page, err := f.svc.Ledger(context.Background(), cid, 200, "")
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(page.Items)
	return page.Items
}

// bonuses are the sourceIds of a customer's bonus entries, oldest first.
func (f *fixture) bonuses(t *testing.T, cid string) []string {
	t.Helper()
	var out []string
	for _, e := range f.entries(t, cid) {
		if e.Type == loyalty.TypeBonus {
			out = append(out, e.SourceID)
		}
	}
	return out
}

// tierChanges are a customer's tier-change events, oldest first, as "<kind>:<tier>":
// for a notice, the tier the member would go down to. Which of them reach the member,
// and how, is the effects' (shared/membership tests the messages).
func (f *fixture) tierChanges(t *testing.T, cid string) []string {
	t.Helper()
	out := []string{}
	for _, e := range f.events(t, cid) {
		if !strings.HasPrefix(e, "expiring:") {
			out = append(out, e)
		}
	}
	return out
}

func fieldsOf(err error) []string {
	var pe *problem.Error
	if !errors.As(err, &pe) {
		return nil
	}
	var out []string
	for _, fe := range pe.Fields {
		out = append(out, fe.Field)
	}
	return out
}

// tierStep is one thing that happens to a member, and the tier it leaves them in.
type tierStep struct {
	at     time.Time // the clock from this step on
	op     string    // earn, reverse (an earlier earn's sourceId), redeem or timers
	src    string
	points int
	tier   string
}

func (f *fixture) play(t *testing.T, cid string, steps []tierStep) {
	t.Helper()
	ctx := context.Background()
	for i, s := range steps {
		f.clk.Set(s.at)
		var err error
		switch s.op {
		case "earn":
			_, _, err = f.svc.Earn(ctx, "pos", cid, loyalty.EarnRequest{SourceID: s.src, Points: s.points})
		case "reverse":
			_, _, err = f.svc.Reverse(ctx, "pos", cid, loyalty.PointsRequest{SourceID: s.src})
		case "redeem":
			_, _, err = f.svc.Redeem(ctx, "pos", cid, loyalty.PointsRequest{SourceID: s.src, Points: s.points})
		case "timers":
			f.runTimers(t, s.at)
		default:
			t.Fatalf("step %d: unknown op %q", i, s.op)
		}
		if err != nil {
			t.Fatalf("step %d (%s %s at %s): %v", i, s.op, s.src, s.at.Format(time.RFC3339), err)
		}
		if got := f.account(t, cid).Tier; got != s.tier {
			t.Fatalf("step %d (%s %s %d at %s): tier %s, want %s", i, s.op, s.src, s.points, s.at.Format(time.RFC3339), got, s.tier)
		}
		if got := f.balance(t, cid).Tier; got != s.tier {
			t.Fatalf("step %d: the balance route says tier %s, want %s", i, got, s.tier)
		}
	}
}

// Upgrades come with the earn that crosses a threshold; nothing but the yearly review
// lowers a tier; the window is the last 12 months of earning, never the balance.
// Default tiers: silver 1000, gold 5000, platinum 20000; t0 is 2026-11-23 02:00 UTC,
// so the first review is 2027-11-23 02:00 UTC.
func TestTiersBetweenReviews(t *testing.T) {
	for _, c := range []struct {
		name      string
		noAddress bool
		steps     []tierStep
		changes   []string
	}{
		{name: "the earn that crosses a threshold upgrades at once",
			steps: []tierStep{
				{at: t0, op: "earn", src: "a", points: 999, tier: "member"},
				{at: t0.Add(time.Hour), op: "earn", src: "b", points: 1, tier: "silver"},
			},
			changes: []string{"upgrade:silver"}},
		{name: "one earn across two thresholds goes straight to gold",
			steps:   []tierStep{{at: t0, op: "earn", src: "a", points: 6000, tier: "gold"}},
			changes: []string{"upgrade:gold"}},
		{name: "silver to platinum, skipping gold",
			steps: []tierStep{
				{at: t0, op: "earn", src: "a", points: 1200, tier: "silver"},
				{at: t0.AddDate(0, 0, 1), op: "earn", src: "b", points: 19000, tier: "platinum"},
			},
			changes: []string{"upgrade:silver", "upgrade:platinum"}},
		{name: "a refund does not downgrade",
			steps: []tierStep{
				{at: t0, op: "earn", src: "a", points: 6000, tier: "gold"},
				{at: t0.AddDate(0, 0, 2), op: "reverse", src: "a", tier: "gold"},
			},
			changes: []string{"upgrade:gold"}},
		{name: "spending every point does not downgrade",
			steps: []tierStep{
				{at: t0, op: "earn", src: "a", points: 6000, tier: "gold"},
				{at: t0.AddDate(0, 0, 2), op: "redeem", src: "r", points: 6000, tier: "gold"},
			},
			changes: []string{"upgrade:gold"}},
		{name: "earning little until the eve of the review keeps the tier",
			steps: []tierStep{
				{at: t0, op: "earn", src: "a", points: 6000, tier: "gold"},
				{at: utc("2027-05-01T10:00:00Z"), op: "earn", src: "b", points: 10, tier: "gold"},
				{at: utc("2027-11-23T01:59:59Z"), op: "timers", tier: "gold"},
			},
			changes: []string{"upgrade:gold"}},
		{name: "rolling window: 600 and 500 eleven months later reach silver",
			steps: []tierStep{
				{at: t0, op: "earn", src: "a", points: 600, tier: "member"},
				{at: utc("2027-10-20T10:00:00Z"), op: "earn", src: "b", points: 500, tier: "silver"},
			},
			changes: []string{"upgrade:silver"}},
		{name: "rolling window: 600 earned more than 12 months ago no longer counts",
			steps: []tierStep{
				{at: t0, op: "earn", src: "a", points: 600, tier: "member"},
				{at: utc("2027-11-24T10:00:00Z"), op: "earn", src: "b", points: 500, tier: "member"},
			},
			changes: []string{}},
		{name: "refunded points do not count toward the next tier",
			steps: []tierStep{
				{at: t0, op: "earn", src: "a", points: 900, tier: "member"},
				{at: t0.AddDate(0, 0, 1), op: "reverse", src: "a", tier: "member"},
				{at: t0.AddDate(0, 0, 2), op: "earn", src: "b", points: 500, tier: "member"},
			},
			changes: []string{}},
		{name: "no address: the upgrade is made and told to the effects all the same", noAddress: true,
			steps:   []tierStep{{at: t0, op: "earn", src: "a", points: 6000, tier: "gold"}},
			changes: []string{"upgrade:gold"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, nil)
			if !c.noAddress {
				f.enrol(t, "m-1", loyalty.Membership{Email: "m1@example.com", Locale: "en"})
			}
			f.play(t, "m-1", c.steps)
			if got := f.tierChanges(t, "m-1"); !slices.Equal(got, c.changes) {
				t.Errorf("tier changes %v, want %v", got, c.changes)
			}
			f.reconcile(t)
		})
	}
}

// At the yearly review a member short of their tier is told and keeps it for the
// grace period (30 days by default), then drops to the tier their last 12 months
// earn — unless they earn it back meanwhile.
func TestTierYearlyReview(t *testing.T) {
	review := utc("2027-11-23T02:00:00Z")
	graceEnds := utc("2027-12-23T02:00:00Z")
	for _, c := range []struct {
		name      string
		graceDays int // -1 keeps the default
		steps     []tierStep
		changes   []string
		// the account's next review afterwards, and whether a downgrade is pending
		reviewAt    time.Time
		downgrading bool
	}{
		{name: "still qualifying: kept for another year, no event", graceDays: -1,
			steps: []tierStep{
				{at: t0, op: "earn", src: "start", points: 6000, tier: "gold"},
				{at: utc("2027-06-01T10:00:00Z"), op: "earn", src: "june", points: 5000, tier: "gold"},
				{at: review, op: "timers", tier: "gold"},
				{at: graceEnds.Add(time.Hour), op: "timers", tier: "gold"},
			},
			changes:  []string{"upgrade:gold"},
			reviewAt: utc("2028-11-23T02:00:00Z")},
		{name: "short: notice at the review, down to the tier earned after the grace period", graceDays: -1,
			steps: []tierStep{
				{at: t0, op: "earn", src: "start", points: 6000, tier: "gold"},
				{at: utc("2027-03-01T10:00:00Z"), op: "earn", src: "march", points: 1500, tier: "gold"},
				{at: review.Add(-time.Second), op: "timers", tier: "gold"},
				{at: review, op: "timers", tier: "gold"},
				{at: graceEnds.Add(-time.Second), op: "timers", tier: "gold"},
				{at: graceEnds, op: "timers", tier: "silver"},
			},
			changes:  []string{"upgrade:gold", "downgrade_notice:silver", "downgrade:silver"},
			reviewAt: utc("2028-12-23T02:00:00Z")},
		{name: "short, but earns the tier back during the grace period: kept", graceDays: -1,
			steps: []tierStep{
				{at: t0, op: "earn", src: "start", points: 6000, tier: "gold"},
				{at: utc("2027-03-01T10:00:00Z"), op: "earn", src: "march", points: 1500, tier: "gold"},
				{at: review, op: "timers", tier: "gold"},
				{at: utc("2027-12-03T10:00:00Z"), op: "earn", src: "december", points: 3500, tier: "gold"},
				{at: graceEnds, op: "timers", tier: "gold"},
				{at: graceEnds.AddDate(0, 1, 0), op: "timers", tier: "gold"},
			},
			changes:  []string{"upgrade:gold", "downgrade_notice:silver", "kept:gold"},
			reviewAt: utc("2028-11-23T02:00:00Z")},
		{name: "nothing earned in the year: platinum down to member", graceDays: -1,
			steps: []tierStep{
				{at: t0, op: "earn", src: "start", points: 20000, tier: "platinum"},
				{at: review, op: "timers", tier: "platinum"},
				{at: graceEnds, op: "timers", tier: "member"},
			},
			changes:  []string{"upgrade:platinum", "downgrade_notice:member", "downgrade:member"},
			reviewAt: utc("2028-12-23T02:00:00Z")},
		{name: "an earn refunded before the review does not count at it", graceDays: -1,
			steps: []tierStep{
				{at: t0, op: "earn", src: "start", points: 6000, tier: "gold"},
				{at: utc("2027-06-01T10:00:00Z"), op: "earn", src: "june", points: 5000, tier: "gold"},
				{at: utc("2027-06-10T10:00:00Z"), op: "reverse", src: "june", tier: "gold"},
				{at: review, op: "timers", tier: "gold"},
				{at: graceEnds, op: "timers", tier: "member"},
			},
			changes:  []string{"upgrade:gold", "downgrade_notice:member", "downgrade:member"},
			reviewAt: utc("2028-12-23T02:00:00Z")},
		{name: "a notice still in its grace period", graceDays: -1,
			steps: []tierStep{
				{at: t0, op: "earn", src: "start", points: 6000, tier: "gold"},
				{at: utc("2027-03-01T10:00:00Z"), op: "earn", src: "march", points: 1500, tier: "gold"},
				{at: review, op: "timers", tier: "gold"},
				{at: utc("2027-12-10T10:00:00Z"), op: "earn", src: "december", points: 100, tier: "gold"},
			},
			changes:  []string{"upgrade:gold", "downgrade_notice:silver"},
			reviewAt: utc("2028-11-23T02:00:00Z"), downgrading: true},
		{name: "no grace period: down at the review", graceDays: 0,
			steps: []tierStep{
				{at: t0, op: "earn", src: "start", points: 6000, tier: "gold"},
				{at: utc("2027-03-01T10:00:00Z"), op: "earn", src: "march", points: 1500, tier: "gold"},
				{at: review, op: "timers", tier: "silver"},
			},
			changes:  []string{"upgrade:gold", "downgrade:silver"},
			reviewAt: utc("2028-11-23T02:00:00Z")},
	} {
		t.Run(c.name, func(t *testing.T) {
			var edit func(*loyalty.Rules)
			if c.graceDays >= 0 {
				edit = func(r *loyalty.Rules) { r.GraceDays = c.graceDays }
			}
			f := newFixture(t, edit)
			f.enrol(t, "m-1", loyalty.Membership{Email: "m1@example.com", Locale: "zh-CN", TimeZone: "Asia/Shanghai"})
			f.play(t, "m-1", c.steps)
			if got := f.tierChanges(t, "m-1"); !slices.Equal(got, c.changes) {
				t.Errorf("tier changes %v, want %v", got, c.changes)
			}
			a := f.account(t, "m-1")
			if !a.ReviewAt.Equal(c.reviewAt) || (a.DowngradeAt != nil) != c.downgrading {
				t.Errorf("next review %v, downgrade at %v; want %v, pending %v", a.ReviewAt, a.DowngradeAt, c.reviewAt, c.downgrading)
			}
			f.reconcile(t)
		})
	}
}

// A referred member's first qualifying purchase pays both sides once: not again for a
// retry, a second purchase, or the referrer's own referrer.
func TestReferralPaysBothOnce(t *testing.T) {
	f := newFixture(t, nil)
	ann := f.enrol(t, "ann", loyalty.Membership{Phone: "+86 138 0013 8001", Email: "ann@example.com"})
	if len(ann.ReferralCode) != 8 {
		t.Fatalf("referral code %q", ann.ReferralCode)
	}
	bob := f.enrol(t, "bob", loyalty.Membership{Phone: "13800138002", Email: "bob@example.com", ReferralCode: strings.ToLower(ann.ReferralCode)})
	if bob.ReferredBy != "ann" {
		t.Fatalf("bob referred by %q", bob.ReferredBy)
	}
	first, _ := f.buy(t, "bob", "order-1", 150)
	if first.Points != 150 {
		t.Fatalf("first purchase %+v", first)
	}
	again, replayed := f.buy(t, "bob", "order-1", 150)
	if !replayed || again.ID != first.ID {
		t.Fatalf("retry: replayed %v, %s vs %s", replayed, again.ID, first.ID)
	}
	f.clk.Advance(time.Minute) // the ledger is in time order, to the millisecond
	f.buy(t, "bob", "order-2", 300)
	// A chain: bob's referee pays bob, never ann.
	f.clk.Advance(time.Minute)
	bobCode := f.account(t, "bob").ReferralCode
	f.enrol(t, "cat", loyalty.Membership{Email: "cat@example.com", ReferralCode: bobCode})
	f.buy(t, "cat", "order-3", 120)

	for _, c := range []struct {
		cid     string
		balance int
		bonuses []string
	}{
		{"ann", 500, []string{"referral:bob"}},
		{"bob", 150 + 200 + 300 + 500, []string{"referral:welcome", "referral:cat"}},
		{"cat", 120 + 200, []string{"referral:welcome"}},
	} {
		if b := f.balance(t, c.cid); b.Balance != c.balance {
			t.Errorf("%s: balance %d, want %d", c.cid, b.Balance, c.balance)
		}
		if got := f.bonuses(t, c.cid); !slices.Equal(got, c.bonuses) {
			t.Errorf("%s: bonuses %v, want %v", c.cid, got, c.bonuses)
		}
	}
	for _, e := range f.entries(t, "ann") {
		if e.Type == loyalty.TypeBonus && (e.Actor != "referral" || e.Reason != "referred bob" || e.Points != 500 || e.Lot == nil) {
			t.Errorf("ann's bonus %+v", e)
		}
	}
	f.reconcile(t)
}

// Concurrent first purchases of one referee pay once; concurrent referees of one
// referrer are each paid.
func TestReferralConcurrentFirstEarnsPayOnce(t *testing.T) {
	f := newFixture(t, nil)
	code := f.enrol(t, "ann", loyalty.Membership{Email: "ann@example.com"}).ReferralCode
	referees := []string{"bob", "cat"}
	for _, cid := range referees {
		f.enrol(t, cid, loyalty.Membership{Email: cid + "@example.com", ReferralCode: code})
	}
	const each = 6
	var wg sync.WaitGroup
	for _, cid := range referees {
		for i := range each {
			wg.Go(func() {
				yuan := 120.0
				if _, _, err := f.svc.Earn(context.Background(), "pos", cid, loyalty.EarnRequest{SourceID: fmt.Sprintf("order-%d", i), Amount: &yuan, Currency: "CNY"}); err != nil {
					t.Errorf("%s order-%d: %v", cid, i, err)
				}
			})
		}
	}
	wg.Wait()
	for _, cid := range referees {
		if b := f.balance(t, cid); b.Balance != each*120+200 {
			t.Errorf("%s: balance %d, want %d", cid, b.Balance, each*120+200)
		}
		if got := f.bonuses(t, cid); !slices.Equal(got, []string{"referral:welcome"}) {
			t.Errorf("%s: bonuses %v", cid, got)
		}
	}
	got := f.bonuses(t, "ann")
	slices.Sort(got)
	if b := f.balance(t, "ann"); b.Balance != 1000 || !slices.Equal(got, []string{"referral:bob", "referral:cat"}) {
		t.Errorf("ann: balance %d, bonuses %v; want 1000 for bob and cat", b.Balance, got)
	}
	f.reconcile(t)
}

// Referral abuse pays nothing; the referrer's yearly cap stops their bonus, not the
// referee's. Every referee also makes a second purchase, which never pays.
func TestReferralAbuse(t *testing.T) {
	const maxPerYear = 2
	ann := loyalty.Membership{Phone: "+86 138-0013-8000", Email: "A@X.com"}
	bob := loyalty.Membership{Phone: "+86 139 0013 9000", Email: "bob@example.com"}
	for _, c := range []struct {
		name      string
		referee   loyalty.Membership
		self      bool      // the referrer gives their own code
		earnFirst bool      // the referee bought before giving a code
		code      string    // instead of the referrer's
		prior     int       // referees the referrer was already paid for this year
		firstAt   time.Time // the first purchase (zero: t0)
		firstYuan float64
		wantField string // what Enrol refuses, if it does
		referrer  bool   // the referrer's bonus is paid
		referee2  bool   // the referee's bonus is paid
	}{
		{name: "a genuine referral at exactly the qualifying amount pays both",
			referee: bob, firstYuan: 100, referrer: true, referee2: true},
		{name: "own code", self: true, firstYuan: 150, wantField: "referralCode"},
		{name: "a second account with the same phone, written differently",
			referee: loyalty.Membership{Phone: "13800138000", Email: "other@example.com"}, firstYuan: 150, wantField: "referralCode"},
		{name: "a second account with the same email, in other case",
			referee: loyalty.Membership{Phone: "+86 139 0013 9001", Email: "a@x.com"}, firstYuan: 150, wantField: "referralCode"},
		{name: "a code given after the first purchase", referee: bob, earnFirst: true, firstYuan: 150, wantField: "referralCode"},
		{name: "an unknown code", referee: bob, code: "NOSUCH99", firstYuan: 150, wantField: "referralCode"},
		{name: "the referrer's yearly cap reached: only the referee is paid",
			referee: bob, prior: maxPerYear, firstYuan: 150, referee2: true},
		{name: "the cap starts again on 1 January",
			referee: bob, prior: maxPerYear, firstAt: utc("2027-01-04T03:00:00Z"), firstYuan: 150, referrer: true, referee2: true},
		{name: "a first purchase below the qualifying amount pays nothing, nor does the next",
			referee: bob, firstYuan: 99.99},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, func(r *loyalty.Rules) { r.Referral.MaxPerYear = maxPerYear })
			ctx := context.Background()
			code := f.enrol(t, "ann", ann).ReferralCode
			for i := range c.prior {
				earlier := fmt.Sprintf("earlier-%d", i)
				f.enrol(t, earlier, loyalty.Membership{ReferralCode: code})
				f.buy(t, earlier, "first", 150)
			}
			if b := f.balance(t, "ann"); b.Balance != 500*c.prior {
				t.Fatalf("ann after %d earlier referees: %d", c.prior, b.Balance)
			}
			referee, m := "bob", c.referee
			if c.self {
				referee, m = "ann", ann
			}
			if c.earnFirst {
				f.buy(t, referee, "before", 150)
			}
			m.ReferralCode = code
			if c.code != "" {
				m.ReferralCode = c.code
			}
			_, err := f.svc.Enrol(ctx, referee, m)
			switch {
			case c.wantField == "" && err != nil:
				t.Fatalf("enrol: %v", err)
			case c.wantField != "" && (problem.KindOf(err) != problem.Invalid || !slices.Equal(fieldsOf(err), []string{c.wantField})):
				t.Fatalf("enrol: %v, want 400 naming %s", err, c.wantField)
			}
			if !c.firstAt.IsZero() {
				f.clk.Set(c.firstAt)
			}
			f.buy(t, referee, "first", c.firstYuan)
			f.clk.Advance(time.Hour)
			f.buy(t, referee, "second", 500)

			if _, paid, err := f.svc.Store.Source(ctx, "ann", "referral:"+referee); err != nil || paid != c.referrer {
				t.Errorf("referrer's bonus paid: %v, want %v (%v)", paid, c.referrer, err)
			}
			if _, paid, err := f.svc.Store.Source(ctx, referee, "referral:welcome"); err != nil || paid != c.referee2 {
				t.Errorf("referee's bonus paid: %v, want %v (%v)", paid, c.referee2, err)
			}
			want := int(math.Floor(c.firstYuan)) + 500
			if c.earnFirst {
				want += 150
			}
			if c.referee2 {
				want += 200
			}
			if b := f.balance(t, referee); b.Balance != want {
				t.Errorf("referee's balance %d, want %d", b.Balance, want)
			}
			if !c.self {
				want := 500 * c.prior
				if c.referrer {
					want += 500
				}
				if b := f.balance(t, "ann"); b.Balance != want {
					t.Errorf("referrer's balance %d, want %d", b.Balance, want)
				}
			}
			f.reconcile(t)
		})
	}
}

// The dispatcher gives the birthday bonus once a year on the member's birthday in
// their zone; a 29 February birthday is celebrated on 28 February in common years.
func TestBirthdayBonus(t *testing.T) {
	type run struct {
		at    string
		given int
	}
	for _, c := range []struct {
		name     string
		birthday string
		zone     string
		runs     []run
		years    []int
	}{
		{name: "Shanghai: from 16:00 UTC the day before, still the day after UTC midnight",
			birthday: "1990-05-10", zone: "Asia/Shanghai",
			runs: []run{
				{"2027-05-09T15:59:59Z", 0}, // 23:59:59 on the 9th
				{"2027-05-09T16:00:00Z", 1}, // midnight on the 10th
				{"2027-05-09T23:59:59Z", 0}, // the same day again
				{"2027-05-10T00:00:00Z", 0}, // UTC midnight: still the 10th, already given
				{"2027-05-10T16:00:00Z", 0}, // the 11th
				{"2028-05-09T16:00:00Z", 1}, // next year
			},
			years: []int{2027, 2028}},
		{name: "Los Angeles: not at UTC midnight, only from 07:00 UTC on the day",
			birthday: "05-10", zone: "America/Los_Angeles",
			runs: []run{
				{"2027-05-09T16:00:00Z", 0}, // 09:00 on the 9th
				{"2027-05-10T00:00:00Z", 0}, // UTC midnight: 17:00 on the 9th
				{"2027-05-10T06:59:59Z", 0},
				{"2027-05-10T07:00:00Z", 1}, // midnight on the 10th (PDT)
				{"2027-05-10T20:00:00Z", 0}, // the same day again
				{"2027-05-11T06:59:59Z", 0}, // its last second
				{"2028-05-10T07:00:00Z", 1}, // next year
			},
			years: []int{2027, 2028}},
		{name: "29 February: 28 February 2027, 29 February 2028, never 1 March",
			birthday: "2000-02-29", zone: "Asia/Shanghai",
			runs: []run{
				{"2027-02-27T15:59:59Z", 0}, // 27 February
				{"2027-02-27T16:00:00Z", 1}, // 28 February 2027, a common year
				{"2027-02-28T16:00:00Z", 0}, // 1 March
				{"2028-02-27T16:00:00Z", 0}, // 28 February 2028, a leap year
				{"2028-02-28T16:00:00Z", 1}, // 29 February 2028
				{"2028-02-29T16:00:00Z", 0}, // 1 March
			},
			years: []int{2027, 2028}},
		{name: "29 February, not yet given: nothing on 1 March of a common year",
			birthday: "02-29", zone: "Asia/Shanghai",
			runs: []run{
				{"2027-02-28T16:00:00Z", 0}, // midnight on 1 March
				{"2027-03-01T12:00:00Z", 0},
			},
			years: nil},
		{name: "29 February in Los Angeles: 28 February from 08:00 UTC",
			birthday: "02-29", zone: "America/Los_Angeles",
			runs: []run{
				{"2027-02-28T07:59:59Z", 0}, // 23:59:59 on 27 February (PST)
				{"2027-02-28T08:00:00Z", 1},
				{"2027-03-01T07:59:59Z", 0},
				{"2027-03-01T08:00:00Z", 0}, // 1 March
			},
			years: []int{2027}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, nil)
			ctx := context.Background()
			f.enrol(t, "b-1", loyalty.Membership{Email: "b1@example.com", Birthday: c.birthday, TimeZone: c.zone})
			// Someone else, whose birthday is never due in these runs.
			f.enrol(t, "b-2", loyalty.Membership{Birthday: "08-08", TimeZone: c.zone})
			for _, r := range c.runs {
				at := utc(r.at)
				f.clk.Set(at)
				n, err := f.svc.Birthdays(ctx, at)
				if err != nil || n != r.given {
					t.Fatalf("at %s: %d given (%v), want %d", r.at, n, err, r.given)
				}
			}
			var want []string
			for _, y := range c.years {
				want = append(want, fmt.Sprintf("birthday:%d", y))
			}
			if got := f.bonuses(t, "b-1"); !slices.Equal(got, want) {
				t.Errorf("bonuses %v, want %v", got, want)
			}
			if b := f.balance(t, "b-1"); b.Balance != 100*len(c.years) {
				t.Errorf("balance %d, want %d", b.Balance, 100*len(c.years))
			}
			if got := f.bonuses(t, "b-2"); len(got) != 0 {
				t.Errorf("someone else got %v", got)
			}
			f.reconcile(t)
		})
	}
}

// Managers change points by hand with a reason that the ledger keeps; they can never
// take more than is available.
func TestAdjustments(t *testing.T) {
	for _, c := range []struct {
		name      string
		points    int
		reason    string
		replay    bool // the same request a second time
		kind      problem.Kind
		wantField string
		balance   int
	}{
		{name: "a goodwill credit", points: 50, reason: "late delivery, goodwill", balance: 150},
		{name: "a correction down", points: -30, reason: "duplicate earn at till 4", balance: 70},
		{name: "down to zero", points: -100, reason: "points earned on a voided sale", balance: 0},
		{name: "the same adjustment again: the first entry", points: 50, reason: "late delivery, goodwill", replay: true, balance: 150},
		{name: "down by more than the balance: 409", points: -101, reason: "voided sale", kind: problem.Conflict, balance: 100},
		{name: "no reason: 400 naming reason", points: 20, kind: problem.Invalid, wantField: "reason", balance: 100},
		{name: "a reason of two letters: 400 naming reason", points: -20, reason: "ok", kind: problem.Invalid, wantField: "reason", balance: 100},
		{name: "zero points: 400 naming points", points: 0, reason: "nothing", kind: problem.Invalid, wantField: "points", balance: 100},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, nil)
			ctx := context.Background()
			f.earn(t, "c-1", "buy", 100)
			f.clk.Advance(time.Minute) // the ledger is in time order, to the millisecond
			req := loyalty.PointsRequest{SourceID: "adj-1", Points: c.points, Reason: c.reason}
			e, replayed, err := f.svc.Adjust(ctx, "mgr-1", "c-1", req)
			if c.replay && err == nil {
				first := e
				e, replayed, err = f.svc.Adjust(ctx, "mgr-1", "c-1", req)
				if err == nil && (!replayed || e.ID != first.ID) {
					t.Fatalf("again: replayed %v, %s vs %s", replayed, e.ID, first.ID)
				}
			}
			switch {
			case c.kind == "" && err != nil:
				t.Fatalf("adjust: %v", err)
			case c.kind != "" && problem.KindOf(err) != c.kind:
				t.Fatalf("adjust: %v, want %s", err, c.kind)
			case c.wantField != "" && !slices.Equal(fieldsOf(err), []string{c.wantField}):
				t.Fatalf("adjust: fields %v, want %s", fieldsOf(err), c.wantField)
			}
			if b := f.balance(t, "c-1"); b.Balance != c.balance {
				t.Errorf("balance %d, want %d", b.Balance, c.balance)
			}
			entries := f.entries(t, "c-1")
			if c.kind != "" {
				if len(entries) != 1 {
					t.Errorf("a refused adjustment left entries: %+v", entries)
				}
				f.reconcile(t)
				return
			}
			if replayed != c.replay || len(entries) != 2 {
				t.Fatalf("replayed %v, %d entries", replayed, len(entries))
			}
			got := entries[1]
			if got.Type != loyalty.TypeAdjust || got.Reason != c.reason || got.Actor != "mgr-1" || got.Points != c.points || got.ID != e.ID {
				t.Errorf("ledger entry %+v", got)
			}
			if (c.points > 0) != (got.Lot != nil) || (c.points < 0) != (len(got.Taken) > 0) {
				t.Errorf("a credit makes a lot, a debit takes from one: %+v", got)
			}
			f.reconcile(t)
		})
	}
}

// Right after the deploy that makes birthdayDates, DynamoDB refuses queries on it while
// it fills, and a table restored from before it lacks it: the birthday job then finds
// the members through the birthday index it replaces (every attribute projected). Here
// the table is as deployed before; the bonus is given once.
func TestBirthdaysAreFoundThroughTheReplacedIndex(t *testing.T) {
	f := newFixture(t, nil)
	f.svc.Store.Table = f.env.TableBefore(t, "loyalty")
	f.enrol(t, "b-1", loyalty.Membership{Birthday: "1990-05-10", TimeZone: "Asia/Shanghai"})
	at := utc("2027-05-09T16:00:00Z") // midnight on the 10th in Shanghai
	f.clk.Set(at)
	for run, want := range []int{1, 0} {
		if n, err := f.svc.Birthdays(context.Background(), at); err != nil || n != want {
			t.Fatalf("run %d: %d given (%v), want %d", run+1, n, err, want)
		}
	}
	if b := f.balance(t, "b-1"); b.Balance != 100 {
		t.Errorf("balance %d, want the bonus of 100", b.Balance)
	}
}
