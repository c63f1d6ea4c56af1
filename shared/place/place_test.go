package place_test

import (
	"errors"
	"testing"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

func TestLocationValidationNamesEachField(t *testing.T) {
	l := place.Location{ID: "bad id", TimeZone: "Mars/Olympus", Currency: "yuan",
		WeeklyHours: map[string][]string{"mon": {"13:00-18:00", "09:00-14:00"}, "fun": {"09:00-10:00"}, "tue": {"9-5"}},
		Holidays:    []string{"2026-02-30"}, QuietHours: "late", Managers: []contact.Contact{{Channel: "fax"}},
		Branding: place.Branding{Color: "blue", LogoURL: "http://cdn.example/logo.png"}}
	err := l.Validate()
	var pe *problem.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err %v", err)
	}
	got := map[string]bool{}
	for _, f := range pe.Fields {
		got[f.Field] = true
	}
	for _, want := range []string{"locationId", "name", "timeZone", "currency", "weeklyHours.mon", "weeklyHours.fun", "weeklyHours.tue",
		"holidays[0]", "quietHours", "managers[0]", "branding.color", "branding.logoUrl"} {
		if !got[want] {
			t.Errorf("no error names %s (got %v)", want, got)
		}
	}
	ok := place.Location{ID: "SH01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai", Currency: "CNY",
		WeeklyHours: map[string][]string{"mon": {"09:00-12:00", "13:00-18:00"}, "sat": {"10:00-24:00"}}, Holidays: []string{"2026-10-01"}}
	if err := ok.Validate(); err != nil || ok.QuietHours != "21:00-09:00" {
		t.Fatalf("a good location: %v (quiet %q)", err, ok.QuietHours)
	}
	for _, c := range []string{"cny", "XY1", "CN"} {
		l := ok
		l.Currency = c
		if err := l.Validate(); !errors.As(err, &pe) || pe.Fields[0].Field != "currency" {
			t.Errorf("currency %q: %v", c, err)
		}
	}
}
