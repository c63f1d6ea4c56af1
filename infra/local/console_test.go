package local_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// fakeBuild writes a console build as vite lays it out: index.html, hashed assets and
// a file of public/.
func fakeBuild(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":              `<!doctype html><title>Rapport</title><div id="root"></div><script type="module" src="/assets/index-Ab12Cd.js"></script>`,
		"assets/index-Ab12Cd.js":  `console.log("app")`,
		"assets/index-Ef34Gh.css": `body{margin:0}`,
		"favicon.svg":             `<svg xmlns="http://www.w3.org/2000/svg"/>`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link out of the build is not followed.
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "leak.txt")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// make run serves the console's build at /, with index.html for the app's own paths,
// its /config.json, and the headers CloudFront gives it in AWS; the API, the hosted
// pages and the issuer answer as they did without it.
func TestRunnerServesTheConsole(t *testing.T) {
	dist := fakeBuild(t)
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.ConsoleDir = dist })
	index, _ := os.ReadFile(filepath.Join(dist, "index.html"))
	issuerOrigin := strings.TrimSuffix(s.issuer.URL(), local.IssuerPath)
	csp := "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self' " +
		issuerOrigin + "; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

	cases := []struct {
		name, path  string
		status      int
		body, cache string // body "" is not checked
		contentType string
	}{
		{"the app", "/", 200, string(index), "no-cache", "text/html; charset=utf-8"},
		{"a page of the app, reloaded", "/complaints/c-123", 200, string(index), "no-cache", "text/html; charset=utf-8"},
		{"a deeper page", "/customers/c-7/timeline", 200, string(index), "no-cache", "text/html; charset=utf-8"},
		{"index.html by name", "/index.html", 200, string(index), "no-cache", "text/html; charset=utf-8"},
		{"a hashed asset", "/assets/index-Ab12Cd.js", 200, `console.log("app")`, "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"a stylesheet", "/assets/index-Ef34Gh.css", 200, `body{margin:0}`, "public, max-age=31536000, immutable", "text/css; charset=utf-8"},
		{"a public file", "/favicon.svg", 200, "", "no-cache", "image/svg+xml"},
		{"a missing asset is not the app", "/assets/index-Old000.js", 404, "", "", ""},
		{"a missing asset without an extension", "/assets/gone", 404, "", "", ""},
		{"a missing file with an extension", "/robots.txt", 404, "", "", ""},
		{"no way out of the build by a link", "/leak.txt", 404, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(t, http.MethodGet, c.path, "", nil, nil)
			if r.status != c.status {
				t.Fatalf("GET %s: %d, want %d (%s)", c.path, r.status, c.status, r.body)
			}
			if c.body != "" && r.body != c.body {
				t.Errorf("GET %s: body %q, want %q", c.path, r.body, c.body)
			}
			if c.cache != "" && r.header.Get("Cache-Control") != c.cache {
				t.Errorf("GET %s: Cache-Control %q, want %q", c.path, r.header.Get("Cache-Control"), c.cache)
			}
			if c.contentType != "" && r.header.Get("Content-Type") != c.contentType {
				t.Errorf("GET %s: Content-Type %q, want %q", c.path, r.header.Get("Content-Type"), c.contentType)
			}
			if got := r.header.Get("Content-Security-Policy"); got != csp {
				t.Errorf("GET %s: Content-Security-Policy %q, want %q", c.path, got, csp)
			}
			if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") != "same-origin" || r.header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("GET %s: headers %v", c.path, r.header)
			}
		})
	}

	t.Run("config.json names the issuer and the console's client, the API on the same origin", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/config.json", "", nil, nil)
		var got map[string]string
		if r.status != 200 || json.Unmarshal([]byte(r.body), &got) != nil {
			t.Fatalf("GET /config.json: %d %s", r.status, r.body)
		}
		want := map[string]string{"issuer": s.issuer.URL(), "clientId": "rapport-console", "apiBase": ""}
		if len(got) != len(want) || got["issuer"] != want["issuer"] || got["clientId"] != want["clientId"] || got["apiBase"] != "" {
			t.Errorf("config.json %v, want %v", got, want)
		}
		if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Content-Security-Policy") != csp {
			t.Errorf("config.json headers %v", r.header)
		}
		// The issuer it names is the one this runner serves.
		d := s.do(t, http.MethodGet, strings.TrimPrefix(got["issuer"], s.srv.URL)+"/.well-known/openid-configuration", "", nil, nil)
		if d.status != 200 || !strings.Contains(d.body, `"issuer":"`+got["issuer"]+`"`) {
			t.Errorf("the issuer of config.json: discovery %d %s", d.status, d.body)
		}
	})

	t.Run("the API, the hosted pages and the issuer are untouched", func(t *testing.T) {
		if r := s.do(t, http.MethodGet, "/v1/health", "", nil, nil); r.status != 200 || strings.TrimSpace(r.body) != `{"status":"ok"}` {
			t.Errorf("GET /v1/health: %d %s", r.status, r.body)
		}
		if r := s.do(t, http.MethodGet, "/v1/s/"+local.DemoLinkToken, "", nil, nil); r.status != 200 || !strings.Contains(r.body, "<form") || r.body == string(index) {
			t.Errorf("the hosted survey page: %d %.200s", r.status, r.body)
		}
		for _, p := range []string{"/v1/no-such-route", "/v1", "/dev/no-such-thing", "/dev/issuer/no-such-endpoint"} {
			r := s.do(t, http.MethodGet, p, "", nil, nil)
			if r.status != 404 || r.body == string(index) || r.header.Get("Content-Security-Policy") != "" {
				t.Errorf("GET %s: %d %q; want the plain 404 of a route that does not exist", p, r.status, r.body)
			}
		}
	})

	t.Run("a build made while the runner runs is served at once", func(t *testing.T) {
		next := `<!doctype html><title>Rapport</title><script type="module" src="/assets/index-Zz99Yy.js"></script>`
		if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte(next), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := s.do(t, http.MethodGet, "/today", "", nil, nil); r.status != 200 || r.body != next {
			t.Errorf("GET /today after a new build: %d %q", r.status, r.body)
		}
	})
}

// Without a build, the console's paths say how to make one, in both languages, rather
// than answer 404; the API still answers.
func TestRunnerExplainsAMissingConsoleBuild(t *testing.T) {
	dist := filepath.Join(t.TempDir(), "console", "dist")
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.ConsoleDir = dist })
	for _, p := range []string{"/", "/complaints"} {
		r := s.do(t, http.MethodGet, p, "", nil, nil)
		if r.status != http.StatusServiceUnavailable || r.header.Get("Content-Type") != "text/html; charset=utf-8" ||
			!strings.Contains(r.body, "<code>make console</code>") || !strings.Contains(r.body, "员工控制台尚未构建") || !strings.Contains(r.body, dist) {
			t.Errorf("GET %s without a build: %d %s", p, r.status, r.body)
		}
	}
	if local.ConsoleBuilt(dist) {
		t.Error("ConsoleBuilt says yes for a directory that does not exist")
	}
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := s.do(t, http.MethodGet, "/", "", nil, nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("GET / with an empty dist: %d, want 503", r.status)
	}
	if r := s.do(t, http.MethodGet, "/config.json", "", nil, nil); r.status != 200 {
		t.Errorf("GET /config.json without a build: %d", r.status)
	}
	if r := s.do(t, http.MethodGet, "/v1/health", "", nil, nil); r.status != 200 {
		t.Errorf("GET /v1/health: %d", r.status)
	}
	if !local.ConsoleBuilt(fakeBuild(t)) {
		t.Error("ConsoleBuilt says no for a build")
	}
}

// Without ConsoleDir (the API's own tests), / is not served.
func TestRunnerWithoutConsoleServesNoRoot(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	for _, p := range []string{"/", "/config.json", "/complaints"} {
		if r := s.do(t, http.MethodGet, p, "", nil, nil); r.status != 404 {
			t.Errorf("GET %s: %d, want 404", p, r.status)
		}
	}
}
