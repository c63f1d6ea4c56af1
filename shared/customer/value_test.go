package customer

import (
	"errors"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/problem"
)

// valueNow is the "now" of every worked example.
var valueNow = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

func daysAgo(d float64) time.Time {
	return valueNow.Add(-time.Duration(d * float64(24*time.Hour)))
}

// tenCustomers is the worked example shared by the RFM and ABC tests: ten customers with
// visits, with ties on every figure, whose money (total ¥10,000) follows a Pareto curve.
func tenCustomers() []Stats {
	s := func(id string, days float64, visits int, money float64) Stats {
		return Stats{CustomerID: id, Visits: visits, Monetary: money, FirstVisit: daysAgo(400), LastVisit: daysAgo(days)}
	}
	return []Stats{
		s("c01", 2, 12, 4000),
		s("c02", 2+23.0/24, 8, 2000), // 2 days 23 hours: still 2 whole days
		s("c03", 200, 8, 2000),       // a big spender who has lapsed
		s("c04", 10, 5, 800),
		s("c05", 10, 4, 400),
		s("c06", 10, 3, 400),
		s("c07", 45, 2, 200),
		s("c08", 30, 1, 100),
		s("c09", 90, 1, 60),
		s("c10", 365, 1, 40),
	}
}

// tenCustomersRFM is ScoreRFM's answer for tenCustomers, worked by hand in
// TestScoreRFMQuintiles.
var tenCustomersRFM = map[string]RFM{
	"c01": {5, 5, 5}, "c02": {5, 4, 4}, "c03": {1, 4, 4}, "c04": {4, 4, 4}, "c05": {4, 3, 3},
	"c06": {4, 3, 3}, "c07": {2, 2, 2}, "c08": {3, 1, 2}, "c09": {2, 1, 1}, "c10": {1, 1, 1},
}

func TestScoreRFMQuintiles(t *testing.T) {
	// N = 10 customers with visits, so score = ceil(5(2B+E) / 20), B = how many are
	// strictly worse, E = how many are equal (self included).
	//
	// Recency, days: 2 2 10 10 10 30 45 90 200 365 (fewer is better)
	//   2:   B=8 E=2  5×18/20 = 4.5  → 5
	//   10:  B=5 E=3  5×13/20 = 3.25 → 4
	//   30:  B=4 E=1  5×9/20  = 2.25 → 3
	//   45:  B=3 E=1  5×7/20  = 1.75 → 2
	//   90:  B=2 E=1  5×5/20  = 1.25 → 2
	//   200: B=1 E=1  5×3/20  = 0.75 → 1
	//   365: B=0 E=1  5×1/20  = 0.25 → 1
	// Frequency, visits: 12 8 8 5 4 3 2 1 1 1
	//   12: B=9 E=1  5×19/20 = 4.75 → 5
	//   8:  B=7 E=2  5×16/20 = 4    → 4 (exactly on the boundary)
	//   5:  B=6 E=1  5×13/20 = 3.25 → 4
	//   4:  B=5 E=1  5×11/20 = 2.75 → 3
	//   3:  B=4 E=1  5×9/20  = 2.25 → 3
	//   2:  B=3 E=1  5×7/20  = 1.75 → 2
	//   1:  B=0 E=3  5×3/20  = 0.75 → 1
	// Monetary, ¥: 4000 2000 2000 800 400 400 200 100 60 40
	//   4000: B=9 E=1  → 5;  2000: B=7 E=2 → 4;  800: B=6 E=1 → 4
	//   400:  B=4 E=2  5×10/20 = 2.5 → 3;  200: B=3 E=1 → 2;  100: B=2 E=1 → 2
	//   60:   B=1 E=1  → 1;  40: B=0 E=1 → 1
	got := ScoreRFM(tenCustomers(), RFMConfig{}, valueNow)
	want := map[string]string{
		"c01": "555", "c02": "544", "c03": "144", "c04": "444", "c05": "433",
		"c06": "433", "c07": "222", "c08": "312", "c09": "211", "c10": "111",
	}
	if len(got) != len(want) {
		t.Fatalf("scored %d customers, want %d", len(got), len(want))
	}
	for id, w := range want {
		if got[id].String() != w {
			t.Errorf("%s = %s, want %s", id, got[id], w)
		}
		if got[id] != tenCustomersRFM[id] {
			t.Errorf("%s = %v, but tenCustomersRFM says %v", id, got[id], tenCustomersRFM[id])
		}
	}
	// The method named explicitly, and an unknown one, mean the same.
	for _, m := range []string{RFMQuintiles, "deciles"} {
		if other := ScoreRFM(tenCustomers(), RFMConfig{Method: m}, valueNow); !maps.Equal(other, got) {
			t.Errorf("method %q scored differently: %v", m, other)
		}
	}
}

func TestScoreRFMSmallPopulations(t *testing.T) {
	one := func(id string, days float64, visits int, money float64) Stats {
		return Stats{CustomerID: id, Visits: visits, Monetary: money, FirstVisit: daysAgo(400), LastVisit: daysAgo(days)}
	}
	cases := []struct {
		name  string
		stats []Stats
		want  map[string]string
	}{
		{"nobody", nil, map[string]string{}},
		// N=1: p = (0 + 1/2)/1, 5 × 0.5 = 2.5 → 3: nothing to compare with, so the middle.
		{"one customer", []Stats{one("a", 5, 2, 100)}, map[string]string{"a": "333"}},
		// N=2: best (1 + 1/2)/2 = 0.75 → 3.75 → 4; worst 0.25 → 1.25 → 2.
		{"two customers", []Stats{one("a", 1, 3, 300), one("b", 20, 1, 50)},
			map[string]string{"a": "444", "b": "222"}},
		// N=3: best 2.5/3 → 4.17 → 5; middle 1.5/3 → 2.5 → 3; worst 0.5/3 → 0.83 → 1.
		{"three customers", []Stats{one("a", 1, 5, 500), one("b", 10, 3, 200), one("c", 30, 1, 50)},
			map[string]string{"a": "555", "b": "333", "c": "111"}},
		// Everyone tied: B=0, E=4, p = 2/4 → 2.5 → 3.
		{"everyone equal", []Stats{one("a", 7, 2, 90), one("b", 7, 2, 90), one("c", 7, 2, 90), one("d", 7, 2, 90)},
			map[string]string{"a": "333", "b": "333", "c": "333", "d": "333"}},
		// Eight of ten visited once: F for them is (0 + 8/2)/10 = 0.4 → 2 → 2, not the
		// 5 × 8/10 → 4 that counting ties with those below would give; 2 visits:
		// (8 + 1/2)/10 → 4.25 → 5; 6 visits: 9.5/10 → 4.75 → 5. R and M all tie: 3.
		{"most visited once", []Stats{
			one("a", 3, 1, 100), one("b", 3, 1, 100), one("c", 3, 1, 100), one("d", 3, 1, 100),
			one("e", 3, 1, 100), one("f", 3, 1, 100), one("g", 3, 1, 100), one("h", 3, 1, 100),
			one("i", 3, 2, 100), one("j", 3, 6, 100),
		}, map[string]string{
			"a": "323", "b": "323", "c": "323", "d": "323", "e": "323", "f": "323", "g": "323", "h": "323",
			"i": "353", "j": "353",
		}},
		{"one customer without visits", []Stats{{CustomerID: "a"}}, map[string]string{"a": "111"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ScoreRFM(c.stats, RFMConfig{}, valueNow)
			if len(got) != len(c.want) {
				t.Fatalf("scored %d customers, want %d", len(got), len(c.want))
			}
			for id, w := range c.want {
				if got[id].String() != w {
					t.Errorf("%s = %s, want %s", id, got[id], w)
				}
			}
		})
	}
}

func TestScoreRFMNoVisits(t *testing.T) {
	// Customers without visits score 111 and do not move anyone else: N stays 10.
	stats := append(tenCustomers(),
		Stats{CustomerID: "n1"},
		Stats{CustomerID: "n2", LastVisit: daysAgo(1)}, // a stale figure without visits
	)
	for _, method := range []string{RFMQuintiles, RFMThresholds} {
		cfg := RFMConfig{Method: method, RecencyDays: []int{7, 30, 90, 180}, Frequency: []int{2, 3, 5, 8}, Monetary: []float64{1, 2, 3, 4}}
		got := ScoreRFM(stats, cfg, valueNow)
		for _, id := range []string{"n1", "n2"} {
			if got[id] != (RFM{1, 1, 1}) {
				t.Errorf("%s: %s = %s, want 111", method, id, got[id])
			}
		}
		if method == RFMQuintiles {
			for id, w := range tenCustomersRFM {
				if got[id] != w {
					t.Errorf("%s = %s with no-visit customers, want %s", id, got[id], w)
				}
			}
		}
	}
}

func TestScoreRFMThresholds(t *testing.T) {
	cfg := RFMConfig{
		Method:      RFMThresholds,
		RecencyDays: []int{7, 30, 90, 180},           // ≤7 → 5, ≤30 → 4, ≤90 → 3, ≤180 → 2, else 1
		Frequency:   []int{2, 3, 5, 8},               // ≥8 → 5, ≥5 → 4, ≥3 → 3, ≥2 → 2, else 1
		Monetary:    []float64{200, 500, 1000, 3000}, // ≥3000 → 5, ≥1000 → 4, ≥500 → 3, ≥200 → 2, else 1
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		s    Stats
		want string
	}{
		{"best on every figure", Stats{Visits: 10, Monetary: 5000, LastVisit: daysAgo(3)}, "555"},
		// 30 days 23 hours is 30 whole days: ≤30 → 4; 5 visits ≥5 → 4; ¥500 ≥500 → 3.
		{"on the limits", Stats{Visits: 5, Monetary: 500, LastVisit: daysAgo(30 + 23.0/24)}, "443"},
		// 100 days ≤180 → 2; 2 visits ≥2 → 2; ¥199.99 < 200 → 1.
		{"just below a limit", Stats{Visits: 2, Monetary: 199.99, LastVisit: daysAgo(100)}, "221"},
		{"worst", Stats{Visits: 1, Monetary: 0, LastVisit: daysAgo(400)}, "111"},
		// A visit after now (clock skew) counts as 0 days; 8 visits and ¥3000 exactly → 5.
		{"visit after now, top limits exactly", Stats{Visits: 8, Monetary: 3000, LastVisit: valueNow.Add(time.Hour)}, "555"},
		{"no visits", Stats{LastVisit: daysAgo(1)}, "111"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.s.CustomerID = "x"
			if got := ScoreRFM([]Stats{c.s}, cfg, valueNow)["x"]; got.String() != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestRFMString(t *testing.T) {
	if got := (RFM{R: 5, F: 4, M: 5}).String(); got != "545" {
		t.Errorf("got %q, want 545", got)
	}
}

func TestClassifyABC(t *testing.T) {
	// Money, highest first, total ¥10,000; class by the share before adding each one:
	//   c01 4000  before 0     0.00 < 0.80 → A
	//   c02 2000  before 4000  0.40 < 0.80 → A   (c02 before c03: equal money, by id)
	//   c03 2000  before 6000  0.60 < 0.80 → A, but R=1 < 3 → B
	//   c04  800  before 8000  0.80, not < 0.80, < 0.95 → B
	//   c05  400  before 8800  0.88 → B
	//   c06  400  before 9200  0.92 → B
	//   c07  200  before 9600  0.96 → C
	//   c08  100  before 9800  0.98 → C
	//   c09   60  before 9900  0.99 → C
	//   c10   40  before 9960  0.996 → C
	// plus c11 without visits and c12 with visits but nothing spent: C.
	stats := append(tenCustomers(),
		Stats{CustomerID: "c11"},
		Stats{CustomerID: "c12", Visits: 2, LastVisit: daysAgo(1)},
	)
	// The scores worked in TestScoreRFMQuintiles; c12, seen yesterday for the second
	// time, is given R5 F2 M1 by hand.
	rfm := maps.Clone(tenCustomersRFM)
	rfm["c11"], rfm["c12"] = RFM{1, 1, 1}, RFM{5, 2, 1}
	_, defaults, _, _ := DefaultValueConfig()
	want := map[string]string{
		"c01": "A", "c02": "A", "c03": "B", "c04": "B", "c05": "B", "c06": "B",
		"c07": "C", "c08": "C", "c09": "C", "c10": "C", "c11": "C", "c12": "C",
	}
	with := func(changes map[string]string) map[string]string {
		m := make(map[string]string, len(want))
		for k, v := range want {
			m[k] = v
		}
		for k, v := range changes {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name string
		rfm  map[string]RFM
		cfg  ABCConfig
		want map[string]string
	}{
		{"defaults", rfm, defaults, want},
		{"zero config takes the defaults", rfm, ABCConfig{}, want},
		// MinR = MinF = 1 waives the check: the lapsed c03 stays an A.
		{"recency and frequency waived", rfm, ABCConfig{MinR: 1, MinF: 1}, with(map[string]string{"c03": "A"})},
		// A at 50 %: c02 (0.40) is the last A; c03 (0.60) is a B on share alone.
		// B at 90 %: c06 (0.92) becomes a C.
		{"tighter shares", rfm, ABCConfig{AShare: 0.5, BShare: 0.9}, with(map[string]string{"c06": "C"})},
		// c02 has F=4: MinF 5 demotes it too; c01 (555) stays.
		{"frequency demotes", rfm, ABCConfig{MinF: 5}, with(map[string]string{"c02": "B"})},
		// Without RFM scores nobody can show recent, frequent custom: every A is a B.
		{"no RFM scores", nil, defaults, with(map[string]string{"c01": "B", "c02": "B"})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ClassifyABC(stats, c.rfm, c.cfg)
			if !maps.Equal(got, c.want) {
				t.Errorf("got  %v\nwant %v", got, c.want)
			}
		})
	}

	// The tiers of the worked example, from its classes and scores:
	//   c01 A 555, c02 A 544 → vip; c04 B 444, c05/c06 B 433 → key (B, R ≥ 3, M ≥ 3);
	//   c03 B 144 → regular (R 1: neither key nor potential); c12 C 521 → potential
	//   (R ≥ 4, F ≤ 2); the other C customers → regular.
	tiers := map[string]string{
		"c01": "vip", "c02": "vip", "c03": "regular", "c04": "key", "c05": "key", "c06": "key",
		"c07": "regular", "c08": "regular", "c09": "regular", "c10": "regular", "c11": "regular", "c12": "potential",
	}
	classes := ClassifyABC(stats, rfm, defaults)
	for id, w := range tiers {
		if got := ValueTier(rfm[id], classes[id]); got != w {
			t.Errorf("tier of %s (%s %s) = %s, want %s", id, classes[id], rfm[id], got, w)
		}
	}
}

func TestClassifyABCTopCustomerAlwaysA(t *testing.T) {
	// One customer holding everything: the share before them is 0, so A.
	stats := []Stats{{CustomerID: "a", Visits: 3, Monetary: 900, LastVisit: daysAgo(1)}}
	got := ClassifyABC(stats, ScoreRFM(stats, RFMConfig{}, valueNow), ABCConfig{}) // RFM 333 meets 3 and 3
	if got["a"] != ClassA {
		t.Errorf("got %s, want A", got["a"])
	}
}

func TestValueTier(t *testing.T) {
	cases := []struct {
		rfm  RFM
		abc  string
		want string
	}{
		{RFM{5, 5, 5}, "A", "vip"},
		{RFM{4, 4, 4}, "A", "vip"},
		{RFM{4, 4, 3}, "A", "key"}, // M below 4
		{RFM{3, 3, 5}, "A", "key"},
		{RFM{3, 1, 3}, "B", "key"}, // B with R ≥ 3 and M ≥ 3
		{RFM{5, 5, 5}, "B", "key"}, // a B is never vip
		{RFM{2, 5, 5}, "B", "regular"},
		{RFM{3, 5, 2}, "B", "regular"},
		{RFM{4, 2, 1}, "B", "potential"}, // recent, not yet frequent
		{RFM{5, 1, 5}, "C", "potential"},
		{RFM{4, 3, 5}, "C", "regular"}, // recent and frequent enough: not "potential"
		{RFM{3, 1, 1}, "C", "regular"},
		{RFM{1, 1, 1}, "", "regular"},
	}
	for _, c := range cases {
		if got := ValueTier(c.rfm, c.abc); got != c.want {
			t.Errorf("ValueTier(%s, %q) = %s, want %s", c.rfm, c.abc, got, c.want)
		}
	}
}

func TestCLV(t *testing.T) {
	// 12 visits worth ¥2400 since a first visit 730.5 days ago:
	// A = 2400/12 = 200; Y = 730.5/365.25 = 2; P = 12/2 = 6 a year.
	regular := Stats{CustomerID: "a", Visits: 12, Monetary: 2400, FirstVisit: daysAgo(730.5), LastVisit: daysAgo(3)}
	cases := []struct {
		name string
		s    Stats
		cfg  CLVConfig
		want CLVResult
	}{
		// V = 200 × 6 × 1 = 1200 a year; × 3 years = 3600.
		{"defaults: revenue over 3 years", regular, CLVConfig{}, CLVResult{200, 6, 3, 3600}},
		// V = 200 × 6 × 0.3 = 360; × 3 = 1080.
		{"margin", regular, CLVConfig{Margin: 0.3}, CLVResult{200, 6, 3, 1080}},
		// 360/1.1 + 360/1.1² + 360/1.1³ = 327.2727… + 297.5207… + 270.4733… = 895.2667… → 895.27
		{"margin and discount", regular, CLVConfig{LifetimeYears: 3, Margin: 0.3, DiscountRate: 0.1}, CLVResult{200, 6, 3, 895.27}},
		// Two whole years, then half of year 3 discounted at t = 3:
		// 327.2727… + 297.5207… + 0.5 × 270.4733… = 760.0301… → 760.03
		{"fractional lifetime discounted", regular, CLVConfig{LifetimeYears: 2.5, Margin: 0.3, DiscountRate: 0.1}, CLVResult{200, 6, 2.5, 760.03}},
		// 360 × 2.5 = 900.
		{"fractional lifetime undiscounted", regular, CLVConfig{LifetimeYears: 2.5, Margin: 0.3}, CLVResult{200, 6, 2.5, 900}},
		// Less than a year: only the fraction, discounted at t = 1: 0.5 × 1200/1.1 = 545.4545… → 545.45.
		{"half a year discounted", regular, CLVConfig{LifetimeYears: 0.5, DiscountRate: 0.1}, CLVResult{200, 6, 0.5, 545.45}},
		// First visit 3 days ago: Y = max(3, 30)/365.25; P = 2 × 365.25/30 = 24.35;
		// A = 300/2 = 150; V = 150 × 24.35 = 3652.5; × 3 = 10957.5.
		{"30-day floor", Stats{Visits: 2, Monetary: 300, FirstVisit: daysAgo(3), LastVisit: daysAgo(1)}, CLVConfig{}, CLVResult{150, 24.35, 3, 10957.5}},
		{"exactly 30 days", Stats{Visits: 2, Monetary: 300, FirstVisit: daysAgo(30)}, CLVConfig{}, CLVResult{150, 24.35, 3, 10957.5}},
		{"unknown first visit takes the floor", Stats{Visits: 2, Monetary: 300}, CLVConfig{}, CLVResult{150, 24.35, 3, 10957.5}},
		{"first visit after now takes the floor", Stats{Visits: 2, Monetary: 300, FirstVisit: valueNow.Add(time.Hour)}, CLVConfig{}, CLVResult{150, 24.35, 3, 10957.5}},
		// Rounding only in the output: A = 1234.56/7 = 176.3657… → 176.37 shown, but
		// V = 176.3657… × 7 = 1234.56 a year; × 3 = 3703.68 (not 176.37 × 7 × 3 = 3703.77).
		{"rounded only in output", Stats{Visits: 7, Monetary: 1234.56, FirstVisit: daysAgo(365.25)}, CLVConfig{}, CLVResult{176.37, 7, 3, 3703.68}},
		{"no visits", Stats{Monetary: 0}, CLVConfig{}, CLVResult{0, 0, 3, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CLV(c.s, c.cfg, valueNow); got != c.want {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestWordOfMouth(t *testing.T) {
	custom := WordOfMouthConfig{PromoterTells: 5, DetractorTells: 12, ConversionRate: 0.2, LossRate: 0.05}
	cases := []struct {
		clv          float64
		satisfaction string
		cfg          WordOfMouthConfig
		want         float64
	}{
		{1000, "promoter", WordOfMouthConfig{}, 300},   // 1000 × 3 × 0.1
		{1000, "detractor", WordOfMouthConfig{}, -900}, // −1000 × 9 × 0.1
		{1000, "passive", WordOfMouthConfig{}, 0},
		{1000, "", WordOfMouthConfig{}, 0},
		{1000, "Promoter", WordOfMouthConfig{}, 0},          // only the exact words count
		{895.27, "promoter", WordOfMouthConfig{}, 268.58},   // 895.27 × 0.3 = 268.581
		{895.27, "detractor", WordOfMouthConfig{}, -805.74}, // −895.27 × 0.9 = −805.743
		{1000, "promoter", custom, 1000},                    // 1000 × 5 × 0.2
		{1000, "detractor", custom, -600},                   // −1000 × 12 × 0.05
		{0, "detractor", WordOfMouthConfig{}, 0},
	}
	for _, c := range cases {
		got := WordOfMouth(c.clv, c.satisfaction, c.cfg)
		if got != c.want || math.Signbit(got) != math.Signbit(c.want) {
			t.Errorf("WordOfMouth(%v, %q, %+v) = %v, want %v", c.clv, c.satisfaction, c.cfg, got, c.want)
		}
	}
}

func TestValueConfigValidate(t *testing.T) {
	rfm, abc, clv, wom := DefaultValueConfig()
	thresholds := RFMConfig{Method: RFMThresholds, RecencyDays: []int{7, 30, 90, 180}, Frequency: []int{2, 3, 5, 8}, Monetary: []float64{200, 500, 1000, 3000}}
	cases := []struct {
		name string
		cfg  interface{ Validate() error }
		want []string
	}{
		{"default rfm", rfm, nil},
		{"zero rfm", RFMConfig{}, nil},
		{"thresholds", thresholds, nil},
		{"unknown method", RFMConfig{Method: "deciles"}, []string{"method"}},
		{"thresholds missing", RFMConfig{Method: RFMThresholds}, []string{"recencyDays", "frequency", "monetary"}},
		{"thresholds wrong", RFMConfig{Method: RFMThresholds,
			RecencyDays: []int{7, 30, 90},                // three
			Frequency:   []int{0, 3, 5, 8},               // a count below 1
			Monetary:    []float64{200, 500, 500, 3000}}, // an equal pair
			[]string{"recencyDays", "frequency", "monetary"}},
		{"descending recency", RFMConfig{Method: RFMThresholds, RecencyDays: []int{180, 90, 30, 7}, Frequency: thresholds.Frequency, Monetary: thresholds.Monetary},
			[]string{"recencyDays"}},
		{"bad thresholds given with quintiles", RFMConfig{Monetary: []float64{math.NaN(), 1, 2, 3}}, []string{"monetary"}},
		{"default abc", abc, nil},
		{"zero abc", ABCConfig{}, nil},
		{"abc out of range", ABCConfig{AShare: 1.2, BShare: -1, MinR: 6, MinF: -1}, []string{"aShare", "bShare", "minR", "minF"}},
		{"b below a", ABCConfig{AShare: 0.9, BShare: 0.85}, []string{"bShare"}},
		{"b below the default a", ABCConfig{BShare: 0.7}, []string{"bShare"}},
		{"default clv", clv, nil},
		{"clv out of range", CLVConfig{LifetimeYears: -1, Margin: 1.5, DiscountRate: math.NaN()}, []string{"lifetimeYears", "margin", "discountRate"}},
		{"default word of mouth", wom, nil},
		{"word of mouth out of range", WordOfMouthConfig{PromoterTells: -3, DetractorTells: 1e6, ConversionRate: 2, LossRate: -0.1},
			[]string{"promoterTells", "detractorTells", "conversionRate", "lossRate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Validate()
			var fields []string
			if err != nil {
				var pe *problem.Error
				if !errors.As(err, &pe) || pe.Kind != problem.Invalid {
					t.Fatalf("got %v, want an invalid problem", err)
				}
				for _, f := range pe.Fields {
					fields = append(fields, f.Field)
				}
			}
			if !slices.Equal(fields, c.want) {
				t.Errorf("fields %v, want %v (%v)", fields, c.want, err)
			}
		})
	}
}
