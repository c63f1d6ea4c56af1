package segment_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/segment"
)

// campaignVouchers are the vouchers of the campaign among customers', by customer.
func campaignVouchers(t *testing.T, s *segment.Service, campaign string, customers ...string) map[string][]reward.Voucher {
	t.Helper()
	out := map[string][]reward.Voucher{}
	for _, cid := range customers {
		vs, err := s.Rewards.Vouchers(context.Background(), cid, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Source.Kind == reward.SourceCampaign && v.Source.ID == campaign {
				out[cid] = append(out[cid], v)
			}
		}
	}
	return out
}

// voucherReport is the voucher report of loc-1 on the fixture's day (Shanghai).
func voucherReport(t *testing.T, s *segment.Service) reward.Report {
	t.Helper()
	byDay, err := kpi.Read(context.Background(), s.Rewards.DB, s.Rewards.Table, "loc-1", kpi.Day, "2026-11-23", "2026-11-23")
	if err != nil {
		t.Fatal(err)
	}
	var all []kpi.Counts
	for _, c := range byDay {
		all = append(all, c)
	}
	return reward.Tally("2026-11-23", "2026-11-23", []string{"loc-1"}, all)
}

// A campaign to a segment of three members with a voucher of 20 CNY for 30 days issues
// exactly three vouchers, each recording the campaign; launched again (a relaunch, or
// a retried request) it issues none, and the voucher report counts three for it.
func TestCampaignVoucherOncePerMember(t *testing.T) {
	s := newFixture(t)
	ctx := context.Background()
	if _, err := s.RecomputeValue(ctx, t0); err != nil {
		t.Fatal(err)
	}
	seg, err := s.Create(ctx, manager, segment.Segment{Name: "Best guests", Filter: segment.Filter{LocationID: "loc-1", ABC: []string{"A", "B"}}})
	if err != nil {
		t.Fatal(err)
	}
	launch := segment.Campaign{ID: "winter-20", Message: map[string]string{"en": "A gift for you", "zh-CN": "送您一张礼券"},
		Voucher: &segment.CampaignVoucher{Value: reward.Value{AmountOff: 20, Currency: "CNY"}, ValidDays: 30}}
	c, err := s.Launch(ctx, manager, seg.ID, launch)
	if err != nil || c.Scheduled != 3 || c.VouchersIssued != 3 {
		t.Fatalf("campaign %+v %v; want 3 messages and 3 vouchers", c, err)
	}
	for range 2 {
		again, err := s.Launch(ctx, manager, seg.ID, launch)
		if err != nil || again.Scheduled != 0 || again.VouchersIssued != 0 {
			t.Fatalf("the campaign again: %+v %v; want nothing new", again, err)
		}
	}
	members := []string{"c-1", "c-2", "c-3", "c-4", "c-5"}
	got := campaignVouchers(t, s, "winter-20", members...)
	if len(got) != 3 || len(got["c-1"]) != 1 || len(got["c-2"]) != 1 || len(got["c-3"]) != 1 {
		t.Fatalf("the campaign's vouchers by customer: %+v; want one each for c-1, c-2 and c-3", got)
	}
	v := got["c-2"][0]
	want := reward.Source{Kind: reward.SourceCampaign, ID: "winter-20"}
	if v.Source != want || v.Value != (reward.Value{AmountOff: 20, Currency: "CNY"}) || v.Status(t0) != reward.StatusIssued ||
		!slices.Equal(v.LocationIDs, []string{"loc-1"}) || v.LocationID != "loc-1" || v.IssuedBy != "mgr" ||
		!v.ExpiresAt.Equal(t0.Add(30*24*time.Hour)) {
		t.Fatalf("c-2's voucher: %+v", v)
	}

	// The report counts three issued for the campaign; one redeemed is a rate of 1/3.
	rep := voucherReport(t, s)
	if f := rep.ByCampaign["winter-20"]; f.Issued != 3 || f.Redeemed != 0 || f.RedemptionRate == nil || *f.RedemptionRate != 0 {
		t.Fatalf("the report by campaign: %+v", rep.ByCampaign)
	}
	if _, _, err := s.Rewards.Redeem(ctx, v, "bill-1", "loc-1", "pos", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if f := voucherReport(t, s).ByCampaign["winter-20"]; f.Issued != 3 || f.Redeemed != 1 || f.RedemptionRate == nil || *f.RedemptionRate != 1.0/3 {
		t.Fatalf("the report after a redemption: %+v", f)
	}

	// A catalogue gift with no stock limit: each member gets the gift, named as the
	// catalogue names it, counted by campaign and by reward.
	tea := reward.Reward{ID: "tea", Name: i18n.Texts[string]{"zh-CN": "双人下午茶", "en": "Afternoon tea for two"}, PointsCost: 900,
		Kind: reward.KindGift, ValidDays: 60, Active: true}
	if _, err := s.Rewards.SaveReward(ctx, tea, t0); err != nil {
		t.Fatal(err)
	}
	c, err = s.Launch(ctx, manager, seg.ID, segment.Campaign{ID: "tea-time", TemplateID: "win-back", Voucher: &segment.CampaignVoucher{RewardID: "tea"}})
	if err != nil || c.VouchersIssued != 3 {
		t.Fatalf("the gift campaign: %+v %v", c, err)
	}
	gift := campaignVouchers(t, s, "tea-time", "c-1")["c-1"]
	if len(gift) != 1 || gift[0].Kind != reward.KindGift || gift[0].Name["en"] != "Afternoon tea for two" || gift[0].Source.RewardID != "tea" ||
		len(gift[0].LocationIDs) != 0 || !gift[0].ExpiresAt.Equal(t0.Add(60*24*time.Hour)) {
		t.Fatalf("c-1's gift: %+v", gift)
	}
	if rep := voucherReport(t, s); rep.ByCampaign["tea-time"].Issued != 3 || rep.ByReward["tea"].Issued != 3 || rep.Total.Issued != 6 {
		t.Fatalf("the report: total %+v, by campaign %+v, by reward %+v", rep.Total, rep.ByCampaign, rep.ByReward)
	}
}

// A campaign's voucher with a wrong field is a 400 naming it, and nothing is written:
// no voucher and no message.
func TestCampaignVoucherBadInput(t *testing.T) {
	s := newFixture(t)
	ctx := context.Background()
	if _, err := s.RecomputeValue(ctx, t0); err != nil {
		t.Fatal(err)
	}
	seg, err := s.Create(ctx, manager, segment.Segment{Name: "Everyone", Filter: segment.Filter{LocationID: "loc-1"}})
	if err != nil {
		t.Fatal(err)
	}
	limited, gone := 5, reward.Reward{ID: "gone", Name: i18n.Texts[string]{"zh-CN": "旧券", "en": "Old"}, PointsCost: 10,
		Kind: reward.KindVoucher, Value: reward.Value{PercentOff: 10}, ValidDays: 10, Active: false}
	for _, r := range []reward.Reward{gone,
		{ID: "few", Name: i18n.Texts[string]{"zh-CN": "限量", "en": "Few"}, PointsCost: 10, Kind: reward.KindGift, ValidDays: 10, Active: true, Stock: &limited},
		{ID: "west", Name: i18n.Texts[string]{"zh-CN": "西店", "en": "West"}, PointsCost: 10, Kind: reward.KindGift, ValidDays: 10, Active: true, LocationIDs: []string{"loc-2"}},
	} {
		if _, err := s.Rewards.SaveReward(ctx, r, t0); err != nil {
			t.Fatal(err)
		}
	}
	cny := reward.Value{AmountOff: 20, Currency: "CNY"}
	for _, c := range []struct {
		name    string
		id      string
		voucher segment.CampaignVoucher
		fields  []string
	}{
		{"no value", "", segment.CampaignVoucher{ValidDays: 30}, []string{"voucher.value.amountOff"}},
		{"no validity", "", segment.CampaignVoucher{Value: cny}, []string{"voucher.validDays"}},
		{"a negative validity and a percentage over 100", "", segment.CampaignVoucher{Value: reward.Value{PercentOff: 120}, ValidDays: -1},
			[]string{"voucher.value.percentOff", "voucher.validDays"}},
		{"an amount with no currency", "", segment.CampaignVoucher{Value: reward.Value{AmountOff: 5}, ValidDays: 30}, []string{"voucher.value.currency"}},
		{"another location", "", segment.CampaignVoucher{Value: cny, ValidDays: 30, LocationIDs: []string{"loc-1", "loc-9"}}, []string{"voucher.locationIds[1]"}},
		{"a reward not in the catalogue", "", segment.CampaignVoucher{RewardID: "nope"}, []string{"voucher.rewardId"}},
		{"a reward no longer offered", "", segment.CampaignVoucher{RewardID: "gone"}, []string{"voucher.rewardId"}},
		{"a reward with a stock", "", segment.CampaignVoucher{RewardID: "few"}, []string{"voucher.rewardId"}},
		{"another location's reward", "", segment.CampaignVoucher{RewardID: "west"}, []string{"voucher.rewardId"}},
		{"a reward and a value", "", segment.CampaignVoucher{RewardID: "gone", Value: cny, ValidDays: 3}, []string{"voucher.rewardId"}},
		{"a campaign id that cannot key", "a#b", segment.CampaignVoucher{Value: cny, ValidDays: 30}, []string{"campaignId"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := c.voucher
			_, err := s.Launch(ctx, manager, seg.ID, segment.Campaign{ID: c.id, Message: map[string]string{"en": "Hi"}, Voucher: &v})
			var fields []string
			if pe, ok := err.(*problem.Error); ok {
				for _, f := range pe.Fields {
					fields = append(fields, f.Field)
				}
			}
			if problem.KindOf(err) != problem.Invalid || !reflect.DeepEqual(fields, c.fields) {
				t.Fatalf("error %v naming %v, want a 400 naming %v", err, fields, c.fields)
			}
		})
	}
	for _, cid := range []string{"c-1", "c-5"} {
		if vs, _ := s.Rewards.Vouchers(ctx, cid, 10); len(vs) != 0 {
			t.Fatalf("%s got vouchers from refused campaigns: %+v", cid, vs)
		}
		if fs, _, _ := s.Followups.ForCustomer(ctx, cid, 10, nil); len(fs) != 0 {
			t.Fatalf("%s got messages from refused campaigns: %+v", cid, fs)
		}
	}
}
