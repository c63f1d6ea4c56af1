package notify

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// Locales templates are written in.
const (
	LocaleZH = "zh-CN"
	LocaleEN = "en"
)

// Source is one locale's Go template source. Subject and Text are text/template;
// HTML is an html/template fragment placed inside the branded layout (optional: a
// message without it is text only).
type Source struct {
	Subject, Text, HTML string
}

// Brand is the business's look, seen by templates as .Brand.
type Brand struct {
	Name string
	// Color is a CSS color for the layout's header bar and links, e.g. "#0b5fff".
	Color   string
	LogoURL string
	// FooterText closes every HTML and text message (an address, a legal line).
	FooterText string
}

// Data is what templates see: .Brand, .Vars (the message's values, by name) and
// .UnsubscribeURL, which the layout shows as a footer link in text and HTML.
type Data struct {
	Brand          Brand
	Vars           map[string]any
	UnsubscribeURL string
}

// Template is one message in both locales, parsed and checked by Parse.
type Template struct {
	Name string
	// Marketing templates must be rendered with an UnsubscribeURL, and their messages
	// should be sent with Message.Marketing set.
	Marketing bool
	locales   map[string]parsed
}

type parsed struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template // nil: no HTML part
}

// Parse parses every locale's sources (at load time, so a broken template fails the
// cold start, not a send). At least one of zh-CN and en is needed, each with a subject
// and a text body.
func Parse(name string, marketing bool, sources map[string]Source) (Template, error) {
	t := Template{Name: name, Marketing: marketing, locales: map[string]parsed{}}
	if len(sources) == 0 {
		return Template{}, fmt.Errorf("template %s: no locales", name)
	}
	for loc, src := range sources {
		if loc != LocaleZH && loc != LocaleEN {
			return Template{}, fmt.Errorf("template %s: locale %q is not zh-CN or en", name, loc)
		}
		if strings.TrimSpace(src.Subject) == "" || strings.TrimSpace(src.Text) == "" {
			return Template{}, fmt.Errorf("template %s/%s: needs a subject and a text body", name, loc)
		}
		var p parsed
		var err error
		if p.subject, err = texttemplate.New(name + "/" + loc + "/subject").Option("missingkey=error").Parse(src.Subject); err != nil {
			return Template{}, fmt.Errorf("template %s/%s subject: %w", name, loc, err)
		}
		if p.text, err = texttemplate.New(name + "/" + loc + "/text").Option("missingkey=error").Parse(textLayout); err != nil {
			return Template{}, fmt.Errorf("text layout: %w", err)
		}
		if _, err = p.text.New("body").Parse(src.Text); err != nil {
			return Template{}, fmt.Errorf("template %s/%s text: %w", name, loc, err)
		}
		if strings.TrimSpace(src.HTML) != "" {
			if p.html, err = htmltemplate.New(name + "/" + loc + "/html").Option("missingkey=error").Parse(htmlLayout); err != nil {
				return Template{}, fmt.Errorf("html layout: %w", err)
			}
			if _, err = p.html.New("body").Parse(src.HTML); err != nil {
				return Template{}, fmt.Errorf("template %s/%s html: %w", name, loc, err)
			}
		}
		t.locales[loc] = p
	}
	return t, nil
}

// MustParse is Parse for templates built into the binary.
func MustParse(name string, marketing bool, sources map[string]Source) Template {
	t, err := Parse(name, marketing, sources)
	if err != nil {
		panic(err)
	}
	return t
}

// view is the dot of the layouts; the body templates get the same, so .Brand,
// .Vars and .UnsubscribeURL read alike everywhere.
type view struct {
	Data
	Locale string
	Words  words
}

type words struct{ Unsubscribe string }

var wordsByLocale = map[string]words{
	LocaleZH: {Unsubscribe: "退订"},
	LocaleEN: {Unsubscribe: "Unsubscribe"},
}

// Render renders tpl in locale (falling back to the other locale when tpl lacks it)
// with data, which is a Data, a *Data or a map[string]any (taken as Vars); brand
// replaces data's Brand. html is "" when the template has no HTML body. A key
// missing from Vars is an error, not an empty string.
func Render(tpl Template, locale string, data any, brand Brand) (subject, text, html string, err error) {
	if len(tpl.locales) == 0 {
		return "", "", "", errors.New("render: template not parsed (use Parse)")
	}
	var d Data
	switch v := data.(type) {
	case Data:
		d = v
	case *Data:
		if v != nil {
			d = *v
		}
	case map[string]any:
		d.Vars = v
	case nil:
	default:
		return "", "", "", fmt.Errorf("render %s: data is %T, want notify.Data or map[string]any", tpl.Name, data)
	}
	d.Brand = brand
	if d.Vars == nil {
		d.Vars = map[string]any{}
	}
	if tpl.Marketing && strings.TrimSpace(d.UnsubscribeURL) == "" {
		return "", "", "", fmt.Errorf("render %s: a marketing message needs an UnsubscribeURL", tpl.Name)
	}
	loc := pickLocale(tpl, locale)
	p := tpl.locales[loc]
	v := view{Data: d, Locale: loc, Words: wordsByLocale[loc]}

	var b bytes.Buffer
	if err := p.subject.Execute(&b, v); err != nil {
		return "", "", "", fmt.Errorf("render %s/%s subject: %w", tpl.Name, loc, err)
	}
	subject = oneLine(b.String())
	b.Reset()
	if err := p.text.Execute(&b, v); err != nil {
		return "", "", "", fmt.Errorf("render %s/%s text: %w", tpl.Name, loc, err)
	}
	text = strings.TrimSpace(b.String())
	if p.html != nil {
		b.Reset()
		if err := p.html.Execute(&b, v); err != nil {
			return "", "", "", fmt.Errorf("render %s/%s html: %w", tpl.Name, loc, err)
		}
		html = b.String()
	}
	return subject, text, html, nil
}

// pickLocale maps a language tag to a locale tpl has: zh* to zh-CN, anything else to
// en, then the other one if tpl lacks it.
func pickLocale(tpl Template, locale string) string {
	want, other := LocaleEN, LocaleZH
	if l := strings.ToLower(strings.TrimSpace(locale)); l == "zh" || strings.HasPrefix(l, "zh-") || strings.HasPrefix(l, "zh_") {
		want, other = LocaleZH, LocaleEN
	}
	if _, ok := tpl.locales[want]; ok {
		return want
	}
	return other
}

// textLayout closes the text body with the brand's footer and the unsubscribe link.
const textLayout = `{{template "body" .}}
{{- if .Brand.FooterText}}

{{.Brand.FooterText}}{{end}}
{{- if .UnsubscribeURL}}

{{.Words.Unsubscribe}}: {{.UnsubscribeURL}}{{end}}`

// htmlLayout is a table layout with inline CSS only, which mail clients keep.
const htmlLayout = `<!DOCTYPE html>
<html lang="{{.Locale}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Brand.Name}}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',Arial,sans-serif;color:#1f2328;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;overflow:hidden;">
<tr><td style="background:{{with .Brand.Color}}{{.}}{{else}}#1f2328{{end}};padding:16px 24px;color:#ffffff;font-size:18px;font-weight:600;">
{{- if .Brand.LogoURL}}<img src="{{.Brand.LogoURL}}" alt="{{.Brand.Name}}" height="32" style="display:block;height:32px;border:0;">{{else}}{{.Brand.Name}}{{end -}}
</td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.6;">
{{template "body" .}}
</td></tr>
{{- if or .Brand.FooterText .UnsubscribeURL}}
<tr><td style="padding:16px 24px;border-top:1px solid #e6e8eb;font-size:12px;line-height:1.5;color:#656d76;">
{{- if .Brand.FooterText}}<p style="margin:0 0 8px 0;">{{.Brand.FooterText}}</p>{{end}}
{{- if .UnsubscribeURL}}<p style="margin:0;"><a href="{{.UnsubscribeURL}}" style="color:{{with .Brand.Color}}{{.}}{{else}}#1f2328{{end}};">{{.Words.Unsubscribe}}</a></p>{{end -}}
</td></tr>
{{- end}}
</table>
</td></tr></table>
</body>
</html>
`
