package notify_test

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/notify"
)

var callback = notify.MustParse("recovery-callback", false, map[string]notify.Source{
	notify.LocaleZH: {
		Subject: "{{.Brand.Name}}：{{.Vars.name}}，我们想听您说",
		Text:    "{{.Vars.name}}您好，关于您的反馈「{{.Vars.comment}}」，我们会尽快联系您。",
		HTML:    "<p>{{.Vars.name}}您好，关于您的反馈「{{.Vars.comment}}」，我们会尽快联系您。</p>",
	},
	notify.LocaleEN: {
		Subject: "{{.Brand.Name}}: {{.Vars.name}}, we would like to hear from you",
		Text:    "Dear {{.Vars.name}}, about your feedback \"{{.Vars.comment}}\": we will call you soon.",
		HTML:    "<p>Dear {{.Vars.name}}, about your feedback “{{.Vars.comment}}”: we will call you soon.</p>",
	},
})

var brand = notify.Brand{Name: "Lotus Hotel", Color: "#0b5fff", LogoURL: "https://cdn.example/logo.png", FooterText: "1 Lake Road, Hangzhou"}

func TestRenderInBothLocalesWithFallback(t *testing.T) {
	enOnly := notify.MustParse("en-only", false, map[string]notify.Source{
		notify.LocaleEN: {Subject: "Hello {{.Vars.name}}", Text: "EN body"},
	})
	zhOnly := notify.MustParse("zh-only", false, map[string]notify.Source{
		notify.LocaleZH: {Subject: "你好 {{.Vars.name}}", Text: "中文正文"},
	})
	vars := map[string]any{"name": "Li Lei", "comment": "noisy room"}
	tests := []struct {
		name, locale string
		tpl          notify.Template
		subject      string
		textHas      string
		lang         string
	}{
		{"zh-CN", "zh-CN", callback, "Lotus Hotel：Li Lei，我们想听您说", "关于您的反馈「noisy room」", `lang="zh-CN"`},
		{"zh tag variants", "zh-Hans-CN", callback, "Lotus Hotel：Li Lei，我们想听您说", "我们会尽快联系您", `lang="zh-CN"`},
		{"en", "en", callback, "Lotus Hotel: Li Lei, we would like to hear from you", `feedback "noisy room"`, `lang="en"`},
		{"en-GB", "en-GB", callback, "Lotus Hotel: Li Lei, we would like to hear from you", "we will call you soon", `lang="en"`},
		{"unknown locale is en", "fr", callback, "Lotus Hotel: Li Lei, we would like to hear from you", "Dear Li Lei", `lang="en"`},
		{"zh falls back to en", "zh-CN", enOnly, "Hello Li Lei", "EN body", ""},
		{"en falls back to zh-CN", "en", zhOnly, "你好 Li Lei", "中文正文", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, text, html, err := notify.Render(tt.tpl, tt.locale, notify.Data{Vars: vars}, brand)
			if err != nil {
				t.Fatal(err)
			}
			if subject != tt.subject {
				t.Errorf("subject = %q, want %q", subject, tt.subject)
			}
			if !strings.Contains(text, tt.textHas) {
				t.Errorf("text %q lacks %q", text, tt.textHas)
			}
			if tt.lang == "" {
				if html != "" {
					t.Errorf("a template without HTML rendered HTML: %q", html)
				}
				return
			}
			if !strings.Contains(html, tt.lang) {
				t.Errorf("html lacks %s", tt.lang)
			}
		})
	}
}

func TestRenderEscapesHTMLButNotText(t *testing.T) {
	vars := map[string]any{"name": `<script>alert("x")</script>`, "comment": `"><img src=x onerror=alert(1)>`}
	_, text, html, err := notify.Render(callback, "en", vars, brand)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<img src=x"} {
		if strings.Contains(html, bad) {
			t.Errorf("html carries %q unescaped:\n%s", bad, html)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("html lacks the escaped script:\n%s", html)
	}
	if !strings.Contains(text, `<script>alert("x")</script>`) {
		t.Errorf("text was HTML-escaped: %q", text)
	}
}

func TestRenderWrapsHTMLInTheBrandLayout(t *testing.T) {
	_, text, html, err := notify.Render(callback, "en", map[string]any{"name": "Li", "comment": "ok"}, brand)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<!DOCTYPE html>",
		`src="https://cdn.example/logo.png"`,
		`alt="Lotus Hotel"`,
		"background:#0b5fff",
		"1 Lake Road, Hangzhou",
		"<p>Dear Li, about your feedback",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<style") || strings.Contains(html, "<link") {
		t.Error("layout uses a style sheet; mail clients want inline CSS")
	}
	if strings.Contains(html, "Unsubscribe") || strings.Contains(text, "Unsubscribe") {
		t.Error("unsubscribe shown without an UnsubscribeURL")
	}
	if !strings.HasSuffix(text, "\n\n1 Lake Road, Hangzhou") {
		t.Errorf("text does not end with the footer: %q", text)
	}

	// A hostile brand cannot break out of the layout.
	_, _, html, err = notify.Render(callback, "en", map[string]any{"name": "Li", "comment": "ok"},
		notify.Brand{Name: "<b>X</b>", Color: "red;background:url(javascript:alert(1))", LogoURL: "javascript:alert(1)"})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"javascript:", "<b>X</b>"} {
		if strings.Contains(html, bad) {
			t.Errorf("html carries %q", bad)
		}
	}
}

func TestRenderUnsubscribeLink(t *testing.T) {
	promo := notify.MustParse("weekend-offer", true, map[string]notify.Source{
		notify.LocaleZH: {Subject: "周末优惠", Text: "{{.Vars.name}}，本周末八折。", HTML: "<p>{{.Vars.name}}，本周末八折。</p>"},
		notify.LocaleEN: {Subject: "Weekend offer", Text: "{{.Vars.name}}, 20% off this weekend.", HTML: "<p>{{.Vars.name}}, 20% off this weekend.</p>"},
	})
	const unsub = "https://rapport.example/u/TOKEN?c=1&l=2"
	tests := []struct {
		locale, label string
	}{
		{"zh-CN", "退订"},
		{"en", "Unsubscribe"},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			_, text, html, err := notify.Render(promo, tt.locale, notify.Data{Vars: map[string]any{"name": "Li"}, UnsubscribeURL: unsub}, brand)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(text, tt.label+": "+unsub) {
				t.Errorf("text does not end with the unsubscribe line: %q", text)
			}
			if !strings.Contains(html, `href="https://rapport.example/u/TOKEN?c=1&amp;l=2"`) || !strings.Contains(html, ">"+tt.label+"</a>") {
				t.Errorf("html lacks the unsubscribe link:\n%s", html)
			}
		})
	}
	if _, _, _, err := notify.Render(promo, "en", notify.Data{Vars: map[string]any{"name": "Li"}}, brand); err == nil {
		t.Error("a marketing message rendered without an UnsubscribeURL")
	}
}

func TestRenderFailsOnAMissingKey(t *testing.T) {
	tests := []struct {
		name string
		data any
	}{
		{"key missing", map[string]any{"name": "Li"}},
		{"no vars", notify.Data{}},
		{"nil data", nil},
		{"pointer without vars", &notify.Data{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, _, err := notify.Render(callback, "en", tt.data, brand); err == nil || !strings.Contains(err.Error(), "no entry for key") {
				t.Errorf("err = %v, want a missing key error", err)
			}
		})
	}
	subjectOnly := notify.MustParse("subject-only", false, map[string]notify.Source{notify.LocaleEN: {Subject: "Hi {{.Vars.name}}", Text: "t"}})
	if _, _, _, err := notify.Render(subjectOnly, "en", nil, brand); err == nil {
		t.Error("a subject with a missing key rendered")
	}
	if _, _, _, err := notify.Render(callback, "en", struct{ Name string }{"Li"}, brand); err == nil {
		t.Error("data of an unknown type accepted")
	}
	if _, _, _, err := notify.Render(notify.Template{}, "en", nil, brand); err == nil {
		t.Error("an unparsed template rendered")
	}
}

func TestParseChecksEveryLocale(t *testing.T) {
	tests := []struct {
		name    string
		sources map[string]notify.Source
	}{
		{"no locales", nil},
		{"unknown locale", map[string]notify.Source{"fr": {Subject: "s", Text: "t"}}},
		{"missing subject", map[string]notify.Source{notify.LocaleEN: {Text: "t"}}},
		{"missing text", map[string]notify.Source{notify.LocaleEN: {Subject: "s"}}},
		{"broken subject in zh-CN", map[string]notify.Source{notify.LocaleEN: {Subject: "s", Text: "t"}, notify.LocaleZH: {Subject: "{{.Vars.x", Text: "t"}}},
		{"broken text in en", map[string]notify.Source{notify.LocaleEN: {Subject: "s", Text: "{{if}}"}}},
		{"broken html in en", map[string]notify.Source{notify.LocaleEN: {Subject: "s", Text: "t", HTML: "{{end}}"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := notify.Parse("t", false, tt.sources); err == nil {
				t.Error("parsed")
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParse did not panic")
		}
	}()
	notify.MustParse("t", false, nil)
}
