package i18n_test

import (
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/shared/i18n"
)

func TestLocalesAndOther(t *testing.T) {
	ls := i18n.Locales()
	if !slices.Equal(ls, []string{i18n.English, i18n.Chinese}) {
		t.Fatalf("Locales() = %v", ls)
	}
	ls[0] = "fr" // a copy: the list cannot be changed from outside
	if !i18n.Supported(i18n.English) || i18n.Supported("fr") || i18n.Supported("zh") {
		t.Error("Supported is wrong")
	}
	if i18n.Other(i18n.English) != i18n.Chinese || i18n.Other(i18n.Chinese) != i18n.English {
		t.Error("Other is wrong")
	}
}

func TestTexts(t *testing.T) {
	type words struct{ Hello string }
	ts := i18n.Texts[words]{i18n.English: {"Hello"}, i18n.Chinese: {"你好"}}
	for locale, want := range map[string]string{i18n.English: "Hello", i18n.Chinese: "你好", "fr": "Hello", "": "Hello"} {
		if got := ts.Pick(locale).Hello; got != want {
			t.Errorf("Pick(%q) = %q, want %q", locale, got, want)
		}
	}
	if m := ts.Missing(); len(m) != 0 {
		t.Errorf("Missing() = %v", m)
	}
	half := i18n.Texts[string]{i18n.English: "Hello"}
	if m := half.Missing(); !slices.Equal(m, []string{i18n.Chinese}) {
		t.Errorf("Missing() = %v, want [zh-CN]", m)
	}
	if got := half.Pick(i18n.Chinese); got != "Hello" {
		t.Errorf("a missing locale falls back to the default: %q", got)
	}
}
