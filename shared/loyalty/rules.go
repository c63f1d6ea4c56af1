// Package loyalty keeps each customer's points ledger and the rules that earn, expire,
// tier and reward those points.
package loyalty

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/shared/discount"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Rules are the earning and programme rules: data, stored as one versioned record and
// changed without a deploy. Every ledger entry records the Version that produced it.
type Rules struct {
	Currency      string  `dynamodbav:"currency" json:"currency"`
	PointsPerUnit float64 `dynamodbav:"pointsPerUnit" json:"pointsPerUnit"`
	// LocationMultipliers and TierMultipliers default to 1 for a location or tier not listed.
	LocationMultipliers map[string]float64 `dynamodbav:"locationMultipliers,omitempty" json:"locationMultipliers,omitempty"`
	TierMultipliers     map[string]float64 `dynamodbav:"tierMultipliers,omitempty" json:"tierMultipliers,omitempty"`
	Promotions          []Promotion        `dynamodbav:"promotions,omitempty" json:"promotions,omitempty"`
	// CapPerTransaction bounds the points of one earn; 0 means no cap.
	CapPerTransaction int `dynamodbav:"capPerTransaction" json:"capPerTransaction"`
	// PendingDays keeps earned points pending (not yet redeemable), so a refund inside
	// the window costs nothing.
	PendingDays  int `dynamodbav:"pendingDays" json:"pendingDays"`
	ExpiryMonths int `dynamodbav:"expiryMonths" json:"expiryMonths"`
	// ReminderDays is how long before points expire the member is reminded (a
	// PointsExpiring event).
	ReminderDays int `dynamodbav:"reminderDays" json:"reminderDays"`
	// Tiers are in ascending order of threshold, the first at 0.
	Tiers []Tier `dynamodbav:"tiers" json:"tiers"`
	// GraceDays is how long a customer who no longer qualifies at the yearly review
	// keeps the tier, having been told, before the downgrade.
	GraceDays     int           `dynamodbav:"graceDays" json:"graceDays"`
	Referral      ReferralRules `dynamodbav:"referral" json:"referral"`
	BirthdayBonus int           `dynamodbav:"birthdayBonus" json:"birthdayBonus"`
	// BirthdayVoucher, when set, is a voucher each member gets on their birthday beside
	// the bonus, once a year (shared/membership issues it); nil gives none.
	BirthdayVoucher *BirthdayVoucher `dynamodbav:"birthdayVoucher,omitempty" json:"birthdayVoucher,omitempty"`
	// Version 0 is the built-in defaults; stored rules count up from 1.
	Version   int       `dynamodbav:"version" json:"version"`
	UpdatedAt time.Time `dynamodbav:"updatedAt" json:"updatedAt"`
	UpdatedBy string    `dynamodbav:"updatedBy,omitempty" json:"updatedBy,omitempty"`
}

// Promotion multiplies the points earned From (inclusive) To (exclusive), at the
// listed locations (all if none) for customers in any listed segment (all if none).
type Promotion struct {
	ID         string    `dynamodbav:"id" json:"id"`
	From       time.Time `dynamodbav:"from" json:"from"`
	To         time.Time `dynamodbav:"to" json:"to"`
	Multiplier float64   `dynamodbav:"multiplier" json:"multiplier"`
	Locations  []string  `dynamodbav:"locations,omitempty" json:"locations,omitempty"`
	// Segments match the customer's tier name or any of their tags.
	Segments []string `dynamodbav:"segments,omitempty" json:"segments,omitempty"`
}

// Tier is reached by earning Threshold points in a rolling 12 months.
type Tier struct {
	Name      string `dynamodbav:"name" json:"name"`
	Threshold int    `dynamodbav:"threshold" json:"threshold"`
}

// ReferralRules reward member-get-member: both sides get a bonus when the referee's
// first earn reaches QualifyingAmount.
type ReferralRules struct {
	ReferrerBonus    int     `dynamodbav:"referrerBonus" json:"referrerBonus"`
	RefereeBonus     int     `dynamodbav:"refereeBonus" json:"refereeBonus"`
	QualifyingAmount float64 `dynamodbav:"qualifyingAmount" json:"qualifyingAmount"`
	// MaxPerYear bounds the referrer bonuses one customer gets in a calendar year, so a
	// farm of fake accounts pays little; 0 means no limit.
	MaxPerYear int `dynamodbav:"maxPerYear" json:"maxPerYear"`
}

// BirthdayVoucher is the programme's birthday voucher: worth Value, valid ValidDays
// from the birthday, at every location.
type BirthdayVoucher struct {
	Value     VoucherValue `dynamodbav:"value" json:"value"`
	ValidDays int          `dynamodbav:"validDays" json:"validDays"`
}

// VoucherValue is what a voucher is worth: AmountOff in Currency, or PercentOff of a
// bill, with the limits of every voucher.
type VoucherValue = discount.Value

// problems names what is wrong with a birthday voucher, under "birthdayVoucher.".
func (b BirthdayVoucher) problems() []problem.FieldError {
	fe := b.Value.Problems("birthdayVoucher.value", discount.CurrencyRequired)
	return append(fe, discount.ValidDaysProblems("birthdayVoucher.validDays", b.ValidDays)...)
}

// DefaultRules are the rules until someone stores their own.
func DefaultRules() Rules {
	return Rules{
		Currency:        "CNY",
		PointsPerUnit:   1,
		TierMultipliers: map[string]float64{"gold": 1.5, "platinum": 2},
		ExpiryMonths:    12,
		ReminderDays:    30,
		Tiers: []Tier{
			{Name: "member", Threshold: 0},
			{Name: "silver", Threshold: 1000},
			{Name: "gold", Threshold: 5000},
			{Name: "platinum", Threshold: 20000},
		},
		GraceDays:     30,
		Referral:      ReferralRules{ReferrerBonus: 500, RefereeBonus: 200, QualifyingAmount: 100, MaxPerYear: 20},
		BirthdayBonus: 100,
	}
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// Validate names every field that is wrong, so an operator fixes them in one go.
func (r *Rules) Validate() error {
	var fe []problem.FieldError
	bad := func(field, format string, args ...any) {
		fe = append(fe, problem.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !currencyCode.MatchString(r.Currency) {
		bad("currency", "must be an ISO 4217 code such as CNY")
	}
	if !finite(r.PointsPerUnit) || r.PointsPerUnit <= 0 {
		bad("pointsPerUnit", "must be a positive number")
	}
	for _, k := range slices.Sorted(maps.Keys(r.LocationMultipliers)) {
		if m := r.LocationMultipliers[k]; !finite(m) || m < 0 {
			bad("locationMultipliers."+k, "must be a number ≥ 0")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.TierMultipliers)) {
		if m := r.TierMultipliers[k]; !finite(m) || m < 0 {
			bad("tierMultipliers."+k, "must be a number ≥ 0")
		}
		if r.tierIndex(k) < 0 {
			bad("tierMultipliers."+k, "is not one of the tiers")
		}
	}
	ids := map[string]bool{}
	for i, p := range r.Promotions {
		at := fmt.Sprintf("promotions[%d].", i)
		switch {
		case p.ID == "":
			bad(at+"id", "is required")
		case ids[p.ID]:
			bad(at+"id", "%q is used by another promotion", p.ID)
		}
		ids[p.ID] = true
		if !finite(p.Multiplier) || p.Multiplier <= 0 {
			bad(at+"multiplier", "must be a positive number")
		}
		if p.From.IsZero() {
			bad(at+"from", "is required")
		}
		if !p.To.After(p.From) {
			bad(at+"to", "must be after from")
		}
	}
	nonNegative := []struct {
		field string
		v     int
	}{
		{"capPerTransaction", r.CapPerTransaction},
		{"pendingDays", r.PendingDays},
		{"reminderDays", r.ReminderDays},
		{"graceDays", r.GraceDays},
		{"referral.referrerBonus", r.Referral.ReferrerBonus},
		{"referral.refereeBonus", r.Referral.RefereeBonus},
		{"referral.maxPerYear", r.Referral.MaxPerYear},
		{"birthdayBonus", r.BirthdayBonus},
		{"version", r.Version},
	}
	for _, n := range nonNegative {
		if n.v < 0 {
			bad(n.field, "must not be negative")
		}
	}
	if r.BirthdayVoucher != nil {
		fe = append(fe, r.BirthdayVoucher.problems()...)
	}
	if r.ExpiryMonths < 1 {
		bad("expiryMonths", "must be at least 1")
	}
	if !finite(r.Referral.QualifyingAmount) || r.Referral.QualifyingAmount < 0 {
		bad("referral.qualifyingAmount", "must be a number ≥ 0")
	}
	if len(r.Tiers) == 0 {
		bad("tiers", "at least one tier is required")
	}
	names := map[string]bool{}
	for i, t := range r.Tiers {
		at := fmt.Sprintf("tiers[%d].", i)
		switch {
		case t.Name == "":
			bad(at+"name", "is required")
		case names[t.Name]:
			bad(at+"name", "%q is used by another tier", t.Name)
		}
		names[t.Name] = true
		switch {
		case i == 0 && t.Threshold != 0:
			bad(at+"threshold", "the first tier's threshold must be 0")
		case i > 0 && t.Threshold <= r.Tiers[i-1].Threshold:
			bad(at+"threshold", "must be greater than the previous tier's")
		}
	}
	return problem.Fields(fe)
}

// EarnInput is one purchase or visit to be turned into points.
type EarnInput struct {
	Amount     float64 `dynamodbav:"amount" json:"amount"`
	Currency   string  `dynamodbav:"currency" json:"currency"`
	LocationID string  `dynamodbav:"locationId,omitempty" json:"locationId,omitempty"`
	// Tier is the customer's tier at the time of the earn.
	Tier string `dynamodbav:"tier,omitempty" json:"tier,omitempty"`
	// Segments are the customer's tags.
	Segments []string  `dynamodbav:"segments,omitempty" json:"segments,omitempty"`
	At       time.Time `dynamodbav:"at" json:"at"`
}

// Applied records on a ledger entry how its points were computed.
type Applied struct {
	RulesVersion int     `dynamodbav:"rulesVersion" json:"rulesVersion"`
	Base         float64 `dynamodbav:"base" json:"base"`
	// Multipliers holds those that applied: "location", "tier" and "promotion:<id>".
	Multipliers map[string]float64 `dynamodbav:"multipliers,omitempty" json:"multipliers,omitempty"`
	Capped      bool               `dynamodbav:"capped" json:"capped"`
	Points      int                `dynamodbav:"points" json:"points"`
}

// maxAmount refuses spends no real transaction has, which are typing or unit errors
// (cents sent as yuan) and would otherwise overflow the points.
const maxAmount = 1e9

// Points turns a spend into points: Amount × PointsPerUnit × the location's and the
// tier's multipliers × the best promotion, rounded down and capped. When several
// promotions apply only the single highest multiplier counts (the first listed on a
// tie): promotions never stack.
func (r Rules) Points(in EarnInput) (Applied, error) {
	var fe []problem.FieldError
	if in.Currency != r.Currency {
		fe = append(fe, problem.FieldError{Field: "currency", Message: fmt.Sprintf("must be %s", r.Currency)})
	}
	if !finite(in.Amount) || in.Amount < 0 || in.Amount > maxAmount {
		fe = append(fe, problem.FieldError{Field: "amount", Message: fmt.Sprintf("must be a number from 0 to %.0f", maxAmount)})
	}
	if err := problem.Fields(fe); err != nil {
		return Applied{}, err
	}
	a := Applied{RulesVersion: r.Version, Base: round6(in.Amount * r.PointsPerUnit)}
	x := a.Base
	apply := func(key string, m float64) {
		if a.Multipliers == nil {
			a.Multipliers = map[string]float64{}
		}
		a.Multipliers[key] = m
		x *= m
	}
	if m, ok := r.LocationMultipliers[in.LocationID]; ok && in.LocationID != "" {
		apply("location", m)
	}
	if m, ok := r.TierMultipliers[in.Tier]; ok && in.Tier != "" {
		apply("tier", m)
	}
	if p := r.bestPromotion(in); p != nil {
		apply("promotion:"+p.ID, p.Multiplier)
	}
	a.Points = int(math.Floor(round6(x)))
	if r.CapPerTransaction > 0 && a.Points > r.CapPerTransaction {
		a.Points, a.Capped = r.CapPerTransaction, true
	}
	return a, nil
}

func (r Rules) bestPromotion(in EarnInput) *Promotion {
	var best *Promotion
	for i := range r.Promotions {
		p := &r.Promotions[i]
		if in.At.Before(p.From) || !in.At.Before(p.To) {
			continue
		}
		if len(p.Locations) > 0 && !slices.Contains(p.Locations, in.LocationID) {
			continue
		}
		if len(p.Segments) > 0 && !slices.ContainsFunc(p.Segments, func(s string) bool {
			return (in.Tier != "" && s == in.Tier) || slices.Contains(in.Segments, s)
		}) {
			continue
		}
		if best == nil || p.Multiplier > best.Multiplier {
			best = p
		}
	}
	return best
}

// round6 rounds to six decimals, which removes binary floating-point error from
// products of cent amounts and multipliers (100 × 1.15 is 114.99999999999999 in
// float64) before they are floored; no real spend has a seventh decimal.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
