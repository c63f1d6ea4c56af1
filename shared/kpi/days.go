package kpi

import (
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/shared/problem"
)

// Days reads a report's from and to (YYYY-MM-DD, or an RFC 3339 time whose date is
// taken) as day keys: to defaults to defaultTo's date, from to span days before to (so
// the report covers span+1 days), and the period may cover at most maxDays days. A
// wrong field is a 400 naming it.
func Days(from, to string, defaultTo time.Time, span, maxDays int) (string, string, error) {
	var errs []problem.FieldError
	parse := func(field, v string, def time.Time) time.Time {
		if v == "" {
			return def
		}
		if t, err := time.Parse(DayFormat, v); err == nil {
			return t
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t
		}
		errs = append(errs, problem.FieldError{Field: field, Message: "must be a date (YYYY-MM-DD)"})
		return def
	}
	t := parse("to", to, defaultTo)
	f := parse("from", from, t.AddDate(0, 0, -span))
	if err := problem.Fields(errs); err != nil {
		return "", "", err
	}
	if f.After(t) || t.Sub(f) > time.Duration(maxDays)*24*time.Hour {
		return "", "", problem.Field("from", fmt.Sprintf("must be on or before to, at most %d days before it", maxDays))
	}
	return f.Format(DayFormat), t.Format(DayFormat), nil
}
