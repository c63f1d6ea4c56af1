package page_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/problem"
)

// own are a package's templates over the base layout, as survey and complaint have them.
var own = fstest.MapFS{
	"templates/layout.html": {Data: []byte(`{{define "style"}}.own{color:red}
{{end}}{{define "header"}}
<header>{{.Brand}}</header>{{end}}{{define "main"}}<h1>{{.Title}}</h1>{{template "honeypot" "Leave empty"}}{{end}}`)},
}

type data struct {
	T            struct{ Lang string }
	Title, Brand string
}

func serve(t *testing.T, status int, d any, imgOrigin string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	page.Must("test", own, "templates/*.html").Render(rec, httptest.NewRequest(http.MethodGet, "/", nil), status, d, imgOrigin)
	return rec
}

func TestRenderDrawsThePageInTheBaseLayout(t *testing.T) {
	d := data{Title: "Hello <you>", Brand: "Harbour"}
	d.T.Lang = "zh-CN"
	rec := serve(t, http.StatusCreated, d, "")
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
		data                 any
		status               int
	}{
		{"a page", "", policy, d, http.StatusOK},
		{"a page with a logo", "https://cdn.example.com", policy + "; img-src https://cdn.example.com", d, http.StatusOK},
		{"a page that cannot be drawn", "", policy, struct{ T struct{ Lang int } }{}, http.StatusInternalServerError},
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
		rec := serve(t, http.StatusOK, struct{ T struct{ Lang int } }{}, "") // it has no Title
		if body := rec.Body.String(); body != "<!doctype html><title>Error</title><p>Error / 错误</p>" {
			t.Errorf("body %q", body)
		}
	})
}

func TestNegotiate(t *testing.T) {
	cases := []struct {
		header, def, want string
	}{
		{"", page.English, page.English},
		{"", page.Chinese, page.Chinese},
		{"zh-CN,zh;q=0.9,en;q=0.8", page.English, page.Chinese},
		{"en-GB,en;q=0.9", page.Chinese, page.English},
		{"fr;q=1, en;q=0.2, zh-TW;q=0.5", page.English, page.Chinese}, // q-values decide, not order
		{"en-GB, zh;q=0.7", page.English, page.English},
		{"zh;q=0.5, en;q=0.5", page.English, page.Chinese}, // a tie goes to the first named
		{"fr-FR, de;q=0.5", page.English, page.English},    // neither named: the default
		{"fr-FR, de;q=0.5", page.Chinese, page.Chinese},
		{"zh;q=0", page.English, page.English},             // refused, and nothing else asked for
		{"zh;q=0", page.Chinese, page.English},             // the default refused, the other left open
		{"zh;q=0, en;q=0", page.Chinese, page.Chinese},     // both refused: the default after all
		{"zh-TW;q=0, zh-CN", page.English, page.Chinese},   // the highest q of the ranges that match
		{"fr, *;q=0.5", page.Chinese, page.Chinese},        // "*": any, the default first
		{"en;q=0.3, *;q=0.5", page.English, page.Chinese},  // "*" gives zh-CN more than en has
		{"*;q=0.5, zh;q=0.5", page.English, page.Chinese},  // a named language before "*" at the same q
		{"zh;q=0, *", page.Chinese, page.English},          // "*" but not Chinese
		{"en;Q=0.1, zh;q=0.2", page.English, page.Chinese}, // q is case-insensitive
		{" zh-cn ; q = 0.4 ,en;q=0.3", page.English, page.Chinese},
		{"zh;q=2, en;q=0.1", page.English, page.English}, // an invalid q is 0
		{"zh;q=abc, en;q=0.1", page.English, page.English},
		{"zh;q=NaN, en;q=0.1", page.English, page.English},
	}
	for _, c := range cases {
		if got := page.Negotiate(c.header, c.def); got != c.want {
			t.Errorf("Negotiate(%q, %s) = %s, want %s", c.header, c.def, got, c.want)
		}
	}
}

func TestLocale(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Language", "en-US,en;q=0.9")
	cases := []struct {
		name string
		tags []string
		want string
	}{
		{"no tags: the browser's", nil, page.English},
		{"the first tag that names one", []string{"", "fr", "zh-Hant", "en"}, page.Chinese},
		{"a tag wins over the browser", []string{"ZH"}, page.Chinese},
		{"unknown tags: the browser's", []string{"de", "x"}, page.English},
	}
	for _, c := range cases {
		if got := page.Locale(r, page.Chinese, c.tags...); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestMatch(t *testing.T) {
	for tag, want := range map[string]string{
		"zh": page.Chinese, "zh-CN": page.Chinese, "zh-TW": page.Chinese, " ZH-Hans ": page.Chinese,
		"en": page.English, "en-GB": page.English, "EN": page.English, "fr": "", "": "", "*": "",
	} {
		if got := page.Match(tag); got != want {
			t.Errorf("Match(%q) = %q, want %q", tag, got, want)
		}
	}
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
	ts := page.Must("test", fstest.MapFS{
		"templates/form.html": {Data: []byte(`{{define "main"}}{{template "error summary" .Summary}}<form></form>{{end}}`)},
	}, "templates/*.html")
	type form struct {
		T       struct{ Lang string }
		Title   string
		Summary page.Summary
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
		{"Chinese", fields(page.Chinese, page.SummaryField{ID: "category", Label: "投诉类别", Error: "请选择投诉类别。"},
			page.SummaryField{ID: "description", Label: "发生了什么？", Error: "请描述发生了什么。"}),
			[]string{`<li><a href="#category">投诉类别</a>：请选择投诉类别。</li>`, `<li><a href="#description">发生了什么？</a>请描述发生了什么。</li>`}},
		{"English", fields(page.English, page.SummaryField{ID: "name", Label: "Your name", Error: "Please tell us your name."},
			page.SummaryField{ID: "description", Label: "What happened?", Error: "Please tell us what happened."}),
			[]string{`<li><a href="#name">Your name</a>: Please tell us your name.</li>`, `<li><a href="#description">What happened?</a> Please tell us what happened.</li>`}},
		{"general problems only", form{Summary: page.Summary{Lang: page.English, Heading: "Check", General: []string{"Send it again."}}},
			[]string{`<div class="summary" id="errors" role="alert">` + "\n<p>Check</p>\n<ul>\n<li>Send it again.</li>\n</ul>"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			ts.Render(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusBadRequest, c.data, "")
			body := rec.Body.String()
			for _, want := range c.items {
				if !strings.Contains(body, want) {
					t.Errorf("the summary has no %s:\n%s", want, body)
				}
			}
			if c.data.Summary.Lang == page.Chinese && strings.Contains(body, "</a>:") {
				t.Errorf("an ASCII colon in a Chinese summary:\n%s", body)
			}
		})
	}
	t.Run("nothing to summarise, no box", func(t *testing.T) {
		rec := httptest.NewRecorder()
		ts.Render(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, fields(page.English), "")
		if strings.Contains(rec.Body.String(), `class="summary"`) {
			t.Errorf("an empty summary is shown:\n%s", rec.Body.String())
		}
	})
}
