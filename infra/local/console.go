package local

import (
	"bytes"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/web"
)

// ConsoleConfig is the console's /config.json: where it signs people in and where the
// API is. make run answers it itself, so that the built files name no port or issuer.
type ConsoleConfig struct {
	Issuer   string `json:"issuer"`
	ClientID string `json:"clientId"`
	// APIBase is "": the API is on the console's own origin.
	APIBase string `json:"apiBase"`
}

// ConsoleContentPolicy is the console's Content-Security-Policy under make run: the
// stack's (page.ConsoleCSP) with the local issuer's origin as the identity provider.
func ConsoleContentPolicy(issuerOrigin string) string {
	if issuerOrigin == "" {
		return page.ConsoleCSP()
	}
	return page.ConsoleCSP(issuerOrigin)
}

// Cache policies of the console's files: vite names every file under assets/ by a hash
// of its content, so a browser may keep it for good; index.html and the rest are
// checked on every load, so a new build is seen at once.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// console serves the staff console's built files (console/dist) at /.
type console struct {
	dir    string
	issuer *Issuer
}

func (c *console) mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /config.json", c.config)
	mux.HandleFunc("GET /", c.serve)
}

// headers are the security headers of everything the console serves.
func (c *console) headers(w http.ResponseWriter) {
	h := w.Header()
	origin := ""
	if u, err := url.Parse(c.issuer.URL()); err == nil {
		origin = u.Scheme + "://" + u.Host
	}
	h.Set("Content-Security-Policy", ConsoleContentPolicy(origin))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// Console paths carry customer and case ids: they stay on the console's origin.
	h.Set("Referrer-Policy", "same-origin")
}

func (c *console) config(w http.ResponseWriter, _ *http.Request) {
	c.headers(w)
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, ConsoleConfig{Issuer: c.issuer.URL(), ClientID: ConsoleClientID})
}

// apiPath tells the paths that are the API's or the runner's own: the console never
// answers them, so a route that does not exist stays a 404.
func apiPath(p string) bool {
	for _, prefix := range []string{"/v1", "/dev"} {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			return true
		}
	}
	return false
}

// serve answers a file of the build, or index.html for any path of the app (a path
// without an extension, outside assets/), so that a reload on /complaints/… works.
// The directory is opened on every request: a build made while make run runs is
// served at once, and a missing build is explained rather than a 404.
func (c *console) serve(w http.ResponseWriter, r *http.Request) {
	if apiPath(r.URL.Path) {
		http.NotFound(w, r)
		return
	}
	c.headers(w)
	root, err := os.OpenRoot(c.dir)
	if err != nil {
		c.notBuilt(w, r)
		return
	}
	defer root.Close()
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if name != "" && name != "index.html" {
		if c.file(w, r, root, name) {
			return
		}
		if path.Ext(name) != "" || name == "assets" || strings.HasPrefix(name, "assets/") {
			http.NotFound(w, r)
			return
		}
	}
	if !c.file(w, r, root, "index.html") {
		c.notBuilt(w, r)
	}
}

// file serves the regular file name of the build, if there is one.
func (c *console) file(w http.ResponseWriter, r *http.Request, root *os.Root, name string) bool {
	f, err := root.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	cache := cacheRevalidate
	if strings.HasPrefix(name, "assets/") {
		cache = cacheImmutable
	}
	w.Header().Set("Cache-Control", cache)
	http.ServeContent(w, r, name, info.ModTime(), f)
	return true
}

var notBuiltPage = template.Must(template.New("not-built").Parse(`<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport console not built — 控制台尚未构建</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#f2f2f2;padding:0 .25em}</style>
<h1>The staff console is not built</h1>
<p>Run <code>make console</code> in the repository (<code>make run</code> builds it when it starts), then reload this page. make run serves the build from <code>{{.}}</code>.</p>
<section lang="zh-CN">
<h1>员工控制台尚未构建</h1>
<p>请在代码库中运行 <code>make console</code>（<code>make run</code> 启动时会自动构建），然后刷新本页。make run 从 <code>{{.}}</code> 提供构建结果。</p>
</section>
`))

// notBuilt tells a person how to build the console: 503, since the runner is up but
// the console is not there yet.
func (c *console) notBuilt(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := notBuiltPage.Execute(&buf, c.dir); err != nil {
		slog.ErrorContext(r.Context(), "render the console's not-built page", "error", err.Error())
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(buf.Bytes())
}

// ConsoleBuilt reports whether dir holds a console build (its index.html).
func ConsoleBuilt(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, "index.html"))
	return err == nil && info.Mode().IsRegular()
}
