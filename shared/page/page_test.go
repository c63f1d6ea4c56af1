package page_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

type data struct {
	T            struct{ Lang string }
	Title, Brand string
}

// html is a component that writes its parts, the data among them escaped.
func html(parts ...func() string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, p := range parts {
			if _, err := io.WriteString(w, p()); err != nil {
				return err
			}
		}
		return nil
	})
}

func raw(s string) func() string     { return func() string { return s } }
func escaped(s string) func() string { return func() string { return templ.EscapeString(s) } }

// own is a package's page over the base layout, as survey and complaint have theirs.
func own(d data) page.Document {
	return page.Document{Lang: d.T.Lang, Title: d.Title, Style: ".own{color:red}\n",
		Header: html(raw("\n<header>"), escaped(d.Brand), raw("</header>")),
		Main:   templ.Join(html(raw("<h1>"), escaped(d.Title), raw("</h1>")), page.Honeypot("Leave empty"))}
}

// unrenderable is a page whose content fails to draw.
var unrenderable = page.Document{Lang: "en", Main: templ.ComponentFunc(func(context.Context, io.Writer) error {
	return errors.New("no Title")
})}

func serve(t *testing.T, status int, d page.Document, imgOrigin string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	page.Render(rec, httptest.NewRequest(http.MethodGet, "/", nil), status, d, imgOrigin)
	return rec
}

func TestRenderDrawsThePageInTheBaseLayout(t *testing.T) {
	d := data{Title: "Hello <you>", Brand: "Harbour"}
	d.T.Lang = "zh-CN"
	rec := serve(t, http.StatusCreated, own(d), "")
	body := rec.Body.String()
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d", rec.Code)
	}
	for _, want := range []string{
		`<html lang="zh-CN">`, `<title>Hello &lt;you&gt;</title>`, `<meta name="viewport" content="width=device-width, initial-scale=1">`,
		".hp{position:absolute;left:-10000px", ".message p{color:var(--muted)}\n.own{color:red}\n</style>",
		"<body>\n<header>Harbour</header>\n<main>\n<h1>Hello &lt;you&gt;</h1>",
		`<div class="hp" aria-hidden="true">` + "\n" + `<label for="website">Leave empty</label>`,
		`<input type="text" id="website" name="website" value="" tabindex="-1" autocomplete="off">`,
		"</main>\n</body>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page has no %q:\n%s", want, body)
		}
	}
	if n := strings.Count(body, "<style>"); n != 1 {
		t.Errorf("%d stylesheets, want one", n)
	}
}

func TestEveryPageHasTheSecurityHeaders(t *testing.T) {
	const policy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	d := data{}
	d.T.Lang = "en"
	cases := []struct {
		name, imgOrigin, csp string
		data                 page.Document
		status               int
	}{
		{"a page", "", policy, own(d), http.StatusOK},
		{"a page with a logo", "https://cdn.example.com", policy + "; img-src https://cdn.example.com", own(d), http.StatusOK},
		{"a page that cannot be drawn", "", policy, unrenderable, http.StatusInternalServerError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := serve(t, http.StatusOK, c.data, c.imgOrigin)
			if rec.Code != c.status {
				t.Errorf("status %d, want %d", rec.Code, c.status)
			}
			want := map[string]string{
				"Content-Type":            "text/html; charset=utf-8",
				"Cache-Control":           "no-store",
				"Referrer-Policy":         "no-referrer",
				"X-Content-Type-Options":  "nosniff",
				"X-Robots-Tag":            "noindex, nofollow",
				"Content-Security-Policy": c.csp,
			}
			for k, v := range want {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
	t.Run("a page that cannot be drawn shows nothing of it", func(t *testing.T) {
		rec := serve(t, http.StatusOK, unrenderable, "")
		if body := rec.Body.String(); body != "<!doctype html><title>Error</title><p>Error / 错误</p>" {
			t.Errorf("body %q", body)
		}
	})
}

func TestRefusals(t *testing.T) {
	rs := page.Refusals[string]{
		Kinds: map[problem.Kind]page.Refusal[string]{
			problem.NotFound:  {Message: "not found"},
			problem.Throttled: {Message: "busy", Retry: 60},
		},
		Other: page.Refusal[string]{Message: "try again", Status: http.StatusServiceUnavailable, Retry: page.RetrySoon},
	}
	cases := []struct {
		name, message, retryAfter string
		err                       error
		status                    int
	}{
		{"the kind's own status", "not found", "", problem.New(problem.NotFound, "x"), http.StatusNotFound},
		{"no Retry-After where none is asked for", "not found", "", &problem.Error{Kind: problem.NotFound, RetryAfter: 9}, http.StatusNotFound},
		{"the refusal's wait", "busy", "60", problem.New(problem.Throttled, "x"), http.StatusTooManyRequests},
		{"the error's own wait", "busy", "7", &problem.Error{Kind: problem.Throttled, RetryAfter: 7}, http.StatusTooManyRequests},
		{"any other kind", "try again", "5", errors.New("boom"), http.StatusServiceUnavailable},
		{"a dependency down", "try again", "2", problem.Unavailablef(errors.New("refused"), "x"), http.StatusServiceUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			rf := rs.For(h, c.err)
			if rf.Message != c.message || rf.Status != c.status || h.Get("Retry-After") != c.retryAfter {
				t.Errorf("%q %d Retry-After %q, want %q %d %q", rf.Message, rf.Status, h.Get("Retry-After"), c.message, c.status, c.retryAfter)
			}
		})
	}
}

func TestTextareaAndDescribedBy(t *testing.T) {
	if got := page.Textarea("a\r\nb\nc\r"); got != "a\nb\nc\r" {
		t.Errorf("Textarea %q", got)
	}
	for _, c := range []struct {
		hint, err bool
		want      string
	}{{false, false, ""}, {true, false, "q-hint"}, {false, true, "q-error"}, {true, true, "q-hint q-error"}} {
		if got := page.DescribedBy("q", c.hint, c.err); got != c.want {
			t.Errorf("DescribedBy(%v, %v) = %q, want %q", c.hint, c.err, got, c.want)
		}
	}
}

// The error summary: each label and its problem joined as the language writes it,
// in Chinese with a full-width colon, and without a second mark after a label that
// ends in its own question mark.
func TestErrorSummary(t *testing.T) {
	type form struct {
		T       struct{ Lang string }
		Title   string
		Summary page.Summary
	}
	doc := func(f form) page.Document {
		return page.Document{Lang: f.T.Lang, Title: f.Title, Main: templ.Join(page.ErrorSummary(f.Summary), html(raw("<form></form>")))}
	}
	fields := func(lang string, f ...page.SummaryField) form {
		d := form{Summary: page.Summary{Lang: lang, Heading: "Check", Fields: f}}
		d.T.Lang = lang
		return d
	}
	cases := []struct {
		name  string
		data  form
		items []string
	}{
		{"Chinese", fields(i18n.Chinese, page.SummaryField{ID: "category", Label: "投诉类别", Error: "请选择投诉类别。"},
			page.SummaryField{ID: "description", Label: "发生了什么？", Error: "请描述发生了什么。"}),
			[]string{`<li><a href="#category">投诉类别</a>：请选择投诉类别。</li>`, `<li><a href="#description">发生了什么？</a>请描述发生了什么。</li>`}},
		{"English", fields(i18n.English, page.SummaryField{ID: "name", Label: "Your name", Error: "Please tell us your name."},
			page.SummaryField{ID: "description", Label: "What happened?", Error: "Please tell us what happened."}),
			[]string{`<li><a href="#name">Your name</a>: Please tell us your name.</li>`, `<li><a href="#description">What happened?</a> Please tell us what happened.</li>`}},
		{"general problems only", form{Summary: page.Summary{Lang: i18n.English, Heading: "Check", General: []string{"Send it again."}}},
			[]string{`<div class="summary" id="errors" role="alert">` + "\n<p>Check</p>\n<ul>\n<li>Send it again.</li>\n</ul>"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			page.Render(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusBadRequest, doc(c.data), "")
			body := rec.Body.String()
			for _, want := range c.items {
				if !strings.Contains(body, want) {
					t.Errorf("the summary has no %s:\n%s", want, body)
				}
			}
			if c.data.Summary.Lang == i18n.Chinese && strings.Contains(body, "</a>:") {
				t.Errorf("an ASCII colon in a Chinese summary:\n%s", body)
			}
		})
	}
	t.Run("nothing to summarise, no box", func(t *testing.T) {
		rec := httptest.NewRecorder()
		page.Render(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, doc(fields(i18n.English)), "")
		if strings.Contains(rec.Body.String(), `class="summary"`) {
			t.Errorf("an empty summary is shown:\n%s", rec.Body.String())
		}
	})
}

// Addresses are written as html/template wrote them: a scheme that could run
// script is refused, and what a URL cannot hold is percent-encoded.
func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"/v1/s/tok?lang=zh-CN&done=1":             "/v1/s/tok?lang=zh-CN&done=1",
		"?lang=en":                                "?lang=en",
		"https://cdn.example/a b.png?x=<1>&y='2'": "https://cdn.example/a%20b.png?x=%3c1%3e&y=%272%27",
		"https://cdn.example/%E4%B8%AD.png":       "https://cdn.example/%E4%B8%AD.png",
		"https://cdn.example/中.png":               "https://cdn.example/%e4%b8%ad.png",
		"javascript:alert(1)":                     "about:invalid#TemplFailedSanitizationURL",
		"#q-nps":                                  "#q-nps",
	} {
		if got := string(page.URL(in)); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

// web.URL, which messages use without the templates, refuses exactly the addresses
// templ.URL refuses, and writes the refusal as templ does.
func TestURLChecksSchemesAsTemplDoes(t *testing.T) {
	if web.FailedURL != string(templ.FailedSanitizationURL) {
		t.Fatalf("web.FailedURL = %q, templ writes %q", web.FailedURL, templ.FailedSanitizationURL)
	}
	for _, in := range []string{"", "/a:b", "?x=y:z", "#q", "http://x", "HTTPS://x", "mailto:a@b", "tel:+861", "ftp://x", "ftps://x",
		"javascript:alert(1)", " JavaScript:x", "data:text/html,x", "vbscript:x", "file:///etc", "a/b:c", ":x", "x:"} {
		refused := templ.URL(in) == templ.FailedSanitizationURL
		if got := web.URL(in) == web.FailedURL; got != refused {
			t.Errorf("%q: web.URL refuses it %v, templ.URL %v", in, got, refused)
		}
	}
}
