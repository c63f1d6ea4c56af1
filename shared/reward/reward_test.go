package reward

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
)

// fields are the fields an error names, in order.
func fields(err error) []string {
	var p *problem.Error
	if !errors.As(err, &p) {
		return nil
	}
	var out []string
	for _, f := range p.Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestValidateNamesEveryWrongField: one pass names each wrong field of a reward.
func TestValidateNamesEveryWrongField(t *testing.T) {
	good := Reward{ID: "ten-off", Name: i18n.Texts[string]{"zh-CN": "满减十元", "en": "10 off"}, PointsCost: 500,
		Kind: KindVoucher, Value: Value{AmountOff: 10, Currency: "CNY"}, ValidDays: 60, Active: true}
	if err := good.Validate(); err != nil {
		t.Fatalf("a good reward: %v", err)
	}
	minus := -1
	bad := Reward{ID: "ten off", Name: i18n.Texts[string]{"en": "10 off", "fr": "10 de moins"}, PointsCost: 0,
		Kind: KindVoucher, Value: Value{AmountOff: 10.005, Currency: "yuan"}, Stock: &minus, ValidDays: 0,
		LocationIDs: []string{"loc-1", "loc-1"}, Tiers: []string{"gold", ""}}
	want := []string{"rewardId", "name.zh-CN", "name.fr", "pointsCost", "value.amountOff", "value.currency", "stock", "validDays", "locations[1]", "tiers[1]"}
	if got := fields(bad.Validate()); !slices.Equal(got, want) {
		t.Fatalf("fields named: %v\nwant %v", got, want)
	}
	for _, c := range []struct {
		v    Value
		kind string
		want []string
	}{
		{Value{PercentOff: 15}, KindVoucher, nil},
		{Value{PercentOff: 101}, KindVoucher, []string{"value.percentOff"}},
		{Value{AmountOff: 5, Currency: "CNY", PercentOff: 5}, KindVoucher, []string{"value.percentOff"}},
		{Value{}, KindVoucher, []string{"value.amountOff"}},
		{Value{PercentOff: 10}, KindGift, []string{"value"}},
		{Value{}, KindGift, nil},
	} {
		r := good
		r.Value, r.Kind = c.v, c.kind
		if got := fields(r.Validate()); !slices.Equal(got, c.want) {
			t.Errorf("%s %+v: fields %v, want %v", c.kind, c.v, got, c.want)
		}
	}
}

// TestOfferedSaysWhatStandsInTheWay: tier, location, stock and points, in words.
func TestOfferedSaysWhatStandsInTheWay(t *testing.T) {
	none := 0
	r := Reward{PointsCost: 800, Active: true, Tiers: []string{"gold"}, LocationIDs: []string{"loc-1"}}
	for _, c := range []struct {
		edit      func(*Reward)
		tier, loc string
		points    int
		ok        bool
		why       Why
	}{
		{nil, "gold", "loc-1", 800, true, Why{}},
		{nil, "silver", "loc-1", 5000, false, Why{"only members of tier gold may take this reward", "reward-tier", map[string]any{"tiers": []string{"gold"}}}},
		{nil, "gold", "loc-2", 5000, false, Why{"this reward is not offered at this location", "reward-location", nil}},
		{nil, "gold", "loc-1", 799, false, Why{"not enough points: 799 available, 800 needed", "points-short", map[string]any{"available": 799, "needed": 800}}},
		{func(r *Reward) { r.Stock = &none }, "gold", "loc-1", 5000, false, Why{"this reward is out of stock", "reward-out-of-stock", nil}},
		{func(r *Reward) { r.Active = false }, "gold", "loc-1", 5000, false, Why{"this reward is no longer offered", "reward-withdrawn", nil}},
	} {
		rr := r
		if c.edit != nil {
			c.edit(&rr)
		}
		if ok, why := rr.Offered(c.tier, c.loc, c.points); ok != c.ok || !reflect.DeepEqual(why, c.why) {
			t.Errorf("%s at %s with %d: %v %#v, want %v %#v", c.tier, c.loc, c.points, ok, why, c.ok, c.why)
		}
	}
}

// TestTallySumsCountersByRewardAndCampaign: two locations' days added up, the rate
// from the parts, none where nothing was issued.
func TestTallySumsCountersByRewardAndCampaign(t *testing.T) {
	rep := Tally("2026-12-01", "2026-12-07", []string{"loc-1", "loc-2"}, []kpi.Counts{
		{Issued: 3, Issued + "|r|tea": 2, Issued + "|c|xmas": 1, Redeemed: 1, Redeemed + "|r|tea": 1, PointsSpent: 1600, PointsSpent + "|r|tea": 1600, "locationId": 0},
		{Issued: 1, Issued + "|c|xmas": 1, Redeemed: 2, Redeemed + "|c|xmas": 2, Cancelled: 1, Redeemed + "|r|tea": -1},
	})
	rate := func(f Figures) float64 {
		if f.RedemptionRate == nil {
			return -1
		}
		return *f.RedemptionRate
	}
	if got := rep.Total; got.Issued != 4 || got.Redeemed != 3 || got.Cancelled != 1 || got.PointsSpent != 1600 || rate(got) != 0.75 {
		t.Errorf("total %+v, rate %v; want 4 issued, 3 redeemed, 1 cancelled, 1600 points, 0.75", got, rate(got))
	}
	if got := rep.ByReward["tea"]; got.Issued != 2 || got.Redeemed != 0 || got.PointsSpent != 1600 || rate(got) != 0 {
		t.Errorf("tea %+v; want 2 issued, 0 redeemed (one reversed), 1600 points, rate 0", got)
	}
	if got := rep.ByCampaign["xmas"]; got.Issued != 2 || got.Redeemed != 2 || rate(got) != 1 {
		t.Errorf("xmas %+v; want 2 issued, 2 redeemed, rate 1", got)
	}
	if empty := Tally("2026-12-01", "2026-12-01", nil, nil).Total; empty.RedemptionRate != nil {
		t.Errorf("no vouchers: rate %v, want none", *empty.RedemptionRate)
	}
}

// A reward id starts with a letter or digit and is at most 64 characters; the length
// is checked apart from the pattern.
func TestRewardIDLimits(t *testing.T) {
	for _, c := range []struct {
		id   string
		want bool
	}{
		{"free-coffee", true},
		{strings.Repeat("r", 64), true},
		{strings.Repeat("r", 65), false},
		{"_coffee", false},
		{"coffee.large", false},
	} {
		if got := validID(c.id); got != c.want {
			t.Errorf("validID(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}
