package loyalty_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/loyalty"
)

// A duplicate with forty lots (half pending, some spent, one owing a shortfall) is
// merged into a survivor: every lot moves once through merge entries on both ledgers,
// chunk by chunk; the survivor's balance is the sum, its tier counts both customers'
// earnings, it takes the duplicate's email and birthday, and a second merge moves
// nothing. Points given back to a merged lot afterwards move on a third run, under a
// new sourceId.
func TestMergeMovesEveryLotThroughTheLedgerOnce(t *testing.T) {
	f := newFixture(t, func(r *loyalty.Rules) { r.PendingDays = 7 })
	ctx := context.Background()
	f.enrol(t, "surv", loyalty.Membership{Phone: "+8613800000001"})
	f.enrol(t, "dup", loyalty.Membership{Email: "dup@example.com", Birthday: "1990-05-17", TimeZone: "Asia/Shanghai"})
	f.earn(t, "surv", "s-1", 30)
	// Spent points whose earn is then reversed leave the duplicate owing a shortfall.
	f.earn(t, "dup", "big", 100)
	f.runTimers(t, t0.AddDate(0, 0, 8))
	if _, _, err := f.svc.Redeem(ctx, "pos", "dup", loyalty.PointsRequest{SourceID: "r-0", Points: 100}); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		f.earn(t, "dup", fmt.Sprintf("d-%d", i), 10+i)
	}
	f.clk.Set(t0.AddDate(0, 0, 12))
	for i := 20; i < 40; i++ {
		f.earn(t, "dup", fmt.Sprintf("d-%d", i), 5)
	}
	if _, _, err := f.svc.Reverse(ctx, "pos", "dup", loyalty.PointsRequest{SourceID: "big"}); err != nil {
		t.Fatal(err)
	}
	f.runTimers(t, t0.AddDate(0, 0, 16)) // the first twenty are available, the rest pending
	redeem, _, err := f.svc.Redeem(ctx, "pos", "dup", loyalty.PointsRequest{SourceID: "r-1", Points: 55})
	if err != nil {
		t.Fatal(err)
	}
	f.reconcile(t)
	want := f.total(t, "surv") + f.total(t, "dup")
	shortfall := f.account(t, "dup").Shortfall
	earned := f.balance(t, "surv").Earned12m + f.balance(t, "dup").Earned12m
	if shortfall != 100 || want != 30+390-55+100 {
		t.Fatalf("the duplicate owes %d (want 100); both hold %d", shortfall, want)
	}

	moved, err := f.svc.Store.MergeInto(ctx, "dup", "surv", "manager-1", f.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.reconcile(t)
	if got := f.total(t, "surv"); got != want || f.total(t, "dup") != 0 || moved.Points+moved.Pending != want-30 {
		t.Fatalf("survivor %d (want %d), duplicate %d, moved %+v", got, want, f.total(t, "dup"), moved)
	}
	if moved.Lots <= 16 || moved.Pending != 100 {
		t.Fatalf("moved %+v: want more than one chunk of lots and the 100 pending points", moved)
	}
	surv, dup := f.account(t, "surv"), f.account(t, "dup")
	if surv.Shortfall != shortfall || dup.Shortfall != 0 {
		t.Fatalf("shortfall: survivor %d, duplicate %d; want %d and 0", surv.Shortfall, dup.Shortfall, shortfall)
	}
	if got := f.balance(t, "surv").Earned12m; got != earned || len(dup.Earned) != 0 {
		t.Fatalf("survivor earned %d in 12 months, want %d; duplicate keeps %v", got, earned, dup.Earned)
	}
	if surv.Phone != "+8613800000001" || surv.Email != "dup@example.com" || surv.Birthday != "1990-05-17" || dup.Email != "" || dup.Birthday != "" {
		t.Fatalf("contacts: survivor %q %q %q, duplicate %q %q", surv.Phone, surv.Email, surv.Birthday, dup.Email, dup.Birthday)
	}
	if _, err := f.svc.Enrol(ctx, "other", loyalty.Membership{Email: "dup@example.com"}); err == nil {
		t.Fatal("the duplicate's email is free for another member after the merge")
	}
	for _, e := range f.entries(t, "dup") {
		if e.Type == loyalty.TypeMerge && (e.Points >= 0 || !strings.HasPrefix(e.SourceID, "merge:dup:")) {
			t.Fatalf("duplicate's merge entry %+v", e)
		}
	}

	again, err := f.svc.Store.MergeInto(ctx, "dup", "surv", "manager-1", f.clk.Now())
	if err != nil || again != (loyalty.Moved{}) || f.total(t, "surv") != want {
		t.Fatalf("second merge moved %+v (%v); survivor %d", again, err, f.total(t, "surv"))
	}

	// A refund of the first redeem gives its points back to the duplicate's lots.
	if _, _, err := f.svc.Reverse(ctx, "pos", "dup", loyalty.PointsRequest{SourceID: redeem.SourceID}); err != nil {
		t.Fatal(err)
	}
	third, err := f.svc.Store.MergeInto(ctx, "dup", "surv", "manager-1", f.clk.Now())
	if err != nil || third.Points != 55 || f.total(t, "surv") != want+55 || f.total(t, "dup") != 0 {
		t.Fatalf("third merge moved %+v (%v); survivor %d", third, err, f.total(t, "surv"))
	}
	f.reconcile(t)
}
