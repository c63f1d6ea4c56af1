package loyalty

import (
	"fmt"
	"maps"
	"slices"
	"time"
	// Lambda's provided.al2023 image may lack a zoneinfo database; customers' zones
	// must load anyway.
	_ "time/tzdata"

	"github.com/rapport-crm/rapport/shared/problem"
)

// defaultZone is the zone of a customer who has not given one.
const defaultZone = "Asia/Shanghai"

// Civil time zones run from UTC−12 to UTC+14, so at any instant the local date is one
// of up to three calendar dates somewhere on Earth.
const (
	westmost = -12 * time.Hour
	eastmost = 14 * time.Hour
)

// BirthdayKeys are the "MM-DD" keys under which the dispatcher looks for customers
// whose birthday it may be somewhere at now; BirthdayDue then decides for each in
// their own zone. When one of those dates is 28 February of a common year, "02-29"
// is included too, since 29 February birthdays are celebrated then. Sorted, unique.
func BirthdayKeys(now time.Time) []string {
	now = now.UTC()
	first := civilDate(now.Add(westmost))
	last := civilDate(now.Add(eastmost))
	seen := map[string]bool{}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		seen[d.Format("01-02")] = true
		if d.Month() == time.February && d.Day() == 28 && !isLeap(d.Year()) {
			seen["02-29"] = true
		}
	}
	return slices.Sorted(maps.Keys(seen)) // "MM-DD" sorts as text in calendar order
}

// BirthdayDue tells whether today, in the customer's zone (IANA; "" is Asia/Shanghai),
// is their birthday ("YYYY-MM-DD" or "MM-DD") and they have not had this year's bonus
// (lastYear is the local year of the last one). A 29 February birthday is celebrated
// on 28 February in common years. year is the local year at now, to be recorded as
// the new lastYear when the bonus is given.
func BirthdayDue(birthday, timeZone string, now time.Time, lastYear int) (year int, due bool, err error) {
	month, day, err := parseBirthday(birthday)
	if err != nil {
		return 0, false, err
	}
	if timeZone == "" {
		timeZone = defaultZone
	}
	loc, err := time.LoadLocation(timeZone)
	if err != nil || timeZone == "Local" {
		return 0, false, problem.Field("timeZone", fmt.Sprintf("%q is not an IANA time zone", timeZone))
	}
	y, m, d := now.In(loc).Date()
	today := m == month && d == day ||
		month == time.February && day == 29 && !isLeap(y) && m == time.February && d == 28
	return y, today && lastYear < y, nil
}

// parseBirthday reads "YYYY-MM-DD" (a real date) or "MM-DD" (29 February allowed).
func parseBirthday(s string) (time.Month, int, error) {
	full := s
	if len(s) == len("01-02") {
		full = "2000-" + s // a leap year, so 02-29 parses
	}
	t, err := time.Parse("2006-01-02", full)
	if err != nil || len(full) != len("2006-01-02") {
		return 0, 0, problem.Field("birthday", fmt.Sprintf("%q is not YYYY-MM-DD or MM-DD", s))
	}
	return t.Month(), t.Day(), nil
}

// civilDate is t's calendar date in t's own location, as midnight UTC.
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }
