package web

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/shared/problem"
)

// Lengths an id, a token and a query value may have. DynamoDB refuses a partition key
// over 2048 bytes and a sort key over 1024, and keys are built from these values with
// prefixes: checking here, before the database is asked, makes an overlong value the
// caller's 4xx instead of the database's error.
const (
	MaxID     = 128  // a path id: customerId, surveyId, locationId, …
	MaxToken  = 256  // a path token: an invitation, tracking or unsubscribe token
	MaxQuery  = 256  // a query value
	MaxCursor = 4096 // the cursor query value (a sealed list position)
)

// Bounds checks a route's path parameters and query values before the handler runs: a
// path value that is too long, not UTF-8 or holds control characters cannot name
// anything, so it is 404 "no such …"; a query value over its limit is 400 naming the
// parameter. Neither echoes the value.
func Bounds(params []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, name := range params {
			v := r.PathValue(name)
			max := MaxID
			if strings.HasSuffix(strings.ToLower(name), "token") {
				max = MaxToken
			}
			if len(v) > max || !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
				problem.Write(w, r, problem.New(problem.NotFound, "no such "+Noun(name)))
				return
			}
		}
		for name, vs := range r.URL.Query() {
			max := MaxQuery
			if name == "cursor" {
				max = MaxCursor
			}
			for _, v := range vs {
				if len(v) > max || !utf8.ValidString(v) {
					problem.Write(w, r, problem.Field(safeName(name), "is too long or not UTF-8"))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Noun is what a path parameter names, in words: "customerId" → "customer",
// "trackingToken" → "tracking token".
func Noun(param string) string {
	param = strings.TrimSuffix(param, "Id")
	var b strings.Builder
	for i, r := range param {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// safeName is a query parameter's name as an error may show it: the caller chose it,
// so a long or odd one is not repeated.
func safeName(name string) string {
	if len(name) > 64 || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return "query"
	}
	return name
}

// PathParams are the parameter names of a route path ("/v1/customers/{customerId}").
func PathParams(path string) []string {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, strings.TrimSuffix(strings.Trim(seg, "{}"), "..."))
		}
	}
	return names
}
