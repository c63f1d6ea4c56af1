package loyalty_test

// Emptied lots leave the live range (keys.go): a balance read and a redeem read the
// account and the lots with points, however long the customer's history.

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/problem"
)

// reading is a client that counts the items its queries return, and those of its
// queries that read strongly consistently.
type reading struct {
	dynamo.API
	items, consistent atomic.Int32
}

func (r *reading) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := r.API.Query(ctx, in, opts...)
	if err == nil {
		r.items.Add(out.Count)
	}
	if in.ConsistentRead != nil && *in.ConsistentRead {
		r.consistent.Add(1)
	}
	return out, err
}

// A balance shown to a reader who did not just change it is read eventually
// consistently (half the read units); the one after a change, and a redeem's, strongly.
func TestBalanceViewReadsEventuallyConsistent(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	f.earn(t, "c-1", "buy-1", 40)
	counter := &reading{API: f.env.Clients.DynamoDB}
	svc := *f.svc
	svc.Store = &loyalty.Store{DB: counter, Table: f.svc.Store.Table}
	view, err := svc.BalanceView(ctx, "c-1")
	if err != nil || view.Balance != 40 || counter.consistent.Load() != 0 {
		t.Fatalf("view %+v, %v, %d consistent queries; want 40 read eventually consistent", view, err, counter.consistent.Load())
	}
	fresh, err := svc.Balance(ctx, "c-1")
	if err != nil || fresh.Balance != 40 || counter.consistent.Load() != 1 {
		t.Fatalf("fresh %+v, %v, %d consistent queries; want 40 read strongly", fresh, err, counter.consistent.Load())
	}
	if _, _, err := svc.Redeem(ctx, "pos", "c-1", loyalty.PointsRequest{SourceID: "gift-1", Points: 10}); err != nil || counter.consistent.Load() != 2 {
		t.Fatalf("a redeem: %v, %d consistent queries; want its read strong", err, counter.consistent.Load())
	}
}

// lotItems are a customer's lot items by where they sort: live (L#) or archived (X#).
func (f *fixture) lotItems(t *testing.T, cid string) (live, spent []map[string]types.AttributeValue) {
	t.Helper()
	for _, it := range f.partition(t, cid) {
		switch sk := it["sk"].(*types.AttributeValueMemberS).Value; {
		case strings.HasPrefix(sk, "L#"):
			live = append(live, it)
		case strings.HasPrefix(sk, "X#"):
			spent = append(spent, it)
		}
	}
	return live, spent
}

func num(t *testing.T, it map[string]types.AttributeValue, name string) string {
	t.Helper()
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("%s missing in %v", name, it)
	}
	return v.Value
}

// After thirty earns each spent in full, a balance read returns two items (the
// account and the one lot with points), not thirty-two; the balance and what expires
// are those of the live lot.
func TestBalanceReadsOnlyLiveLots(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for i := range 30 {
		f.earn(t, "c-1", fmt.Sprintf("buy-%d", i), 10)
		if _, _, err := f.svc.Redeem(ctx, "pos", "c-1", loyalty.PointsRequest{SourceID: fmt.Sprintf("gift-%d", i), Points: 10}); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(time.Hour)
	}
	last := f.earn(t, "c-1", "buy-last", 25)
	if live, spent := f.lotItems(t, "c-1"); len(live) != 1 || len(spent) != 30 {
		t.Fatalf("%d live and %d archived lots; want 1 and 30", len(live), len(spent))
	}

	counter := &reading{API: f.env.Clients.DynamoDB}
	svc := *f.svc
	svc.Store = &loyalty.Store{DB: counter, Table: f.svc.Store.Table}
	b, err := svc.Balance(ctx, "c-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := counter.items.Load(); got != 2 {
		t.Fatalf("the balance read %d items; want 2 (the account and the live lot)", got)
	}
	if b.Balance != 25 || len(b.Expiring) != 1 || b.Expiring[0].Points != 25 || !b.Expiring[0].ExpiresAt.Equal(last.Lot.ExpiresAt) {
		t.Fatalf("balance %+v; want 25 expiring %v", b, last.Lot.ExpiresAt)
	}
	// A redeem reads as little, and archives the lot it empties.
	counter.items.Store(0)
	if _, _, err := svc.Redeem(ctx, "pos", "c-1", loyalty.PointsRequest{SourceID: "gift-last", Points: 25}); err != nil {
		t.Fatal(err)
	}
	if got := counter.items.Load(); got != 2 {
		t.Fatalf("the redeem read %d items; want 2", got)
	}
	if live, spent := f.lotItems(t, "c-1"); len(live) != 0 || len(spent) != 31 {
		t.Fatalf("%d live and %d archived lots; want 0 and 31", len(live), len(spent))
	}
	ex, err := f.svc.Store.ExportOf(ctx, "c-1")
	if err != nil || len(ex.Lots) != 31 {
		t.Fatalf("export lists %d lots (%v); want 31", len(ex.Lots), err)
	}
	f.reconcile(t)
}

// A redeem that empties a lot archives it with every field; the refund of the redeem
// brings it back live with its points and its expiry, and its timer.
func TestRefundBringsBackAnArchivedLot(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	first := f.earn(t, "c-2", "a", 30)
	f.clk.Advance(24 * time.Hour)
	second := f.earn(t, "c-2", "b", 50)
	if _, _, err := f.svc.Redeem(ctx, "pos", "c-2", loyalty.PointsRequest{SourceID: "r", Points: 40}); err != nil {
		t.Fatal(err)
	}
	live, spent := f.lotItems(t, "c-2")
	if len(live) != 1 || len(spent) != 1 || num(t, live[0], "remaining") != "40" {
		t.Fatalf("after the redeem: live %v, archived %v", live, spent)
	}
	a := spent[0]
	wantSK := "X#" + first.Lot.ExpiresAt.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + first.Lot.ID
	if a["sk"].(*types.AttributeValueMemberS).Value != wantSK || num(t, a, "remaining") != "0" || num(t, a, "points") != "30" ||
		a["sourceId"].(*types.AttributeValueMemberS).Value != "a" || a["duePk"] != nil || a["dueSk"] != nil {
		t.Fatalf("archived lot %v; want %s, 0 of 30 left, no timer", a, wantSK)
	}
	if b := f.balance(t, "c-2"); b.Balance != 40 || len(b.Expiring) != 1 || !b.Expiring[0].ExpiresAt.Equal(second.Lot.ExpiresAt) {
		t.Fatalf("after the redeem: %+v", b)
	}

	if _, _, err := f.svc.Reverse(ctx, "pos", "c-2", loyalty.PointsRequest{SourceID: "r"}); err != nil {
		t.Fatal(err)
	}
	live, spent = f.lotItems(t, "c-2")
	if len(live) != 2 || len(spent) != 0 {
		t.Fatalf("after the refund: %d live, %d archived; want 2 and 0", len(live), len(spent))
	}
	back := live[0] // soonest-expiring first
	if back["id"].(*types.AttributeValueMemberS).Value != first.Lot.ID || num(t, back, "remaining") != "30" || back["dueSk"] == nil {
		t.Fatalf("restored lot %v; want %s with 30 and a timer", back, first.Lot.ID)
	}
	b := f.balance(t, "c-2")
	if b.Balance != 80 || len(b.Expiring) != 2 || b.Expiring[0].Points != 30 || !b.Expiring[0].ExpiresAt.Equal(first.Lot.ExpiresAt) ||
		b.Expiring[1].Points != 50 {
		t.Fatalf("after the refund: %+v", b)
	}
	sum := 0
	for _, e := range f.entries(t, "c-2") {
		sum += e.Points
	}
	if sum != b.Balance {
		t.Fatalf("ledger %d, balance %d", sum, b.Balance)
	}
	f.reconcile(t)
	// The restored lot is spent again as any other.
	if _, _, err := f.svc.Redeem(ctx, "pos", "c-2", loyalty.PointsRequest{SourceID: "r2", Points: 30}); err != nil {
		t.Fatal(err)
	}
	if live, spent := f.lotItems(t, "c-2"); len(live) != 1 || len(spent) != 1 {
		t.Fatalf("after spending it again: %d live, %d archived", len(live), len(spent))
	}
	f.reconcile(t)
}

// Expiry archives the lot and its timers go: the timers find nothing more to do.
func TestExpiryArchivesTheLot(t *testing.T) {
	f := newFixture(t, func(r *loyalty.Rules) { r.ExpiryMonths = 12; r.ReminderDays = 30 })
	ctx := context.Background()
	e := f.earn(t, "c-3", "stay", 100)
	if _, _, err := f.svc.Redeem(ctx, "pos", "c-3", loyalty.PointsRequest{SourceID: "spa", Points: 40}); err != nil {
		t.Fatal(err)
	}
	expires := e.Lot.ExpiresAt
	if rep := f.runTimers(t, expires.AddDate(0, 0, -30)); rep.Reminded != 1 {
		t.Fatalf("reminder: %+v", rep)
	}
	if rep := f.runTimers(t, expires); rep.Expired != 1 {
		t.Fatalf("expiry: %+v", rep)
	}
	live, spent := f.lotItems(t, "c-3")
	if len(live) != 0 || len(spent) != 1 {
		t.Fatalf("after expiry: %d live, %d archived; want 0 and 1", len(live), len(spent))
	}
	if a := spent[0]; num(t, a, "remaining") != "0" || num(t, a, "points") != "100" || a["duePk"] != nil || a["dueSk"] != nil ||
		a["reminded"].(*types.AttributeValueMemberBOOL).Value != true {
		t.Fatalf("archived lot %v; want 0 of 100 left, reminded, no timer", a)
	}
	if rep := f.runTimers(t, expires.AddDate(1, 0, 0)); rep != (loyalty.TimerReport{Reviewed: rep.Reviewed}) {
		t.Fatalf("timers after expiry: %+v", rep)
	}
	if b := f.balance(t, "c-3"); b.Balance != 0 || len(b.Expiring) != 0 {
		t.Fatalf("after expiry: %+v", b)
	}
	f.reconcile(t)
}

// A redeem may draw as many lots as before archiving (one transaction of 100 items:
// the account, the entry, the claim and a write per lot): it archives what fits and
// leaves the other emptied lots live, their timers archiving them later. One lot more
// is refused as before. The refund of such a redeem brings every lot back.
func TestRedeemOfManyLotsKeepsItsLimit(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	for i := range 98 {
		f.earn(t, "c-4", fmt.Sprintf("buy-%d", i), 1)
	}
	if _, _, err := f.svc.Redeem(ctx, "pos", "c-4", loyalty.PointsRequest{SourceID: "too-many", Points: 98}); problem.KindOf(err) != problem.Invalid {
		t.Fatalf("a redeem of 98 lots: %v; want invalid", err)
	}
	r, _, err := f.svc.Redeem(ctx, "pos", "c-4", loyalty.PointsRequest{SourceID: "r", Points: 97})
	if err != nil || len(r.Taken) != 97 {
		t.Fatalf("a redeem of 97 lots: %v", err)
	}
	live, spent := f.lotItems(t, "c-4")
	if len(spent) != 0 || len(live) != 98 {
		// 3 fixed items and 97 takes fill the transaction: no room to archive.
		t.Fatalf("after redeeming 97 lots: %d live, %d archived; want 98 and 0", len(live), len(spent))
	}
	f.reconcile(t)
	f.runTimers(t, r.Taken[0].ExpiresAt.AddDate(0, 0, -30)) // the reminders are due
	live, spent = f.lotItems(t, "c-4")
	if len(spent) != 97 || len(live) != 1 {
		t.Fatalf("after the timers: %d live, %d archived; want 1 and 97", len(live), len(spent))
	}
	// The refund needs 97 lots back: more than one transaction holds with the archived
	// copies, so they come back empty first.
	if _, _, err := f.svc.Reverse(ctx, "pos", "c-4", loyalty.PointsRequest{SourceID: "r"}); err != nil {
		t.Fatal(err)
	}
	if live, spent := f.lotItems(t, "c-4"); len(live) != 98 || len(spent) != 0 {
		t.Fatalf("after the refund: %d live, %d archived; want 98 and 0", len(live), len(spent))
	}
	if b := f.balance(t, "c-4"); b.Balance != 98 {
		t.Fatalf("after the refund: %+v", b)
	}
	f.reconcile(t)

	// Fewer lots: the emptied ones are archived in the redeem itself, while room lasts.
	r2, _, err := f.svc.Redeem(ctx, "pos", "c-4", loyalty.PointsRequest{SourceID: "r2", Points: 60})
	if err != nil || len(r2.Taken) != 60 {
		t.Fatalf("a redeem of 60 lots: %v", err)
	}
	live, spent = f.lotItems(t, "c-4")
	if len(spent) != 100-3-60 || len(live) != 98-37 {
		t.Fatalf("after redeeming 60 lots: %d live, %d archived; want 61 and 37", len(live), len(spent))
	}
	f.reconcile(t)
}
