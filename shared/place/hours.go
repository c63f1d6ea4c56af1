package place

import (
	"fmt"
	"iter"
	"slices"
	"time"
)

// horizon bounds how far the business-hours arithmetic walks the calendar, so that a
// location that never opens (every open day a holiday) cannot make it loop forever.
const horizon = 3 // years

// interval is an opening interval in minutes since local midnight.
type interval struct{ start, end int }

// schedule is a location's opening hours in its zone, ready for arithmetic.
type schedule struct {
	loc      *time.Location
	week     [7][]interval // by time.Weekday
	holidays map[string]bool
}

func (l Location) schedule() (schedule, error) {
	loc, err := Zone(l.TimeZone)
	if err != nil {
		return schedule{}, fmt.Errorf("location %s: %w", l.ID, err)
	}
	s := schedule{loc: loc, holidays: map[string]bool{}}
	for i, day := range weekdays {
		wd := time.Weekday((i + 1) % 7) // weekdays starts on Monday
		for _, iv := range l.WeeklyHours[day] {
			m := hhmm().FindStringSubmatch(iv)
			if m == nil {
				return schedule{}, fmt.Errorf("location %s: hours %q", l.ID, iv)
			}
			s.week[wd] = append(s.week[wd], interval{minutes(m[1], m[2]), minutes(m[3], m[4])})
		}
	}
	for _, h := range l.Holidays {
		s.holidays[h] = true
	}
	return s, nil
}

// aroundTheClock tells whether the location has no opening hours at all, which
// counts as always open.
func (s schedule) aroundTheClock() bool {
	return !slices.ContainsFunc(s.week[:], func(ivs []interval) bool { return len(ivs) > 0 })
}

// spans yields the opening time within [from, until) as [open, closes) spans, in
// order and without overlap. It walks the local calendar day by day up to until,
// placing each day's intervals at their wall-clock times (see wallTime), so a DST
// Sunday open all day has its 23 or 25 hours, and an interval ending at 24:00 meets
// the next day's 00:00 without a gap. AddBusinessHours and BusinessBetween share it,
// which keeps them exact inverses.
func (s schedule) spans(from, until time.Time) iter.Seq2[time.Time, time.Time] {
	return func(yield func(open, closes time.Time) bool) {
		cursor := from // spans never start before the previous one ended
		for day := localDate(from, s.loc); wallTime(day, 0, s.loc).Before(until); day = day.AddDate(0, 0, 1) {
			if s.holidays[day.Format(dayFormat)] {
				continue
			}
			for _, iv := range s.week[day.Weekday()] {
				open, closes := wallTime(day, iv.start, s.loc), wallTime(day, iv.end, s.loc)
				if open.Before(cursor) {
					open = cursor
				}
				if closes.After(until) {
					closes = until
				}
				if !open.Before(closes) {
					continue
				}
				if !yield(open, closes) {
					return
				}
				cursor = closes
			}
		}
	}
}

// localDate is t's calendar date in loc, as midnight UTC: calendar arithmetic on it
// is free of DST.
func localDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// wallTime is the first instant at which the clocks in loc read the given minute of
// day (a date as localDate returns it) or later. A time skipped when the clocks spring
// forward is thus the end of the gap, and a time repeated when they fall back is its
// first occurrence. time.Date leaves both unspecified, and in fact resolves them
// differently east and west of Greenwich.
func wallTime(day time.Time, minute int, loc *time.Location) time.Time {
	y, m, d := day.Date()
	t := time.Date(y, m, d, 0, minute, 0, 0, loc)
	want := time.Date(y, m, d, 0, minute, 0, 0, time.UTC)
	got := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	start, end := t.ZoneBounds()
	switch {
	case got.After(want): // skipped, and time.Date went past the gap
		return start
	case got.Before(want): // skipped, and time.Date stopped short of the gap
		return end
	case start.IsZero():
		return t
	}
	_, offset := t.Zone()
	_, before := start.Add(-time.Second).Zone()
	if back := time.Duration(before-offset) * time.Second; t.Sub(start) < back {
		return t.Add(-back) // repeated, and time.Date chose the second occurrence
	}
	return t
}

// AddBusinessHours is the moment d of opening time after start, counted in the
// location's weekly hours and zone, skipping holidays: "resolve within 8 business
// hours" from a Friday-evening complaint ends on Monday or Tuesday. If d runs out
// exactly at a closing time, that closing time is the answer. A location with no
// opening hours at all counts around the clock; one that does not open for d within
// the horizon is an error.
func (l Location) AddBusinessHours(start time.Time, d time.Duration) (time.Time, error) {
	s, err := l.schedule()
	if err != nil {
		return time.Time{}, err
	}
	if s.aroundTheClock() {
		return start.Add(d), nil
	}
	left := d
	for open, closes := range s.spans(start, start.AddDate(horizon, 0, 0)) {
		avail := closes.Sub(open)
		if avail >= left {
			return open.Add(left).UTC(), nil
		}
		left -= avail
	}
	return time.Time{}, fmt.Errorf("location %s: no opening hours within %d years", l.ID, horizon)
}

// BusinessBetween is the opening time between from and to, counted in the location's
// weekly hours and zone like AddBusinessHours, so that BusinessBetween(start,
// AddBusinessHours(start, d)) is d for any d > 0. SLA clocks use it for the business
// time elapsed and for the business time a pause took. It is 0 if to is not after
// from, and wall-clock to-from for a location with no opening hours at all; a span
// longer than the horizon is an error.
func (l Location) BusinessBetween(from, to time.Time) (time.Duration, error) {
	s, err := l.schedule()
	if err != nil {
		return 0, err
	}
	switch {
	case !to.After(from):
		return 0, nil
	case s.aroundTheClock():
		return to.Sub(from), nil
	case to.After(from.AddDate(horizon, 0, 0)):
		return 0, fmt.Errorf("location %s: business time over more than %d years", l.ID, horizon)
	}
	var sum time.Duration
	for open, closes := range s.spans(from, to) {
		sum += closes.Sub(open)
	}
	return sum, nil
}

// Open tells whether the location is open at t.
func (l Location) Open(t time.Time) (bool, error) {
	s, err := l.schedule()
	if err != nil {
		return false, err
	}
	lt := t.In(s.loc)
	if s.holidays[lt.Format(dayFormat)] {
		return false, nil
	}
	now := lt.Hour()*60 + lt.Minute()
	for _, iv := range s.week[lt.Weekday()] {
		if now >= iv.start && now < iv.end {
			return true, nil
		}
	}
	return false, nil
}
