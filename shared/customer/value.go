package customer

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/problem"
)

// The value figures are pure functions of a location's Stats and a config, so the
// scheduled job that recomputes them and the profile routes that show them agree, and
// the tests can work the examples by hand. Nothing here reads the clock: now is passed in.

// Stats are a customer's recency, frequency and monetary figures at one location,
// kept up to date by visits.
type Stats struct {
	CustomerID string `dynamodbav:"customerId" json:"customerId"`
	Visits     int    `dynamodbav:"visits" json:"visits"`
	// Monetary is the total spent over all visits, in the location's currency.
	Monetary   float64   `dynamodbav:"monetary" json:"monetary"`
	FirstVisit time.Time `dynamodbav:"firstVisit" json:"firstVisit"`
	LastVisit  time.Time `dynamodbav:"lastVisit" json:"lastVisit"`
}

// RFM holds recency, frequency and monetary scores, each 1 (worst) to 5 (best).
type RFM struct {
	R int `dynamodbav:"r" json:"r"`
	F int `dynamodbav:"f" json:"f"`
	M int `dynamodbav:"m" json:"m"`
}

// String is the usual three-digit cell name, such as "545".
func (r RFM) String() string { return fmt.Sprintf("%d%d%d", r.R, r.F, r.M) }

// RFM scoring methods.
const (
	RFMQuintiles  = "quintiles"
	RFMThresholds = "thresholds"
)

// RFMConfig chooses how RFM scores are computed. The thresholds have no defaults:
// they depend on the business and its currency.
type RFMConfig struct {
	// Method is RFMQuintiles (the default, also for "") or RFMThresholds.
	Method string `dynamodbav:"method,omitempty" json:"method,omitempty"`
	// RecencyDays are 4 ascending limits a, b, c, d on whole days since the last
	// visit: ≤a scores 5, ≤b 4, ≤c 3, ≤d 2, more 1.
	RecencyDays []int `dynamodbav:"recencyDays,omitempty" json:"recencyDays,omitempty"`
	// Frequency are 4 ascending visit counts a, b, c, d: ≥d scores 5, ≥c 4, ≥b 3, ≥a 2, fewer 1.
	Frequency []int `dynamodbav:"frequency,omitempty" json:"frequency,omitempty"`
	// Monetary are 4 ascending amounts, scored like Frequency.
	Monetary []float64 `dynamodbav:"monetary,omitempty" json:"monetary,omitempty"`
}

// Validate names every bad field. Thresholds are required with the thresholds method
// and checked whenever they are given.
func (c RFMConfig) Validate() error {
	var errs []problem.FieldError
	bad := func(f, m string) { errs = append(errs, problem.FieldError{Field: f, Message: m}) }
	if c.Method != "" && c.Method != RFMQuintiles && c.Method != RFMThresholds {
		bad("method", "must be quintiles or thresholds")
	}
	need := c.Method == RFMThresholds
	if (need || c.RecencyDays != nil) && !ascendingLimits(c.RecencyDays, 0) {
		bad("recencyDays", "must be 4 ascending whole numbers of days, the first at least 0")
	}
	if (need || c.Frequency != nil) && !ascendingLimits(c.Frequency, 1) {
		bad("frequency", "must be 4 ascending visit counts, the first at least 1")
	}
	if (need || c.Monetary != nil) && !ascendingLimits(c.Monetary, 0) {
		bad("monetary", "must be 4 ascending amounts, the first at least 0")
	}
	return problem.Fields(errs)
}

// ascendingLimits reports whether limits are exactly 4 finite, strictly ascending values, the
// first at least low: an equal pair would make a score unreachable.
func ascendingLimits[T int | float64](limits []T, low T) bool {
	if len(limits) != 4 {
		return false
	}
	prev := low
	for i, l := range limits {
		f := float64(l)
		if math.IsNaN(f) || math.IsInf(f, 0) || l < low || (i > 0 && l <= prev) {
			return false
		}
		prev = l
	}
	return true
}

// ScoreRFM scores each customer of one location. Customers without visits score 1, 1, 1
// and take no part in the ranking of the others. Recency is counted in whole days
// (elapsed 24-hour periods, a visit after now counting as 0) since LastVisit.
//
// Quintiles rank the customers with visits on each figure separately, fewer days since
// the last visit being better. A customer's percentile rank is the textbook mid-rank
//
//	p = (B + E/2) / N
//
// where N is the number of customers with visits, B how many score strictly worse on
// the figure and E how many score the same (the customer included), and the score is
// ceil(5 × p), computed in integers so it is exact. Equal figures therefore always share
// a score; with N distinct figures the scores are exact fifths when N is a multiple of
// 5. Mid-rank, rather than counting ties with those below (cumulative distribution),
// keeps a large tied group near the middle: when most customers have visited once, the
// one-time visitors do not all score 5 on frequency. It also answers small populations
// without special cases: 1 customer scores 3, 3, 3 (nothing to compare with); 2 distinct
// customers score 4 and 2; 3 distinct score 5, 3 and 1; everyone equal scores 3.
//
// Thresholds score each customer alone by cfg's limits. ScoreRFM trusts cfg: check it
// with Validate first; any Method other than RFMThresholds means quintiles.
func ScoreRFM(stats []Stats, cfg RFMConfig, now time.Time) map[string]RFM {
	out := make(map[string]RFM, len(stats))
	var active []Stats
	for _, s := range stats {
		if s.Visits <= 0 {
			out[s.CustomerID] = RFM{R: 1, F: 1, M: 1}
			continue
		}
		active = append(active, s)
	}
	if cfg.Method == RFMThresholds {
		for _, s := range active {
			out[s.CustomerID] = RFM{
				R: 1 + limitsMet(cfg.RecencyDays, func(l int) bool { return recencyDays(s.LastVisit, now) <= l }),
				F: 1 + limitsMet(cfg.Frequency, func(l int) bool { return s.Visits >= l }),
				M: 1 + limitsMet(cfg.Monetary, func(l float64) bool { return s.Monetary >= l }),
			}
		}
		return out
	}
	recency := make([]float64, len(active)) // negated, so that higher is better
	frequency := make([]float64, len(active))
	monetary := make([]float64, len(active))
	for i, s := range active {
		recency[i] = -float64(recencyDays(s.LastVisit, now))
		frequency[i] = float64(s.Visits)
		monetary[i] = s.Monetary
	}
	r, f, m := quintileScores(recency), quintileScores(frequency), quintileScores(monetary)
	for i, s := range active {
		out[s.CustomerID] = RFM{R: r[i], F: f[i], M: m[i]}
	}
	return out
}

// limitsMet is how many limits meet ok, at most 4: with 4 ascending limits that is the
// number of score steps above 1.
func limitsMet[T any](limits []T, ok func(T) bool) int {
	n := 0
	for _, l := range limits {
		if ok(l) {
			n++
		}
	}
	return min(n, 4)
}

func recencyDays(t, now time.Time) int {
	d := now.Sub(t)
	if d < 0 {
		return 0
	}
	return int(d / (24 * time.Hour))
}

// quintileScores scores values (higher is better) ceil(5 × (B + E/2) / N), as ScoreRFM
// describes, as ceil(5(2B+E) / 2N) in integers. The result is always 1 to 5: B+E/2 lies
// strictly between 0 and N.
func quintileScores(values []float64) []int {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	n := len(sorted)
	scores := make([]int, n)
	for i, v := range values {
		below, _ := slices.BinarySearch(sorted, v)
		upTo := sort.Search(n, func(j int) bool { return sorted[j] > v })
		num, den := 5*(2*below+(upTo-below)), 2*n
		scores[i] = (num + den - 1) / den
	}
	return scores
}

// ABC classes.
const (
	ClassA = "A"
	ClassB = "B"
	ClassC = "C"
)

// ABCConfig sets the Pareto cut-offs. A zero field takes its default.
type ABCConfig struct {
	// AShare and BShare are cumulative shares of the location's total value: 0.8 and 0.95.
	AShare float64 `dynamodbav:"aShare,omitempty" json:"aShare,omitempty"`
	BShare float64 `dynamodbav:"bShare,omitempty" json:"bShare,omitempty"`
	// An A must also have R ≥ MinR and F ≥ MinF (3 and 3), else it is a B; 1 waives it.
	MinR int `dynamodbav:"minR,omitempty" json:"minR,omitempty"`
	MinF int `dynamodbav:"minF,omitempty" json:"minF,omitempty"`
}

// Validate names every bad field; zero fields are fine (they take defaults).
func (c ABCConfig) Validate() error {
	var errs []problem.FieldError
	bad := func(f, m string) { errs = append(errs, problem.FieldError{Field: f, Message: m}) }
	if !(c.AShare >= 0 && c.AShare <= 1) {
		bad("aShare", "must be a share between 0 and 1")
	}
	if !(c.BShare >= 0 && c.BShare <= 1) || c.withDefaults().BShare < c.withDefaults().AShare {
		bad("bShare", "must be a share between 0 and 1, at least aShare")
	}
	if c.MinR < 0 || c.MinR > 5 {
		bad("minR", "must be a score from 1 to 5")
	}
	if c.MinF < 0 || c.MinF > 5 {
		bad("minF", "must be a score from 1 to 5")
	}
	return problem.Fields(errs)
}

func (c ABCConfig) withDefaults() ABCConfig {
	_, d, _, _ := DefaultValueConfig()
	c.AShare = cmp.Or(c.AShare, d.AShare)
	c.BShare = cmp.Or(c.BShare, d.BShare)
	c.MinR = cmp.Or(c.MinR, d.MinR)
	c.MinF = cmp.Or(c.MinF, d.MinF)
	return c
}

// ClassifyABC sorts a location's customers by Monetary, highest first (ties by customer
// id), and walks the cumulative share of the total: a customer whose share *before*
// adding them is below AShare is an A (so the top customer always is), below BShare a
// B, else a C. An A whose RFM is below MinR or MinF, or missing from rfm, becomes a B: an
// A must transact recently and often. Customers with Monetary ≤ 0 are C.
func ClassifyABC(stats []Stats, rfm map[string]RFM, cfg ABCConfig) map[string]string {
	cfg = cfg.withDefaults()
	out := make(map[string]string, len(stats))
	var valued []Stats
	var total float64
	for _, s := range stats {
		if s.Monetary > 0 {
			valued = append(valued, s)
			total += s.Monetary
			continue
		}
		out[s.CustomerID] = ClassC
	}
	slices.SortFunc(valued, func(a, b Stats) int {
		return cmp.Or(cmp.Compare(b.Monetary, a.Monetary), strings.Compare(a.CustomerID, b.CustomerID))
	})
	var before float64
	for _, s := range valued {
		class := ClassC
		switch share := before / total; {
		case share < cfg.AShare:
			class = ClassA
		case share < cfg.BShare:
			class = ClassB
		}
		if r, ok := rfm[s.CustomerID]; class == ClassA && (!ok || r.R < cfg.MinR || r.F < cfg.MinF) {
			class = ClassB
		}
		out[s.CustomerID] = class
		before += s.Monetary
	}
	return out
}

// Value tiers.
const (
	TierVIP       = "vip"
	TierKey       = "key"
	TierPotential = "potential"
	TierRegular   = "regular"
)

// ValueTier places a customer by ABC class and RFM, the first rule that holds winning:
//
//   - vip: an A with R, F and M all ≥ 4;
//   - key: any other A, or a B with R ≥ 3 and M ≥ 3;
//   - potential: R ≥ 4 and F ≤ 2, recent but not yet frequent;
//   - regular: everyone else.
func ValueTier(r RFM, abc string) string {
	switch {
	case abc == ClassA && r.R >= 4 && r.F >= 4 && r.M >= 4:
		return TierVIP
	case abc == ClassA, abc == ClassB && r.R >= 3 && r.M >= 3:
		return TierKey
	case r.R >= 4 && r.F <= 2:
		return TierPotential
	}
	return TierRegular
}

// CLVConfig sets the lifetime value formula. A zero field takes its default.
type CLVConfig struct {
	// LifetimeYears is the expected customer lifetime: 3.
	LifetimeYears float64 `dynamodbav:"lifetimeYears,omitempty" json:"lifetimeYears,omitempty"`
	// Margin is the share of revenue kept: 1 counts revenue.
	Margin float64 `dynamodbav:"margin,omitempty" json:"margin,omitempty"`
	// DiscountRate is yearly: 0 discounts nothing.
	DiscountRate float64 `dynamodbav:"discountRate,omitempty" json:"discountRate,omitempty"`
}

// Validate names every bad field; zero fields are fine (they take defaults).
func (c CLVConfig) Validate() error {
	var errs []problem.FieldError
	bad := func(f, m string) { errs = append(errs, problem.FieldError{Field: f, Message: m}) }
	if !(c.LifetimeYears >= 0 && c.LifetimeYears <= 100) {
		bad("lifetimeYears", "must be between 0 and 100 years")
	}
	if !(c.Margin >= 0 && c.Margin <= 1) {
		bad("margin", "must be a share between 0 and 1")
	}
	if !(c.DiscountRate >= 0 && c.DiscountRate <= 1) {
		bad("discountRate", "must be a yearly rate between 0 and 1")
	}
	return problem.Fields(errs)
}

func (c CLVConfig) withDefaults() CLVConfig {
	_, _, d, _ := DefaultValueConfig()
	c.LifetimeYears = cmp.Or(c.LifetimeYears, d.LifetimeYears)
	c.Margin = cmp.Or(c.Margin, d.Margin)
	return c
}

// CLVResult is a lifetime value and the figures it was made from.
type CLVResult struct {
	AveragePurchase  float64 `dynamodbav:"averagePurchase" json:"averagePurchase"`
	PurchasesPerYear float64 `dynamodbav:"purchasesPerYear" json:"purchasesPerYear"`
	LifetimeYears    float64 `dynamodbav:"lifetimeYears" json:"lifetimeYears"`
	Value            float64 `dynamodbav:"value" json:"value"`
}

// clvMinObserved is the floor on the years observed in CLV.
const clvMinObserved = 30 * 24 * time.Hour

// CLV is the textbook customer lifetime value, with L = LifetimeYears and d = DiscountRate:
//
//	A = Monetary / Visits                        average purchase
//	Y = max(now − FirstVisit, 30 days) / 365.25  years observed, in days
//	P = Visits / Y                               purchases per year
//	V = A × P × Margin                           value per year
//	CLV = V × L                                  when d = 0
//	CLV = Σ_{t=1..⌊L⌋} V/(1+d)^t + (L−⌊L⌋) × V/(1+d)^⌈L⌉   when d > 0
//
// The 30-day floor keeps a new customer's first visits from being read as a yearly rate
// over a few days; a zero FirstVisit counts as the floor. The figures are computed
// unrounded and rounded to hundredths (cents) only in the result, half away from zero,
// so Value may differ by cents from the product of the rounded figures. A customer
// without visits is worth 0.
func CLV(s Stats, cfg CLVConfig, now time.Time) CLVResult {
	cfg = cfg.withDefaults()
	res := CLVResult{LifetimeYears: cfg.LifetimeYears}
	if s.Visits <= 0 {
		return res
	}
	observed := now.Sub(s.FirstVisit)
	if s.FirstVisit.IsZero() || observed < clvMinObserved {
		observed = clvMinObserved
	}
	years := observed.Hours() / 24 / 365.25
	average := s.Monetary / float64(s.Visits)
	perYear := float64(s.Visits) / years
	yearly := average * perYear * cfg.Margin

	value := yearly * cfg.LifetimeYears
	if d := cfg.DiscountRate; d > 0 {
		whole := math.Floor(cfg.LifetimeYears)
		value = 0
		for t := 1.0; t <= whole; t++ {
			value += yearly / math.Pow(1+d, t)
		}
		if part := cfg.LifetimeYears - whole; part > 0 {
			value += part * yearly / math.Pow(1+d, whole+1)
		}
	}
	res.AveragePurchase, res.PurchasesPerYear, res.Value = valueCents(average), valueCents(perYear), valueCents(value)
	return res
}

// valueCents rounds to hundredths, half away from zero; adding 0 turns −0 into 0, which
// JSON would otherwise print as -0.
func valueCents(x float64) float64 { return math.Round(x*100)/100 + 0 }

// WordOfMouthConfig sets the word-of-mouth effect. A zero field takes its default.
type WordOfMouthConfig struct {
	// PromoterTells and DetractorTells are how many people a satisfied or a
	// dissatisfied customer tells: 3 and 9.
	PromoterTells  float64 `dynamodbav:"promoterTells,omitempty" json:"promoterTells,omitempty"`
	DetractorTells float64 `dynamodbav:"detractorTells,omitempty" json:"detractorTells,omitempty"`
	// ConversionRate is the share of those a promoter tells who become customers, and
	// LossRate the share of those a detractor tells who stay away: 0.1 and 0.1.
	ConversionRate float64 `dynamodbav:"conversionRate,omitempty" json:"conversionRate,omitempty"`
	LossRate       float64 `dynamodbav:"lossRate,omitempty" json:"lossRate,omitempty"`
}

// Validate names every bad field; zero fields are fine (they take defaults).
func (c WordOfMouthConfig) Validate() error {
	var errs []problem.FieldError
	bad := func(f, m string) { errs = append(errs, problem.FieldError{Field: f, Message: m}) }
	for _, f := range []struct {
		name string
		v    float64
	}{{"promoterTells", c.PromoterTells}, {"detractorTells", c.DetractorTells}} {
		if !(f.v >= 0 && f.v <= 1000) {
			bad(f.name, "must be a number of people between 0 and 1000")
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"conversionRate", c.ConversionRate}, {"lossRate", c.LossRate}} {
		if !(f.v >= 0 && f.v <= 1) {
			bad(f.name, "must be a share between 0 and 1")
		}
	}
	return problem.Fields(errs)
}

func (c WordOfMouthConfig) withDefaults() WordOfMouthConfig {
	_, _, _, d := DefaultValueConfig()
	c.PromoterTells = cmp.Or(c.PromoterTells, d.PromoterTells)
	c.DetractorTells = cmp.Or(c.DetractorTells, d.DetractorTells)
	c.ConversionRate = cmp.Or(c.ConversionRate, d.ConversionRate)
	c.LossRate = cmp.Or(c.LossRate, d.LossRate)
	return c
}

// WordOfMouth is the value a customer brings or costs through what they tell others,
// a figure kept apart from CLV: a "promoter" brings clv × PromoterTells ×
// ConversionRate, a "detractor" costs clv × DetractorTells × LossRate (negative), and a
// "passive" or unknown satisfaction counts 0. Rounded to cents.
func WordOfMouth(clv float64, satisfaction string, cfg WordOfMouthConfig) float64 {
	cfg = cfg.withDefaults()
	switch satisfaction {
	case "promoter":
		return valueCents(clv * cfg.PromoterTells * cfg.ConversionRate)
	case "detractor":
		return valueCents(-clv * cfg.DetractorTells * cfg.LossRate)
	}
	return 0
}

// DefaultValueConfig is the configuration a location starts with: quintile RFM,
// ABC at 80 % and 95 % with A needing R ≥ 3 and F ≥ 3, a 3-year lifetime at full
// revenue undiscounted, and word of mouth of 3 told at 10 % conversion for a promoter
// and 9 told at 10 % loss for a detractor.
func DefaultValueConfig() (RFMConfig, ABCConfig, CLVConfig, WordOfMouthConfig) {
	return RFMConfig{Method: RFMQuintiles},
		ABCConfig{AShare: 0.8, BShare: 0.95, MinR: 3, MinF: 3},
		CLVConfig{LifetimeYears: 3, Margin: 1},
		WordOfMouthConfig{PromoterTells: 3, DetractorTells: 9, ConversionRate: 0.1, LossRate: 0.1}
}
