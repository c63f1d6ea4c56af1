package notify_test

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"testing"
	texttemplate "text/template"

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

func TestParseRefusesWhatItCannotRender(t *testing.T) {
	tests := []struct {
		name string
		src  notify.Source
	}{
		{"a pipeline", notify.Source{Subject: "{{.Vars.name | printf \"%q\"}}", Text: "t"}},
		{"a function", notify.Source{Subject: "s", Text: "{{len .Vars}}"}},
		{"another brand field", notify.Source{Subject: "{{.Brand.Color}}", Text: "t"}},
		{"a nested key", notify.Source{Subject: "{{.Vars.a.b}}", Text: "t"}},
		{"a key with a dash", notify.Source{Subject: "{{.Vars.a-b}}", Text: "t"}},
		{"range", notify.Source{Subject: "s", Text: "{{range .Vars}}x{{end}}"}},
		{"if on the brand", notify.Source{Subject: "{{if .Brand.Name}}x{{end}}", Text: "t"}},
		{"if without end", notify.Source{Subject: "{{if .Vars.x}}x", Text: "t"}},
		{"else without if", notify.Source{Subject: "x{{else}}y", Text: "t"}},
		{"two elses", notify.Source{Subject: "{{if .Vars.x}}a{{else}}b{{else}}c{{end}}", Text: "t"}},
		{"an unclosed action", notify.Source{Subject: "s", Text: "Hi {{.Vars.name"}},
		{"a value in a tag", notify.Source{Subject: "s", Text: "t", HTML: "<p {{.Vars.x}}>hi</p>"}},
		{"a value in a tag name", notify.Source{Subject: "s", Text: "t", HTML: "<{{.Vars.x}}>hi"}},
		{"a value in an unquoted attribute", notify.Source{Subject: "s", Text: "t", HTML: "<p class={{.Vars.x}}>hi</p>"}},
		{"a value in an event attribute", notify.Source{Subject: "s", Text: "t", HTML: `<p onclick="go('{{.Vars.x}}')">hi</p>`}},
		{"a value in a style attribute", notify.Source{Subject: "s", Text: "t", HTML: `<p style="color:{{.Vars.x}}">hi</p>`}},
		{"a value in a script", notify.Source{Subject: "s", Text: "t", HTML: `<script>var x = "{{.Vars.x}}";</script>`}},
		{"a value in a style element", notify.Source{Subject: "s", Text: "t", HTML: `<STYLE>p{color:{{.Vars.x}}}</STYLE>`}},
		{"a value in a comment", notify.Source{Subject: "s", Text: "t", HTML: `<!-- {{.Vars.x}} -->`}},
		{"markup that ends in a tag", notify.Source{Subject: "s", Text: "t", HTML: `<p class="x`}},
		{"a branch that leaves a tag open", notify.Source{Subject: "s", Text: "t", HTML: `{{if .Vars.x}}<a href="/a">{{else}}<a {{end}}x</a>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := notify.Parse("t", false, map[string]notify.Source{notify.LocaleEN: tt.src}); err == nil {
				t.Errorf("parsed %+v", tt.src)
			}
		})
	}
}

func TestRenderConditionals(t *testing.T) {
	tpl := notify.MustParse("message", false, map[string]notify.Source{notify.LocaleEN: {
		Subject: "{{if .Vars.subject}}{{.Vars.subject}}{{else}}A message from {{.Brand.Name}}{{end}}",
		Text:    "{{ .Vars.text }}{{if .Vars.ps}} PS: {{.Vars.ps}}{{end}}",
	}})
	tests := []struct {
		name          string
		vars          map[string]any
		subject, text string
	}{
		{"with a subject", map[string]any{"subject": "Your umbrella", "text": "Found.", "ps": ""}, "Your umbrella", "Found."},
		{"empty subject", map[string]any{"subject": "", "text": "Found.", "ps": "Desk 2"}, "A message from Lotus Hotel", "Found. PS: Desk 2"},
		{"false and zero", map[string]any{"subject": false, "text": 0, "ps": 0}, "A message from Lotus Hotel", "0"},
		{"nil", map[string]any{"subject": nil, "text": 7, "ps": true}, "A message from Lotus Hotel", "7 PS: true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subject, text, _, err := notify.Render(tpl, "en", tt.vars, brand)
			if err != nil {
				t.Fatal(err)
			}
			if subject != tt.subject || text != tt.text+"\n\n"+brand.FooterText {
				t.Errorf("got %q / %q, want %q / %q", subject, text, tt.subject, tt.text)
			}
		})
	}
	// As with text/template's missingkey=error, an if on a missing key is an error.
	if _, _, _, err := notify.Render(tpl, "en", map[string]any{"text": "x", "ps": ""}, brand); err == nil || !strings.Contains(err.Error(), `"subject"`) {
		t.Errorf("err = %v, want the missing subject", err)
	}
	if got := tpl.Vars(); strings.Join(got, ",") != "ps,subject,text" {
		t.Errorf("Vars() = %v", got)
	}
}

// Values are escaped for where they stand in the HTML body.
func TestRenderEscapesByPlaceInHTML(t *testing.T) {
	tests := []struct {
		name, body, value, want string
	}{
		{"text", `<p>{{.Vars.v}}</p>`, `<b>"Tom" & 'Jerry'</b>`, `<p>&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>`},
		{"attribute", `<img alt="{{.Vars.v}}" src="/a.png">`, `"><script>`, `<img alt="&#34;&gt;&lt;script&gt;" src="/a.png">`},
		{"single-quoted attribute", `<img alt='{{.Vars.v}}'>`, `' onerror='x`, `<img alt='&#39; onerror=&#39;x'>`},
		{"URL", `<a href="{{.Vars.v}}">x</a>`, `https://a.example/p q?c=1&d="2"`, `<a href="https://a.example/p%20q?c=1&amp;d=%222%22">x</a>`},
		{"URL with a bad scheme", `<a href="{{.Vars.v}}">x</a>`, `javascript:alert(1)`, `<a href="about:invalid#TemplFailedSanitizationURL">x</a>`},
		{"URL, upper case", `<A HREF="{{.Vars.v}}">x</A>`, ` JavaScript:alert(1)`, `<A HREF="about:invalid#TemplFailedSanitizationURL">x</A>`},
		{"in a URL's query", `<a href="https://a.example/r?ref={{.Vars.v}}">x</a>`, `a&b=c d/李`, `<a href="https://a.example/r?ref=a%26b%3dc%20d%2f%e6%9d%8e">x</a>`},
		{"after a closed script", `<script>var a = 1;</script><p>{{.Vars.v}}</p>`, `<i>`, `<script>var a = 1;</script><p>&lt;i&gt;</p>`},
		{"after a comment", `<!-- <a href=" --><p>{{.Vars.v}}</p>`, `<i>`, `<!-- <a href=" --><p>&lt;i&gt;</p>`},
		{"a lone <", `<p>1 < 2 {{.Vars.v}}</p>`, `<i>`, `<p>1 < 2 &lt;i&gt;</p>`},
		{"in a branch", `{{if .Vars.v}}<p title="{{.Vars.v}}">{{.Vars.v}}</p>{{end}}`, `"<`, `<p title="&#34;&lt;">&#34;&lt;</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := notify.Parse("t", false, map[string]notify.Source{notify.LocaleEN: {Subject: "s {{.Vars.v}}", Text: "{{.Vars.v}}", HTML: tt.body}})
			if err != nil {
				t.Fatal(err)
			}
			subject, text, html, err := notify.Render(tpl, "en", map[string]any{"v": tt.value}, notify.Brand{Name: "B"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(html, "\n"+tt.want+"\n") {
				t.Errorf("html lacks %s:\n%s", tt.want, html)
			}
			if text != strings.TrimSpace(tt.value) || subject != strings.Join(strings.Fields("s "+tt.value), " ") {
				t.Errorf("plain text escaped: %q / %q", subject, text)
			}
		})
	}
}

func TestRenderEscapesTheBrand(t *testing.T) {
	tpl := notify.MustParse("t", false, map[string]notify.Source{notify.LocaleEN: {Subject: "{{.Brand.Name}}", Text: "{{.Brand.Name}}", HTML: `<p title="{{.Brand.Name}}">{{.Brand.Name}}</p>`}})
	b := notify.Brand{Name: `A&B "<x>"`, Color: "#0B5FFF", FooterText: "<i>Lake Road</i>"}
	subject, text, html, err := notify.Render(tpl, "zh-CN", notify.Data{UnsubscribeURL: "https://u.example/x?a=1&b=2"}, b)
	if err != nil {
		t.Fatal(err)
	}
	if subject != b.Name || text != b.Name+"\n\n<i>Lake Road</i>\n\nUnsubscribe: https://u.example/x?a=1&b=2" {
		t.Errorf("plain parts: %q / %q", subject, text)
	}
	for _, want := range []string{
		`<title>A&amp;B &#34;&lt;x&gt;&#34;</title>`,
		`<p title="A&amp;B &#34;&lt;x&gt;&#34;">A&amp;B &#34;&lt;x&gt;&#34;</p>`,
		`font-weight:600;">A&amp;B &#34;&lt;x&gt;&#34;</td>`, // no logo: the name
		`background:#0B5FFF;`,
		`<p style="margin:0 0 8px 0;">&lt;i&gt;Lake Road&lt;/i&gt;</p>`,
		`<a href="https://u.example/x?a=1&amp;b=2" style="color:#0B5FFF;">Unsubscribe</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %s:\n%s", want, html)
		}
	}
	for _, color := range []string{"red", "#abc", "#0b5fff80"} {
		_, _, html, _ := notify.Render(tpl, "en", nil, notify.Brand{Name: "B", Color: color})
		if !strings.Contains(html, "background:"+color+";") {
			t.Errorf("color %s not used", color)
		}
	}
	for _, color := range []string{"red;x:y", "rgb(1,2,3)", "#12", "#123456789", "expression(alert(1))", `"red"`} {
		_, _, html, _ := notify.Render(tpl, "en", nil, notify.Brand{Name: "B", Color: color})
		if strings.Contains(html, color) || !strings.Contains(html, "background:#1f2328;") {
			t.Errorf("color %q used", color)
		}
	}
}

// On the syntax it keeps, the renderer writes what Go's text/template (subject, text)
// and html/template (HTML body) wrote, byte for byte. The values leave out what
// html/template wrote differently but to the same effect: "+" as &#43;, and a refused
// URL as #ZgotmplZ rather than templ's about:invalid address.
func TestRenderAgreesWithGoTemplates(t *testing.T) {
	sources := []notify.Source{
		{Subject: "{{.Brand.Name}}: {{.Vars.a}}", Text: "Dear {{.Vars.a}}, {{ .Vars.b }}.", HTML: `<p>Dear {{.Vars.a}}, <b title="{{.Vars.b}}">{{.Vars.b}}</b></p>`},
		{Subject: "{{if .Vars.a}}{{.Vars.a}}{{else}}From {{.Brand.Name}}{{end}}", Text: "{{if .Vars.b}}[{{.Vars.b}}]{{end}}{{.Vars.a}}",
			HTML: `<a href="{{.Vars.link}}">{{.Brand.Name}}</a> <a href="https://a.example/r?x={{.Vars.a}}&amp;y=1">{{if .Vars.b}}{{.Vars.b}}{{else}}-{{end}}</a>`},
		{Subject: "您对{{.Brand.Name}}的体验如何？", Text: "{{.Vars.a}}您好，关于您的反馈「{{.Vars.b}}」", HTML: "<p class=\"x\">{{.Vars.a}}</p>\n<img src=\"{{.Vars.link}}\" alt=\"{{.Vars.b}}\">"},
	}
	values := []map[string]any{
		{"a": "Li Lei", "b": "noisy room", "link": "https://r.example/s/abc?l=zh-CN&c=1"},
		{"a": "", "b": `<script>alert("x")</script> & 'y'`, "link": "/relative/path with space"},
		{"a": `"><img src=x onerror=alert(1)>`, "b": "", "link": "mailto:li@example.com"},
		{"a": "李雷 <3", "b": 42, "link": "HTTPS://R.EXAMPLE/李?q=a b"},
	}
	brands := []string{"Lotus Hotel", `A&B "<x>"`}
	for i, src := range sources {
		tpl := notify.MustParse("t", false, map[string]notify.Source{notify.LocaleEN: src})
		oracle := func(s string, html bool, data any) string {
			var b bytes.Buffer
			var err error
			if html {
				err = htmltemplate.Must(htmltemplate.New("").Option("missingkey=error").Parse(s)).Execute(&b, data)
			} else {
				err = texttemplate.Must(texttemplate.New("").Option("missingkey=error").Parse(s)).Execute(&b, data)
			}
			if err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		for _, vars := range values {
			for _, name := range brands {
				data := struct {
					Brand notify.Brand
					Vars  map[string]any
				}{notify.Brand{Name: name}, vars}
				subject, text, html, err := notify.Render(tpl, "en", vars, data.Brand)
				if err != nil {
					t.Fatal(err)
				}
				if want := strings.Join(strings.Fields(oracle(src.Subject, false, data)), " "); subject != want {
					t.Errorf("source %d, %v: subject %q, text/template %q", i, vars, subject, want)
				}
				if want := strings.TrimSpace(oracle(src.Text, false, data)); text != want {
					t.Errorf("source %d, %v: text %q, text/template %q", i, vars, text, want)
				}
				if want := oracle(src.HTML, true, data); !strings.Contains(html, "\n"+want+"\n") {
					t.Errorf("source %d, %v: html/template wrote\n%s\nnot found in\n%s", i, vars, want, html)
				}
			}
		}
	}
}

// A message names the brand and its values; the text part ends with the brand's footer.
func ExampleRender() {
	tpl := notify.MustParse("complaint-outcome", false, map[string]notify.Source{
		notify.LocaleEN: {Subject: "Your case {{.Vars.reference}} is resolved", Text: "{{.Brand.Name}}: {{.Vars.resolution}}{{if .Vars.points}} ({{.Vars.points}} points added){{end}}"},
		notify.LocaleZH: {Subject: "您的投诉 {{.Vars.reference}} 已处理", Text: "{{.Brand.Name}}：{{.Vars.resolution}}{{if .Vars.points}}（已补偿 {{.Vars.points}} 积分）{{end}}"},
	})
	vars := map[string]any{"reference": "C-1042", "resolution": "room changed", "points": "200"}
	subject, text, _, err := notify.Render(tpl, "zh-Hans", vars, notify.Brand{Name: "Lotus Hotel", FooterText: "1 Lake Road"})
	fmt.Println(subject)
	fmt.Println(text)
	fmt.Println(err)
	delete(vars, "points")
	_, _, _, err = notify.Render(tpl, "en", vars, notify.Brand{Name: "Lotus Hotel"})
	fmt.Println(err)
	// Output:
	// 您的投诉 C-1042 已处理
	// Lotus Hotel：room changed（已补偿 200 积分）
	//
	// 1 Lake Road
	// <nil>
	// render complaint-outcome/en text: no entry for key "points" in vars
}
