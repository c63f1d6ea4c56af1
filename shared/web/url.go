package web

import (
	"fmt"
	"strings"
)

// FailedURL is what URL makes of an address whose scheme it refuses: the value the
// page templates write for one (templ.FailedSanitizationURL), so that a hosted page
// and an HTML message say the same.
const FailedURL = "about:invalid#TemplFailedSanitizationURL"

// URL is an address as a page or a message writes it in href or src: its scheme
// checked as the page templates check it (templ.URL: none but http, https, mailto,
// tel, ftp and ftps, or a relative address; anything else is FailedURL), then every
// byte a URL may not hold as it is percent-encoded, as Go's html/template did, so a
// space or a quote in a location's logo address is sent as %20 or %22. A percent sign
// that starts an escape is left as it is: the address is taken to be encoded already.
// It lives here rather than with the pages so that messages use it without linking
// the page templates.
func URL(s string) string {
	if !allowedScheme(s) {
		s = FailedURL
	}
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
	return b.String()
}

// allowedScheme: no scheme (a colon after a slash is a path's), or one of those a
// page may link to.
func allowedScheme(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 0 || strings.ContainsRune(s[:i], '/') {
		return true
	}
	for _, ok := range []string{"http", "https", "mailto", "tel", "ftp", "ftps"} {
		if strings.EqualFold(s[:i], ok) {
			return true
		}
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
