package reward

import (
	"errors"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/shared/i18n"
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
		why       string
	}{
		{nil, "gold", "loc-1", 800, true, ""},
		{nil, "silver", "loc-1", 5000, false, "only members of tier gold may take this reward"},
		{nil, "gold", "loc-2", 5000, false, "this reward is not offered at this location"},
		{nil, "gold", "loc-1", 799, false, "not enough points: 799 available, 800 needed"},
		{func(r *Reward) { r.Stock = &none }, "gold", "loc-1", 5000, false, "this reward is out of stock"},
		{func(r *Reward) { r.Active = false }, "gold", "loc-1", 5000, false, "this reward is no longer offered"},
	} {
		rr := r
		if c.edit != nil {
			c.edit(&rr)
		}
		if ok, why := rr.Offered(c.tier, c.loc, c.points); ok != c.ok || why != c.why {
			t.Errorf("%s at %s with %d: %v %q, want %v %q", c.tier, c.loc, c.points, ok, why, c.ok, c.why)
		}
	}
}
