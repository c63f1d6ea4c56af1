package form

import (
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/i18n"
)

var verbs = regexp.MustCompile(`%[a-z]`)

// Every word of the pages is there in both languages, with the same printf verbs.
func TestPagesSayEverythingInBothLanguages(t *testing.T) {
	if m := texts.Missing(); len(m) > 0 {
		t.Fatalf("no words in %v", m)
	}
	en, zh := reflect.ValueOf(*texts[i18n.English]), reflect.ValueOf(*texts[i18n.Chinese])
	for i := range en.NumField() {
		if en.Field(i).Kind() != reflect.String {
			continue // Pages: below
		}
		name, e, z := en.Type().Field(i).Name, en.Field(i).String(), zh.Field(i).String()
		if e == "" || z == "" {
			t.Errorf("words.%s: %q / %q", name, e, z)
		}
		if !slices.Equal(verbs.FindAllString(e, -1), verbs.FindAllString(z, -1)) {
			t.Errorf("words.%s has other verbs in English (%q) than in Chinese (%q)", name, e, z)
		}
	}
	check := func(what string, b i18n.Texts[string]) {
		e, z := b[i18n.English], b[i18n.Chinese]
		if len(b.Missing()) > 0 || e == "" || z == "" || !slices.Equal(verbs.FindAllString(e, -1), verbs.FindAllString(z, -1)) {
			t.Errorf("%s: %q", what, b)
		}
	}
	for _, m := range []map[string]i18n.Texts[string]{fixes, categoryLabels, severityLabels, statusLabels, statusHelp, eventLabels} {
		for k, b := range m {
			check(k, b)
		}
	}
	check("tooLong", tooLong)
	for k := pageUnavailable; k <= pageUnreadable; k++ {
		e, z := texts[i18n.English].Pages[k], texts[i18n.Chinese].Pages[k]
		check("message page heading", i18n.Texts[string]{i18n.English: e[0], i18n.Chinese: z[0]})
		check("message page body", i18n.Texts[string]{i18n.English: e[1], i18n.Chinese: z[1]})
	}
	for typ, st := range says {
		if statusLabels[string(st)] == nil || eventLabels[typ] == nil {
			t.Errorf("says: %s → %s has no labels", typ, st)
		}
	}
}

// A time names its zone and the offset in force then.
func TestStamp(t *testing.T) {
	zone := func(name string) *time.Location {
		z, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	at := time.Date(2026, 11, 23, 4, 1, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		x    time.Time
		zone *time.Location
		lang string
		want string
	}{
		{at, zone("Asia/Shanghai"), "en", "23 Nov 2026, 12:01 (Asia/Shanghai, UTC+8)"},
		{at, zone("Asia/Shanghai"), "zh-CN", "2026年11月23日 12:01（Asia/Shanghai，UTC+8）"},
		{at, zone("Asia/Kolkata"), "en", "23 Nov 2026, 09:31 (Asia/Kolkata, UTC+5:30)"},
		{at, zone("America/Sao_Paulo"), "en", "23 Nov 2026, 01:01 (America/Sao_Paulo, UTC-3)"},
		{at, zone("Europe/Berlin"), "en", "23 Nov 2026, 05:01 (Europe/Berlin, UTC+1)"},
		{summer, zone("Europe/Berlin"), "en", "1 Jul 2026, 12:00 (Europe/Berlin, UTC+2)"},
		{summer, zone("Europe/London"), "en", "1 Jul 2026, 11:00 (Europe/London, UTC+1)"},
		{at, zone("Europe/London"), "en", "23 Nov 2026, 04:01 (Europe/London, UTC)"},
		{at, time.UTC, "zh-CN", "2026年11月23日 04:01（UTC）"},
	}
	for _, c := range cases {
		if got := stamp(c.x, c.zone, texts.Pick(c.lang)); got != c.want {
			t.Errorf("stamp(%s, %s, %s) = %q, want %q", c.x, c.zone, c.lang, got, c.want)
		}
	}
}
