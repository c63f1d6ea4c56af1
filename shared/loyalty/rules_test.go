package loyalty

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/problem"
)

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fieldsOf is the fields named by a problem error, nil for nil.
func problemFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Kind != problem.Invalid {
		t.Fatalf("error %v is not an invalid problem", err)
	}
	var names []string
	for _, f := range pe.Fields {
		names = append(names, f.Field)
	}
	return names
}

func pointsRules() Rules {
	r := DefaultRules()
	r.Version = 7
	r.LocationMultipliers = map[string]float64{"spa": 2, "lobby": 1.15}
	r.Promotions = []Promotion{
		{ID: "spring", From: instant("2027-03-01T00:00:00Z"), To: instant("2027-04-01T00:00:00Z"), Multiplier: 2},
		{ID: "spa-week", From: instant("2027-03-10T00:00:00Z"), To: instant("2027-03-17T00:00:00Z"), Multiplier: 3,
			Locations: []string{"spa"}},
		{ID: "vip", From: instant("2027-03-01T00:00:00Z"), To: instant("2027-04-01T00:00:00Z"), Multiplier: 4,
			Segments: []string{"vip", "platinum"}},
	}
	return r
}

func TestPoints(t *testing.T) {
	quiet := instant("2027-02-15T12:00:00Z") // no promotion runs
	mid := instant("2027-03-12T12:00:00Z")   // all three promotions run
	for _, c := range []struct {
		name       string
		cap        int
		ppu        float64 // 0: the default 1
		in         EarnInput
		want       Applied
		wantFields []string
	}{
		{name: "base: 1 point per yuan, rounded down",
			in:   EarnInput{Amount: 250.75, Currency: "CNY", At: quiet},
			want: Applied{RulesVersion: 7, Base: 250.75, Points: 250}},
		{name: "zero amount earns nothing",
			in:   EarnInput{Amount: 0, Currency: "CNY", At: quiet},
			want: Applied{RulesVersion: 7, Base: 0, Points: 0}},
		{name: "points per unit 10", ppu: 10,
			in:   EarnInput{Amount: 19.99, Currency: "CNY", At: quiet},
			want: Applied{RulesVersion: 7, Base: 199.9, Points: 199}},
		{name: "location multiplier",
			in:   EarnInput{Amount: 100, Currency: "CNY", LocationID: "spa", At: quiet},
			want: Applied{RulesVersion: 7, Base: 100, Multipliers: map[string]float64{"location": 2}, Points: 200}},
		{name: "location not listed counts as 1",
			in:   EarnInput{Amount: 100, Currency: "CNY", LocationID: "bar", At: quiet},
			want: Applied{RulesVersion: 7, Base: 100, Points: 100}},
		{name: "tier multiplier gold",
			in:   EarnInput{Amount: 100, Currency: "CNY", Tier: "gold", At: quiet},
			want: Applied{RulesVersion: 7, Base: 100, Multipliers: map[string]float64{"tier": 1.5}, Points: 150}},
		{name: "tier without a multiplier counts as 1",
			in:   EarnInput{Amount: 100, Currency: "CNY", Tier: "silver", At: quiet},
			want: Applied{RulesVersion: 7, Base: 100, Points: 100}},
		{name: "location and tier multiply",
			in: EarnInput{Amount: 100, Currency: "CNY", LocationID: "spa", Tier: "gold", At: quiet},
			want: Applied{RulesVersion: 7, Base: 100,
				Multipliers: map[string]float64{"location": 2, "tier": 1.5}, Points: 300}},
		{name: "promotion from is inclusive",
			in: EarnInput{Amount: 100, Currency: "CNY", LocationID: "bar", At: instant("2027-03-01T00:00:00Z")},
			want: Applied{RulesVersion: 7, Base: 100,
				Multipliers: map[string]float64{"promotion:spring": 2}, Points: 200}},
		{name: "a second before from no promotion",
			in:   EarnInput{Amount: 100, Currency: "CNY", LocationID: "bar", At: instant("2027-02-28T23:59:59Z")},
			want: Applied{RulesVersion: 7, Base: 100, Points: 100}},
		{name: "a nanosecond before to still promoted",
			in: EarnInput{Amount: 100, Currency: "CNY", LocationID: "bar", At: instant("2027-03-31T23:59:59.999999999Z")},
			want: Applied{RulesVersion: 7, Base: 100,
				Multipliers: map[string]float64{"promotion:spring": 2}, Points: 200}},
		{name: "promotion to is exclusive",
			in:   EarnInput{Amount: 100, Currency: "CNY", LocationID: "bar", At: instant("2027-04-01T00:00:00Z")},
			want: Applied{RulesVersion: 7, Base: 100, Points: 100}},
		{name: "location promotion at its location: best of several, not stacked",
			in: EarnInput{Amount: 100, Currency: "CNY", LocationID: "spa", At: mid},
			want: Applied{RulesVersion: 7, Base: 100,
				Multipliers: map[string]float64{"location": 2, "promotion:spa-week": 3}, Points: 600}},
		{name: "location promotion elsewhere does not apply",
			in: EarnInput{Amount: 100, Currency: "CNY", LocationID: "bar", At: mid},
			want: Applied{RulesVersion: 7, Base: 100,
				Multipliers: map[string]float64{"promotion:spring": 2}, Points: 200}},
		{name: "segment matched by tag",
			in: EarnInput{Amount: 100, Currency: "CNY", LocationID: "bar", Segments: []string{"family", "vip"}, At: mid},
			want: Applied{RulesVersion: 7, Base: 100,
				Multipliers: map[string]float64{"promotion:vip": 4}, Points: 400}},
		{name: "segment matched by tier name",
			in: EarnInput{Amount: 100, Currency: "CNY", LocationID: "bar", Tier: "platinum", At: mid},
			want: Applied{RulesVersion: 7, Base: 100,
				Multipliers: map[string]float64{"tier": 2, "promotion:vip": 4}, Points: 800}},
		{name: "segment not held",
			in: EarnInput{Amount: 100, Currency: "CNY", LocationID: "bar", Tier: "silver", Segments: []string{"family"}, At: mid},
			want: Applied{RulesVersion: 7, Base: 100,
				Multipliers: map[string]float64{"promotion:spring": 2}, Points: 200}},
		{name: "cap", cap: 500,
			in:   EarnInput{Amount: 1000, Currency: "CNY", At: quiet},
			want: Applied{RulesVersion: 7, Base: 1000, Capped: true, Points: 500}},
		{name: "cap after multipliers", cap: 500,
			in: EarnInput{Amount: 300, Currency: "CNY", LocationID: "spa", At: quiet},
			want: Applied{RulesVersion: 7, Base: 300,
				Multipliers: map[string]float64{"location": 2}, Capped: true, Points: 500}},
		{name: "exactly the cap is not capped", cap: 500,
			in:   EarnInput{Amount: 500.99, Currency: "CNY", At: quiet},
			want: Applied{RulesVersion: 7, Base: 500.99, Points: 500}},
		{name: "rounding: 99.99 × 1.5 is 149.985 → 149",
			in:   EarnInput{Amount: 99.99, Currency: "CNY", Tier: "gold", At: quiet},
			want: Applied{RulesVersion: 7, Base: 99.99, Multipliers: map[string]float64{"tier": 1.5}, Points: 149}},
		{name: "rounding: 100 × 1.15 keeps its 115th point (float64 says 114.999…)",
			in: EarnInput{Amount: 100, Currency: "CNY", LocationID: "lobby", At: quiet},
			want: Applied{RulesVersion: 7, Base: 100,
				Multipliers: map[string]float64{"location": 1.15}, Points: 115}},
		{name: "rounding: 200 × 1.15 × 1.5 is exactly 345",
			in: EarnInput{Amount: 200, Currency: "CNY", LocationID: "lobby", Tier: "gold", At: quiet},
			want: Applied{RulesVersion: 7, Base: 200,
				Multipliers: map[string]float64{"location": 1.15, "tier": 1.5}, Points: 345}},
		{name: "currency mismatch",
			in: EarnInput{Amount: 100, Currency: "USD", At: quiet}, wantFields: []string{"currency"}},
		{name: "negative amount",
			in: EarnInput{Amount: -1, Currency: "CNY", At: quiet}, wantFields: []string{"amount"}},
		{name: "NaN amount",
			in: EarnInput{Amount: math.NaN(), Currency: "CNY", At: quiet}, wantFields: []string{"amount"}},
		{name: "infinite amount",
			in: EarnInput{Amount: math.Inf(1), Currency: "CNY", At: quiet}, wantFields: []string{"amount"}},
		{name: "absurd amount",
			in: EarnInput{Amount: 2e9, Currency: "CNY", At: quiet}, wantFields: []string{"amount"}},
		{name: "both wrong, both named",
			in: EarnInput{Amount: -5, Currency: "", At: quiet}, wantFields: []string{"currency", "amount"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := pointsRules()
			r.CapPerTransaction = c.cap
			if c.ppu != 0 {
				r.PointsPerUnit = c.ppu
			}
			got, err := r.Points(c.in)
			if f := problemFields(t, err); !reflect.DeepEqual(f, c.wantFields) {
				t.Fatalf("error fields %v (%v), want %v", f, err, c.wantFields)
			}
			if err == nil && !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestRulesValidate(t *testing.T) {
	from := instant("2027-03-01T00:00:00Z")
	for _, c := range []struct {
		name   string
		change func(r *Rules)
		want   []string
	}{
		{"defaults are valid", func(r *Rules) {}, nil},
		{"a full valid set", func(r *Rules) {
			r.LocationMultipliers = map[string]float64{"spa": 2, "closed-bar": 0}
			r.Promotions = []Promotion{{ID: "spring", From: from, To: from.AddDate(0, 1, 0), Multiplier: 2}}
			r.CapPerTransaction = 10000
			r.PendingDays = 14
		}, nil},
		{"currency not a code", func(r *Rules) { r.Currency = "cny" }, []string{"currency"}},
		{"points per unit zero", func(r *Rules) { r.PointsPerUnit = 0 }, []string{"pointsPerUnit"}},
		{"points per unit NaN", func(r *Rules) { r.PointsPerUnit = math.NaN() }, []string{"pointsPerUnit"}},
		{"thresholds not ascending", func(r *Rules) {
			r.Tiers = []Tier{{"member", 0}, {"silver", 1000}, {"gold", 1000}, {"platinum", 500}}
		}, []string{"tiers[2].threshold", "tiers[3].threshold"}},
		{"first threshold not 0", func(r *Rules) { r.Tiers[0].Threshold = 100 }, []string{"tiers[0].threshold"}},
		{"tier names missing or repeated", func(r *Rules) {
			r.Tiers = []Tier{{"member", 0}, {"", 1000}, {"gold", 5000}, {"gold", 20000}}
			r.TierMultipliers = nil
		}, []string{"tiers[1].name", "tiers[3].name"}},
		{"no tiers", func(r *Rules) { r.Tiers = nil; r.TierMultipliers = nil }, []string{"tiers"}},
		{"negative multipliers", func(r *Rules) {
			r.LocationMultipliers = map[string]float64{"spa": -1, "lobby": 1.2}
			r.TierMultipliers["gold"] = -1.5
		}, []string{"locationMultipliers.spa", "tierMultipliers.gold"}},
		{"multiplier for a tier that does not exist", func(r *Rules) {
			r.TierMultipliers["golf"] = 1.2
		}, []string{"tierMultipliers.golf"}},
		{"promotion to equal to or before from", func(r *Rules) {
			r.Promotions = []Promotion{
				{ID: "a", From: from, To: from, Multiplier: 2},
				{ID: "b", From: from, To: from.Add(-time.Hour), Multiplier: 0},
			}
		}, []string{"promotions[0].to", "promotions[1].multiplier", "promotions[1].to"}},
		{"promotion ids missing or repeated, from missing", func(r *Rules) {
			r.Promotions = []Promotion{
				{ID: "a", From: from, To: from.Add(time.Hour), Multiplier: 2},
				{ID: "a", From: from, To: from.Add(time.Hour), Multiplier: 2},
				{To: from, Multiplier: 2},
			}
		}, []string{"promotions[1].id", "promotions[2].id", "promotions[2].from"}},
		{"negative counts and no expiry", func(r *Rules) {
			r.CapPerTransaction, r.PendingDays, r.GraceDays = -1, -1, -1
			r.Referral.MaxPerYear = -1
			r.ExpiryMonths = 0
		}, []string{"capPerTransaction", "pendingDays", "graceDays", "referral.maxPerYear", "expiryMonths"}},
		{"negative bonuses and qualifying amount", func(r *Rules) {
			r.Referral.ReferrerBonus, r.Referral.RefereeBonus, r.BirthdayBonus = -500, -200, -100
			r.Referral.QualifyingAmount = -1
		}, []string{"referral.referrerBonus", "referral.refereeBonus", "birthdayBonus", "referral.qualifyingAmount"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := DefaultRules()
			c.change(&r)
			if got := problemFields(t, r.Validate()); !reflect.DeepEqual(got, c.want) {
				t.Errorf("fields %v, want %v", got, c.want)
			}
		})
	}
}

func TestRulesDefaults(t *testing.T) {
	r := DefaultRules()
	want := []Tier{{"member", 0}, {"silver", 1000}, {"gold", 5000}, {"platinum", 20000}}
	if !reflect.DeepEqual(r.Tiers, want) {
		t.Errorf("tiers %v, want %v", r.Tiers, want)
	}
	if r.Currency != "CNY" || r.PointsPerUnit != 1 || r.ExpiryMonths != 12 || r.ReminderDays != 30 ||
		r.GraceDays != 30 || r.PendingDays != 0 || r.CapPerTransaction != 0 || r.BirthdayBonus != 100 ||
		r.TierMultipliers["gold"] != 1.5 {
		t.Errorf("defaults %+v", r)
	}
	if want := (ReferralRules{ReferrerBonus: 500, RefereeBonus: 200, QualifyingAmount: 100, MaxPerYear: 20}); r.Referral != want {
		t.Errorf("referral %+v, want %+v", r.Referral, want)
	}
}
