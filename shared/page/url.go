package page

import (
	"github.com/a-h/templ"

	"github.com/rapport-crm/rapport/shared/web"
)

// URL is an address as a page writes it in href or src: web.URL, which checks its
// scheme as templ.URL does and percent-encodes what a URL may not hold, marked safe
// for the templates.
func URL(s string) templ.SafeURL { return templ.SafeURL(web.URL(s)) }
