package loyalty

import (
	"time"
)

// Tiers follow the points earned in a rolling 12 months, never the balance: spending
// points must not cost a customer their tier. Earnings are kept per calendar month
// (UTC) so the window is a sum of at most twelve buckets.

// Kinds of TierChange.
const (
	changeUpgrade         = "upgrade"
	changeDowngradeNotice = "downgrade_notice"
	changeDowngrade       = "downgrade"
	changeKept            = "kept"
)

// MonthKey is the bucket of t: "2006-01" in UTC.
func MonthKey(t time.Time) string { return t.UTC().Format("2006-01") }

// windowKeys are the buckets of now's month and the 11 before it.
func windowKeys(now time.Time) []string {
	y, m, _ := now.UTC().Date()
	keys := make([]string, 12)
	for i := range keys {
		keys[i] = MonthKey(time.Date(y, m-time.Month(i), 1, 0, 0, 0, 0, time.UTC))
	}
	return keys
}

// Earned12m is the points earned in now's month and the 11 before it.
func Earned12m(buckets map[string]int, now time.Time) int {
	sum := 0
	for _, k := range windowKeys(now) {
		sum += buckets[k]
	}
	return sum
}

// PruneBuckets returns a copy of buckets without the months that have left the
// window (and any key that is not a month); later months are kept.
func PruneBuckets(buckets map[string]int, now time.Time) map[string]int {
	keys := windowKeys(now)
	oldest := keys[len(keys)-1]
	kept := make(map[string]int, len(buckets))
	for k, v := range buckets {
		if _, err := time.Parse("2006-01", k); err != nil || k < oldest {
			continue
		}
		kept[k] = v
	}
	return kept
}

// TierFor is the highest tier whose threshold earned reaches (the lowest tier for
// anything below the first threshold).
func (r Rules) TierFor(earned int) string {
	if len(r.Tiers) == 0 {
		return ""
	}
	name := r.Tiers[0].Name
	for _, t := range r.Tiers[1:] {
		if earned < t.Threshold {
			break
		}
		name = t.Name
	}
	return name
}

// tierIndex ranks a tier name; -1 for a name the rules no longer have, which ranks
// below every tier, so such a customer is placed by what they have earned.
func (r Rules) tierIndex(name string) int {
	for i, t := range r.Tiers {
		if t.Name == name {
			return i
		}
	}
	return -1
}

// TierState is a customer's tier and when it is next reviewed.
type TierState struct {
	Tier  string    `dynamodbav:"tier" json:"tier"`
	Since time.Time `dynamodbav:"since" json:"since"`
	// ReviewAt is the yearly review; a downgrade can happen only from there.
	ReviewAt time.Time `dynamodbav:"reviewAt" json:"reviewAt"`
	// DowngradeAt is set when a review found the customer short and told them: the
	// end of the grace period.
	DowngradeAt *time.Time `dynamodbav:"downgradeAt,omitempty" json:"downgradeAt,omitempty"`
}

// TierChange is recorded and told to the service's Effects as a TierChanged event
// (shared/membership answers it with a congratulation for an upgrade, a notice for a
// downgrade or a coming one, nothing when the tier is kept). Kind is "upgrade", "downgrade_notice", "downgrade"
// or "kept" (re-qualified during the grace period). For a notice, To is the tier the
// customer would drop to on what they have earned so far.
type TierChange struct {
	From string    `dynamodbav:"from" json:"from"`
	To   string    `dynamodbav:"to" json:"to"`
	Kind string    `dynamodbav:"kind" json:"kind"`
	At   time.Time `dynamodbav:"at" json:"at"`
}

// NextReview is when the dispatcher must look at this account next: the earlier of
// ReviewAt and DowngradeAt.
func (s TierState) NextReview() time.Time {
	if s.DowngradeAt != nil && s.DowngradeAt.Before(s.ReviewAt) {
		return *s.DowngradeAt
	}
	return s.ReviewAt
}

// start is the state of a new account: the lowest tier, reviewed in a year.
func (r Rules) start(now time.Time) TierState {
	return TierState{Tier: r.TierFor(0), Since: now, ReviewAt: now.AddDate(1, 0, 0)}
}

// OnEarn upgrades at once when earned12m reaches a higher tier, and withdraws a
// pending downgrade when the customer earns back their current tier. It never lowers
// a tier: that happens only at a review.
func (r Rules) OnEarn(s TierState, earned12m int, now time.Time) (TierState, *TierChange) {
	if s.Tier == "" {
		s = r.start(now)
	}
	to := r.TierFor(earned12m)
	q, c := r.tierIndex(to), r.tierIndex(s.Tier)
	switch {
	case q > c:
		return r.placed(s, to, changeUpgrade, now)
	case q == c && s.DowngradeAt != nil:
		return r.kept(s, now)
	}
	return s, nil
}

// Review is the yearly review, run by the dispatcher at NextReview. A customer who
// still qualifies keeps the tier for another year; one who does not is told and
// keeps it for GraceDays (none: downgraded at once), then drops to the tier their
// points earn, possibly several levels. Before ReviewAt and DowngradeAt it does nothing.
func (r Rules) Review(s TierState, earned12m int, now time.Time) (TierState, *TierChange) {
	if s.Tier == "" {
		return r.start(now), nil
	}
	graceOver := s.DowngradeAt != nil && !now.Before(*s.DowngradeAt)
	if now.Before(s.ReviewAt) && !graceOver {
		return s, nil
	}
	to := r.TierFor(earned12m)
	q, c := r.tierIndex(to), r.tierIndex(s.Tier)
	switch {
	case q > c: // thresholds were lowered since the last earn
		return r.placed(s, to, changeUpgrade, now)
	case q == c && s.DowngradeAt != nil:
		return r.kept(s, now)
	case q == c:
		s.ReviewAt = nextAnniversary(s.ReviewAt, now)
		return s, nil
	case s.DowngradeAt == nil && r.GraceDays > 0:
		// The review is done whatever follows, so NextReview becomes the end of grace.
		at := now.AddDate(0, 0, r.GraceDays)
		s.DowngradeAt = &at
		s.ReviewAt = nextAnniversary(s.ReviewAt, now)
		return s, &TierChange{From: s.Tier, To: to, Kind: changeDowngradeNotice, At: now}
	case s.DowngradeAt == nil || graceOver:
		return r.placed(s, to, changeDowngrade, now)
	}
	return s, nil // told, still in the grace period
}

// placed moves the customer to tier to, starting a new year.
func (r Rules) placed(s TierState, to, kind string, now time.Time) (TierState, *TierChange) {
	ch := &TierChange{From: s.Tier, To: to, Kind: kind, At: now}
	return TierState{Tier: to, Since: now, ReviewAt: now.AddDate(1, 0, 0)}, ch
}

// kept withdraws a pending downgrade; the next review stays a year after the one
// that gave notice.
func (r Rules) kept(s TierState, now time.Time) (TierState, *TierChange) {
	s.DowngradeAt = nil
	s.ReviewAt = nextAnniversary(s.ReviewAt, now)
	return s, &TierChange{From: s.Tier, To: s.Tier, Kind: changeKept, At: now}
}

// nextAnniversary is the first yearly anniversary of reviewAt after now, keeping the
// review on its date even when the dispatcher ran late (or skipped a year). Counting
// whole years from reviewAt brings a 29 February review back to 29 February in leap
// years instead of leaving it on 1 March for good.
func nextAnniversary(reviewAt, now time.Time) time.Time {
	switch {
	case reviewAt.IsZero():
		return now.AddDate(1, 0, 0)
	case reviewAt.After(now):
		return reviewAt
	}
	for n := 1; ; n++ {
		if next := reviewAt.AddDate(n, 0, 0); next.After(now) {
			return next
		}
	}
}
