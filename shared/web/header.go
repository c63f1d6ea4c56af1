package web

import (
	"context"
	"net/http"
	"strings"
)

type rawHeadersKey struct{}

// WithRawHeaders keeps the request's headers as API Gateway delivered them (payload
// 2.0: lower-case names, repeated headers joined by commas). The Lambda HTTP adapter
// splits every header value but a few on commas into several values, so a value that
// itself holds a comma (an Idempotency-Key) survives only here.
func WithRawHeaders(ctx context.Context, headers map[string]string) context.Context {
	return context.WithValue(ctx, rawHeadersKey{}, headers)
}

// RawHeader is a header's value as the client sent it: from the API Gateway event when
// the request came through Lambda, else (the local mux, httptest) the request's own
// values joined as API Gateway joins them.
func RawHeader(r *http.Request, name string) string {
	if h, ok := r.Context().Value(rawHeadersKey{}).(map[string]string); ok {
		if v, ok := h[strings.ToLower(name)]; ok {
			return v
		}
		for k, v := range h {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return ""
	}
	return strings.Join(r.Header.Values(name), ",")
}
