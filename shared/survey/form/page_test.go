package form_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/survey"
)

// titled stores survey "titled" with a localized title (or none) and an invitation to
// it in locale.
func (e *formEnv) titled(t *testing.T, title map[string]string, token, locale string) {
	t.Helper()
	sv := survey.Survey{ID: "titled", Name: "Q4 stay survey (internal)", Title: title, Version: 1, CreatedAt: e.clk.Now(),
		Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{"en": "Recommend us?", "zh-CN": "推荐我们吗？"}}}}
	if err := e.store.PutSurvey(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	if err := e.store.PutInvitation(context.Background(), survey.Invitation{Token: token, SurveyID: "titled", CustomerID: "c-1",
		LocationID: "loc-1", Locale: locale, ExpiresAt: e.clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

func h1(t *testing.T, p page) *html.Node {
	t.Helper()
	hs := all(p.doc, tag("h1"))
	if len(hs) != 1 {
		t.Fatalf("%d h1", len(hs))
	}
	return hs[0]
}

func (e *formEnv) get(t *testing.T, path, acceptLanguage string) page {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	return e.serve(t, req)
}

// The form's heading is the survey's title in the page's language, else the other
// language (marked as such), else the survey's name.
func TestFormTitleIsLocalized(t *testing.T) {
	e := newFormEnv(t)
	cases := []struct {
		name          string
		title         map[string]string
		locale        string
		want, wantTag string
	}{
		{"Chinese page", map[string]string{"zh-CN": "您的入住体验", "en": "Your stay"}, "zh-CN", "您的入住体验", ""},
		{"English page", map[string]string{"zh-CN": "您的入住体验", "en": "Your stay"}, "en", "Your stay", ""},
		{"a Chinese page falls back to English", map[string]string{"en": "Your stay"}, "zh-CN", "Your stay", "en"},
		{"no title is the name", nil, "zh-CN", "Q4 stay survey (internal)", ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token := "tok-title-" + string(rune('a'+i))
			e.titled(t, c.title, token, c.locale)
			p := e.open(t, token, "")
			wantHTML(t, p, http.StatusOK, c.locale)
			h := h1(t, p)
			if text(h) != c.want {
				t.Fatalf("heading %q, want %q", text(h), c.want)
			}
			marked := all(h, func(n *html.Node) bool { return has(n, "lang") })
			switch {
			case c.wantTag == "" && len(marked) != 0:
				t.Error("a heading in the page's language is marked with another")
			case c.wantTag != "" && (len(marked) != 1 || func() bool { l, _ := attr(marked[0], "lang"); return l != c.wantTag }()):
				t.Errorf("the fallback heading is not marked lang=%s", c.wantTag)
			}
			if ti := text(all(p.doc, tag("title"))[0]); ti != c.want {
				t.Errorf("<title> %q, want %q", ti, c.want)
			}
		})
	}
}

// Every page of a link has a switch to the other language; the language picked on
// the page wins over the invitation's and the browser's, and the form then posts in
// it. The thank-you view's switch stays on the thank-you view.
func TestLanguageSwitch(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-zh", "zh-CN")
	switchOf := func(t *testing.T, p page) (href, label, lang string) {
		t.Helper()
		links := all(p.doc, func(n *html.Node) bool { c, _ := attr(n, "class"); return n.Data == "a" && c == "lang" })
		if len(links) != 1 {
			t.Fatalf("%d language switches", len(links))
		}
		href, _ = attr(links[0], "href")
		lang, _ = attr(links[0], "lang")
		return href, text(links[0]), lang
	}

	p := e.open(t, "tok-zh", "zh-CN")
	wantHTML(t, p, http.StatusOK, "zh-CN", "您向朋友推荐我们的可能性有多大？")
	href, label, lang := switchOf(t, p)
	if href != "/v1/s/tok-zh?lang=en" || label != "English" || lang != "en" {
		t.Fatalf("switch %q %q lang=%q", href, label, lang)
	}

	p = e.get(t, href, "zh-CN")
	wantHTML(t, p, http.StatusOK, "en", "How likely are you to recommend us?", "Send my answers")
	input(t, p.doc, "locale", "en")
	if href, label, _ = switchOf(t, p); href != "/v1/s/tok-zh?lang=zh-CN" || label != "中文" {
		t.Fatalf("switch back %q %q", href, label)
	}

	f := answered("tok-zh")
	done := e.sent(t, e.post(t, "stay", f), "tok-zh", "en")
	wantHTML(t, done, http.StatusOK, "en", "Thank you!")
	if href, _, _ = switchOf(t, done); href != "/v1/s/tok-zh?done=1&lang=zh-CN" {
		t.Fatalf("the thank-you view's switch %q", href)
	}
	wantHTML(t, e.get(t, href, "en"), http.StatusOK, "zh-CN", "感谢您的反馈！")

	t.Run("closed and unknown links switch too", func(t *testing.T) {
		p := e.open(t, "tok-zh", "")
		wantHTML(t, p, http.StatusGone, "zh-CN", "问卷已提交")
		if href, _, _ := switchOf(t, p); href != "/v1/s/tok-zh?lang=en" {
			t.Errorf("switch %q", href)
		}
		wantHTML(t, e.get(t, "/v1/s/tok-zh?lang=en", ""), http.StatusGone, "en", "Already answered")
		wantHTML(t, e.get(t, "/v1/s/nope?lang=zh-CN", "en"), http.StatusNotFound, "zh-CN", "未找到问卷")
	})
	t.Run("an unknown token's thank-you view is not found", func(t *testing.T) {
		wantHTML(t, e.get(t, "/v1/s/nope?done=1", ""), http.StatusNotFound, "en", "Survey not found")
	})
}

// The pages wear the invitation's location's brand from the locations registry: its
// name in a bar at the top and in the title, its colour on the bar, the scale and the
// button, its logo (the one image the policy then allows) and its footer.
func TestFormWearsTheLocationsBrand(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-1", "")
	e.invite(t, "tok-2", "zh-CN")

	t.Run("an unregistered location has the default look", func(t *testing.T) {
		p := e.open(t, "tok-1", "")
		wantHTML(t, p, http.StatusOK, "en")
		if ti := text(all(p.doc, tag("title"))[0]); ti != "Your stay" {
			t.Errorf("title %q", ti)
		}
		if n := len(all(p.doc, tag("style"))); n != 1 {
			t.Errorf("%d stylesheets, want the page's own only", n)
		}
	})

	loc := place.Location{ID: "loc-1", Name: "Harbour Hotel", TimeZone: "Asia/Shanghai",
		Branding: place.Branding{Name: "Harbour Hotel Shanghai", Color: "#c8102e", LogoURL: "https://cdn.example.com/harbour.png",
			FooterText: "88 Zhongshan Road, Shanghai"}}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.customers.Locations.(*location.Store).PutLocation(context.Background(), loc, 0); err != nil {
		t.Fatal(err)
	}
	brandOf := func(t *testing.T, p page) {
		t.Helper()
		bar := all(p.doc, func(n *html.Node) bool { c, _ := attr(n, "class"); return n.Data == "header" && c == "brand" })
		if len(bar) != 1 {
			t.Fatalf("%d brand bars", len(bar))
		}
		names := all(bar[0], func(n *html.Node) bool { c, _ := attr(n, "class"); return c == "name" })
		if len(names) != 1 || text(names[0]) != "Harbour Hotel Shanghai" {
			t.Errorf("the bar does not name the location")
		}
		imgs := all(bar[0], tag("img"))
		if src, _ := attr(imgs[0], "src"); len(imgs) != 1 || src != "https://cdn.example.com/harbour.png" {
			t.Errorf("logo %v", imgs)
		}
		if csp := p.header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "; img-src https://cdn.example.com") {
			t.Errorf("CSP %q does not allow the logo's origin (only)", csp)
		}
		styles := all(p.doc, tag("style"))
		if len(styles) != 2 || text(styles[1]) != ":root{--accent:#c8102e;--on-accent:#ffffff}" {
			t.Errorf("the location's colour is not the accent: %d stylesheets", len(styles))
		}
		if f := all(p.doc, tag("footer")); len(f) != 1 || text(f[0]) != "88 Zhongshan Road, Shanghai" {
			t.Error("no footer")
		}
	}
	t.Run("the form", func(t *testing.T) {
		p := e.open(t, "tok-1", "")
		brandOf(t, p)
		if ti := text(all(p.doc, tag("title"))[0]); ti != "Your stay · Harbour Hotel Shanghai" {
			t.Errorf("title %q", ti)
		}
	})
	t.Run("the form sent back with a problem", func(t *testing.T) {
		f := answered("tok-1")
		f.Del("q.nps")
		p := e.post(t, "stay", f)
		wantHTML(t, p, http.StatusBadRequest, "en", "Some answers need another look")
		brandOf(t, p)
	})
	t.Run("the thank-you view, in Chinese", func(t *testing.T) {
		f := answered("tok-2")
		f.Set("locale", "zh-CN")
		p := e.sent(t, e.post(t, "stay", f), "tok-2", "zh-CN")
		wantHTML(t, p, http.StatusOK, "zh-CN", "感谢您的反馈！")
		brandOf(t, p)
	})
}
