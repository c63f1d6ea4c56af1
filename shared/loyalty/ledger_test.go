package loyalty_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/testenv"
)

type fixture struct {
	svc *loyalty.Service
	clk *clock.Manual
	env *testenv.Env
}

var t0 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, edit func(*loyalty.Rules)) *fixture {
	t.Helper()
	env := testenv.New(t)
	clk := clock.NewManual(t0)
	svc := &loyalty.Service{Store: &loyalty.Store{DB: env.Clients.DynamoDB, Table: env.Names("loyalty"), Cursors: cursor.New(cursor.Static("ledger test key"))}, Clock: clk,
		Effects: &recorder{table: env.Names("followups")}}
	if edit != nil {
		r := loyalty.DefaultRules()
		edit(&r)
		if err := r.Validate(); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Store.PutRules(context.Background(), r, 0); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{svc: svc, clk: clk, env: env}
}

func (f *fixture) earn(t *testing.T, cid, src string, points int) loyalty.Entry {
	t.Helper()
	e, _, err := f.svc.Earn(context.Background(), "pos", cid, loyalty.EarnRequest{SourceID: src, Points: points})
	if err != nil {
		t.Fatalf("earn %s: %v", src, err)
	}
	return e
}

func (f *fixture) balance(t *testing.T, cid string) loyalty.Balance {
	t.Helper()
	b, err := f.svc.Balance(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) reconcile(t *testing.T) {
	t.Helper()
	rep, err := loyalty.Reconcile(context.Background(), f.env.Clients.DynamoDB, f.svc.Store.Table)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() {
		t.Fatalf("reconciliation: %+v", rep.Differences)
	}
}

// 200 concurrent redeems of one point on a balance of 100: exactly 100 succeed, the
// rest are refused, the balance is 0 and the ledger agrees.
func TestConcurrentRedeemsNeverOverspend(t *testing.T) {
	f := newFixture(t, nil)
	f.earn(t, "c-1", "buy-1", 60)
	f.earn(t, "c-1", "buy-2", 40)
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			_, _, err := f.svc.Redeem(context.Background(), "pos", "c-1", loyalty.PointsRequest{SourceID: fmt.Sprintf("r-%d", i), Points: 1})
			switch {
			case err == nil:
				ok.Add(1)
			case problem.KindOf(err) == problem.Conflict:
				refused.Add(1)
			default:
				t.Errorf("redeem %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 100 || refused.Load() != 100 {
		t.Fatalf("%d redeemed, %d refused; want 100 and 100", ok.Load(), refused.Load())
	}
	if b := f.balance(t, "c-1"); b.Balance != 0 {
		t.Fatalf("balance %d", b.Balance)
	}
	f.reconcile(t)
}

// Ten concurrent earns with one sourceId make one entry; each caller gets it.
func TestConcurrentEarnsOfOneSourceEarnOnce(t *testing.T) {
	f := newFixture(t, nil)
	ids := make([]string, 10)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			e, _, err := f.svc.Earn(context.Background(), "pos", "c-2", loyalty.EarnRequest{SourceID: "order-77", Points: 50})
			if err != nil {
				t.Errorf("earn: %v", err)
			}
			ids[i] = e.ID
		})
	}
	wg.Wait()
	slices.Sort(ids)
	if ids[0] == "" || ids[0] != ids[9] {
		t.Fatalf("entries %v, want one", slices.Compact(ids))
	}
	if b := f.balance(t, "c-2"); b.Balance != 50 {
		t.Fatalf("balance %d, want 50", b.Balance)
	}
	page, _ := f.svc.Ledger(context.Background(), "c-2", 50, "")
	if len(page.Items) != 1 {
		t.Fatalf("%d entries", len(page.Items))
	}
	// The same sourceId with another amount is a conflict, not a second earn.
	if _, _, err := f.svc.Earn(context.Background(), "pos", "c-2", loyalty.EarnRequest{SourceID: "order-77", Points: 60}); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("other values: %v", err)
	}
	f.reconcile(t)
}

func TestRedeemTakesSoonestExpiringLotsAndReversesIntoThem(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	first := f.earn(t, "c-3", "a", 30) // expires first
	f.clk.Advance(24 * time.Hour)
	second := f.earn(t, "c-3", "b", 50)
	if _, _, err := f.svc.Redeem(ctx, "pos", "c-3", loyalty.PointsRequest{SourceID: "r", Points: 200}); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("redeem more than the balance: %v", err)
	}
	r, _, err := f.svc.Redeem(ctx, "pos", "c-3", loyalty.PointsRequest{SourceID: "r", Points: 40})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Taken) != 2 || r.Taken[0].ID != first.Lot.ID || r.Taken[0].Points != 30 || r.Taken[1].ID != second.Lot.ID || r.Taken[1].Points != 10 {
		t.Fatalf("taken %+v", r.Taken)
	}
	again, replayed, err := f.svc.Redeem(ctx, "pos", "c-3", loyalty.PointsRequest{SourceID: "r", Points: 40})
	if err != nil || !replayed || again.ID != r.ID {
		t.Fatalf("repeat: %v %v %v", again.ID, replayed, err)
	}
	rev, _, err := f.svc.Reverse(ctx, "pos", "c-3", loyalty.PointsRequest{SourceID: "r"})
	if err != nil || rev.Points != 40 {
		t.Fatalf("reverse: %+v %v", rev, err)
	}
	b := f.balance(t, "c-3")
	if b.Balance != 80 || len(b.Expiring) != 2 || b.Expiring[0].Points != 30 || b.Expiring[1].Points != 50 {
		t.Fatalf("after giving back: %+v", b)
	}
	if _, _, err := f.svc.Reverse(ctx, "pos", "c-3", loyalty.PointsRequest{SourceID: "nope"}); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("reverse unknown: %v", err)
	}
	f.reconcile(t)
}

// A refund after the points were spent takes what is there and records the rest as
// a shortfall, which the next earn pays off first: the balance never goes negative.
func TestReversingASpentEarnLeavesAShortfall(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	f.earn(t, "c-4", "buy", 100)
	if _, _, err := f.svc.Redeem(ctx, "pos", "c-4", loyalty.PointsRequest{SourceID: "gift", Points: 70}); err != nil {
		t.Fatal(err)
	}
	rev, _, err := f.svc.Reverse(ctx, "pos", "c-4", loyalty.PointsRequest{SourceID: "buy"})
	if err != nil || rev.Points != -30 || rev.Shortfall != 70 {
		t.Fatalf("reverse: %+v %v", rev, err)
	}
	if b := f.balance(t, "c-4"); b.Balance != 0 || b.Shortfall != 70 {
		t.Fatalf("after the refund: %+v", b)
	}
	e := f.earn(t, "c-4", "next", 100)
	if e.Points != 30 || e.Recovered != 70 {
		t.Fatalf("next earn %+v", e)
	}
	if b := f.balance(t, "c-4"); b.Balance != 30 || b.Shortfall != 0 {
		t.Fatalf("after the next earn: %+v", b)
	}
	if _, replayed, err := f.svc.Reverse(ctx, "pos", "c-4", loyalty.PointsRequest{SourceID: "buy"}); err != nil || !replayed {
		t.Fatalf("second reverse: %v %v", replayed, err)
	}
	f.reconcile(t)
}

// Thousands of random operations, with retries and duplicates mixed in: the balance
// always equals the ledger, is never negative, and lots go soonest-expiring first.
func TestRandomOperationsKeepTheLedgerTrue(t *testing.T) {
	f := newFixture(t, func(r *loyalty.Rules) { r.ExpiryMonths = 1; r.ReminderDays = 0 })
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	const customers, ops = 4, 2000
	var used [customers][]string
	var earned [customers][]string
	for i := range ops {
		c := rng.IntN(customers)
		cid := fmt.Sprintf("p-%d", c)
		src := fmt.Sprintf("s-%d", i)
		if len(used[c]) > 0 && rng.IntN(10) == 0 {
			src = used[c][rng.IntN(len(used[c]))] // a retry or a duplicate
		}
		var err error
		switch op := rng.IntN(10); {
		case op < 4:
			_, _, err = f.svc.Earn(ctx, "pos", cid, loyalty.EarnRequest{SourceID: src, Points: 1 + rng.IntN(50)})
			if err == nil {
				earned[c] = append(earned[c], src)
			}
		case op < 7:
			var r loyalty.Entry
			r, _, err = f.svc.Redeem(ctx, "pos", cid, loyalty.PointsRequest{SourceID: src, Points: 1 + rng.IntN(40)})
			if err == nil {
				checkOrder(t, f, cid, r)
			}
		case op < 9 && len(earned[c]) > 0:
			_, _, err = f.svc.Reverse(ctx, "pos", cid, loyalty.PointsRequest{SourceID: earned[c][rng.IntN(len(earned[c]))]})
		default:
			f.clk.Advance(time.Duration(rng.IntN(72)) * time.Hour)
			_, err = f.svc.RunTimers(ctx, f.clk.Now())
		}
		if err != nil && problem.KindOf(err) != problem.Conflict && problem.KindOf(err) != problem.NotFound {
			t.Fatalf("op %d: %v", i, err)
		}
		used[c] = append(used[c], src)
		if i%250 == 0 {
			f.reconcile(t)
		}
	}
	f.reconcile(t)
	for c := range customers {
		if b := f.balance(t, fmt.Sprintf("p-%d", c)); b.Balance < 0 || b.Pending < 0 {
			t.Fatalf("negative: %+v", b)
		}
	}
}

// checkOrder asserts a redeem took from the soonest-expiring lots: every lot it took
// from expires no later than any lot it left points in.
func checkOrder(t *testing.T, f *fixture, cid string, r loyalty.Entry) {
	t.Helper()
	if len(r.Taken) == 0 {
		return
	}
	last := r.Taken[len(r.Taken)-1].ExpiresAt
	b := f.balance(t, cid)
	for _, x := range b.Expiring {
		if x.ExpiresAt.Before(last) {
			t.Fatalf("redeem %s took from a lot expiring %s while one expiring %s kept %d points", r.SourceID, last, x.ExpiresAt, x.Points)
		}
	}
}

// Pending points become available after their days; a reminder goes before points
// expire; expired points leave with a ledger entry.
func TestPendingReminderAndExpiry(t *testing.T) {
	f := newFixture(t, func(r *loyalty.Rules) { r.PendingDays = 14; r.ExpiryMonths = 12; r.ReminderDays = 30 })
	ctx := context.Background()
	if _, err := f.svc.Enrol(ctx, "c-5", loyalty.Membership{Email: "c5@example.com", Locale: "en", TimeZone: "Asia/Shanghai"}); err != nil {
		t.Fatal(err)
	}
	f.earn(t, "c-5", "stay", 200)
	if b := f.balance(t, "c-5"); b.Balance != 0 || b.Pending != 200 {
		t.Fatalf("pending: %+v", b)
	}
	if _, _, err := f.svc.Redeem(ctx, "pos", "c-5", loyalty.PointsRequest{SourceID: "early", Points: 1}); problem.KindOf(err) != problem.Conflict {
		t.Fatalf("redeem pending points: %v", err)
	}
	run := func(at time.Time) loyalty.TimerReport {
		f.clk.Set(at)
		rep, err := f.svc.RunTimers(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := run(t0.AddDate(0, 0, 13)); rep.Released != 0 {
		t.Fatalf("released early: %+v", rep)
	}
	if rep := run(t0.AddDate(0, 0, 14)); rep.Released != 1 {
		t.Fatalf("release: %+v", rep)
	}
	if b := f.balance(t, "c-5"); b.Balance != 200 || b.Pending != 0 {
		t.Fatalf("released: %+v", b)
	}
	if _, _, err := f.svc.Redeem(ctx, "pos", "c-5", loyalty.PointsRequest{SourceID: "spa", Points: 50}); err != nil {
		t.Fatal(err)
	}
	expires := t0.AddDate(1, 0, 0)
	if rep := run(expires.AddDate(0, 0, -30)); rep.Reminded != 1 {
		t.Fatalf("reminder: %+v", rep)
	}
	run(expires.AddDate(0, 0, -29))
	if rep := run(expires); rep.Expired != 1 {
		t.Fatalf("expiry: %+v", rep)
	}
	run(expires.Add(time.Hour))
	page, _ := f.svc.Ledger(ctx, "c-5", 50, "")
	if page.Items[0].Type != loyalty.TypeExpire || page.Items[0].Points != -150 {
		t.Fatalf("newest entry %+v", page.Items[0])
	}
	if b := f.balance(t, "c-5"); b.Balance != 0 {
		t.Fatalf("after expiry: %+v", b)
	}
	f.reconcile(t)
}

// With pending days, referral bonuses wait like earned points before they can be spent.
func TestReferralBonusesArePendingLikeEarns(t *testing.T) {
	f := newFixture(t, func(r *loyalty.Rules) { r.PendingDays = 14 })
	ctx := context.Background()
	ref, err := f.svc.Enrol(ctx, "ann", loyalty.Membership{Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Enrol(ctx, "bob", loyalty.Membership{Email: "bob@example.com", ReferralCode: ref.ReferralCode}); err != nil {
		t.Fatal(err)
	}
	amount := 150.0
	if _, _, err := f.svc.Earn(ctx, "pos", "bob", loyalty.EarnRequest{SourceID: "b1", Amount: &amount, Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	rules := loyalty.DefaultRules()
	if b := f.balance(t, "bob"); b.Balance != 0 || b.Pending != 150+rules.Referral.RefereeBonus {
		t.Fatalf("bob %+v", b)
	}
	if b := f.balance(t, "ann"); b.Balance != 0 || b.Pending != rules.Referral.ReferrerBonus {
		t.Fatalf("ann %+v", b)
	}
	f.reconcile(t)
	f.clk.Advance(14 * 24 * time.Hour)
	if _, err := f.svc.RunTimers(ctx, f.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if b := f.balance(t, "ann"); b.Balance != rules.Referral.ReferrerBonus || b.Pending != 0 {
		t.Fatalf("ann after the window %+v", b)
	}
	f.reconcile(t)
}

func TestLedgerRefusesAForeignCursor(t *testing.T) {
	f := newFixture(t, nil)
	// A raw entry id was the cursor once: it opens no more, nor does a made-up one.
	for _, c := range []string{"x", strings.Repeat("A", 2000), "E#../../", "e30", "06HZZZZZZZZZZZZZZZZZZZZZZZ"} {
		if _, err := f.svc.Ledger(context.Background(), "c-9", 10, c); problem.KindOf(err) != problem.Invalid {
			t.Errorf("cursor %.20q: %v, want 400", c, err)
		}
	}
}
