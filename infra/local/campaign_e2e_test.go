package local_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// vouchersOf are a customer's vouchers, as a manager of loc-1 reads them.
func (s *stack) vouchersOf(t *testing.T, cid string) []reward.VoucherView {
	t.Helper()
	return decode[struct{ Vouchers []reward.VoucherView }](t, s.staffCall(t, "manager", "loc-1", "GET", "/v1/customers/"+cid+"/vouchers", "")).Vouchers
}

// A campaign with a voucher and the birthday voucher, through the runner's real routes
// and jobs over DynamoDB Local: a campaign to a segment of three members issues three
// vouchers recording the campaign, a retried request and a relaunch none more, and the
// voucher report counts three for the campaign; the birthday job run twice on a
// member's birthday issues one voucher.
func TestCampaignAndBirthdayVouchersOverHTTP(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Clock = clk })
	locs := &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}
	if err := local.SeedLocation(t.Context(), locs, clk.Now()); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		body := fmt.Sprintf(`{"customerId":"cv-%d","name":"Guest %d","email":"cv%d@example.com","locationId":"loc-1"}`, i, i, i)
		if r := s.staffCall(t, "admin", "*", "POST", "/v1/customers", body); r.status != http.StatusCreated {
			t.Fatalf("profile %d: %d %s", i, r.status, r.body)
		}
	}
	seg := s.staffCall(t, "manager", "loc-1", "POST", "/v1/segments", `{"name":"Everyone at loc-1","filter":{"locationId":"loc-1"}}`)
	if seg.status != http.StatusCreated {
		t.Fatalf("segment: %d %s", seg.status, seg.body)
	}
	path := "/v1/segments/" + decode[struct{ SegmentID string }](t, seg).SegmentID + "/campaigns"

	// A voucher with no validity is a 400 naming it, and issues nothing.
	if r := s.staffCall(t, "manager", "loc-1", "POST", path, `{"campaignId":"bad","message":{"en":"Hi","zh-CN":"您好"},"voucher":{"value":{"amountOff":20,"currency":"CNY"}}}`); r.status != http.StatusBadRequest || fieldsOrDetail(t, r) != "voucher.validDays: must be from 1 to 3660" {
		t.Fatalf("a voucher with no validity: %d %s", r.status, r.body)
	}
	if vs := s.vouchersOf(t, "cv-1"); len(vs) != 0 {
		t.Fatalf("a refused campaign issued %+v", vs)
	}

	body := `{"campaignId":"winter-20","message":{"en":"A gift for you","zh-CN":"送您一张礼券"},"voucher":{"value":{"amountOff":20,"currency":"CNY"},"validDays":30}}`
	tok, err := s.issuer.Token("staff-manager", []string{"manager"}, []string{"loc-1"}, clk.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	send := func() reply {
		return s.do(t, "POST", path, "application/json", []byte(body), map[string]string{"Authorization": "Bearer " + tok, "Idempotency-Key": "launch-winter-20"})
	}
	first := send()
	if first.status != http.StatusCreated {
		t.Fatalf("launch: %d %s", first.status, first.body)
	}
	type launched struct{ Scheduled, Skipped, VouchersIssued int }
	if c := decode[launched](t, first); c != (launched{Scheduled: 3, VouchersIssued: 3}) {
		t.Fatalf("the launch: %+v", c)
	}
	// The same request retried is its reply again; the campaign launched again issues none.
	if again := send(); again.status != http.StatusCreated || again.body != first.body {
		t.Fatalf("the retried launch: %d %s", again.status, again.body)
	}
	if r := s.staffCall(t, "manager", "loc-1", "POST", path, body); r.status != http.StatusCreated || decode[launched](t, r) != (launched{}) {
		t.Fatalf("the relaunch: %d %s", r.status, r.body)
	}
	for i := 1; i <= 3; i++ {
		vs := s.vouchersOf(t, fmt.Sprintf("cv-%d", i))
		if len(vs) != 1 || vs[0].Source != (reward.Source{Kind: reward.SourceCampaign, ID: "winter-20"}) || vs[0].Status != reward.StatusIssued {
			t.Fatalf("cv-%d's vouchers: %+v", i, vs)
		}
	}
	rep := decode[reward.Report](t, s.staffCall(t, "manager", "loc-1", "GET", "/v1/reports/vouchers?locationId=loc-1", ""))
	if f := rep.ByCampaign["winter-20"]; f.Issued != 3 || f.Redeemed != 0 || f.RedemptionRate == nil || *f.RedemptionRate != 0 {
		t.Fatalf("the report by campaign: %+v", rep.ByCampaign)
	}

	// The birthday voucher: an admin adds it to the rules (a wrong one is a 400 naming
	// the field); cv-1's birthday is today in Shanghai, and the job run twice issues one.
	if r := s.staffCall(t, "manager", "loc-1", "PUT", "/v1/loyalty/cv-1/member", `{"email":"cv1@example.com","birthday":"1990-12-06","timeZone":"Asia/Shanghai"}`); r.status != http.StatusOK {
		t.Fatalf("enrol: %d %s", r.status, r.body)
	}
	var rules map[string]any
	if err := json.Unmarshal([]byte(s.staffCall(t, "admin", "*", "GET", "/v1/settings/loyalty", "").body), &rules); err != nil {
		t.Fatal(err)
	}
	rules["birthdayVoucher"] = map[string]any{"value": map[string]any{"percentOff": 10}, "validDays": 0}
	delete(rules, "updatedAt")
	put := func() reply {
		b, _ := json.Marshal(rules)
		return s.staffCall(t, "admin", "*", "PUT", "/v1/settings/loyalty", string(b))
	}
	if r := put(); r.status != http.StatusBadRequest || fieldsOrDetail(t, r) != "birthdayVoucher.validDays: must be from 1 to 3660" {
		t.Fatalf("a birthday voucher with no validity: %d %s", r.status, r.body)
	}
	// The voucher alone, no bonus: no year is recorded on the account, so the second run
	// finds the member due again and the voucher's claim answers it.
	rules["birthdayVoucher"] = map[string]any{"value": map[string]any{"percentOff": 10}, "validDays": 14}
	rules["birthdayBonus"] = 0
	if r := put(); r.status != http.StatusOK {
		t.Fatalf("rules: %d %s", r.status, r.body)
	}
	s.runJob(t, "loyalty-birthdays")
	clk.Set(clk.Now().Add(time.Hour))
	s.runJob(t, "loyalty-birthdays")
	var birthday []reward.VoucherView
	for _, v := range s.vouchersOf(t, "cv-1") {
		if v.Source.Kind == reward.SourceBirthday {
			birthday = append(birthday, v)
		}
	}
	if len(birthday) != 1 || birthday[0].Source.ID != "2026" || birthday[0].Value.PercentOff != 10 || birthday[0].LocationID != "loc-1" {
		t.Fatalf("cv-1's birthday vouchers: %+v", birthday)
	}
	if b := decode[struct{ Balance int }](t, s.staffCall(t, "manager", "loc-1", "GET", "/v1/loyalty/cv-1", "")); b.Balance != 0 {
		t.Fatalf("cv-1's balance %d, want 0: no bonus", b.Balance)
	}
	if vs := s.vouchersOf(t, "cv-2"); len(vs) != 1 {
		t.Fatalf("cv-2, not a member with a birthday, has %+v", vs)
	}
}
