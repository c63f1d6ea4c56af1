package page

import (
	"fmt"
	"strings"

	"github.com/a-h/templ"
)

// URL is an address as a page writes it in href or src: templ's check of its scheme
// (templ.URL: none but http, https, mailto, tel, ftp and ftps, or a relative
// address), then every byte a URL may not hold as it is percent-encoded, as Go's
// html/template did, so a space or a quote in a location's logo address is sent as
// %20 or %22. A percent sign that starts an escape is left as it is: the address is
// taken to be encoded already.
func URL(s string) templ.SafeURL {
	s = string(templ.URL(s))
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9',
			strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0,
			c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return templ.SafeURL(b.String())
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
