package place

import (
	"strings"
	"testing"
	"time"
)

func TestAddBusinessHours(t *testing.T) {
	// Split shifts Monday to Friday, a short Saturday, closed Sunday; 1 October a holiday.
	sh := Location{ID: "SH01", TimeZone: "Asia/Shanghai", WeeklyHours: map[string][]string{
		"mon": {"09:00-12:00", "13:00-18:00"}, "tue": {"09:00-12:00", "13:00-18:00"}, "wed": {"09:00-12:00", "13:00-18:00"},
		"thu": {"09:00-12:00", "13:00-18:00"}, "fri": {"09:00-12:00", "13:00-18:00"}, "sat": {"10:00-14:00"},
	}, Holidays: []string{"2026-10-01"}}
	ny := Location{ID: "NY01", TimeZone: "America/New_York", WeeklyHours: map[string][]string{
		"sat": {"09:00-17:00"}, "sun": {"09:00-17:00"}, "mon": {"09:00-17:00"},
	}}
	local := func(l Location, s string) time.Time {
		zone, _ := time.LoadLocation(l.TimeZone)
		v, err := time.ParseInLocation("2006-01-02 15:04", s, zone)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name  string
		l     Location
		start string
		d     time.Duration
		want  string
	}{
		{"within the morning", sh, "2026-11-23 09:30", 2 * time.Hour, "2026-11-23 11:30"},
		{"over lunch", sh, "2026-11-23 11:00", 2 * time.Hour, "2026-11-23 14:00"},
		{"before opening", sh, "2026-11-23 07:00", time.Hour, "2026-11-23 10:00"},
		{"friday evening into saturday", sh, "2026-11-27 17:00", 3 * time.Hour, "2026-11-28 12:00"},
		{"saturday into monday", sh, "2026-11-28 13:00", 2 * time.Hour, "2026-11-30 10:00"},
		{"over a holiday", sh, "2026-09-30 17:00", 2 * time.Hour, "2026-10-02 10:00"},
		{"eight hours from a sunday", sh, "2026-11-29 12:00", 8 * time.Hour, "2026-11-30 18:00"},
		// New York springs forward on Sunday 8 March 2026: opening hours stay 09:00-17:00.
		{"across a DST switch", ny, "2026-03-07 16:00", 2 * time.Hour, "2026-03-08 10:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.l.AddBusinessHours(local(c.l, c.start), c.d)
			if err != nil {
				t.Fatal(err)
			}
			if want := local(c.l, c.want); !got.Equal(want) {
				zone, _ := time.LoadLocation(c.l.TimeZone)
				t.Fatalf("got %s, want %s", got.In(zone).Format("Mon 2006-01-02 15:04"), want.Format("Mon 2006-01-02 15:04"))
			}
		})
	}
	open, _ := sh.Open(local(sh, "2026-11-23 12:30"))
	if open {
		t.Error("open at lunch")
	}
	if open, _ := sh.Open(local(sh, "2026-11-23 13:30")); !open {
		t.Error("closed in the afternoon")
	}
	always := Location{ID: "X", TimeZone: "UTC"}
	if got, _ := always.AddBusinessHours(time.Date(2026, 1, 1, 23, 0, 0, 0, time.UTC), time.Hour); got.Hour() != 0 {
		t.Errorf("no hours means around the clock: %s", got)
	}
}

// Fixtures for the business-clock tables. Every expected value below is worked out
// by hand from these hours, never by the code under test.
var (
	// A Shanghai office: split shifts Monday to Friday, closed for the National Day
	// week. China has no DST.
	shOffice = Location{ID: "SH-OFFICE", TimeZone: "Asia/Shanghai", WeeklyHours: map[string][]string{
		"mon": {"09:00-12:00", "13:00-18:00"}, "tue": {"09:00-12:00", "13:00-18:00"}, "wed": {"09:00-12:00", "13:00-18:00"},
		"thu": {"09:00-12:00", "13:00-18:00"}, "fri": {"09:00-12:00", "13:00-18:00"},
	}, Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"}}
	// A Shanghai bar open 18:00-02:00 from Thursday night to Sunday morning.
	shBar = Location{ID: "SH-BAR", TimeZone: "Asia/Shanghai", WeeklyHours: map[string][]string{
		"thu": {"18:00-24:00"}, "fri": {"00:00-02:00", "18:00-24:00"}, "sat": {"00:00-02:00", "18:00-24:00"}, "sun": {"00:00-02:00"},
	}}
	// A Berlin office: split shifts Monday to Friday, closed Good Friday and Easter
	// Monday 2026.
	berlinOffice = Location{ID: "BER-OFFICE", TimeZone: "Europe/Berlin", WeeklyHours: map[string][]string{
		"mon": {"08:00-12:00", "13:00-17:00"}, "tue": {"08:00-12:00", "13:00-17:00"}, "wed": {"08:00-12:00", "13:00-17:00"},
		"thu": {"08:00-12:00", "13:00-17:00"}, "fri": {"08:00-12:00", "13:00-17:00"},
	}, Holidays: []string{"2026-04-03", "2026-04-06"}}
	// A Berlin hotel desk open around the clock, seven days: its Sundays of
	// 29 March and 25 October 2026 have 23 and 25 hours.
	berlinDesk = Location{ID: "BER-DESK", TimeZone: "Europe/Berlin", WeeklyHours: map[string][]string{
		"mon": {"00:00-24:00"}, "tue": {"00:00-24:00"}, "wed": {"00:00-24:00"}, "thu": {"00:00-24:00"},
		"fri": {"00:00-24:00"}, "sat": {"00:00-24:00"}, "sun": {"00:00-24:00"},
	}}
	// A Berlin bar open 20:00-04:00 on Friday and Saturday nights, across the hour
	// that DST skips or repeats.
	berlinBar = Location{ID: "BER-BAR", TimeZone: "Europe/Berlin", WeeklyHours: map[string][]string{
		"fri": {"20:00-24:00"}, "sat": {"00:00-04:00", "20:00-24:00"}, "sun": {"00:00-04:00"},
	}}
	// A Berlin bakery's night shift, with a break from 02:30 to 02:45: both ends of
	// the break fall in the hour that DST skips or repeats.
	berlinBakery = Location{ID: "BER-BAKERY", TimeZone: "Europe/Berlin", WeeklyHours: map[string][]string{
		"mon": {"01:00-02:30", "02:45-06:00"}, "tue": {"01:00-02:30", "02:45-06:00"}, "wed": {"01:00-02:30", "02:45-06:00"},
		"thu": {"01:00-02:30", "02:45-06:00"}, "fri": {"01:00-02:30", "02:45-06:00"}, "sat": {"01:00-02:30", "02:45-06:00"},
		"sun": {"01:00-02:30", "02:45-06:00"},
	}}
)

// at reads a wall-clock literal in l's zone, "2026-03-30 10:00". The hour a fall-back
// repeats needs its zone, "2026-10-25 02:30 CEST"; a time that does not exist or is
// ambiguous fails the test rather than being guessed.
func at(t *testing.T, l Location, s string) time.Time {
	t.Helper()
	zone, err := time.LoadLocation(l.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += " MST"
	}
	v, err := time.ParseInLocation(layout, s, zone)
	if err != nil {
		t.Fatal(err)
	}
	v = v.In(zone)
	if v.Format(layout) != s {
		t.Fatalf("%s does not exist in %s", s, l.TimeZone)
	}
	if !strings.HasSuffix(layout, "MST") && (v.Add(time.Hour).Format(layout) == s || v.Add(-time.Hour).Format(layout) == s) {
		t.Fatalf("%s is ambiguous in %s: add CET or CEST", s, l.TimeZone)
	}
	return v
}

// show is an instant as a wall-clock time in l's zone, for failure messages.
func show(l Location, v time.Time) string {
	zone, _ := time.LoadLocation(l.TimeZone)
	return v.In(zone).Format("Mon 2006-01-02 15:04 MST")
}

// TestBusinessClock checks each row both ways: AddBusinessHours(start, d) is end and
// BusinessBetween(start, end) is d.
func TestBusinessClock(t *testing.T) {
	h, m := time.Hour, time.Minute
	cases := []struct {
		name  string
		l     Location
		start string
		d     time.Duration
		end   string
	}{
		// Split shifts: the lunch break does not count.
		{"shanghai split shift: over lunch", shOffice, "2026-11-23 11:00", 2 * h, "2026-11-23 14:00"},
		{"shanghai split shift: from the lunch break", shOffice, "2026-11-23 12:15", 1 * h, "2026-11-23 14:00"},
		{"shanghai split shift: runs out as lunch starts", shOffice, "2026-11-23 09:00", 3 * h, "2026-11-23 12:00"},
		{"shanghai split shift: a full day ends at closing", shOffice, "2026-11-23 09:00", 8 * h, "2026-11-23 18:00"},
		{"berlin split shift: over lunch", berlinOffice, "2026-11-24 11:30", 1 * h, "2026-11-24 13:30"},

		// Overnight: closed nights wait for the morning; a bar's 24:00 meets 00:00.
		{"shanghai overnight: after closing rolls to next morning", shOffice, "2026-11-23 19:00", 1 * h, "2026-11-24 10:00"},
		{"berlin overnight: after closing rolls to next morning", berlinOffice, "2026-11-25 18:30", 30 * m, "2026-11-26 08:30"},
		{"shanghai overnight: bar across midnight", shBar, "2026-11-26 23:00", 2 * h, "2026-11-27 01:00"},
		{"shanghai overnight: bar 18:00 to 24:00 ends at midnight", shBar, "2026-11-26 18:00", 6 * h, "2026-11-27 00:00"},
		{"shanghai overnight: bar after 02:00 waits for the evening", shBar, "2026-11-27 01:30", 1 * h, "2026-11-27 18:30"},
		{"shanghai overnight: bar three nights in a row", shBar, "2026-11-26 18:00", 24 * h, "2026-11-29 02:00"},
		{"shanghai overnight: bar sunday morning to thursday night", shBar, "2026-11-29 01:00", 2 * h, "2026-12-03 19:00"},
		{"berlin overnight: bar across midnight", berlinBar, "2026-11-27 23:30", 1 * h, "2026-11-28 00:30"},

		// Weekends: Friday evening into Monday.
		{"shanghai weekend: friday evening to monday afternoon", shOffice, "2026-11-27 17:30", 4 * h, "2026-11-30 13:30"},
		{"shanghai weekend: from saturday", shOffice, "2026-11-28 10:00", 1 * h, "2026-11-30 10:00"},
		{"berlin weekend: friday evening to monday", berlinOffice, "2026-11-27 16:00", 3 * h, "2026-11-30 10:00"},

		// Holidays: closed dates are skipped.
		{"shanghai holiday: national day week", shOffice, "2026-09-30 16:00", 4 * h, "2026-10-08 11:00"},
		{"shanghai holiday: friday evening through national day week", shOffice, "2026-09-25 17:00", 30 * h, "2026-10-08 15:00"},
		{"berlin holiday: good friday to easter monday", berlinOffice, "2026-04-02 16:00", 2 * h, "2026-04-07 09:00"},

		// Berlin springs forward on Sunday 29 March 2026, 02:00 -> 03:00.
		{"berlin spring forward: office weekend unaffected", berlinOffice, "2026-03-27 16:00", 2 * h, "2026-03-30 09:00"},
		{"berlin spring forward: the sunday has 23 hours", berlinDesk, "2026-03-29 00:00", 23 * h, "2026-03-30 00:00"},
		{"berlin spring forward: a day from saturday noon ends 13:00", berlinDesk, "2026-03-28 12:00", 24 * h, "2026-03-29 13:00"},
		{"berlin spring forward: a minute after 01:59 is 03:00", berlinDesk, "2026-03-29 01:59", 1 * m, "2026-03-29 03:00"},
		{"berlin spring forward: the bar night has 7 hours", berlinBar, "2026-03-28 20:00", 7 * h, "2026-03-29 04:00"},
		{"berlin spring forward: bar skips 02:00-03:00", berlinBar, "2026-03-29 01:30", 1 * h, "2026-03-29 03:30"},
		{"berlin spring forward: after closing the bar waits for friday", berlinBar, "2026-03-29 03:30", 1 * h, "2026-04-03 20:30"},
		{"berlin spring forward: bakery on an ordinary night", berlinBakery, "2026-03-28 01:00", 4*h + 45*m, "2026-03-28 06:00"},
		{"berlin spring forward: bakery break from the skipped 02:30 is none", berlinBakery, "2026-03-29 01:30", 30 * m, "2026-03-29 03:00"},
		{"berlin spring forward: the bakery night has 4 hours", berlinBakery, "2026-03-29 01:00", 4 * h, "2026-03-29 06:00"},

		// Berlin falls back on Sunday 25 October 2026, 03:00 -> 02:00.
		{"berlin fall back: office weekend unaffected", berlinOffice, "2026-10-23 16:30", 1 * h, "2026-10-26 08:30"},
		{"berlin fall back: the sunday has 25 hours", berlinDesk, "2026-10-25 00:00", 25 * h, "2026-10-26 00:00"},
		{"berlin fall back: a day from saturday noon ends 11:00", berlinDesk, "2026-10-24 12:00", 24 * h, "2026-10-25 11:00"},
		{"berlin fall back: the first 02:30", berlinDesk, "2026-10-25 00:00", 2*h + 30*m, "2026-10-25 02:30 CEST"},
		{"berlin fall back: the second 02:30", berlinDesk, "2026-10-25 00:00", 3*h + 30*m, "2026-10-25 02:30 CET"},
		{"berlin fall back: the bar night has 9 hours", berlinBar, "2026-10-24 20:00", 9 * h, "2026-10-25 04:00"},
		{"berlin fall back: bar through the repeated hour", berlinBar, "2026-10-25 01:30", 3 * h, "2026-10-25 03:30"},
		{"berlin fall back: bar from saturday into the second 02:30", berlinBar, "2026-10-24 23:00", 4*h + 30*m, "2026-10-25 02:30 CET"},
		{"berlin fall back: bakery break is at the first 02:30-02:45", berlinBakery, "2026-10-25 01:00", 1*h + 45*m, "2026-10-25 02:00 CET"},
		{"berlin fall back: the bakery night has 5h45m", berlinBakery, "2026-10-25 01:00", 5*h + 45*m, "2026-10-25 06:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start, end := at(t, c.l, c.start), at(t, c.l, c.end)
			got, err := c.l.AddBusinessHours(start, c.d)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(end) {
				t.Errorf("AddBusinessHours(%s, %s) = %s, want %s", c.start, c.d, show(c.l, got), show(c.l, end))
			}
			between, err := c.l.BusinessBetween(start, end)
			if err != nil {
				t.Fatal(err)
			}
			if between != c.d {
				t.Errorf("BusinessBetween(%s, %s) = %s, want %s", c.start, c.end, between, c.d)
			}
		})
	}
}

func TestBusinessBetween(t *testing.T) {
	h, m := time.Hour, time.Minute
	anyHour := Location{ID: "ANY", TimeZone: "Europe/Berlin"}
	cases := []struct {
		name     string
		l        Location
		from, to string
		want     time.Duration
	}{
		{"to before from", shOffice, "2026-11-23 10:00", "2026-11-23 09:00", 0},
		{"same instant", shOffice, "2026-11-23 10:00", "2026-11-23 10:00", 0},
		{"ends in the lunch break", shOffice, "2026-11-23 11:00", "2026-11-23 12:30", 1 * h},
		{"a closed weekend", shOffice, "2026-11-28 10:00", "2026-11-29 20:00", 0},
		{"a closed holiday week", shOffice, "2026-10-01 00:00", "2026-10-08 00:00", 0},
		{"shanghai: a week of split shifts", shOffice, "2026-11-23 00:00", "2026-11-30 00:00", 40 * h},
		// 66 weekdays from October to December, 5 of them in the National Day week.
		{"shanghai: a quarter with national day", shOffice, "2026-10-01 00:00", "2027-01-01 00:00", 61 * 8 * h},
		{"shanghai: a week of bar nights", shBar, "2026-11-23 00:00", "2026-11-30 00:00", 24 * h},
		{"berlin: easter week", berlinOffice, "2026-03-30 00:00", "2026-04-07 12:00", 36 * h},
		{"berlin: every hour of march", berlinDesk, "2026-03-01 00:00", "2026-04-01 00:00", 31*24*h - h},
		{"berlin: every hour of october", berlinDesk, "2026-10-01 00:00", "2026-11-01 00:00", 31*24*h + h},
		{"berlin: every hour of a year", berlinDesk, "2026-01-01 00:00", "2027-01-01 00:00", 365 * 24 * h},
		{"berlin: bar weekend of spring forward", berlinBar, "2026-03-27 00:00", "2026-03-30 00:00", 15 * h},
		{"berlin: bar weekend of fall back", berlinBar, "2026-10-23 00:00", "2026-10-26 00:00", 17 * h},
		{"berlin: bakery sunday of spring forward", berlinBakery, "2026-03-29 00:00", "2026-03-29 12:00", 4 * h},
		{"berlin: bakery sunday of fall back", berlinBakery, "2026-10-25 00:00", "2026-10-25 12:00", 5*h + 45*m},
		{"no opening hours: wall clock across spring forward", anyHour, "2026-03-28 12:00", "2026-03-29 12:00", 23 * h},
		{"no opening hours: no horizon", anyHour, "2026-01-01 00:00", "2030-01-01 00:00", 1461 * 24 * h},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.l.BusinessBetween(at(t, c.l, c.from), at(t, c.l, c.to))
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("BusinessBetween(%s, %s) = %s, want %s", c.from, c.to, got, c.want)
			}
		})
	}
	t.Run("beyond the horizon", func(t *testing.T) {
		if _, err := shOffice.BusinessBetween(at(t, shOffice, "2026-01-01 00:00"), at(t, shOffice, "2030-01-01 00:00")); err == nil {
			t.Error("no error for four years")
		}
	})
	t.Run("unknown zone", func(t *testing.T) {
		mars := Location{ID: "MARS", TimeZone: "Mars/Olympus_Mons"}
		if _, err := mars.BusinessBetween(time.Now(), time.Now().Add(time.Hour)); err == nil {
			t.Error("no error")
		}
	})
}

// TestBusinessPause shows how an SLA clock counts a pause (waiting on the customer):
// the elapsed time leaves the pause out, and the deadline moves by the business time
// the pause took.
func TestBusinessPause(t *testing.T) {
	h := time.Hour
	cases := []struct {
		name                             string
		l                                Location
		start, pauseStart, pauseEnd, now string
		target, wantElapsed, wantPaused  time.Duration
		wantDeadline                     string
	}{
		// Paused Fri 11-12, 13-18, Mon 9-12, 13-14; elapsed Fri 10-11 and Mon 14-16.
		{"shanghai: paused over the weekend", shOffice,
			"2026-11-27 10:00", "2026-11-27 11:00", "2026-11-30 14:00", "2026-11-30 16:00",
			8 * h, 3 * h, 10 * h, "2026-12-01 12:00"},
		// Paused Thu 10-12, 13-17, Tue 8-11 (Good Friday and Easter Monday closed);
		// elapsed Thu 9-10, Tue 11-12, 13-15.
		{"berlin: paused over easter", berlinOffice,
			"2026-04-02 09:00", "2026-04-02 10:00", "2026-04-07 11:00", "2026-04-07 15:00",
			8 * h, 4 * h, 9 * h, "2026-04-08 10:00"},
		// Paused Saturday 22:00 to Sunday 04:00, five real hours as 02:00-03:00 is
		// skipped; elapsed Sat 20-22 and Sun 04-10.
		{"berlin: paused across spring forward", berlinDesk,
			"2026-03-28 20:00", "2026-03-28 22:00", "2026-03-29 04:00", "2026-03-29 10:00",
			24 * h, 8 * h, 5 * h, "2026-03-30 02:00"},
		// Paused Sat 01-04, 20-24, Sun 00-01; elapsed Fri 21-24, Sat 00-01 and Sun
		// 01:00 CEST to 03:00 CET, three hours through the repeated one.
		{"berlin: bar paused into fall back", berlinBar,
			"2026-10-23 21:00", "2026-10-24 01:00", "2026-10-25 01:00", "2026-10-25 03:00",
			8 * h, 7 * h, 8 * h, "2026-10-25 04:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start, pauseStart, pauseEnd, now := at(t, c.l, c.start), at(t, c.l, c.pauseStart), at(t, c.l, c.pauseEnd), at(t, c.l, c.now)
			before, err := c.l.BusinessBetween(start, pauseStart)
			if err != nil {
				t.Fatal(err)
			}
			after, err := c.l.BusinessBetween(pauseEnd, now)
			if err != nil {
				t.Fatal(err)
			}
			if elapsed := before + after; elapsed != c.wantElapsed {
				t.Errorf("elapsed %s, want %s", elapsed, c.wantElapsed)
			}
			paused, err := c.l.BusinessBetween(pauseStart, pauseEnd)
			if err != nil {
				t.Fatal(err)
			}
			if paused != c.wantPaused {
				t.Errorf("paused %s, want %s", paused, c.wantPaused)
			}
			deadline, err := c.l.AddBusinessHours(start, c.target+paused)
			if err != nil {
				t.Fatal(err)
			}
			want := at(t, c.l, c.wantDeadline)
			if !deadline.Equal(want) {
				t.Errorf("deadline %s, want %s", show(c.l, deadline), show(c.l, want))
			}
			// The same deadline is what remains of the target, counted from now.
			if rest, err := c.l.AddBusinessHours(now, c.target-before-after); err != nil || !rest.Equal(want) {
				t.Errorf("now plus the rest of the target = %s (%v), want %s", show(c.l, rest), err, show(c.l, want))
			}
		})
	}
}

// TestBusinessRoundTrip checks that BusinessBetween undoes AddBusinessHours and adds
// up over a split, from starts every 37 minutes over the ten days around each of
// Berlin's 2026 DST switches.
func TestBusinessRoundTrip(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	locations := []Location{shOffice, shBar, berlinOffice, berlinDesk, berlinBar, berlinBakery}
	durations := []time.Duration{time.Minute, 59 * time.Minute, 3 * time.Hour, 8 * time.Hour, 27 * time.Hour}
	for _, first := range []time.Time{
		time.Date(2026, 3, 24, 0, 0, 0, 0, berlin),
		time.Date(2026, 10, 20, 0, 0, 0, 0, berlin),
	} {
		last := first.AddDate(0, 0, 10)
		for start := first; start.Before(last); start = start.Add(37 * time.Minute) {
			for _, l := range locations {
				for _, d := range durations {
					end, err := l.AddBusinessHours(start, d)
					if err != nil {
						t.Fatal(err)
					}
					if got, err := l.BusinessBetween(start, end); err != nil || got != d {
						t.Fatalf("%s: BusinessBetween(%s, %s) = %s (%v), want %s", l.ID, show(l, start), show(l, end), got, err, d)
					}
					mid := start.Add(end.Sub(start) / 2)
					a, errA := l.BusinessBetween(start, mid)
					b, errB := l.BusinessBetween(mid, end)
					if errA != nil || errB != nil || a+b != d {
						t.Fatalf("%s: from %s split at %s: %s + %s, want %s", l.ID, show(l, start), show(l, mid), a, b, d)
					}
				}
			}
		}
	}
}

// TestBusinessWallTime pins how an interval's wall-clock ends map to instants on DST
// days, which time.Date resolves differently east (Berlin) and west (New York) of
// Greenwich: a skipped time is the end of the gap, a repeated one its first occurrence.
func TestBusinessWallTime(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name, zone, day string
		min             int
		want            string // UTC
	}{
		{"berlin skipped 02:30 is 03:00 CEST", "Europe/Berlin", "2026-03-29", 150, "2026-03-29 01:00"},
		{"new york skipped 02:30 is 03:00 EDT", "America/New_York", "2026-03-08", 150, "2026-03-08 07:00"},
		{"berlin repeated 02:30 is the CEST one", "Europe/Berlin", "2026-10-25", 150, "2026-10-25 00:30"},
		{"new york repeated 01:30 is the EDT one", "America/New_York", "2026-11-01", 90, "2026-11-01 05:30"},
		{"berlin 03:00 after the repeated hour", "Europe/Berlin", "2026-10-25", 180, "2026-10-25 02:00"},
		{"shanghai ordinary time", "Asia/Shanghai", "2026-11-23", 9 * 60, "2026-11-23 01:00"},
		{"24:00 is the next midnight", "Europe/Berlin", "2026-03-28", 24 * 60, "2026-03-28 23:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			zone, err := time.LoadLocation(c.zone)
			if err != nil {
				t.Fatal(err)
			}
			if got := wallTime(utc(c.day+" 00:00"), c.min, zone); !got.Equal(utc(c.want)) {
				t.Errorf("got %s, want %s UTC", got.UTC().Format("2006-01-02 15:04"), c.want)
			}
		})
	}
}
