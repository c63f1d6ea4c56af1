package loyalty

import (
	"maps"
	"reflect"
	"testing"
	"time"
)

func timeRef(t time.Time) *time.Time { return &t }

func TestTierMonthKey(t *testing.T) {
	for _, c := range []struct {
		name string
		t    time.Time
		want string
	}{
		{"UTC", instant("2027-02-28T23:59:59Z"), "2027-02"},
		{"first instant of a month", instant("2027-03-01T00:00:00Z"), "2027-03"},
		{"a zone behind UTC counts the UTC month", instant("2027-01-31T23:30:00-08:00"), "2027-02"},
		{"a zone ahead of UTC counts the UTC month", instant("2027-01-01T07:00:00+08:00"), "2026-12"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := MonthKey(c.t); got != c.want {
				t.Errorf("MonthKey(%v) = %s, want %s", c.t, got, c.want)
			}
		})
	}
}

func TestTierWindow(t *testing.T) {
	buckets := map[string]int{
		"2025-12": 1600, "2026-03": 100, "2026-04": 200, "2027-02": 400, "2027-03": 800, "2027-04": 3200,
		"garbage": 7,
	}
	for _, c := range []struct {
		name   string
		now    time.Time
		earned int
		kept   map[string]int
	}{
		{"last instant of February: March 2026 still counts", instant("2027-02-28T23:59:59Z"), 700,
			map[string]int{"2026-03": 100, "2026-04": 200, "2027-02": 400, "2027-03": 800, "2027-04": 3200}},
		{"1 March: March 2026 (12 months back) drops out", instant("2027-03-01T00:00:00Z"), 1400,
			map[string]int{"2026-04": 200, "2027-02": 400, "2027-03": 800, "2027-04": 3200}},
		{"end of March", instant("2027-03-31T23:59:59.999Z"), 1400,
			map[string]int{"2026-04": 200, "2027-02": 400, "2027-03": 800, "2027-04": 3200}},
		{"the window follows UTC, not the caller's zone", instant("2027-02-28T20:00:00-08:00"), 1400,
			map[string]int{"2026-04": 200, "2027-02": 400, "2027-03": 800, "2027-04": 3200}},
		{"1 April", instant("2027-04-01T00:00:00Z"), 4400,
			map[string]int{"2027-02": 400, "2027-03": 800, "2027-04": 3200}},
		{"over a year with no earning", instant("2028-04-01T00:00:00Z"), 0, map[string]int{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := maps.Clone(buckets)
			if got := Earned12m(buckets, c.now); got != c.earned {
				t.Errorf("Earned12m = %d, want %d", got, c.earned)
			}
			if got := PruneBuckets(buckets, c.now); !reflect.DeepEqual(got, c.kept) {
				t.Errorf("PruneBuckets = %v, want %v", got, c.kept)
			}
			if !reflect.DeepEqual(buckets, before) {
				t.Errorf("PruneBuckets changed its input: %v", buckets)
			}
		})
	}
}

func TestTierFor(t *testing.T) {
	r := DefaultRules()
	for _, c := range []struct {
		earned int
		want   string
	}{
		{-5, "member"}, {0, "member"}, {999, "member"}, {1000, "silver"}, {4999, "silver"},
		{5000, "gold"}, {19999, "gold"}, {20000, "platinum"}, {1000000, "platinum"},
	} {
		if got := r.TierFor(c.earned); got != c.want {
			t.Errorf("TierFor(%d) = %s, want %s", c.earned, got, c.want)
		}
	}
}

func TestTierOnEarn(t *testing.T) {
	now := instant("2027-06-15T10:00:00Z")
	yearOn := instant("2028-06-15T10:00:00Z")
	since, review := instant("2027-01-10T00:00:00Z"), instant("2028-01-10T00:00:00Z")
	// A gold customer told at the 2027-06-01 review that they will drop on 2027-07-01.
	notified := TierState{Tier: "gold", Since: instant("2026-06-01T00:00:00Z"), ReviewAt: instant("2028-06-01T00:00:00Z"),
		DowngradeAt: timeRef(instant("2027-07-01T00:00:00Z"))}
	for _, c := range []struct {
		name   string
		s      TierState
		earned int
		want   TierState
		change *TierChange
	}{
		{"new account starts at the lowest tier", TierState{}, 0,
			TierState{Tier: "member", Since: now, ReviewAt: yearOn}, nil},
		{"new account's first earn reaches silver", TierState{}, 1500,
			TierState{Tier: "silver", Since: now, ReviewAt: yearOn},
			&TierChange{From: "member", To: "silver", Kind: "upgrade", At: now}},
		{"upgrade across two tiers at once", TierState{Tier: "member", Since: since, ReviewAt: review}, 6000,
			TierState{Tier: "gold", Since: now, ReviewAt: yearOn},
			&TierChange{From: "member", To: "gold", Kind: "upgrade", At: now}},
		{"upgrade exactly at the threshold", TierState{Tier: "silver", Since: since, ReviewAt: review}, 5000,
			TierState{Tier: "gold", Since: now, ReviewAt: yearOn},
			&TierChange{From: "silver", To: "gold", Kind: "upgrade", At: now}},
		{"upgrade clears a pending downgrade", notified, 25000,
			TierState{Tier: "platinum", Since: now, ReviewAt: yearOn},
			&TierChange{From: "gold", To: "platinum", Kind: "upgrade", At: now}},
		{"no downgrade on earn", TierState{Tier: "gold", Since: since, ReviewAt: review}, 100,
			TierState{Tier: "gold", Since: since, ReviewAt: review}, nil},
		{"still in the same tier", TierState{Tier: "silver", Since: since, ReviewAt: review}, 1200,
			TierState{Tier: "silver", Since: since, ReviewAt: review}, nil},
		{"re-qualify during grace: kept, next review a year after the last", notified, 5000,
			TierState{Tier: "gold", Since: instant("2026-06-01T00:00:00Z"), ReviewAt: instant("2028-06-01T00:00:00Z")},
			&TierChange{From: "gold", To: "gold", Kind: "kept", At: now}},
		{"earn during grace still short: the notice stands", notified, 4000, notified, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ch := DefaultRules().OnEarn(c.s, c.earned, now)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("state %+v, want %+v", got, c.want)
			}
			if !reflect.DeepEqual(ch, c.change) {
				t.Errorf("change %+v, want %+v", ch, c.change)
			}
		})
	}
}

func TestTierReview(t *testing.T) {
	since, review := instant("2026-06-01T00:00:00Z"), instant("2027-06-01T00:00:00Z")
	gold := TierState{Tier: "gold", Since: since, ReviewAt: review}
	// After the notice the next review is a year on and the downgrade is what is due.
	nextYear := instant("2028-06-01T00:00:00Z")
	notice := TierState{Tier: "gold", Since: since, ReviewAt: nextYear, DowngradeAt: timeRef(instant("2027-07-01T00:00:00Z"))}
	platinumNotice := TierState{Tier: "platinum", Since: since, ReviewAt: nextYear, DowngradeAt: timeRef(instant("2027-07-01T00:00:00Z"))}
	for _, c := range []struct {
		name    string
		noGrace bool
		s       TierState
		earned  int
		now     time.Time
		want    TierState
		change  *TierChange
	}{
		{name: "before the review nothing happens, even when short",
			s: gold, earned: 100, now: instant("2027-05-31T23:59:59Z"), want: gold},
		{name: "review kept: still qualifying moves ReviewAt a year on",
			s: gold, earned: 5000, now: review,
			want: TierState{Tier: "gold", Since: since, ReviewAt: instant("2028-06-01T00:00:00Z")}},
		{name: "review run late keeps the anniversary",
			s: gold, earned: 6000, now: instant("2027-06-03T08:00:00Z"),
			want: TierState{Tier: "gold", Since: since, ReviewAt: instant("2028-06-01T00:00:00Z")}},
		{name: "not qualifying: notice, downgrade in 30 days",
			s: gold, earned: 3000, now: review, want: notice,
			change: &TierChange{From: "gold", To: "silver", Kind: "downgrade_notice", At: review}},
		{name: "the same review run again after the notice does nothing",
			s: notice, earned: 3000, now: review, want: notice},
		{name: "during grace nothing happens",
			s: notice, earned: 3000, now: instant("2027-06-30T23:59:59Z"), want: notice},
		{name: "re-qualified by the end of grace: kept",
			s: notice, earned: 5200, now: instant("2027-07-01T00:00:00Z"),
			want:   TierState{Tier: "gold", Since: since, ReviewAt: instant("2028-06-01T00:00:00Z")},
			change: &TierChange{From: "gold", To: "gold", Kind: "kept", At: instant("2027-07-01T00:00:00Z")}},
		{name: "grace passes: downgrade to the tier earned",
			s: notice, earned: 3000, now: instant("2027-07-01T00:00:00Z"),
			want:   TierState{Tier: "silver", Since: instant("2027-07-01T00:00:00Z"), ReviewAt: instant("2028-07-01T00:00:00Z")},
			change: &TierChange{From: "gold", To: "silver", Kind: "downgrade", At: instant("2027-07-01T00:00:00Z")}},
		{name: "grace passes: down two levels",
			s: platinumNotice, earned: 800, now: instant("2027-07-02T06:00:00Z"),
			want:   TierState{Tier: "member", Since: instant("2027-07-02T06:00:00Z"), ReviewAt: instant("2028-07-02T06:00:00Z")},
			change: &TierChange{From: "platinum", To: "member", Kind: "downgrade", At: instant("2027-07-02T06:00:00Z")}},
		{name: "no grace days: downgrade at the review", noGrace: true,
			s: gold, earned: 3000, now: review,
			want:   TierState{Tier: "silver", Since: review, ReviewAt: instant("2028-06-01T00:00:00Z")},
			change: &TierChange{From: "gold", To: "silver", Kind: "downgrade", At: review}},
		{name: "qualifies for more at the review (thresholds lowered): upgrade",
			s: gold, earned: 25000, now: review,
			want:   TierState{Tier: "platinum", Since: review, ReviewAt: instant("2028-06-01T00:00:00Z")},
			change: &TierChange{From: "gold", To: "platinum", Kind: "upgrade", At: review}},
		{name: "new account: lowest tier, reviewed in a year",
			s: TierState{}, earned: 0, now: review,
			want: TierState{Tier: "member", Since: review, ReviewAt: instant("2028-06-01T00:00:00Z")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := DefaultRules()
			if c.noGrace {
				r.GraceDays = 0
			}
			got, ch := r.Review(c.s, c.earned, c.now)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("state %+v, want %+v", got, c.want)
			}
			if !reflect.DeepEqual(ch, c.change) {
				t.Errorf("change %+v, want %+v", ch, c.change)
			}
		})
	}
}

func TestTierNextReview(t *testing.T) {
	review := instant("2027-06-01T00:00:00Z")
	for _, c := range []struct {
		name string
		s    TierState
		want time.Time
	}{
		{"no downgrade pending: the review", TierState{Tier: "gold", ReviewAt: review}, review},
		{"downgrade pending: its date", TierState{Tier: "gold", ReviewAt: instant("2028-06-01T00:00:00Z"),
			DowngradeAt: timeRef(instant("2027-07-01T00:00:00Z"))}, instant("2027-07-01T00:00:00Z")},
		{"downgrade pending, review earlier: the review", TierState{Tier: "gold", ReviewAt: instant("2027-05-01T00:00:00Z"),
			DowngradeAt: timeRef(instant("2027-07-01T00:00:00Z"))}, instant("2027-05-01T00:00:00Z")},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.NextReview(); !got.Equal(c.want) {
				t.Errorf("NextReview = %v, want %v", got, c.want)
			}
		})
	}
}
