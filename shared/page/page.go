// Package page is what Rapport's server-rendered pages share: the base layout they
// are drawn in, the security headers they are sent with and the status and
// Retry-After of a page that shows an error. The pages are templ components
// (*.templ, compiled to the *_templ.go beside them by `make generate`): plain Go, so
// a function that draws one links no reflective template engine.
package page

import (
	"bytes"
	"context"
	_ "embed"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/a-h/templ"
)

// baseStyle is the base layout's stylesheet; a page's own rules follow it.
//
//go:embed base.css
var baseStyle string

// Document is a page in the base layout: its language, its title and its parts.
type Document struct {
	Lang, Title string
	// Style is the page's own rules, after the base layout's in the one stylesheet.
	// It is written as it is: a constant of the page's package, never data.
	Style string
	// Head is added to the head (the location's colours); Header and Footer come
	// before and after the main element, which holds Main. Any but Main may be nil.
	Head, Header, Main, Footer templ.Component
}

// broken is the page sent when a page cannot be drawn: it needs no component.
const broken = "<!doctype html><title>Error</title><p>Error / 错误</p>"

// Render draws the document and sends it with status. A page that cannot be drawn is
// logged and answered with a bare 500. imgOrigin, if not "", is the one origin the
// page may load images from.
func Render(w http.ResponseWriter, r *http.Request, status int, d Document, imgOrigin string) {
	var buf bytes.Buffer
	if err := document(d).Render(r.Context(), &buf); err != nil {
		slog.ErrorContext(r.Context(), "render page", "route", r.Pattern, "error", err.Error())
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(broken)
	}
	write(w, status, buf.Bytes(), imgOrigin)
}

// part is c (nothing for nil), then the line break after it.
func part(c templ.Component, after string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if c != nil {
			if err := c.Render(ctx, w); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, after)
		return err
	})
}

// stylesheet is the page's one stylesheet, on a line of its own: the base rules,
// then the page's own.
func stylesheet(own string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "\n<style>\n"+baseStyle+own+"</style>")
		return err
	})
}

// contentPolicy allows a page nothing but its own inline styles and posting its form
// back: no scripts, no frames, no external assets.
const contentPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// write sends a page with the headers every page has. Tokens are in the pages'
// URLs, so no referrer leaves a page, nothing caches it and no search engine keeps it.
func write(w http.ResponseWriter, status int, body []byte, imgOrigin string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	csp := contentPolicy
	if imgOrigin != "" {
		csp += "; img-src " + imgOrigin
	}
	h.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Textarea is a posted textarea's value with the CRLF line breaks browsers send
// turned back into LF, so the length the browser's maxlength counted is the length
// the server counts.
func Textarea(v string) string { return strings.ReplaceAll(v, "\r\n", "\n") }

// DescribedBy is the aria-describedby of the control id: the ids of its hint and of
// its error, where it has them (id-hint and id-error, as the pages name them).
func DescribedBy(id string, hint, err bool) string {
	var ids []string
	if hint {
		ids = append(ids, id+"-hint")
	}
	if err {
		ids = append(ids, id+"-error")
	}
	return strings.Join(ids, " ")
}
