package page

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The locales the pages are written in.
const (
	English = "en"
	Chinese = "zh-CN"
)

var locales = []string{English, Chinese}

// Match is the pages' locale for a language tag, or "": any Chinese gets the
// simplified Chinese pages, the only Chinese they have.
func Match(tag string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	switch primary {
	case "zh":
		return Chinese
	case "en":
		return English
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
func Negotiate(header, def string) string {
	q := map[string]float64{} // a locale's q: the highest of the ranges that match it
	var named []string        // the locales the header matches, in its order
	star := -1.0              // the q of "*", -1 if it has none
	for _, part := range strings.Split(header, ",") {
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
	for _, p := range strings.Split(params, ";") {
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
