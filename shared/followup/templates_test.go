package followup

import (
	"bytes"
	"strings"
	"testing"
	texttemplate "text/template"

	"github.com/rapport-crm/rapport/shared/notify"
)

// Every built-in message parses, renders in both languages with the variables it names,
// writing what Go's text/template wrote of the same source, and is refused without any
// one of them when it is scheduled.
func TestBuiltinTemplates(t *testing.T) {
	brand := notify.Brand{Name: `Lotus & "Lake" <Hotel>`, FooterText: "1 Lake Road"}
	for id, src := range builtin {
		tpl, ok := Template(id)
		if !ok {
			t.Fatalf("Template(%q) not found", id)
		}
		if tpl.Marketing != src.marketing {
			t.Errorf("%s: marketing %v", id, tpl.Marketing)
		}
		keys := tpl.Vars()
		for _, loc := range []string{notify.LocaleZH, notify.LocaleEN} {
			if _, ok := src.locales[loc]; !ok {
				t.Errorf("%s has no %s", id, loc)
				continue
			}
			vars := map[string]string{}
			for i, k := range keys {
				vars[k] = k + "<&>'\"" + strings.Repeat("x", i)
			}
			for _, subjectVar := range []string{"given", ""} {
				if _, ok := vars["subject"]; ok {
					vars["subject"] = subjectVar
				}
				f := Followup{TemplateID: id, Recipient: Recipient{Locale: loc}, Vars: vars}
				if err := checkTemplate(f); err != nil {
					t.Fatalf("%s/%s: %v", id, loc, err)
				}
				unsub := ""
				if src.marketing {
					unsub = "https://u.example/x?a=1&b=2"
				}
				subject, text, html, err := render(f, brand, unsub)
				if err != nil {
					t.Fatalf("%s/%s: %v", id, loc, err)
				}
				wantSubject, wantText := goTemplate(t, src.locales[loc].Subject, brand, vars), goTemplate(t, src.locales[loc].Text, brand, vars)
				wantText += "\n\n" + brand.FooterText
				if src.marketing {
					wantText += "\n\n" + map[string]string{notify.LocaleZH: "退订", notify.LocaleEN: "Unsubscribe"}[loc] + ": " + unsub
				}
				if subject != strings.Join(strings.Fields(wantSubject), " ") || text != strings.TrimSpace(wantText) {
					t.Errorf("%s/%s: got %q / %q\nwant %q / %q", id, loc, subject, text, wantSubject, wantText)
				}
				if html != "" {
					t.Errorf("%s/%s: a built-in message has an HTML part", id, loc)
				}
			}
			for _, k := range keys {
				less := map[string]string{}
				for kk, v := range vars {
					if kk != k {
						less[kk] = v
					}
				}
				if err := checkTemplate(Followup{TemplateID: id, Recipient: Recipient{Locale: loc}, Vars: less}); err == nil || !strings.Contains(err.Error(), `"`+k+`"`) {
					t.Errorf("%s/%s without %s: err = %v", id, loc, k, err)
				}
			}
		}
	}
	if _, ok := Template("no-such-template"); ok {
		t.Error("an unknown template was found")
	}
}

// goTemplate is what text/template, which rendered the built-in messages before, makes
// of source.
func goTemplate(t *testing.T, source string, brand notify.Brand, vars map[string]string) string {
	t.Helper()
	tpl, err := texttemplate.New("").Option("missingkey=error").Parse(source)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, struct {
		Brand notify.Brand
		Vars  map[string]string
	}{brand, vars}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
