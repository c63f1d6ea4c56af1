// Package page is what Rapport's server-rendered pages share: the base layout they
// are drawn in, the security headers they are sent with, the locale they speak and
// the status and Retry-After of a page that shows an error.
package page

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
)

//go:embed base.html
var base embed.FS

// Templates are one package's pages, drawn in the base layout.
type Templates struct {
	name  string
	parse func() (*template.Template, error)
}

// Must names a package's pages: the base layout together with the package's own
// templates (the files of fsys that match patterns). They are parsed at the first
// Render, not at start, so that a function that imports the package but serves none
// of its pages pays nothing for them; a template that does not parse panics there
// (every page's tests render it). The package's templates define "main" and may
// define "style", "head", "header" and "footer": see base.html. name says whose pages
// they are in the log.
func Must(name string, fsys fs.FS, patterns ...string) *Templates {
	return &Templates{name: name, parse: sync.OnceValues(func() (*template.Template, error) {
		t := template.Must(template.ParseFS(base, "base.html"))
		return t.ParseFS(fsys, patterns...)
	})}
}

// broken is the page sent when a page cannot be drawn: it needs no template.
const broken = "<!doctype html><title>Error</title><p>Error / 错误</p>"

// Render draws the "page" template with data and sends it with status. A page that
// cannot be drawn is logged and answered with a bare 500. imgOrigin, if not "", is
// the one origin the page may load images from.
func (ts *Templates) Render(w http.ResponseWriter, r *http.Request, status int, data any, imgOrigin string) {
	t := template.Must(ts.parse())
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "page", data); err != nil {
		slog.ErrorContext(r.Context(), "render "+ts.name+" page", "error", err.Error())
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(broken)
	}
	write(w, status, buf.Bytes(), imgOrigin)
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
// its error, where it has them (id-hint and id-error, as the templates name them).
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
