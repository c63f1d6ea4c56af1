package page

import "strings"

// ConsoleCSP is the staff console's Content-Security-Policy, the same in AWS (the
// CloudFront response-headers policy) and under make run: its own scripts, fonts and
// styles (Ant Design injects <style> elements at run time, hence 'unsafe-inline' for
// styles only; no script is inline), images of its own or data: URLs (QR codes),
// requests to its own origin (the API under /v1/) and to the identity provider's
// origins, and no page may frame it.
func ConsoleCSP(identityOrigins ...string) string {
	connect := strings.Join(append([]string{"'self'"}, identityOrigins...), " ")
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src " + connect,
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}
