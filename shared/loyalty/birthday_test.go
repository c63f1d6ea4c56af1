package loyalty

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestBirthdayDue(t *testing.T) {
	// 16:30 UTC on 9 May 2027: 00:30 on the 10th in Shanghai, 09:30 on the 9th in Los Angeles.
	nearMidnight := instant("2027-05-09T16:30:00Z")
	for _, c := range []struct {
		name      string
		birthday  string
		zone      string
		now       time.Time
		lastYear  int
		wantYear  int
		wantDue   bool
		wantField string
	}{
		{name: "Shanghai: already the 10th", birthday: "1990-05-10", zone: "Asia/Shanghai",
			now: nearMidnight, lastYear: 2026, wantYear: 2027, wantDue: true},
		{name: "Shanghai: a second before local midnight", birthday: "1990-05-10", zone: "Asia/Shanghai",
			now: instant("2027-05-09T15:59:59Z"), lastYear: 2026, wantYear: 2027},
		{name: "Los Angeles: still the 9th", birthday: "1990-05-10", zone: "America/Los_Angeles",
			now: nearMidnight, lastYear: 2026, wantYear: 2027},
		{name: "Los Angeles: a second before local midnight", birthday: "1990-05-10", zone: "America/Los_Angeles",
			now: instant("2027-05-10T06:59:59Z"), lastYear: 2026, wantYear: 2027},
		{name: "Los Angeles: local midnight, 07:00 UTC", birthday: "1990-05-10", zone: "America/Los_Angeles",
			now: instant("2027-05-10T07:00:00Z"), lastYear: 2026, wantYear: 2027, wantDue: true},
		{name: "no zone means Shanghai", birthday: "1990-05-10", zone: "",
			now: nearMidnight, lastYear: 2026, wantYear: 2027, wantDue: true},
		{name: "already given this year", birthday: "1990-05-10", zone: "Asia/Shanghai",
			now: nearMidnight, lastYear: 2027, wantYear: 2027},
		{name: "never given before", birthday: "1990-05-10", zone: "Asia/Shanghai",
			now: nearMidnight, lastYear: 0, wantYear: 2027, wantDue: true},
		{name: "MM-DD form", birthday: "05-10", zone: "Asia/Shanghai",
			now: nearMidnight, lastYear: 2026, wantYear: 2027, wantDue: true},
		{name: "the day after is not the birthday", birthday: "1990-05-10", zone: "Asia/Shanghai",
			now: instant("2027-05-10T16:00:00Z"), lastYear: 2026, wantYear: 2027},
		{name: "31 December in Los Angeles is already 2028 in UTC", birthday: "12-31", zone: "America/Los_Angeles",
			now: instant("2028-01-01T05:00:00Z"), lastYear: 2026, wantYear: 2027, wantDue: true},
		{name: "29 Feb on 2028-02-29 (leap)", birthday: "2000-02-29", zone: "Asia/Shanghai",
			now: instant("2028-02-29T04:00:00Z"), lastYear: 2027, wantYear: 2028, wantDue: true},
		{name: "29 Feb not on 2028-02-28 (leap)", birthday: "2000-02-29", zone: "Asia/Shanghai",
			now: instant("2028-02-28T04:00:00Z"), lastYear: 2027, wantYear: 2028},
		{name: "29 Feb on 2027-02-28 (common year)", birthday: "2000-02-29", zone: "Asia/Shanghai",
			now: instant("2027-02-28T04:00:00Z"), lastYear: 2026, wantYear: 2027, wantDue: true},
		{name: "29 Feb not on 2027-03-01", birthday: "2000-02-29", zone: "Asia/Shanghai",
			now: instant("2027-03-01T04:00:00Z"), lastYear: 2026, wantYear: 2027},
		{name: "29 Feb, MM-DD form, Los Angeles, 2027-02-28 local", birthday: "02-29", zone: "America/Los_Angeles",
			now: instant("2027-02-28T20:00:00Z"), lastYear: 2026, wantYear: 2027, wantDue: true},
		{name: "29 Feb on 2100-02-28 (not leap: divisible by 100)", birthday: "02-29", zone: "UTC",
			now: instant("2100-02-28T12:00:00Z"), lastYear: 2099, wantYear: 2100, wantDue: true},
		{name: "28 Feb is not also celebrated on 29 Feb", birthday: "1995-02-28", zone: "Asia/Shanghai",
			now: instant("2028-02-29T04:00:00Z"), lastYear: 2027, wantYear: 2028},
		{name: "bad separators", birthday: "1990/05/10", zone: "Asia/Shanghai",
			now: nearMidnight, wantField: "birthday"},
		{name: "no such date", birthday: "2027-02-29", zone: "Asia/Shanghai",
			now: nearMidnight, wantField: "birthday"},
		{name: "month 13", birthday: "13-01", zone: "Asia/Shanghai",
			now: nearMidnight, wantField: "birthday"},
		{name: "single digits", birthday: "5-10", zone: "Asia/Shanghai",
			now: nearMidnight, wantField: "birthday"},
		{name: "empty birthday", birthday: "", zone: "Asia/Shanghai",
			now: nearMidnight, wantField: "birthday"},
		{name: "unknown zone", birthday: "1990-05-10", zone: "Mars/Olympus_Mons",
			now: nearMidnight, wantField: "timeZone"},
		{name: "the server's Local zone is refused", birthday: "1990-05-10", zone: "Local",
			now: nearMidnight, wantField: "timeZone"},
	} {
		t.Run(c.name, func(t *testing.T) {
			year, due, err := BirthdayDue(c.birthday, c.zone, c.now, c.lastYear)
			if c.wantField != "" {
				if f := problemFields(t, err); !reflect.DeepEqual(f, []string{c.wantField}) {
					t.Fatalf("error %v, want one naming %s", err, c.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if year != c.wantYear || due != c.wantDue {
				t.Errorf("got (%d, %v), want (%d, %v)", year, due, c.wantYear, c.wantDue)
			}
		})
	}
}

func TestBirthdayKeys(t *testing.T) {
	for _, c := range []struct {
		name string
		now  time.Time
		want []string
	}{
		{"16:30 UTC: two dates", instant("2027-05-09T16:30:00Z"), []string{"05-09", "05-10"}},
		{"11:00 UTC: three dates (23:00 the day before at UTC−12, 01:00 the day after at UTC+14)",
			instant("2027-05-09T11:00:00Z"), []string{"05-08", "05-09", "05-10"}},
		{"10:00 UTC: midnight at UTC+14 is already the next day",
			instant("2027-05-09T10:00:00Z"), []string{"05-08", "05-09", "05-10"}},
		{"an instant given in another zone", instant("2027-05-10T00:30:00+08:00"), []string{"05-09", "05-10"}},
		{"2027-02-28 (common year) brings in 02-29",
			instant("2027-02-28T12:00:00Z"), []string{"02-28", "02-29", "03-01"}},
		{"2027-02-28 only at UTC+14 still brings in 02-29",
			instant("2027-02-27T11:00:00Z"), []string{"02-26", "02-27", "02-28", "02-29"}},
		{"2028-02-28 (leap year) does not",
			instant("2028-02-28T05:00:00Z"), []string{"02-27", "02-28"}},
		{"2028-02-29 is a real date", instant("2028-02-29T12:00:00Z"), []string{"02-29", "03-01"}},
		{"2100-02-28 (not a leap year) brings in 02-29",
			instant("2100-02-28T05:00:00Z"), []string{"02-27", "02-28", "02-29"}},
		{"across the new year", instant("2027-12-31T23:00:00Z"), []string{"01-01", "12-31"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := BirthdayKeys(c.now); !reflect.DeepEqual(got, c.want) {
				t.Errorf("BirthdayKeys(%v) = %v, want %v", c.now, got, c.want)
			}
		})
	}
}

// Every birthday that BirthdayDue finds due in any zone must be under one of the
// keys the dispatcher looks up at that instant, or it would never be found.
func TestBirthdayKeysCoverEveryZone(t *testing.T) {
	zones := []string{"Etc/GMT+12", "Pacific/Pago_Pago", "America/Los_Angeles", "UTC", "Asia/Kolkata",
		"Asia/Shanghai", "Pacific/Chatham", "Pacific/Kiritimati"}
	birthdays := []string{"02-27", "02-28", "02-29", "03-01", "12-31", "01-01"}
	for _, start := range []string{"2027-02-26T00:00:00Z", "2028-02-27T00:00:00Z", "2027-12-30T00:00:00Z"} {
		for now := instant(start); now.Before(instant(start).AddDate(0, 0, 4)); now = now.Add(15 * time.Minute) {
			keys := BirthdayKeys(now)
			for _, z := range zones {
				for _, b := range birthdays {
					if _, due, err := BirthdayDue(b, z, now, 0); err != nil {
						t.Fatal(err)
					} else if due && !slices.Contains(keys, b) {
						t.Errorf("at %v a %s birthday is due in %s but the keys are %v", now, b, z, keys)
					}
				}
			}
		}
	}
}
