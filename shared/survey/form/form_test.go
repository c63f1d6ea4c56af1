package form_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/net/html"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/survey/form"
	"github.com/rapport-crm/rapport/shared/surveyloop"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// stay is the form tests' survey at version 2: every question type, a question with
// only English text and one with only Chinese text.
func stay(now time.Time) survey.Survey {
	return survey.Survey{ID: "stay", Name: "Your stay", Version: 2, LocationID: "loc-1", CreatedAt: now,
		Questions: []survey.Question{
			{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{
				"en": "How likely are you to recommend us?", "zh-CN": "您向朋友推荐我们的可能性有多大？"}},
			{ID: "service", Type: survey.TypeCSAT, Dimension: "service quality", Text: map[string]string{
				"en": "How satisfied were you with our service?", "zh-CN": "您对我们的服务满意吗？"}},
			{ID: "clean", Type: survey.TypeLikert5, Text: map[string]string{"en": "How clean was your room?", "zh-CN": "房间干净吗？"}},
			{ID: "wait", Type: survey.TypeLikert10, Text: map[string]string{"en": "How quick was check-in?", "zh-CN": "入住办理快吗？"}},
			{ID: "room", Type: survey.TypeChoice, Required: true, Options: []string{"Standard", "Suite"},
				Text: map[string]string{"en": "Which room did you stay in?", "zh-CN": "您住的是哪种房间？"}},
			{ID: "liked", Type: survey.TypeChoice, Multiple: true, Options: []string{"Breakfast", "Pool", "Staff"},
				Text: map[string]string{"en": "What did you like?"}},
			{ID: "better", Type: survey.TypeText, Text: map[string]string{"zh-CN": "我们如何改进？"}},
		}}
}

type formEnv struct {
	h     http.Handler
	store *survey.Store
	clk   *clock.Manual
	// customers is the locations registry the pages read branding from.
	customers *customer.Store
}

// newFormEnv builds the surveys-public function exactly as Lambda and the local
// runner do, over this test's tables in DynamoDB Local, with the stay survey at
// versions 1 and 2.
func newFormEnv(t *testing.T) *formEnv {
	t.Helper()
	env := testenv.New(t)
	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	row, ok := wiring.FunctionByName("surveys-public")
	if !ok {
		t.Fatal("no surveys-public in the wiring table")
	}
	fn, err := app.Build(row.Name, surveyloop.PublicFunction, config.FromMap(env.FunctionEnv(row)), app.Deps{Clients: env.Clients, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	store := &survey.Store{DB: env.Clients.DynamoDB, Table: env.Names("surveys")}
	v1 := stay(clk.Now())
	v1.Version, v1.Questions = 1, v1.Questions[:1]
	for _, sv := range []survey.Survey{v1, stay(clk.Now())} {
		if err := store.PutSurvey(context.Background(), sv); err != nil {
			t.Fatal(err)
		}
	}
	return &formEnv{h: fn.HTTP, store: store, clk: clk, customers: &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers"), Locations: &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}}}
}

// invite stores an open invitation for customer c-1 valid for a day.
func (e *formEnv) invite(t *testing.T, token, locale string) {
	t.Helper()
	err := e.store.PutInvitation(context.Background(), survey.Invitation{Token: token, SurveyID: "stay",
		CustomerID: "c-1", LocationID: "loc-1", Locale: locale, ExpiresAt: e.clk.Now().Add(24 * time.Hour), CreatedAt: e.clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
}

type page struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

func (e *formEnv) serve(t *testing.T, req *http.Request) page {
	t.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	doc, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return page{rec.Code, rec.Header(), rec.Body.String(), doc}
}

func (e *formEnv) open(t *testing.T, token, acceptLanguage string) page {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/v1/s/"+token, nil)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	return e.serve(t, req)
}

func (e *formEnv) post(t *testing.T, surveyID string, form url.Values) page {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v1/surveys/"+surveyID+"/responses", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.serve(t, req)
}

// sent checks that a post was stored (or thanked) the way a browser sees it: 303 See
// Other to the link's thank-you view in lang, which it then follows with a GET.
func (e *formEnv) sent(t *testing.T, p page, token, lang string) page {
	t.Helper()
	if p.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 See Other: %s", p.status, p.body)
	}
	want := "/v1/s/" + token + "?done=1&lang=" + lang
	if loc := p.header.Get("Location"); loc != want {
		t.Fatalf("Location %q, want %q", loc, want)
	}
	if cc := p.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the redirect's Cache-Control is %q, want no-store", cc)
	}
	return e.serve(t, httptest.NewRequest(http.MethodGet, p.header.Get("Location"), nil))
}

func (e *formEnv) responses(t *testing.T) []survey.Response {
	t.Helper()
	rs, err := e.store.Responses(context.Background(), "stay")
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func (e *formEnv) status(t *testing.T, token string) string {
	t.Helper()
	inv, err := e.store.Invitation(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return inv.Status
}

// answered is a complete, valid post of the stay form.
func answered(token string) url.Values {
	return url.Values{
		"token": {token}, "version": {"2"}, "locale": {"en"}, "website": {""},
		"q.nps": {"9"}, "q.service": {"4"}, "q.clean": {"5"}, "q.wait": {"7"}, "q.room": {"Suite"},
		"q.liked": {"Breakfast", "Staff"}, "q.better": {"Faster lifts\r\nplease"}, "comment": {"Lovely stay\r\nThanks"},
	}
}

// HTML helpers over golang.org/x/net/html.

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func byID(doc *html.Node, id string) *html.Node {
	found := all(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id })
	if len(found) != 1 {
		return nil
	}
	return found[0]
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func ancestor(n *html.Node, name string) *html.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == name {
			return p
		}
	}
	return nil
}

// input is the form control named name with value (value "" for a textarea).
func input(t *testing.T, doc *html.Node, name, value string) *html.Node {
	t.Helper()
	found := all(doc, func(n *html.Node) bool {
		nm, _ := attr(n, "name")
		v, _ := attr(n, "value")
		return (n.Data == "input" || n.Data == "textarea") && nm == name && (n.Data == "textarea" || v == value)
	})
	if len(found) != 1 {
		t.Fatalf("%d controls named %s=%q", len(found), name, value)
	}
	return found[0]
}

func checked(t *testing.T, doc *html.Node, name, value string) bool {
	t.Helper()
	_, ok := attr(input(t, doc, name, value), "checked")
	return ok
}

func has(n *html.Node, key string) bool { _, ok := attr(n, key); return ok }

func wantHTML(t *testing.T, p page, status int, lang string, says ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d: %s", p.status, status, p.body)
	}
	want := map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	}
	for k, v := range want {
		got := p.header.Get(k)
		if k == "Content-Security-Policy" {
			got, _, _ = strings.Cut(got, "; img-src ") // a location's logo: see TestFormWearsTheLocationsBrand
		}
		if got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	root := all(p.doc, tag("html"))
	if l, _ := attr(root[0], "lang"); l != lang {
		t.Errorf("<html lang=%q>, want %q", l, lang)
	}
	body := text(p.doc)
	for _, s := range says {
		if !strings.Contains(body, s) {
			t.Errorf("the page does not say %q: %s", s, body)
		}
	}
}

func TestFormSpeaksTheInvitationsOrTheBrowsersLanguage(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-any", "")
	e.invite(t, "tok-zh", "zh-CN")
	e.invite(t, "tok-en", "en")
	cases := []struct {
		name, token, accept, lang string
		says                      []string
	}{
		{"no preference is English", "tok-any", "", "en",
			[]string{"How likely are you to recommend us?", "0 = not at all likely", "Send my answers", "required"}},
		{"Chinese browser", "tok-any", "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN",
			[]string{"您向朋友推荐我们的可能性有多大？", "0 = 完全不可能，10 = 非常可能", "提交", "必填", "还有什么想告诉我们的吗？"}},
		{"q-values decide, not order", "tok-any", "fr;q=1, en;q=0.2, zh-TW;q=0.5", "zh-CN", []string{"您对我们的服务满意吗？"}},
		{"English preferred over Chinese", "tok-any", "en-GB, zh;q=0.7", "en", []string{"How satisfied were you with our service?"}},
		{"q=0 refuses a language", "tok-any", "zh;q=0", "en", []string{"How clean was your room?"}},
		{"unknown languages fall back to English", "tok-any", "fr-FR, de;q=0.5", "en", []string{"How quick was check-in?"}},
		{"the invitation's locale wins over the browser", "tok-zh", "en-US", "zh-CN", []string{"房间干净吗？"}},
		{"an English invitation stays English", "tok-en", "zh-CN", "en", []string{"Which room did you stay in?"}},
		{"a question without Chinese text falls back to English", "tok-zh", "", "zh-CN", []string{"What did you like?", "可多选"}},
		{"a question without English text falls back to Chinese", "tok-en", "", "en", []string{"我们如何改进？"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := e.open(t, c.token, c.accept)
			wantHTML(t, p, http.StatusOK, c.lang, c.says...)
			if v, _ := attr(input(t, p.doc, "locale", c.lang), "type"); v != "hidden" {
				t.Errorf("the locale field is %q, want hidden", v)
			}
		})
	}
	t.Run("fallback text is marked with its language", func(t *testing.T) {
		p := e.open(t, "tok-zh", "")
		legend := all(byID(p.doc, "q-liked"), tag("legend"))[0]
		marked := all(legend, func(n *html.Node) bool { l, _ := attr(n, "lang"); return l == "en" })
		if len(marked) != 1 || text(marked[0]) != "What did you like?" {
			t.Fatal("the English text in a Chinese page is not marked lang=en")
		}
	})
}

func TestFormMarkup(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-1", "")
	p := e.open(t, "tok-1", "")
	wantHTML(t, p, http.StatusOK, "en")
	doc := p.doc

	t.Run("no scripts, no external assets, phone viewport", func(t *testing.T) {
		if n := all(doc, func(n *html.Node) bool {
			return n.Data == "script" || n.Data == "link" || n.Data == "img" || n.Data == "iframe" || has(n, "src") || has(n, "onclick")
		}); len(n) != 0 {
			t.Errorf("%d scripts or external assets", len(n))
		}
		vp := all(doc, func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "meta" && v == "viewport" })
		if len(vp) != 1 {
			t.Fatal("no viewport meta")
		}
		if c, _ := attr(vp[0], "content"); !strings.Contains(c, "width=device-width") {
			t.Errorf("viewport %q", c)
		}
		if len(all(doc, tag("style"))) != 1 {
			t.Error("want one inline stylesheet")
		}
	})
	t.Run("posts urlencoded to the survey's responses", func(t *testing.T) {
		forms := all(doc, tag("form"))
		if len(forms) != 1 {
			t.Fatalf("%d forms", len(forms))
		}
		for k, v := range map[string]string{"method": "post", "action": "/v1/surveys/stay/responses", "enctype": "application/x-www-form-urlencoded"} {
			if got, _ := attr(forms[0], k); got != v {
				t.Errorf("form %s=%q, want %q", k, got, v)
			}
		}
		for name, v := range map[string]string{"token": "tok-1", "version": "2", "locale": "en"} {
			if typ, _ := attr(input(t, doc, name, v), "type"); typ != "hidden" {
				t.Errorf("%s is %q, want hidden", name, typ)
			}
		}
	})
	t.Run("every control has a label", func(t *testing.T) {
		labels := map[string]bool{}
		for _, l := range all(doc, tag("label")) {
			if f, ok := attr(l, "for"); ok && text(l) != "" {
				labels[f] = true
			}
		}
		controls := all(doc, func(n *html.Node) bool {
			typ, _ := attr(n, "type")
			return (n.Data == "input" && typ != "hidden") || n.Data == "textarea" || n.Data == "select"
		})
		if len(controls) != 11+5+5+10+2+3+1+1+1 {
			t.Errorf("%d controls", len(controls))
		}
		for _, c := range controls {
			id, _ := attr(c, "id")
			if id == "" || !labels[id] {
				t.Errorf("control %v has no label", c.Attr)
			}
		}
	})
	t.Run("ratings and choices are groups named by their question", func(t *testing.T) {
		groups := []struct {
			id, typ string
			values  []string
		}{
			{"q-nps", "radio", []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}},
			{"q-service", "radio", []string{"1", "2", "3", "4", "5"}},
			{"q-clean", "radio", []string{"1", "2", "3", "4", "5"}},
			{"q-wait", "radio", []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}},
			{"q-room", "radio", []string{"Standard", "Suite"}},
			{"q-liked", "checkbox", []string{"Breakfast", "Pool", "Staff"}},
		}
		for _, g := range groups {
			fs := byID(doc, g.id)
			if fs == nil || fs.Data != "fieldset" || len(all(fs, tag("legend"))) != 1 {
				t.Fatalf("%s is not a fieldset with a legend", g.id)
			}
			var values []string
			for _, in := range all(fs, tag("input")) {
				typ, _ := attr(in, "type")
				v, _ := attr(in, "value")
				if name, _ := attr(in, "name"); typ != g.typ || name != "q."+strings.TrimPrefix(g.id, "q-") {
					t.Errorf("%s: input %v", g.id, in.Attr)
				}
				values = append(values, v)
			}
			if !slices.Equal(values, g.values) {
				t.Errorf("%s offers %v, want %v", g.id, values, g.values)
			}
		}
	})
	t.Run("required questions are marked and required", func(t *testing.T) {
		for _, id := range []string{"q-nps", "q-room"} {
			fs := byID(doc, id)
			if !strings.Contains(text(all(fs, tag("legend"))[0]), "required") {
				t.Errorf("%s has no visible required marker", id)
			}
			if v, _ := attr(fs, "aria-required"); v != "true" {
				t.Errorf("%s is not aria-required", id)
			}
			for _, in := range all(fs, tag("input")) {
				if !has(in, "required") {
					t.Errorf("%s: input %v is not required", id, in.Attr)
				}
			}
		}
		for _, id := range []string{"q-service", "q-liked"} {
			fs := byID(doc, id)
			if strings.Contains(text(all(fs, tag("legend"))[0]), "required") || len(all(fs, func(n *html.Node) bool { return has(n, "required") })) > 0 {
				t.Errorf("optional %s is marked required", id)
			}
		}
	})
	t.Run("text answers and the comment are bounded textareas", func(t *testing.T) {
		for name, max := range map[string]string{"q.better": "2000", "comment": "4000"} {
			ta := input(t, doc, name, "")
			if ta.Data != "textarea" {
				t.Fatalf("%s is a %s", name, ta.Data)
			}
			if v, _ := attr(ta, "maxlength"); v != max {
				t.Errorf("%s maxlength %q, want %s", name, v, max)
			}
		}
	})
	t.Run("the honeypot is hidden from people", func(t *testing.T) {
		hp := input(t, doc, "website", "")
		for k, v := range map[string]string{"type": "text", "tabindex": "-1", "autocomplete": "off"} {
			if got, _ := attr(hp, k); got != v {
				t.Errorf("honeypot %s=%q, want %q", k, got, v)
			}
		}
		box := hp.Parent
		if v, _ := attr(box, "aria-hidden"); v != "true" {
			t.Error("the honeypot's box is not aria-hidden")
		}
		class, _ := attr(box, "class")
		css := text(all(doc, tag("style"))[0])
		if class == "" || !strings.Contains(css, "."+class+"{position:absolute;left:-10000px") {
			t.Errorf("the honeypot's box (class %q) is not moved off-screen", class)
		}
	})
}

func TestOpeningALink(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-open", "")
	e.invite(t, "tok-used", "")
	e.invite(t, "tok-late", "zh-CN")
	if p := e.post(t, "stay", answered("tok-used")); p.status != http.StatusSeeOther {
		t.Fatalf("setup: %d %s", p.status, p.body)
	}
	err := e.store.PutInvitation(context.Background(), survey.Invitation{Token: "link-1", Kind: survey.KindLink, SurveyID: "stay",
		LocationID: "loc-1", DailyCap: 100, ExpiresAt: e.clk.Now().Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if p := e.post(t, "stay", answered("link-1")); p.status != http.StatusSeeOther {
		t.Fatalf("setup: %d %s", p.status, p.body)
	}
	e.clk.Advance(25 * time.Hour) // tok-late (and every invitation) has expired; link-1 has not

	cases := []struct {
		name, token, accept, lang string
		status                    int
		says                      string
	}{
		{"unknown token", "nope", "", "en", http.StatusNotFound, "Survey not found"},
		{"unknown token, Chinese browser", "nope", "zh-CN", "zh-CN", http.StatusNotFound, "未找到问卷"},
		{"used invitation", "tok-used", "", "en", http.StatusGone, "already been answered"},
		{"expired invitation, in its locale", "tok-late", "en", "zh-CN", http.StatusGone, "链接已过期"},
		{"expired invitation", "tok-open", "", "en", http.StatusGone, "This link has expired"},
		{"a public link is reusable", "link-1", "", "en", http.StatusOK, "How likely are you to recommend us?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := e.open(t, c.token, c.accept)
			wantHTML(t, p, c.status, c.lang, c.says)
			if c.status != http.StatusOK && len(all(p.doc, tag("form"))) != 0 {
				t.Error("a closed link shows the form")
			}
		})
	}
}

func TestOpeningRecordsNothing(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-1", "")
	for range 3 { // a mail scanner, a preview, the customer
		if p := e.open(t, "tok-1", ""); p.status != http.StatusOK {
			t.Fatalf("status %d", p.status)
		}
	}
	if s := e.status(t, "tok-1"); s != "open" {
		t.Fatalf("the invitation is %q after opening, want open", s)
	}
	if rs := e.responses(t); len(rs) != 0 {
		t.Fatalf("opening stored %d responses", len(rs))
	}
	if p := e.post(t, "stay", answered("tok-1")); p.status != http.StatusSeeOther {
		t.Fatalf("the invitation cannot be answered after opening: %d", p.status)
	}
}

func TestFormPostStoresTheResponseOnce(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-1", "")
	p := e.sent(t, e.post(t, "stay", answered("tok-1")), "tok-1", "en")
	wantHTML(t, p, http.StatusOK, "en", "Thank you!", "Your answers have been received.")

	rs := e.responses(t)
	if len(rs) != 1 {
		t.Fatalf("%d responses stored, want 1", len(rs))
	}
	r := rs[0]
	got := map[string]string{}
	for _, a := range r.Answers {
		got[a.QuestionID] = fmt.Sprint(a.Value)
	}
	want := map[string]string{"nps": "9", "service": "4", "clean": "5", "wait": "7", "room": "[Suite]",
		"liked": "[Breakfast Staff]", "better": "Faster lifts\nplease"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answers %v, want %v", got, want)
	}
	if r.SurveyVersion != 2 || r.CustomerID != "c-1" || r.LocationID != "loc-1" || r.Comment != "Lovely stay\nThanks" {
		t.Errorf("response %+v", r)
	}
	if r.Score.NPS == nil || *r.Score.NPS != 9 || r.Score.CSAT == nil || *r.Score.CSAT != 4 {
		t.Errorf("score %+v", r.Score)
	}
	if s := e.status(t, "tok-1"); s != "used" {
		t.Errorf("invitation %q after the answer, want used", s)
	}

	t.Run("a second post is already answered", func(t *testing.T) {
		p := e.post(t, "stay", answered("tok-1"))
		wantHTML(t, p, http.StatusConflict, "en", "Already answered")
		if n := len(e.responses(t)); n != 1 {
			t.Fatalf("%d responses stored, want 1", n)
		}
	})
	t.Run("opening it again says already answered", func(t *testing.T) {
		wantHTML(t, e.open(t, "tok-1", ""), http.StatusGone, "en", "Already answered")
	})
	t.Run("reloading the thank-you view reads, and thanks again", func(t *testing.T) {
		for range 2 {
			p := e.serve(t, httptest.NewRequest(http.MethodGet, "/v1/s/tok-1?done=1&lang=en", nil))
			wantHTML(t, p, http.StatusOK, "en", "Thank you!")
			if len(all(p.doc, tag("form"))) != 0 {
				t.Error("the thank-you view shows a form")
			}
		}
		if n := len(e.responses(t)); n != 1 {
			t.Fatalf("%d responses stored, want 1", n)
		}
	})
}

func TestAnOlderVersionsFormIsStillTaken(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-1", "")
	p := e.sent(t, e.post(t, "stay", url.Values{"token": {"tok-1"}, "version": {"1"}, "locale": {"en"}, "q.nps": {"3"}}), "tok-1", "en")
	wantHTML(t, p, http.StatusOK, "en", "Thank you!")
	if rs := e.responses(t); len(rs) != 1 || rs[0].SurveyVersion != 1 {
		t.Fatalf("responses %+v, want one at version 1", rs)
	}
}

func TestInvalidPostShowsTheFormAgainWithTheAnswersKept(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-1", "")
	errorOf := func(t *testing.T, doc *html.Node, id string) string {
		t.Helper()
		n := byID(doc, id+"-error")
		if n == nil {
			return ""
		}
		q := byID(doc, id)
		if q != nil && q.Data == "textarea" {
			q = q.Parent // a textarea's error sits beside it in its box
		}
		if q == nil || !slices.Contains(all(q, func(*html.Node) bool { return true }), n) {
			t.Errorf("the error of %s is not inside its question", id)
		}
		return text(n)
	}
	t.Run("missing required answers", func(t *testing.T) {
		f := answered("tok-1")
		f.Del("q.nps")
		f.Del("q.room")
		p := e.post(t, "stay", f)
		wantHTML(t, p, http.StatusBadRequest, "en", "Some answers need another look")
		for _, id := range []string{"q-nps", "q-room"} {
			if msg := errorOf(t, p.doc, id); msg != "Please answer this question." {
				t.Errorf("%s error %q", id, msg)
			}
			if fs := byID(p.doc, id); !strings.Contains(fmt.Sprint(fs.Attr), id+"-error") {
				t.Errorf("%s is not described by its error: %v", id, fs.Attr)
			}
		}
		if msg := errorOf(t, p.doc, "q-service"); msg != "" {
			t.Errorf("an answered question has an error: %q", msg)
		}
		kept := checked(t, p.doc, "q.service", "4") && checked(t, p.doc, "q.clean", "5") && checked(t, p.doc, "q.wait", "7") &&
			checked(t, p.doc, "q.liked", "Breakfast") && checked(t, p.doc, "q.liked", "Staff") && !checked(t, p.doc, "q.liked", "Pool") &&
			!checked(t, p.doc, "q.service", "5")
		if !kept {
			t.Error("the answers given are not kept")
		}
		if v := text(input(t, p.doc, "comment", "")); v != "Lovely stay Thanks" {
			t.Errorf("comment kept as %q", v)
		}
		if v := text(input(t, p.doc, "q.better", "")); v != "Faster lifts please" {
			t.Errorf("text answer kept as %q", v)
		}
		for name, v := range map[string]string{"token": "tok-1", "version": "2", "locale": "en"} {
			input(t, p.doc, name, v)
		}
	})
	t.Run("out-of-range and unknown values, in Chinese", func(t *testing.T) {
		f := answered("tok-1")
		f.Set("locale", "zh-CN")
		f.Set("q.nps", "11")
		f.Set("q.service", "great")
		f.Set("q.room", "Penthouse")
		f.Set("q.better", strings.Repeat("慢", survey.MaxTextAnswer+1))
		f.Set("comment", strings.Repeat("好", survey.MaxComment+1))
		p := e.post(t, "stay", f)
		wantHTML(t, p, http.StatusBadRequest, "zh-CN", "部分回答需要修改")
		for id, want := range map[string]string{
			"q-nps": "请选择 0 到 10 之间的数字。", "q-service": "请选择 1 到 5 之间的数字。", "q-room": "请从所列选项中选择。",
			"q-better": "请不要超过 2000 个字。", "comment": "请不要超过 4000 个字。",
		} {
			if msg := errorOf(t, p.doc, id); msg != want {
				t.Errorf("%s error %q, want %q", id, msg, want)
			}
		}
		if !checked(t, p.doc, "q.wait", "7") {
			t.Error("answers not kept")
		}
		// The summary puts a full-width colon after a label in Chinese, and nothing after
		// a label that ends in its own question mark.
		summary := text(byID(p.doc, "errors"))
		if !strings.Contains(summary, "推荐我们的可能性有多大？请选择 0 到 10 之间的数字。") || strings.Contains(summary, ":") || strings.Contains(summary, "？：") {
			t.Errorf("Chinese summary %q", summary)
		}
	})
	t.Run("a stale version is explained", func(t *testing.T) {
		f := answered("tok-1")
		f.Set("version", "9")
		p := e.post(t, "stay", f)
		wantHTML(t, p, http.StatusBadRequest, "en", "This survey changed while you were answering")
		input(t, p.doc, "version", "2")
		if !checked(t, p.doc, "q.nps", "9") {
			t.Error("answers not kept")
		}
	})
	if rs := e.responses(t); len(rs) != 0 {
		t.Fatalf("invalid posts stored %d responses", len(rs))
	}
	if s := e.status(t, "tok-1"); s != "open" {
		t.Fatalf("invalid posts left the invitation %q", s)
	}
}

func TestHoneypotPostIsThankedAndNotStored(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-1", "")
	f := answered("tok-1")
	f.Set("website", "http://spam.example")
	p := e.sent(t, e.post(t, "stay", f), "tok-1", "en")
	wantHTML(t, p, http.StatusOK, "en", "Thank you!")
	if rs := e.responses(t); len(rs) != 0 {
		t.Fatalf("a bot's post stored %d responses", len(rs))
	}
	if s := e.status(t, "tok-1"); s != "open" {
		t.Fatalf("a bot's post left the invitation %q", s)
	}
}

func TestPostOutcomePages(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-zh", "zh-CN")
	e.invite(t, "tok-late", "")
	err := e.store.PutInvitation(context.Background(), survey.Invitation{Token: "link-1", Kind: survey.KindLink, SurveyID: "stay",
		LocationID: "loc-1", DailyCap: 1, ExpiresAt: e.clk.Now().Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("thank you in Chinese", func(t *testing.T) {
		f := answered("tok-zh")
		f.Set("locale", "zh-CN")
		wantHTML(t, e.sent(t, e.post(t, "stay", f), "tok-zh", "zh-CN"), http.StatusOK, "zh-CN", "感谢您的反馈！", "我们已收到您的回答")
	})
	t.Run("a public link's daily cap", func(t *testing.T) {
		wantHTML(t, e.sent(t, e.post(t, "stay", answered("link-1")), "link-1", "en"), http.StatusOK, "en", "Thank you!")
		p := e.post(t, "stay", answered("link-1"))
		wantHTML(t, p, http.StatusTooManyRequests, "en", "Too many responses today")
		if p.header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	})
	t.Run("unknown survey", func(t *testing.T) {
		wantHTML(t, e.post(t, "nope", answered("tok-late")), http.StatusNotFound, "en", "Survey not found")
	})
	t.Run("unknown token", func(t *testing.T) {
		wantHTML(t, e.post(t, "stay", answered("nope")), http.StatusNotFound, "en", "Survey not found")
	})
	t.Run("expired", func(t *testing.T) {
		e.clk.Advance(24 * time.Hour)
		wantHTML(t, e.post(t, "stay", answered("tok-late")), http.StatusGone, "en", "This link has expired")
	})
}

// failing is DynamoDB with its reads or its transactions down.
type failing struct {
	dynamo.API
	reads bool
}

func (f failing) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if f.reads {
		return nil, fmt.Errorf("connection refused")
	}
	return f.API.GetItem(ctx, in, o...)
}

func (f failing) TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return nil, fmt.Errorf("connection refused")
}

func TestDatabaseTroubleAsksToTryAgain(t *testing.T) {
	e := newFormEnv(t)
	e.invite(t, "tok-1", "zh-CN")
	for _, reads := range []bool{true, false} {
		db := failing{API: e.store.DB, reads: reads}
		svc := &survey.Service{Store: &survey.Store{DB: db, Table: e.store.Table}, Clock: e.clk}
		mux := http.NewServeMux()
		for pattern, h := range survey.PublicRoutes(svc, &form.Pages{Service: svc}) {
			mux.Handle(pattern, h)
		}
		broken := &formEnv{h: mux, store: e.store, clk: e.clk}
		t.Run(fmt.Sprintf("reads fail %v", reads), func(t *testing.T) {
			if reads {
				p := broken.open(t, "tok-1", "")
				wantHTML(t, p, http.StatusServiceUnavailable, "en", "Please try again")
				if strings.Contains(p.body, "refused") || p.header.Get("Retry-After") == "" {
					t.Errorf("Retry-After %q; body %s", p.header.Get("Retry-After"), p.body)
				}
			}
			f := answered("tok-1")
			f.Set("locale", "zh-CN")
			p := broken.post(t, "stay", f)
			wantHTML(t, p, http.StatusServiceUnavailable, "zh-CN", "请稍后再试")
			if strings.Contains(p.body, "refused") || p.header.Get("Retry-After") == "" {
				t.Errorf("Retry-After %q; body %s", p.header.Get("Retry-After"), p.body)
			}
		})
	}
	if rs := e.responses(t); len(rs) != 0 {
		t.Fatalf("%d responses stored", len(rs))
	}
}

// A re-sent form post (a refreshed thank-you page) is not a second response, even on
// a public link, which takes many responses.
func TestResentFormPostIsNotStoredTwice(t *testing.T) {
	env := testenv.New(t)
	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	store := &survey.Store{DB: env.Clients.DynamoDB, Table: env.Names("surveys")}
	sv := survey.Survey{ID: "s-link", Name: "Kiosk", Version: 1, Anonymous: true, Questions: []survey.Question{
		{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{"en": "Recommend us?"}}}}
	if err := store.PutSurvey(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	if err := store.PutInvitation(context.Background(), survey.Invitation{Token: "kiosk-1", Kind: survey.KindLink, SurveyID: "s-link",
		LocationID: "loc-1", DailyCap: 100, ExpiresAt: clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	row, _ := wiring.FunctionByName("surveys-public")
	fn, err := app.Build(row.Name, surveyloop.PublicFunction, config.FromMap(env.FunctionEnv(row)), app.Deps{Clients: env.Clients, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	page := httptest.NewRecorder()
	fn.HTTP.ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/v1/s/kiosk-1", nil))
	m := regexp.MustCompile(`name="submission" value="([A-Z0-9]+)"`).FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no submission id in the form:\n%s", page.Body.String())
	}
	post := func(submission, nps string) *httptest.ResponseRecorder {
		form := url.Values{"token": {"kiosk-1"}, "version": {"1"}, "locale": {"en"}, "submission": {submission}, "q.nps": {nps}}
		req := httptest.NewRequest(http.MethodPost, "/v1/surveys/s-link/responses", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		fn.HTTP.ServeHTTP(w, req)
		return w
	}
	first := post(m[1], "9")
	if first.Code != http.StatusSeeOther {
		t.Fatalf("first post: %d", first.Code)
	}
	// Back, then Send: the same thank-you view, and no second response.
	if again := post(m[1], "9"); again.Code != http.StatusSeeOther || again.Header().Get("Location") != first.Header().Get("Location") {
		t.Fatalf("the same post again: %d to %q, want 303 to %q", again.Code, again.Header().Get("Location"), first.Header().Get("Location"))
	}
	// The same rendering sent with other answers: already used.
	if edited := post(m[1], "3"); edited.Code != http.StatusConflict {
		t.Fatalf("the same rendering with other answers: %d, want 409", edited.Code)
	}
	if c := post("another-rendering", "9").Code; c != http.StatusSeeOther {
		t.Fatalf("another customer at the same link: %d", c)
	}
	if rs, _ := store.Responses(context.Background(), "s-link"); len(rs) != 2 {
		t.Fatalf("%d responses stored, want 2", len(rs))
	}
}
