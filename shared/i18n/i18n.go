// Package i18n is the one list of the locales Rapport speaks to customers in and the
// holder of texts written per locale. Choosing one for a request (Accept-Language, a
// ?lang) is shared/i18n/accept's, so that a function that never reads a request's
// language links no language tables (about 0.13 MB of a bootstrap).
package i18n

import "slices"

// The locales Rapport writes in.
const (
	English = "en"
	Chinese = "zh-CN"
)

// Default is the locale of a text that has none in the locale asked for.
const Default = English

// locales are every locale, in the order a tie between them is settled in.
var locales = []string{English, Chinese}

// Locales are the locales Rapport writes in.
func Locales() []string { return slices.Clone(locales) }

// Supported tells whether locale is one Rapport writes in.
func Supported(locale string) bool { return slices.Contains(locales, locale) }

// Other is the locale that is not locale: the one a page's language switch leads to.
func Other(locale string) string {
	if locale == English {
		return Chinese
	}
	return English
}

// Texts are one text (a string, or a struct of a page's words) per locale.
type Texts[T any] map[string]T

// Pick is the text in locale, else in Default.
func (t Texts[T]) Pick(locale string) T {
	if v, ok := t[locale]; ok {
		return v
	}
	return t[Default]
}

// Missing are the locales t has no text in, in the order of Locales: a test of a
// package's tables asks for none.
func (t Texts[T]) Missing() []string {
	var out []string
	for _, l := range locales {
		if _, ok := t[l]; !ok {
			out = append(out, l)
		}
	}
	return out
}
