// Package accept chooses the locale a request is answered in: from a tag it names (a
// ?lang, a customer's own locale) or its Accept-Language header, by
// golang.org/x/text/language, among shared/i18n's locales.
package accept

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/language"

	"github.com/rapport-crm/rapport/shared/i18n"
)

// locales are i18n's, in the order a tie between them is settled in.
var locales = i18n.Locales()

// tags are what negotiation needs: a matcher of a language tag to one of the locales
// (its index), and Chinese. Made on first use, so that a function that never reads an
// Accept-Language pays nothing for them at start.
var tags = struct {
	once    sync.Once
	matcher language.Matcher
	chinese language.Base
}{}

func negotiation() (language.Matcher, language.Base) {
	tags.once.Do(func() {
		tags.matcher = language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese}) // i18n.Locales' order
		tags.chinese = language.MustParseBase("zh")
	})
	return tags.matcher, tags.chinese
}

// Match is the locale for a language tag (BCP 47, any case, as a ?lang or an
// Accept-Language range names it), or "" for a language Rapport does not write in.
// Any Chinese (zh-TW, zh-Hant, cmn-Hant) gets simplified Chinese, the only Chinese
// there is, however far the matcher finds it; other tags go by the matcher (en-GB,
// en-IN: English).
func Match(tag string) string {
	t, err := language.Parse(strings.TrimSpace(tag))
	if err != nil {
		return ""
	}
	if c, err := language.All.Canonicalize(t); err == nil {
		t = c // cmn-Hant is zh-Hant
	}
	matcher, chinese := negotiation()
	if base, conf := t.Base(); conf == language.Exact && base == chinese {
		return i18n.Chinese
	}
	if _, i, conf := matcher.Match(t); conf != language.No {
		return locales[i]
	}
	return ""
}

// Locale is the locale of a page: the first of tags that names one (a ?lang, the
// customer's own locale), else the one the request's Accept-Language prefers, else def.
func Locale(r *http.Request, def string, tags ...string) string {
	for _, tag := range tags {
		if l := Match(tag); l != "" {
			return l
		}
	}
	return Negotiate(r.Header.Get("Accept-Language"), def)
}

// Negotiate is the locale an Accept-Language header prefers most: by q-value, then by
// the order it names them in, a named language before one only "*" accepts. When it
// accepts neither, def, unless it refuses def (q=0) and leaves the other open.
//
// language.ParseAcceptLanguage is not used for the header itself: it drops the ranges
// refused with q=0 (a refusal must count), rejects the whole header for one malformed
// q-value (here that range alone is q=0) and has no "*". Each range is matched to a
// locale by Match.
func Negotiate(header, def string) string {
	q := map[string]float64{} // a locale's q: the highest of the ranges that match it
	var named []string        // the locales the header matches, in its order
	star := -1.0              // the q of "*", -1 if it has none
	for part := range strings.SplitSeq(header, ",") {
		rng, params, _ := strings.Cut(part, ";")
		w := weight(params)
		if strings.TrimSpace(rng) == "*" {
			star = max(star, w)
			continue
		}
		loc := Match(rng)
		if loc == "" {
			continue
		}
		if old, ok := q[loc]; ok {
			q[loc] = max(old, w)
			continue
		}
		named = append(named, loc)
		q[loc] = w
	}
	for _, loc := range append([]string{def}, locales...) {
		if _, ok := q[loc]; !ok {
			q[loc] = star // -1: neither named nor refused
		}
	}
	best, bestQ := def, 0.0
	for _, loc := range slices.Concat(named, []string{def}, locales) {
		if q[loc] > bestQ {
			best, bestQ = loc, q[loc]
		}
	}
	if bestQ == 0 && q[def] == 0 {
		for _, loc := range locales {
			if q[loc] < 0 {
				return loc
			}
		}
	}
	return best
}

// weight is the q-value among a language range's parameters: 1 when it names none,
// 0 when it is not a number from 0 to 1.
func weight(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(q >= 0 && q <= 1) {
			return 0
		}
		return q
	}
	return 1
}
