package customer

import (
	"fmt"
	"slices"
	"time"
)

// interval is an opening interval in minutes since local midnight.
type interval struct{ start, end int }

// schedule is a location's opening hours in its zone, ready for arithmetic.
type schedule struct {
	loc      *time.Location
	week     [7][]interval // by time.Weekday
	holidays map[string]bool
}

func (l Location) schedule() (schedule, error) {
	loc, err := time.LoadLocation(l.TimeZone)
	if err != nil {
		return schedule{}, fmt.Errorf("location %s: %w", l.ID, err)
	}
	s := schedule{loc: loc, holidays: map[string]bool{}}
	for i, day := range weekdays {
		wd := time.Weekday((i + 1) % 7) // weekdays starts on Monday
		for _, iv := range l.WeeklyHours[day] {
			m := hhmm.FindStringSubmatch(iv)
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

// AddBusinessHours is the moment d of opening time after start, counted in the
// location's weekly hours and zone, skipping holidays: "resolve within 8 business
// hours" from a Friday-evening complaint ends on Monday or Tuesday. A location with no
// opening hours at all counts around the clock.
func (l Location) AddBusinessHours(start time.Time, d time.Duration) (time.Time, error) {
	s, err := l.schedule()
	if err != nil {
		return time.Time{}, err
	}
	if !slices.ContainsFunc(s.week[:], func(ivs []interval) bool { return len(ivs) > 0 }) {
		return start.Add(d), nil
	}
	left := d
	t := start.In(s.loc)
	for day := 0; day < 3*366; day++ {
		y, m, dd := t.Date()
		midnight := time.Date(y, m, dd, 0, 0, 0, 0, s.loc)
		if !s.holidays[midnight.Format(dayFormat)] {
			for _, iv := range s.week[midnight.Weekday()] {
				open := time.Date(y, m, dd, iv.start/60, iv.start%60, 0, 0, s.loc)
				closes := time.Date(y, m, dd, iv.end/60, iv.end%60, 0, 0, s.loc)
				if !closes.After(t) {
					continue
				}
				from := t
				if open.After(t) {
					from = open
				}
				avail := closes.Sub(from)
				if avail >= left {
					return from.Add(left).UTC(), nil
				}
				left -= avail
			}
		}
		t = time.Date(y, m, dd+1, 0, 0, 0, 0, s.loc) // wall-clock next day, DST-safe
	}
	return time.Time{}, fmt.Errorf("location %s: no opening hours within three years", l.ID)
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
