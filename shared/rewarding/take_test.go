package rewarding_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/rewarding"
	"github.com/rapport-crm/rapport/shared/testenv"
)

var t0 = time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)

type fixture struct {
	taker   *rewarding.Taker
	points  *loyalty.Service
	rewards *reward.Store
	env     *testenv.Env
}

func newFixture(t *testing.T) *fixture {
	env := testenv.New(t)
	db := env.Clients.DynamoDB
	points := &loyalty.Service{Store: &loyalty.Store{DB: db, Table: env.Names("loyalty")}, Clock: clock.NewManual(t0)}
	rewards := &reward.Store{DB: db, Table: env.Names("rewards")}
	return &fixture{taker: &rewarding.Taker{Rewards: rewards, Points: points, DB: db, Clock: clock.NewManual(t0)},
		points: points, rewards: rewards, env: env}
}

func (f *fixture) earn(t *testing.T, cid string, points int) {
	t.Helper()
	if _, _, err := f.points.Earn(context.Background(), "pos-1", cid, loyalty.EarnRequest{SourceID: "bill-" + cid, Points: points}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) reward(t *testing.T, stock *int, edit func(*reward.Reward)) reward.Reward {
	t.Helper()
	r := reward.Reward{ID: "ten-off", Name: i18n.Texts[string]{"zh-CN": "满减十元", "en": "10 off"}, PointsCost: 500,
		Kind: reward.KindVoucher, Value: reward.Value{AmountOff: 10, Currency: "CNY"}, Stock: stock, ValidDays: 60, Active: true}
	if edit != nil {
		edit(&r)
	}
	r, err := f.rewards.SaveReward(context.Background(), r, t0)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) balance(t *testing.T, cid string) int {
	t.Helper()
	b, err := f.points.Balance(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	return b.Balance
}

func (f *fixture) reconcileClean(t *testing.T) {
	t.Helper()
	rec, err := loyalty.Reconcile(context.Background(), f.env.Clients.DynamoDB, f.env.Names("loyalty"))
	if err != nil || !rec.Clean() {
		t.Fatalf("reconcile: %+v, %v", rec.Differences, err)
	}
}

// TestATakeDebitsAndIssuesAtOnceAndOnce: a member with 800 points takes a 500-point
// reward: one voucher worth the reward, 300 points left; the same take again is
// answered with the same voucher and debits nothing more.
func TestATakeDebitsAndIssuesAtOnceAndOnce(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	f.earn(t, "c-1", 800)
	ten := 10
	r := f.reward(t, &ten, nil)
	v, replayed, err := f.taker.Take(ctx, "pos-1", "c-1", r.ID, "take-1", "loc-1")
	if err != nil || replayed {
		t.Fatalf("take: %v (replayed %v)", err, replayed)
	}
	if v.Value.AmountOff != 10 || v.Source.RewardID != r.ID || v.Status(t0) != reward.StatusIssued || !v.ExpiresAt.Equal(t0.Add(60*24*time.Hour)) {
		t.Fatalf("voucher: %+v", v)
	}
	again, replayed, err := f.taker.Take(ctx, "pos-1", "c-1", r.ID, "take-1", "loc-1")
	if err != nil || !replayed || again.Code != v.Code {
		t.Fatalf("the same take again: %s replayed=%v %v; want %s replayed", again.Code, replayed, err, v.Code)
	}
	left, _ := f.rewards.Reward(ctx, r.ID)
	if got := f.balance(t, "c-1"); got != 300 || *left.Stock != 9 {
		t.Fatalf("after one take: balance %d, stock %d; want 300, 9", got, *left.Stock)
	}
	f.reconcileClean(t)
}

// TestRefusedTakesWriteNothing: too few points (the balance said), a tier the reward
// is not for, a location it is not offered at, no stock, and an unknown reward: each
// refused in words, with no voucher, no debit and the stock as it was.
func TestRefusedTakesWriteNothing(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	f.earn(t, "c-1", 800)
	f.earn(t, "c-2", 400)
	zero := 0
	f.reward(t, nil, nil)
	f.reward(t, nil, func(r *reward.Reward) { r.ID, r.Tiers = "gold-only", []string{"gold"} })
	f.reward(t, nil, func(r *reward.Reward) { r.ID, r.LocationIDs = "loc-2-only", []string{"loc-2"} })
	f.reward(t, &zero, func(r *reward.Reward) { r.ID = "sold-out" })
	for _, c := range []struct {
		cid, rewardID string
		kind          problem.Kind
		detail        string
		reason        string
		facts         map[string]any
	}{
		// The balance refuses first (loyalty), with the reason the catalogue's why gives.
		{"c-2", "ten-off", problem.Conflict, "not enough points: 400 available, 500 asked",
			reward.ReasonPointsShort, map[string]any{"available": 400, "needed": 500}},
		{"c-1", "gold-only", problem.Conflict, "only members of tier gold may take this reward",
			reward.ReasonTier, map[string]any{"tiers": []string{"gold"}}},
		{"c-1", "loc-2-only", problem.Conflict, "this reward is not offered at this location", reward.ReasonLocation, nil},
		{"c-1", "sold-out", problem.Conflict, "this reward is out of stock", reward.ReasonOutOfStock, nil},
		{"c-1", "no-such", problem.NotFound, "no such reward", "", nil},
	} {
		_, _, err := f.taker.Take(ctx, "pos-1", c.cid, c.rewardID, "take-"+c.rewardID, "loc-1")
		p, ok := err.(*problem.Error)
		if !ok {
			t.Errorf("%s takes %s: %v, want a problem", c.cid, c.rewardID, err)
			continue
		}
		if p.Kind != c.kind || p.Detail != c.detail || p.Reason != c.reason || !reflect.DeepEqual(p.Facts, c.facts) {
			t.Errorf("%s takes %s: %v (reason %q, facts %v); want %s %q %q %v", c.cid, c.rewardID, err, p.Reason, p.Facts, c.kind, c.detail, c.reason, c.facts)
		}
	}
	for cid, want := range map[string]int{"c-1": 800, "c-2": 400} {
		if got := f.balance(t, cid); got != want {
			t.Errorf("%s's balance %d, want %d", cid, got, want)
		}
		if vs, err := f.rewards.Vouchers(ctx, cid, 10); err != nil || len(vs) != 0 {
			t.Errorf("%s's vouchers: %d, %v; want none", cid, len(vs), err)
		}
	}
	if r, _ := f.rewards.Reward(ctx, "sold-out"); *r.Stock != 0 {
		t.Errorf("sold-out's stock %d, want 0", *r.Stock)
	}
	f.reconcileClean(t)
}

// TestConcurrentTakesNeverOversell: 200 members take a reward with a stock of 50 at
// once: exactly 50 vouchers and 50 debits, every other member told it is out of
// stock with their points untouched, and every account equal to its ledger.
func TestConcurrentTakesNeverOversell(t *testing.T) {
	f, ctx := newFixture(t), context.Background()
	for i := range 200 {
		f.earn(t, fmt.Sprintf("c-%03d", i), 600)
	}
	fifty := 50
	r := f.reward(t, &fifty, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken, out := 0, 0
	for i := range 200 {
		wg.Go(func() {
			cid := fmt.Sprintf("c-%03d", i)
			_, _, err := f.taker.Take(ctx, "pos-1", cid, r.ID, "take-"+cid, "loc-1")
			mu.Lock()
			defer mu.Unlock()
			switch p, _ := err.(*problem.Error); {
			case err == nil:
				taken++
			case p != nil && p.Detail == "this reward is out of stock":
				out++
			default:
				t.Errorf("%s: %v", cid, err)
			}
		})
	}
	wg.Wait()
	vouchers, debited := 0, 0
	for i := range 200 {
		cid := fmt.Sprintf("c-%03d", i)
		vs, err := f.rewards.Vouchers(ctx, cid, 10)
		if err != nil {
			t.Fatal(err)
		}
		vouchers += len(vs)
		switch b := f.balance(t, cid); {
		case b == 100 && len(vs) == 1:
			debited++
		case b != 600 || len(vs) != 0:
			t.Errorf("%s: balance %d with %d vouchers", cid, b, len(vs))
		}
	}
	left, _ := f.rewards.Reward(ctx, r.ID)
	if taken != 50 || out != 150 || vouchers != 50 || debited != 50 || *left.Stock != 0 {
		t.Fatalf("%d taken, %d out of stock, %d vouchers, %d debited, stock %d; want 50, 150, 50, 50, 0",
			taken, out, vouchers, debited, *left.Stock)
	}
	f.reconcileClean(t)
}
