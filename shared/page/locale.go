package page

import (
	"net/http"

	"github.com/rapport-crm/rapport/shared/i18n"
)

// The locales the pages are written in.
//
// Deprecated: use i18n.English and i18n.Chinese.
const (
	English = i18n.English
	Chinese = i18n.Chinese
)

// Locale is i18n.Locale.
//
// Deprecated: use i18n.Locale.
func Locale(r *http.Request, def string, tags ...string) string { return i18n.Locale(r, def, tags...) }

// Negotiate is i18n.Negotiate.
//
// Deprecated: use i18n.Negotiate.
func Negotiate(header, def string) string { return i18n.Negotiate(header, def) }
