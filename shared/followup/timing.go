package followup

import (
	"fmt"
	"time"
	// Lambda's provided.al2023 image may lack a zoneinfo database; recipients' zones
	// must load anyway.
	_ "time/tzdata"
)

// Quiet is a daily window, in the recipient's local time, when no message goes out
// (default 21:00–09:00). Start after End means the window spans midnight.
type Quiet struct {
	Start, End time.Duration // since local midnight
}

// DefaultQuiet is 21:00–09:00.
var DefaultQuiet = Quiet{Start: 21 * time.Hour, End: 9 * time.Hour}

// ParseQuiet reads "21:00-09:00".
func ParseQuiet(s string) (Quiet, error) {
	var sh, sm, eh, em int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &sh, &sm, &eh, &em); err != nil ||
		sh < 0 || sh > 23 || eh < 0 || eh > 23 || sm < 0 || sm > 59 || em < 0 || em > 59 {
		return Quiet{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM", s)
	}
	return Quiet{Start: time.Duration(sh)*time.Hour + time.Duration(sm)*time.Minute,
		End: time.Duration(eh)*time.Hour + time.Duration(em)*time.Minute}, nil
}

// Contains tells whether local time t falls in the window.
func (q Quiet) Contains(t time.Time) bool {
	if q.Start == q.End {
		return false // no quiet hours
	}
	since := sinceMidnight(t)
	if q.Start < q.End {
		return since >= q.Start && since < q.End
	}
	return since >= q.Start || since < q.End
}

func sinceMidnight(t time.Time) time.Duration {
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
}

// Next is the earliest moment at or after t that is outside the window, judged on
// the wall clock of loc: a message due at 23:30 in Shanghai goes at 09:00 the next
// morning there, whatever the server's zone and across daylight-saving switches.
func (q Quiet) Next(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	if !q.Contains(lt) {
		return t
	}
	y, m, d := lt.Date()
	if q.Start > q.End && sinceMidnight(lt) >= q.Start {
		d++ // the window ends tomorrow morning
	}
	h, min := int(q.End/time.Hour), int(q.End%time.Hour/time.Minute)
	// time.Date on the wall clock, so a DST switch overnight moves the instant, not
	// the local time the recipient sees.
	return time.Date(y, m, d, h, min, 0, 0, loc).UTC()
}

// LocalAt is a wall-clock time on a date in a zone, as UTC: when "10:00 on the
// customer's birthday" happens.
func LocalAt(date time.Time, hour, minute int, loc *time.Location) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d, hour, minute, 0, 0, loc).UTC()
}

// Zone loads a time zone, UTC for an empty name.
func Zone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}
