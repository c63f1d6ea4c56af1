package local_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A member takes a reward at the counter, and the voucher goes round the points of
// sale: through the runner's real routes, tokens and roles, over DynamoDB Local.
func TestRewardsAndVouchersOverHTTP(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Clock = clk })
	locs := &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}
	if err := local.SeedLocation(t.Context(), locs, clk.Now()); err != nil {
		t.Fatal(err)
	}
	west := local.DemoLocation(clk.Now())
	west.ID, west.Code, west.Name = "loc-2", "HB02", "Harbour Hotel West"
	if _, err := locs.PutLocation(t.Context(), west, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"c-1", "c-2"} {
		if r := s.staffCall(t, "admin", "*", "POST", "/v1/customers", fmt.Sprintf(`{"customerId":%q,"name":"Guest %s","locationId":"loc-1"}`, c, c)); r.status != http.StatusCreated {
			t.Fatalf("profile %s: %d %s", c, r.status, r.body)
		}
	}
	if r := s.staffCall(t, "system", "*", "POST", "/v1/loyalty/c-1/earn", `{"sourceId":"bill-1","points":1000}`); r.status != http.StatusCreated {
		t.Fatalf("earn: %d %s", r.status, r.body)
	}

	// An admin puts a voucher of 20 CNY for 800 points in the catalogue, valid 30 days
	// at loc-1; the counter lists it for the member, offered, and for a member with no
	// points, said why not.
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/rewards", `{"rewardId":"twenty-off","name":{"zh-CN":"立减20元","en":"20 off"},"pointsCost":800,"kind":"voucher","value":{"amountOff":20,"currency":"CNY"},"stock":5,"validDays":30,"locations":["loc-1"]}`); r.status != http.StatusCreated {
		t.Fatalf("create reward: %d %s", r.status, r.body)
	}
	cat := decode[struct {
		Rewards []struct {
			RewardID  string
			Offered   bool
			Why       string
			WhyReason string
			WhyFacts  map[string]int
		}
		Balance int
	}](t, s.staffCall(t, "agent", "loc-1", "GET", "/v1/rewards?customerId=c-2&locationId=loc-1", ""))
	if len(cat.Rewards) != 1 || cat.Rewards[0].Offered || cat.Rewards[0].Why != "not enough points: 0 available, 800 needed" ||
		cat.Rewards[0].WhyReason != "points-short" || cat.Rewards[0].WhyFacts["available"] != 0 || cat.Rewards[0].WhyFacts["needed"] != 800 {
		t.Fatalf("c-2's catalogue: %+v", cat)
	}

	// Too few points: 409 in words and as a reason with its facts, nothing written.
	if r := s.staffCall(t, "agent", "loc-1", "POST", "/v1/loyalty/c-2/rewards/twenty-off", `{"sourceId":"take-c2","locationId":"loc-1"}`); r.status != http.StatusConflict ||
		!strings.Contains(r.body, `"reason":"points-short","facts":{"available":0,"needed":800}`) {
		t.Fatalf("a take with no points: %d %s", r.status, r.body)
	}
	// The member with 1,000 points takes it; the same take again is the same voucher.
	take := s.staffCall(t, "agent", "loc-1", "POST", "/v1/loyalty/c-1/rewards/twenty-off", `{"sourceId":"take-c1","locationId":"loc-1"}`)
	if take.status != http.StatusCreated {
		t.Fatalf("take: %d %s", take.status, take.body)
	}
	v := decode[reward.VoucherView](t, take)
	if v.Status != reward.StatusIssued || v.Value.AmountOff != 20 || len(v.Printed) != 19 {
		t.Fatalf("voucher: %+v", v)
	}
	if again := s.staffCall(t, "agent", "loc-1", "POST", "/v1/loyalty/c-1/rewards/twenty-off", `{"sourceId":"take-c1","locationId":"loc-1"}`); again.status != http.StatusCreated ||
		again.header.Get("Idempotent-Replayed") != "true" || decode[reward.VoucherView](t, again).Code != v.Code {
		t.Fatalf("the same take again: %d %v %s", again.status, again.header, again.body)
	}
	if b := decode[struct{ Balance int }](t, s.staffCall(t, "agent", "loc-1", "GET", "/v1/loyalty/c-1", "")); b.Balance != 200 {
		t.Fatalf("balance after the take: %d, want 200", b.Balance)
	}
	list := decode[struct{ Vouchers []reward.VoucherView }](t, s.staffCall(t, "agent", "loc-1", "GET", "/v1/customers/c-1/vouchers", ""))
	if len(list.Vouchers) != 1 || list.Vouchers[0].Code != v.Code {
		t.Fatalf("c-1's vouchers: %+v", list)
	}

	// A point of sale of loc-2 alone finds no such voucher; a system seeing both
	// locations redeeming at loc-2 is told where it is valid; a mistyped code is a 400.
	path := "/v1/vouchers/" + v.Printed + "/redeem"
	if r := s.staffCall(t, "system", "loc-2", "POST", path, `{"sourceId":"pos-2:bill-9","locationId":"loc-2"}`); r.status != http.StatusNotFound {
		t.Fatalf("redeem by loc-2's till: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "system", "loc-1,loc-2", "POST", path, `{"sourceId":"pos-2:bill-9","locationId":"loc-2"}`); r.status != http.StatusConflict || fieldsOrDetail(t, r) != "this voucher is not valid at this location: only at loc-1" {
		t.Fatalf("redeem at loc-2: %d %s", r.status, r.body)
	}
	typo := []byte(v.Code)
	typo[3] = map[bool]byte{true: 'A', false: 'B'}[typo[3] != 'A']
	if r := s.staffCall(t, "system", "loc-1", "GET", "/v1/vouchers/"+string(typo), ""); r.status != http.StatusBadRequest {
		t.Fatalf("a mistyped code: %d %s", r.status, r.body)
	}

	// 200 tills redeem the code at once, each for its own bill: one 201, 199 409s.
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	winner := ""
	for i := range 200 {
		wg.Go(func() {
			bill := fmt.Sprintf("pos-1:bill-%03d", i)
			r := s.staffCall(t, "system", "loc-1", "POST", path, fmt.Sprintf(`{"sourceId":%q,"locationId":"loc-1"}`, bill))
			mu.Lock()
			defer mu.Unlock()
			statuses[r.status]++
			if r.status == http.StatusCreated {
				winner = bill
			}
		})
	}
	wg.Wait()
	if statuses[http.StatusCreated] != 1 || statuses[http.StatusConflict] != 199 {
		t.Fatalf("200 concurrent redeems: %v, want one 201 and 199 409s", statuses)
	}
	// The winning till repeating itself gets its redemption back; the bill refunded,
	// the redemption is reversed once, and the voucher may be used again.
	if r := s.staffCall(t, "system", "loc-1", "POST", path, fmt.Sprintf(`{"sourceId":%q,"locationId":"loc-1"}`, winner)); r.status != http.StatusCreated || r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the winning till again: %d %v %s", r.status, r.header, r.body)
	}
	rev := s.staffCall(t, "system", "loc-1", "POST", "/v1/vouchers/"+v.Code+"/reverse", fmt.Sprintf(`{"sourceId":%q}`, winner))
	if rev.status != http.StatusOK || decode[reward.VoucherView](t, rev).Status != reward.StatusIssued {
		t.Fatalf("reverse: %d %s", rev.status, rev.body)
	}

	// A manager issues a voucher by hand, valid at loc-1, and a till redeems it.
	byHand := s.staffCall(t, "manager", "loc-1", "POST", "/v1/vouchers", `{"customerId":"c-2","value":{"percentOff":15},"locationIds":["loc-1"],"validDays":7,"reason":"waited too long","locationId":"loc-1"}`)
	if byHand.status != http.StatusCreated {
		t.Fatalf("issue by hand: %d %s", byHand.status, byHand.body)
	}
	if r := s.staffCall(t, "system", "loc-1", "POST", "/v1/vouchers/"+decode[reward.VoucherView](t, byHand).Code+"/redeem", `{"sourceId":"pos-1:bill-500","locationId":"loc-1"}`); r.status != http.StatusCreated {
		t.Fatalf("redeem the hand-issued voucher: %d %s", r.status, r.body)
	}
	// The voucher report counts what happened, kept as it happened: two issued at
	// loc-1, the take's redemption reversed, the hand-issued one redeemed, 800 points
	// spent on twenty-off.
	rep := decode[reward.Report](t, s.staffCall(t, "manager", "loc-1", "GET", "/v1/reports/vouchers?locationId=loc-1&from=2026-12-01&to=2026-12-31", ""))
	tea := rep.ByReward["twenty-off"]
	if rep.Total.Issued != 2 || rep.Total.Redeemed != 1 || rep.Total.PointsSpent != 800 || rep.Total.RedemptionRate == nil || *rep.Total.RedemptionRate != 0.5 ||
		tea.Issued != 1 || tea.Redeemed != 0 || tea.PointsSpent != 800 || rep.ByLocation["loc-1"].Issued != 2 || len(rep.ByLocation) != 1 {
		t.Fatalf("voucher report: %+v", rep)
	}
	if r := s.staffCall(t, "manager", "loc-2", "GET", "/v1/reports/vouchers?locationId=loc-1", ""); r.status != http.StatusNotFound {
		t.Fatalf("loc-2's manager asking for loc-1's report: %d %s", r.status, r.body)
	}

	// After its expiry a redeem is 410 Gone, and nothing changes (issued, redeemed and
	// reversed: version 3).
	clk.Advance(31 * 24 * time.Hour)
	if r := s.staffCall(t, "system", "loc-1", "POST", path, `{"sourceId":"pos-1:bill-late","locationId":"loc-1"}`); r.status != http.StatusGone {
		t.Fatalf("redeem after expiry: %d %s", r.status, r.body)
	}
	late := decode[reward.VoucherView](t, s.staffCall(t, "agent", "loc-1", "GET", "/v1/vouchers/"+v.Code, ""))
	if late.Status != reward.StatusExpired || late.Redemption != nil || late.Version != 3 {
		t.Fatalf("after expiry: %s v%d %+v", late.Status, late.Version, late.Redemption)
	}
	// The voucher-timers job counts it expired, once, on its expiry day (5 January) at loc-1,
	// where it was issued; the hand-issued one, redeemed, is not.
	s.runJob(t, "voucher-timers")
	s.runJob(t, "voucher-timers")
	jan := decode[reward.Report](t, s.staffCall(t, "manager", "loc-1", "GET", "/v1/reports/vouchers?locationId=loc-1&from=2027-01-01&to=2027-01-31", ""))
	if jan.Total.Expired != 1 || jan.ByReward["twenty-off"].Expired != 1 || jan.ByLocation["loc-1"].Expired != 1 || jan.Total.Issued != 0 {
		t.Fatalf("January's voucher report: %+v", jan)
	}
}

// fieldsOrDetail is a problem body's detail.
func fieldsOrDetail(t *testing.T, r reply) string {
	t.Helper()
	return decode[struct{ Detail string }](t, r).Detail
}
