package reward_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/testenv"
)

var t0 = time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)

func newStore(t *testing.T) *reward.Store {
	env := testenv.New(t)
	return &reward.Store{DB: env.Clients.DynamoDB, Table: env.Names("rewards")}
}

func tea(stock *int) reward.Reward {
	return reward.Reward{ID: "tea-for-two", Name: i18n.Texts[string]{"zh-CN": "双人下午茶", "en": "Afternoon tea for two"},
		PointsCost: 800, Kind: reward.KindGift, Stock: stock, ValidDays: 30, Active: true}
}

func issue(t *testing.T, s *reward.Store, cid, src string, locations ...string) reward.Voucher {
	t.Helper()
	code, err := reward.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	v, replayed, err := s.Issue(context.Background(), reward.Voucher{Code: code, CustomerID: cid, Kind: reward.KindVoucher,
		Value: reward.Value{AmountOff: 20, Currency: "CNY"}, Source: reward.Source{Kind: reward.SourceStaff, ID: src},
		LocationIDs: locations, IssuedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour), IssuedBy: "mgr-1", Reason: "apology"})
	if err != nil || replayed {
		t.Fatalf("issue: %v (replayed %v)", err, replayed)
	}
	return v
}

func kindOf(err error) problem.Kind { return problem.KindOf(err) }

// at reads a voucher and passes it to a change, as a route does.
func at[T any](t *testing.T, s *reward.Store, code string, change func(reward.Voucher) (T, error)) (T, error) {
	t.Helper()
	v, err := s.Voucher(context.Background(), code)
	if err != nil {
		var zero T
		return zero, err
	}
	return change(v)
}

type outcome struct {
	v        reward.Voucher
	replayed bool
}

func redeem(t *testing.T, s *reward.Store, code, bill, loc string, now time.Time) (reward.Voucher, bool, error) {
	t.Helper()
	o, err := at(t, s, code, func(v reward.Voucher) (outcome, error) {
		v, replayed, err := s.Redeem(context.Background(), v, bill, loc, "pos-1", now)
		return outcome{v, replayed}, err
	})
	return o.v, o.replayed, err
}

func reverse(t *testing.T, s *reward.Store, code, bill string, now time.Time) (reward.Voucher, bool, error) {
	t.Helper()
	o, err := at(t, s, code, func(v reward.Voucher) (outcome, error) {
		v, replayed, err := s.Reverse(context.Background(), v, bill, "pos-1", now)
		return outcome{v, replayed}, err
	})
	return o.v, o.replayed, err
}

// TestCatalogueSavesWithItsVersion: a reward is created once, edited at its version,
// and a stale edit is refused without a write.
func TestCatalogueSavesWithItsVersion(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	fifty := 50
	r, err := s.SaveReward(ctx, tea(&fifty), t0)
	if err != nil || r.Version != 1 {
		t.Fatalf("create: %+v, %v", r, err)
	}
	if _, err := s.SaveReward(ctx, tea(nil), t0); kindOf(err) != problem.Conflict {
		t.Fatalf("second create: %v, want 409", err)
	}
	edit := r
	edit.PointsCost = 900
	if edit, err = s.SaveReward(ctx, edit, t0); err != nil || edit.Version != 2 {
		t.Fatalf("edit at version 1: %+v, %v", edit, err)
	}
	stale := r
	stale.PointsCost = 1
	if _, err := s.SaveReward(ctx, stale, t0); kindOf(err) != problem.Conflict {
		t.Fatalf("edit at version 1 again: %v, want 409", err)
	}
	all, err := s.Rewards(ctx)
	if err != nil || len(all) != 1 || all[0].PointsCost != 900 || *all[0].Stock != 50 || all[0].Name["zh-CN"] != "双人下午茶" {
		t.Fatalf("catalogue: %+v, %v", all, err)
	}
}

// TestAnIssueIsOncePerSourceAndCustomer: the same source issuing the same customer
// again gets the first voucher back; the customer's list shows one.
func TestAnIssueIsOncePerSourceAndCustomer(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	first := issue(t, s, "c-1", "req-1")
	code, _ := reward.NewCode()
	again, replayed, err := s.Issue(ctx, reward.Voucher{Code: code, CustomerID: "c-1", Kind: reward.KindVoucher,
		Value: first.Value, Source: first.Source, IssuedAt: t0, ExpiresAt: first.ExpiresAt, IssuedBy: "mgr-1"})
	if err != nil || !replayed || again.Code != first.Code {
		t.Fatalf("issue again: %s replayed=%v %v; want %s replayed", again.Code, replayed, err, first.Code)
	}
	list, err := s.Vouchers(ctx, "c-1", 10)
	if err != nil || len(list) != 1 || list[0].Code != first.Code || list[0].Status(t0) != reward.StatusIssued {
		t.Fatalf("c-1's vouchers: %+v, %v", list, err)
	}
}

// TestConcurrentRedeemsOfOneCodeHaveOneEffect: 200 points of sale redeem one code at
// once, each for its own bill: exactly one succeeds, every other is told it was
// redeemed (409), and the winner's bill repeating its redeem gets it back.
func TestConcurrentRedeemsOfOneCodeHaveOneEffect(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	v := issue(t, s, "c-1", "req-1")
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, refused := []string{}, 0
	for i := range 200 {
		wg.Go(func() {
			bill := fmt.Sprintf("bill-%03d", i)
			_, replayed, err := redeem(t, s, v.Code, bill, "loc-1", t0.Add(time.Hour))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && !replayed:
				won = append(won, bill)
			case kindOf(err) == problem.Conflict:
				refused++
			default:
				t.Errorf("%s: %v (replayed %v)", bill, err, replayed)
			}
		})
	}
	wg.Wait()
	if len(won) != 1 || refused != 199 {
		t.Fatalf("%d redeems succeeded (%v), %d refused; want 1 and 199", len(won), won, refused)
	}
	got, replayed, err := redeem(t, s, v.Code, won[0], "loc-1", t0.Add(2*time.Hour))
	if err != nil || !replayed || got.Redemption.SourceID != won[0] || !got.Redemption.At.Equal(t0.Add(time.Hour)) {
		t.Fatalf("the winning bill again: %+v replayed=%v %v", got.Redemption, replayed, err)
	}
	stored, err := s.Voucher(ctx, v.Code)
	if err != nil || stored.Status(t0) != reward.StatusRedeemed || stored.Version != 2 {
		t.Fatalf("stored: %s v%d %v; want redeemed at version 2", stored.Status(t0), stored.Version, err)
	}
}

// TestRedeemRefusalsNameWhyAndWriteNothing: a code that does not exist (404), a
// voucher of another location (409 naming where it is valid), after its expiry
// (410), once cancelled (409); the voucher is as it was after each.
func TestRedeemRefusalsNameWhyAndWriteNothing(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	code, _ := reward.NewCode()
	if _, _, err := redeem(t, s, code, "bill-1", "loc-1", t0); kindOf(err) != problem.NotFound {
		t.Fatalf("unknown code: %v, want 404", err)
	}
	v := issue(t, s, "c-1", "req-1", "loc-2", "loc-3")
	_, _, err := redeem(t, s, v.Code, "bill-1", "loc-1", t0)
	var p *problem.Error
	if !errors.As(err, &p) || p.Kind != problem.Conflict || p.Detail != "this voucher is not valid at this location: only at loc-2, loc-3" {
		t.Fatalf("wrong location: %v", err)
	}
	wantReason(t, "wrong location", err, "voucher-elsewhere", map[string]any{"locationIds": []string{"loc-2", "loc-3"}})
	_, _, err = redeem(t, s, v.Code, "bill-1", "loc-2", v.ExpiresAt)
	if kindOf(err) != problem.Gone {
		t.Fatalf("at its expiry: %v, want 410", err)
	}
	wantReason(t, "at its expiry", err, "voucher-expired", map[string]any{"expiredAt": v.ExpiresAt.UTC().Format(time.RFC3339)})
	if _, _, err := redeem(t, s, v.Code, "bill-1", "loc-2", v.ExpiresAt.Add(-time.Second)); err != nil {
		t.Fatalf("in its last second: %v", err)
	}
	w := issue(t, s, "c-1", "req-2")
	if _, err := at(t, s, w.Code, func(v reward.Voucher) (reward.Voucher, error) {
		return s.Cancel(ctx, v, "mgr-1", "issued by mistake", t0)
	}); err != nil {
		t.Fatal(err)
	}
	_, _, err = redeem(t, s, w.Code, "bill-2", "loc-1", t0)
	if kindOf(err) != problem.Conflict {
		t.Fatalf("cancelled: %v, want 409", err)
	}
	wantReason(t, "cancelled", err, "voucher-cancelled", nil)
	_, err = at(t, s, w.Code, func(v reward.Voucher) (reward.Voucher, error) { return s.Cancel(ctx, v, "mgr-1", "again", t0) })
	wantReason(t, "cancelled again", err, "voucher-not-issued", map[string]any{"status": reward.StatusCancelled})
	_, _, err = redeem(t, s, v.Code, "bill-9", "loc-3", t0)
	wantReason(t, "redeemed already", err, "voucher-redeemed", map[string]any{"redeemedAt": v.ExpiresAt.Add(-time.Second).UTC().Format(time.RFC3339), "locationId": "loc-2"})
	for _, c := range []struct {
		code, status string
		version      int
	}{{v.Code, reward.StatusRedeemed, 2}, {w.Code, reward.StatusCancelled, 2}} {
		got, err := s.Voucher(ctx, c.code)
		if err != nil || got.Status(t0) != c.status || got.Version != c.version {
			t.Errorf("%s: %s v%d %v; want %s v%d", c.code, got.Status(t0), got.Version, err, c.status, c.version)
		}
	}
}

// TestARedemptionIsReversedOnceForItsBill: only the bill that redeemed it reverses
// it; the voucher is issued again and may be redeemed again, but not reversed again.
func TestARedemptionIsReversedOnceForItsBill(t *testing.T) {
	s := newStore(t)
	v := issue(t, s, "c-1", "req-1")
	_, _, err := reverse(t, s, v.Code, "bill-1", t0)
	if kindOf(err) != problem.Conflict {
		t.Fatalf("reverse before a redeem: %v, want 409", err)
	}
	wantReason(t, "reverse before a redeem", err, "voucher-not-redeemed", nil)
	if _, _, err := redeem(t, s, v.Code, "bill-1", "loc-1", t0); err != nil {
		t.Fatal(err)
	}
	_, _, err = reverse(t, s, v.Code, "bill-9", t0)
	if kindOf(err) != problem.Conflict {
		t.Fatalf("reverse for another bill: %v, want 409", err)
	}
	wantReason(t, "reverse for another bill", err, "voucher-other-bill", map[string]any{"sourceId": "bill-1"})
	back, replayed, err := reverse(t, s, v.Code, "bill-1", t0.Add(time.Minute))
	if err != nil || replayed || back.Status(t0) != reward.StatusIssued || back.Redemption != nil || back.Reversal.Redemption.SourceID != "bill-1" {
		t.Fatalf("reverse: %+v replayed=%v %v", back, replayed, err)
	}
	if _, replayed, err := reverse(t, s, v.Code, "bill-1", t0.Add(2*time.Minute)); err != nil || !replayed {
		t.Fatalf("the same reversal again: replayed=%v %v", replayed, err)
	}
	if _, _, err := redeem(t, s, v.Code, "bill-2", "loc-1", t0.Add(time.Hour)); err != nil {
		t.Fatalf("redeem after the reversal: %v", err)
	}
	_, _, err = reverse(t, s, v.Code, "bill-2", t0.Add(2*time.Hour))
	if kindOf(err) != problem.Conflict {
		t.Fatalf("a second reversal: %v, want 409", err)
	}
	wantReason(t, "a second reversal", err, "voucher-reversed-once", nil)
}

// TestStockIsNeverOversold: 200 customers take a reward with a stock of 50 at once,
// each in a transaction of the stock's decrement and the voucher's issue: exactly 50
// vouchers are issued, the others are told it is out of stock, and the stock is 0.
func TestStockIsNeverOversold(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	fifty := 50
	r, err := s.SaveReward(ctx, tea(&fifty), t0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	issued, out := 0, 0
	for i := range 200 {
		wg.Go(func() {
			cid := fmt.Sprintf("c-%03d", i)
			code, _ := reward.NewCode()
			v, items, err := s.IssueItems(ctx, reward.Voucher{Code: code, CustomerID: cid, Kind: reward.KindGift, Name: r.Name,
				Source: reward.Source{Kind: reward.SourceReward, ID: "take-" + cid, RewardID: r.ID}, IssuedAt: t0, ExpiresAt: t0.AddDate(0, 0, r.ValidDays), IssuedBy: cid}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			err = retry.Do(ctx, retry.Conflict.WithAttempts(200), func() (bool, error) {
				var tx dynamo.Tx
				tx.Add(reward.ErrOutOfStock, s.TakeItem(r))
				tx.Add(nil, items...)
				err := tx.Commit(ctx, s.DB, "take reward")
				return errors.Is(err, dynamo.ErrTxConflict), err
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && v.Code == code:
				issued++
			case errors.Is(err, reward.ErrOutOfStock):
				out++
			default:
				t.Errorf("%s: %v", cid, err)
			}
		})
	}
	wg.Wait()
	stored := 0
	for i := range 200 {
		list, err := s.Vouchers(ctx, fmt.Sprintf("c-%03d", i), 10)
		if err != nil {
			t.Fatal(err)
		}
		stored += len(list)
	}
	if stored != 50 {
		t.Errorf("%d vouchers stored, want 50", stored)
	}
	left, err := s.Reward(ctx, r.ID)
	if err != nil || issued != 50 || out != 150 || *left.Stock != 0 {
		t.Fatalf("%d issued, %d out of stock, %v left (%v); want 50, 150, 0", issued, out, left.Stock, err)
	}
}

// oneRedeemedOneUnused issues two vouchers at loc-1 at t0 that expire at t0+1h, and
// redeems the first at t0+30m: their codes, the redeemed one first.
func oneRedeemedOneUnused(t *testing.T, s *reward.Store) []string {
	t.Helper()
	var codes []string
	for _, src := range []string{"req-1", "req-2"} {
		code, _ := reward.NewCode()
		v, _, err := s.Issue(context.Background(), reward.Voucher{Code: code, CustomerID: "c-1", Kind: reward.KindVoucher, Value: reward.Value{PercentOff: 5},
			Source: reward.Source{Kind: reward.SourceStaff, ID: src}, LocationID: "loc-1", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour), IssuedBy: "mgr-1"})
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, v.Code)
	}
	if _, _, err := redeem(t, s, codes[0], "bill-1", "loc-1", t0.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	return codes
}

// TestExpiriesAreCountedOnceWhereIssued: of two vouchers issued at loc-1 that expire
// in an hour, the one redeemed in time is not counted; the other is counted expired
// once, however often the timers run, in loc-1's report of its expiry day.
func TestExpiriesAreCountedOnceWhereIssued(t *testing.T) {
	s, ctx := newStore(t), context.Background()
	codes := oneRedeemedOneUnused(t, s)
	if n, err := s.RunTimers(ctx, t0.Add(59*time.Minute), nil, 0); err != nil || n.Expired != 0 {
		t.Fatalf("before the expiry: %d counted, %v", n.Expired, err)
	}
	for run, want := range []int{1, 0} {
		if n, err := s.RunTimers(ctx, t0.Add(2*time.Hour), nil, 0); err != nil || n.Expired != want {
			t.Fatalf("run %d after the expiry: %d counted, %v; want %d", run+1, n.Expired, err, want)
		}
	}
	days, err := kpi.Read(ctx, s.DB, s.Table, "loc-1", kpi.Day, "2026-12-06", "2026-12-06")
	if err != nil {
		t.Fatal(err)
	}
	rep := reward.Tally("2026-12-06", "2026-12-06", []string{"loc-1"}, []kpi.Counts{days["2026-12-06"]})
	if rep.Total.Issued != 2 || rep.Total.Redeemed != 1 || rep.Total.Expired != 1 {
		t.Fatalf("loc-1's day: %+v", rep.Total)
	}
	if v, err := s.Voucher(ctx, codes[1]); err != nil || v.Status(t0.Add(2*time.Hour)) != reward.StatusExpired {
		t.Fatalf("the unused voucher: %s, %v", v.Status(t0.Add(2*time.Hour)), err)
	}
}

// wantReason checks a refusal's reason and facts, which clients word themselves.
func wantReason(t *testing.T, what string, err error, reason string, facts map[string]any) {
	t.Helper()
	var p *problem.Error
	if !errors.As(err, &p) || p.Reason != reason || !reflect.DeepEqual(p.Facts, facts) {
		t.Errorf("%s: %v; want reason %q with %v", what, err, reason, facts)
	}
}

// TestTimersRunThroughTheReplacedIndex: right after the deploy that makes dueKeys,
// DynamoDB refuses queries on it while it fills, and a table restored from before it
// lacks it; the timers then run through the due index it replaces (every attribute
// projected), reading the code from the pk all the same. Here the table is as deployed
// before: due only. Of two vouchers issued at t0 that expire at t0+1h, the one
// redeemed is out of the index; the other is delivered and counted expired, once.
func TestTimersRunThroughTheReplacedIndex(t *testing.T) {
	env, ctx := testenv.New(t), context.Background()
	s := &reward.Store{DB: env.Clients.DynamoDB, Table: env.TableBefore(t, "rewards")}
	codes := oneRedeemedOneUnused(t, s)
	for run, want := range []reward.Timers{{Delivered: 1, Expired: 1}, {}} {
		if got, err := s.RunTimers(ctx, t0.Add(2*time.Hour), nil, 0); err != nil || got != want {
			t.Fatalf("run %d: %+v, %v; want %+v", run+1, got, err, want)
		}
	}
	if v, err := s.Voucher(ctx, codes[1]); err != nil || !v.Delivered || !v.ExpiryCounted {
		t.Fatalf("the unused voucher: delivered %v, expiry counted %v, %v", v.Delivered, v.ExpiryCounted, err)
	}
}
