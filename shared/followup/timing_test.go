package followup

import (
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := Zone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestQuietHoursInTheRecipientsZone(t *testing.T) {
	sh := mustZone(t, "Asia/Shanghai")
	ny := mustZone(t, "America/New_York")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name string
		due  string
		loc  *time.Location
		q    Quiet
		want string
	}{
		// Shanghai is UTC+8 all year.
		{"shanghai afternoon: sent as due", "2026-11-23T06:00:00Z", sh, DefaultQuiet, "2026-11-23T06:00:00Z"},
		{"shanghai 23:30 waits for 09:00 next day", "2026-11-23T15:30:00Z", sh, DefaultQuiet, "2026-11-24T01:00:00Z"},
		{"shanghai 02:00 waits for 09:00 same day", "2026-11-22T18:00:00Z", sh, DefaultQuiet, "2026-11-23T01:00:00Z"},
		{"shanghai 21:00 sharp is quiet", "2026-11-23T13:00:00Z", sh, DefaultQuiet, "2026-11-24T01:00:00Z"},
		{"shanghai 09:00 sharp is not", "2026-11-23T01:00:00Z", sh, DefaultQuiet, "2026-11-23T01:00:00Z"},
		{"shanghai 20:59 is not", "2026-11-23T12:59:00Z", sh, DefaultQuiet, "2026-11-23T12:59:00Z"},
		// New York: EST (UTC−5) in winter, EDT (UTC−4) in summer.
		{"new york winter 22:00", "2026-01-16T03:00:00Z", ny, DefaultQuiet, "2026-01-16T14:00:00Z"},
		{"new york summer 22:00", "2026-07-16T02:00:00Z", ny, DefaultQuiet, "2026-07-16T13:00:00Z"},
		// Spring forward: Sunday 8 March 2026 at 02:00 EST the clocks jump to 03:00 EDT.
		// Due at 23:00 EST Saturday: the next 09:00 is EDT, 13:00 UTC, not 14:00.
		{"new york across spring forward", "2026-03-08T04:00:00Z", ny, DefaultQuiet, "2026-03-08T13:00:00Z"},
		// Fall back: Sunday 1 November 2026 at 02:00 EDT the clocks return to 01:00 EST.
		// Due at 22:00 EDT Saturday: the next 09:00 is EST, 14:00 UTC.
		{"new york across fall back", "2026-11-01T02:00:00Z", ny, DefaultQuiet, "2026-11-01T14:00:00Z"},
		// In the repeated hour (01:30 happens twice) it is quiet either way.
		{"new york in the repeated hour", "2026-11-01T06:30:00Z", ny, DefaultQuiet, "2026-11-01T14:00:00Z"},
		// A window inside one day.
		{"lunch window", "2026-11-23T04:30:00Z", sh, Quiet{Start: 12 * time.Hour, End: 14 * time.Hour}, "2026-11-23T06:00:00Z"},
		{"no window", "2026-11-23T15:30:00Z", sh, Quiet{}, "2026-11-23T15:30:00Z"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.q.Next(utc(c.due), c.loc)
			if !got.Equal(utc(c.want)) {
				t.Fatalf("Next(%s) = %s (%s local), want %s", c.due, got.UTC().Format(time.RFC3339), got.In(c.loc).Format("Mon 15:04 MST"), c.want)
			}
			if c.q.Contains(got.In(c.loc)) {
				t.Fatalf("%s is still inside the quiet hours", got)
			}
		})
	}
}

func TestLocalAtKeepsTheWallClockAcrossDST(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	winter := LocalAt(time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), 10, 0, ny)
	summer := LocalAt(time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC), 10, 0, ny)
	if winter.Hour() != 15 || summer.Hour() != 14 {
		t.Fatalf("10:00 in New York = %s UTC in winter, %s UTC in summer", winter.Format("15:04"), summer.Format("15:04"))
	}
}

func TestParseQuiet(t *testing.T) {
	q, err := ParseQuiet("22:30-07:15")
	if err != nil || q.Start != 22*time.Hour+30*time.Minute || q.End != 7*time.Hour+15*time.Minute {
		t.Fatalf("%+v %v", q, err)
	}
	for _, bad := range []string{"", "25:00-07:00", "21-09", "21:00-09:60"} {
		if _, err := ParseQuiet(bad); err == nil {
			t.Errorf("ParseQuiet(%q) accepted", bad)
		}
	}
	if _, err := Zone("Mars/Olympus"); err == nil {
		t.Error("an unknown zone was accepted")
	}
}
