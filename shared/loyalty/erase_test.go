package loyalty_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/loyalty"
)

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
