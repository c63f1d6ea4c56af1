package form

import (
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/shared/i18n"
)

var verbs = regexp.MustCompile(`%[a-z]`)

// Every word of the pages is there in every locale, with the same printf verbs.
func TestPagesSayEverythingInEveryLocale(t *testing.T) {
	if m := texts.Missing(); len(m) > 0 {
		t.Fatalf("no words in %v", m)
	}
	same := func(what string, e, z string) {
		if e == "" || z == "" || !slices.Equal(verbs.FindAllString(e, -1), verbs.FindAllString(z, -1)) {
			t.Errorf("%s: %q / %q", what, e, z)
		}
	}
	en, zh := reflect.ValueOf(*texts[i18n.English]), reflect.ValueOf(*texts[i18n.Chinese])
	for i := range en.NumField() {
		name := en.Type().Field(i).Name
		switch en.Field(i).Kind() {
		case reflect.String:
			same(name, en.Field(i).String(), zh.Field(i).String())
		case reflect.Array:
			for j := range en.Field(i).Len() {
				same(name, en.Field(i).Index(j).String(), zh.Field(i).Index(j).String())
			}
		}
	}
	for k := pageThanks; k <= pageUnreadable; k++ {
		e, z := texts[i18n.English].Pages[k], texts[i18n.Chinese].Pages[k]
		same("page heading", e[0], z[0])
		same("page body", e[1], z[1])
	}
	for _, l := range i18n.Locales() {
		if texts[l].Lang != l {
			t.Errorf("the %s words say they are %s", l, texts[l].Lang)
		}
	}
}
