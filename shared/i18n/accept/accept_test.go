package accept_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/i18n/accept"
)

func TestNegotiate(t *testing.T) {
	cases := []struct {
		header, def, want string
	}{
		{"", i18n.English, i18n.English},
		{"", i18n.Chinese, i18n.Chinese},
		{"zh-CN,zh;q=0.9,en;q=0.8", i18n.English, i18n.Chinese},
		{"en-GB,en;q=0.9", i18n.Chinese, i18n.English},
		{"fr;q=1, en;q=0.2, zh-TW;q=0.5", i18n.English, i18n.Chinese}, // q-values decide, not order
		{"en-GB, zh;q=0.7", i18n.English, i18n.English},
		{"zh;q=0.5, en;q=0.5", i18n.English, i18n.Chinese}, // a tie goes to the first named
		{"fr-FR, de;q=0.5", i18n.English, i18n.English},    // neither named: the default
		{"fr-FR, de;q=0.5", i18n.Chinese, i18n.Chinese},
		{"zh;q=0", i18n.English, i18n.English},             // refused, and nothing else asked for
		{"zh;q=0", i18n.Chinese, i18n.English},             // the default refused, the other left open
		{"zh;q=0, en;q=0", i18n.Chinese, i18n.Chinese},     // both refused: the default after all
		{"zh-TW;q=0, zh-CN", i18n.English, i18n.Chinese},   // the highest q of the ranges that match
		{"fr, *;q=0.5", i18n.Chinese, i18n.Chinese},        // "*": any, the default first
		{"en;q=0.3, *;q=0.5", i18n.English, i18n.Chinese},  // "*" gives zh-CN more than en has
		{"*;q=0.5, zh;q=0.5", i18n.English, i18n.Chinese},  // a named language before "*" at the same q
		{"zh;q=0, *", i18n.Chinese, i18n.English},          // "*" but not Chinese
		{"en;Q=0.1, zh;q=0.2", i18n.English, i18n.Chinese}, // q is case-insensitive
		{" zh-cn ; q = 0.4 ,en;q=0.3", i18n.English, i18n.Chinese},
		{"zh;q=2, en;q=0.1", i18n.English, i18n.English}, // an invalid q is 0
		{"zh;q=abc, en;q=0.1", i18n.English, i18n.English},
		{"zh;q=NaN, en;q=0.1", i18n.English, i18n.English},
		{"zh-Hant-TW, en;q=0.9", i18n.English, i18n.Chinese}, // any Chinese
		{"cmn;q=0.9, en;q=0.8", i18n.English, i18n.Chinese},
		{"no-such-tag!, en;q=0.5", i18n.Chinese, i18n.English}, // a malformed range counts for nothing
	}
	for _, c := range cases {
		if got := accept.Negotiate(c.header, c.def); got != c.want {
			t.Errorf("Negotiate(%q, %s) = %s, want %s", c.header, c.def, got, c.want)
		}
	}
}

func TestLocale(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Language", "en-US,en;q=0.9")
	cases := []struct {
		name string
		tags []string
		want string
	}{
		{"no tags: the browser's", nil, i18n.English},
		{"the first tag that names one", []string{"", "fr", "zh-Hant", "en"}, i18n.Chinese},
		{"a tag wins over the browser", []string{"ZH"}, i18n.Chinese},
		{"unknown tags: the browser's", []string{"de", "x"}, i18n.English},
	}
	for _, c := range cases {
		if got := accept.Locale(r, i18n.Chinese, c.tags...); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestMatch(t *testing.T) {
	for tag, want := range map[string]string{
		"zh": i18n.Chinese, "zh-CN": i18n.Chinese, "zh-TW": i18n.Chinese, " ZH-Hans ": i18n.Chinese,
		"zh-Hant-HK": i18n.Chinese, "cmn": i18n.Chinese, "cmn-Hant": i18n.Chinese,
		"en": i18n.English, "en-GB": i18n.English, "EN": i18n.English, "en-IN": i18n.English,
		"fr": "", "ja": "", "yue": "", "": "", "*": "", "x": "", "en_GB!": "",
	} {
		if got := accept.Match(tag); got != want {
			t.Errorf("Match(%q) = %q, want %q", tag, got, want)
		}
	}
}
