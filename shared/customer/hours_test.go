package customer

import (
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
