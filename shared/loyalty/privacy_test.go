package loyalty_test

// Merging and erasing accounts against DynamoDB Local: points move through the ledger,
// chunk by chunk, and every account equals its ledger after every transaction, also
// when a run is cut short and run again.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/loyalty"
)

// flaky is a client whose transactions fail after a number of them: a crash.
type flaky struct {
	dynamo.API
	left atomic.Int32
}

var errCut = errors.New("cut short")

func (f *flaky) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if f.left.Add(-1) < 0 {
		return nil, errCut
	}
	return f.API.TransactWriteItems(ctx, in, opts...)
}

func (f *fixture) total(t *testing.T, cid string) int {
	t.Helper()
	a := f.account(t, cid)
	return a.Balance + a.Pending
}

func (f *fixture) partition(t *testing.T, cid string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := f.env.Clients.DynamoDB.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(f.svc.Store.Table),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("ACCT#" + cid)}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Items
}

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

// Erasing an account removes the member's data and index items and moves its lots,
// entries and claims under a pseudonym in chunks; cut short at any point the ledger
// still reconciles, and a rerun finishes with the same balance under the pseudonym.
func TestEraseAccountMovesItUnderAPseudonym(t *testing.T) {
	for _, cut := range []int32{0, 1, 3, 5} {
		t.Run(fmt.Sprintf("cut after %d transactions", cut), func(t *testing.T) {
			f := newFixture(t, func(r *loyalty.Rules) { r.PendingDays = 3 })
			ctx := context.Background()
			f.enrol(t, "c-1", loyalty.Membership{Phone: "+8613900000009", Email: "gone@example.com", Birthday: "05-17"})
			for i := range 30 {
				f.earn(t, "c-1", fmt.Sprintf("e-%d", i), 10)
			}
			f.runTimers(t, t0.AddDate(0, 0, 4))
			if _, _, err := f.svc.Redeem(ctx, "pos", "c-1", loyalty.PointsRequest{SourceID: "r-1", Points: 95}); err != nil {
				t.Fatal(err)
			}
			f.earn(t, "c-1", "pending", 25)
			want, entries := f.total(t, "c-1"), len(f.entries(t, "c-1"))

			if cut > 0 {
				cutter := &flaky{API: f.env.Clients.DynamoDB}
				cutter.left.Store(cut)
				short := &loyalty.Store{DB: cutter, Table: f.svc.Store.Table}
				if _, err := short.EraseAccount(ctx, "c-1", map[string]string{"c-1": "erased-1"}, f.clk.Now()); !errors.Is(err, errCut) && !strings.Contains(fmt.Sprint(err), errCut.Error()) {
					t.Fatalf("cut short: %v", err)
				}
				f.reconcile(t)
			}
			n, err := f.svc.Store.EraseAccount(ctx, "c-1", map[string]string{"c-1": "erased-1"}, f.clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			f.reconcile(t)
			if items := f.partition(t, "c-1"); len(items) != 0 {
				t.Fatalf("%d items left under the customer: %v", len(items), items)
			}
			if got := f.total(t, "erased-1"); got != want {
				t.Fatalf("pseudonym holds %d, want %d", got, want)
			}
			if got := len(f.entries(t, "erased-1")); got != entries {
				t.Fatalf("pseudonym's ledger has %d entries, want %d", got, entries)
			}
			a := f.account(t, "erased-1")
			if a.Phone != "" || a.Email != "" || a.Birthday != "" || a.ReferralCode != "" || a.Tier == "" {
				t.Fatalf("pseudonymous account %+v", a)
			}
			if cut == 0 && (n.Entries != entries || n.Contacts != 3) {
				t.Fatalf("erased %+v, want %d entries and 3 index items", n, entries)
			}
			// The phone and email are free again; the birthday job does not find them.
			f.enrol(t, "c-2", loyalty.Membership{Phone: "+8613900000009", Email: "gone@example.com"})
			f.clk.Set(time.Date(2027, 5, 17, 4, 0, 0, 0, time.UTC))
			if given, err := f.svc.Birthdays(ctx, f.clk.Now()); err != nil || given != 0 {
				t.Fatalf("birthday bonuses after erasure: %d %v", given, err)
			}
			if again, err := f.svc.Store.EraseAccount(ctx, "c-1", map[string]string{"c-1": "erased-1"}, f.clk.Now()); err != nil || again != (loyalty.Erased{}) {
				t.Fatalf("second erasure: %+v %v", again, err)
			}
			f.reconcile(t)
		})
	}
}
