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
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/net/html"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/casework/public"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/complaint/form"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// pudong is the pages' location: a branded airport lounge in Shanghai.
var pudong = place.Location{ID: "pd-02", Code: "PD02", Name: "Pudong Airport Lounge", TimeZone: "Asia/Shanghai",
	WeeklyHours: map[string][]string{"mon": {"08:00-20:00"}, "tue": {"08:00-20:00"}, "wed": {"08:00-20:00"},
		"thu": {"08:00-20:00"}, "fri": {"08:00-20:00"}, "sat": {"08:00-20:00"}, "sun": {"08:00-20:00"}},
	Branding: place.Branding{Color: "#7a1f5c", LogoURL: "https://cdn.example.com/pd-02/logo.png", FooterText: "Pudong Airport Lounge, Terminal 2"},
}

// pagesManager is the staff member who handles the pages' cases.
var pagesManager = auth.Principal{Subject: "a1", Roles: []string{"manager"}, Locations: []string{"pd-02"}}

// The default categories with their labels in both languages.
var categoryLabels = map[string][2]string{
	"service_attitude": {"Staff attitude", "服务态度"}, "product_quality": {"Product quality", "产品质量"},
	"billing": {"Billing and payment", "账单与收费"}, "facilities": {"Facilities", "设施环境"},
	"waiting_time": {"Waiting time", "等候时间"}, "safety": {"Safety", "安全问题"}, "other": {"Something else", "其他"},
}

type pagesEnv struct {
	h   http.Handler
	svc *complaint.Service
	env *testenv.Env
	clk *clock.Manual
}

// newPagesEnv builds the complaints-public function exactly as Lambda and the local
// runner do, over this test's tables in DynamoDB Local, with pudong registered. It is
// Monday 23 November 2026, 10:00 in Shanghai.
func newPagesEnv(t *testing.T) *pagesEnv {
	t.Helper()
	env := testenv.New(t)
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Date(2026, 11, 23, 10, 0, 0, 0, zone))
	customers := &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers"), Locations: &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}}
	loc := pudong
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.Locations.(*location.Store).PutLocation(context.Background(), loc, 0); err != nil {
		t.Fatal(err)
	}
	row, ok := wiring.FunctionByName("complaints-public")
	if !ok {
		t.Fatal("no complaints-public in the wiring table")
	}
	fn, err := app.Build(row.Name, public.Function, config.FromMap(env.FunctionEnv(row)), app.Deps{Clients: env.Clients, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	svc := &complaint.Service{Store: &complaint.Store{DB: env.Clients.DynamoDB, Table: env.Names("complaints")},
		Locations: customers.Locations.(*location.Store), Customers: customers, Effects: &casework.Effects{Followups: &followup.Store{DB: env.Clients.DynamoDB, Table: env.Names("followups")}},
		Clock: clk}
	return &pagesEnv{h: fn.HTTP, svc: svc, env: env, clk: clk}
}

// htmlPage is a served page, parsed.
type htmlPage struct {
	status int
	header http.Header
	body   string
	root   *html.Node
}

func (e *pagesEnv) serve(t *testing.T, req *http.Request) htmlPage {
	t.Helper()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	root, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return htmlPage{rec.Code, rec.Header(), rec.Body.String(), root}
}

func (e *pagesEnv) get(t *testing.T, path, acceptLanguage string) htmlPage {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	return e.serve(t, req)
}

func (e *pagesEnv) post(t *testing.T, form url.Values) htmlPage {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v1/complaints", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.serve(t, req)
}

// filled opens pudong's form in lang and fills it in as a customer would.
func (e *pagesEnv) filled(t *testing.T, lang string) url.Values {
	t.Helper()
	p := e.get(t, "/v1/c/pd-02?lang="+lang, "")
	if p.status != http.StatusOK {
		t.Fatalf("the form: status %d: %s", p.status, p.body)
	}
	f := url.Values{}
	for _, name := range []string{"locationId", "lang", "submissionKey", "website"} {
		v, _ := htmlAttr(p.control(t, "input", name), "value")
		f.Set(name, v)
	}
	f.Set("category", "waiting_time")
	f.Set("severity", "high")
	f.Set("description", "Forty minutes at the counter\r\nand nobody came.")
	f.Set("name", "Li Lei")
	f.Set("phone", "138 0013 8000")
	f.Set("email", "Li.Lei@Example.com")
	return f
}

// cases are pudong's cases, as the queue lists them.
func (e *pagesEnv) cases(t *testing.T) []complaint.Case {
	t.Helper()
	page, err := e.svc.Queue(context.Background(), pagesManager, complaint.QueueQuery{LocationID: "pd-02", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// trackPath is the path of the bot's thank-you page's tracking link.
func trackPath(t *testing.T, p htmlPage) string {
	t.Helper()
	a := p.byID("track")
	if a == nil {
		t.Fatalf("no tracking link: %s", p.body)
	}
	href, _ := htmlAttr(a, "href")
	u, err := url.Parse(href)
	if err != nil || !strings.HasPrefix(u.Path, "/v1/complaints/track/") || len(u.Path) < len("/v1/complaints/track/")+20 {
		t.Fatalf("tracking link %q", href)
	}
	return u.Path
}

// seeOther checks that a sent form leads on (303 See Other, so a reload GETs the
// page it leads to and never posts again) to a case's tracking page, in lang, with
// the "received" banner, and returns that address and the tracking page's path.
func seeOther(t *testing.T, p htmlPage, lang string) (location, path string) {
	t.Helper()
	if p.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 See Other: %s", p.status, p.body)
	}
	location = p.header.Get("Location")
	u, err := url.Parse(location)
	if err != nil || u.IsAbs() || !strings.HasPrefix(u.Path, "/v1/complaints/track/") || len(u.Path) < len("/v1/complaints/track/")+20 {
		t.Fatalf("Location %q, want a tracking page on this origin", location)
	}
	if q := u.Query(); q.Get("lang") != lang || q.Get("received") != "1" {
		t.Errorf("Location %q, want lang=%s and received=1", location, lang)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", p.header.Get("Cache-Control"))
	}
	return location, u.Path
}

// HTML helpers over golang.org/x/net/html.

func htmlAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func htmlText(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode && d.Parent.Data != "style" {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func htmlAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

func (p htmlPage) all(match func(*html.Node) bool) []*html.Node { return htmlAll(p.root, match) }

func (p htmlPage) tag(name string) []*html.Node {
	return p.all(func(n *html.Node) bool { return n.Data == name })
}

func (p htmlPage) byID(id string) *html.Node {
	found := p.all(func(n *html.Node) bool { v, _ := htmlAttr(n, "id"); return v == id })
	if len(found) != 1 {
		return nil
	}
	return found[0]
}

func (p htmlPage) text() string { return htmlText(p.root) }

// headerName is what the header bar names: the location, or the pages' neutral title.
func headerName(p htmlPage) string {
	var names []string
	for _, n := range p.all(func(n *html.Node) bool { c, _ := htmlAttr(n, "class"); return c == "name" }) {
		names = append(names, htmlText(n))
	}
	return strings.Join(names, " | ")
}

// control is the one element of a tag with a name.
func (p htmlPage) control(t *testing.T, tag, name string) *html.Node {
	t.Helper()
	found := p.all(func(n *html.Node) bool { v, _ := htmlAttr(n, "name"); return n.Data == tag && v == name })
	if len(found) != 1 {
		t.Fatalf("%d <%s name=%q>: %s", len(found), tag, name, p.body)
	}
	return found[0]
}

// options are a select's values, labels and selected value.
func (p htmlPage) options(t *testing.T, name string) (values, labels []string, selected string) {
	t.Helper()
	for _, o := range htmlAll(p.control(t, "select", name), func(n *html.Node) bool { return n.Data == "option" }) {
		v, _ := htmlAttr(o, "value")
		values, labels = append(values, v), append(labels, htmlText(o))
		if _, ok := htmlAttr(o, "selected"); ok {
			selected = v
		}
	}
	return values, labels, selected
}

func wantPage(t *testing.T, p htmlPage, status int, lang string, says ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d: %s", p.status, status, p.body)
	}
	want := map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"Cache-Control":          "no-store",
		"Referrer-Policy":        "no-referrer",
		"X-Content-Type-Options": "nosniff",
	}
	for k, v := range want {
		if got := p.header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if l, _ := htmlAttr(p.tag("html")[0], "lang"); l != lang {
		t.Errorf("<html lang=%q>, want %q", l, lang)
	}
	if n := p.all(func(n *html.Node) bool {
		_, on := htmlAttr(n, "onclick")
		return n.Data == "script" || n.Data == "iframe" || on
	}); len(n) > 0 {
		t.Errorf("the page has %d scripts", len(n))
	}
	body := p.text()
	for _, s := range says {
		if !strings.Contains(body, s) {
			t.Errorf("the page does not say %q: %s", s, body)
		}
	}
}

func TestFormShowsTheLocationInTheVisitorsLanguage(t *testing.T) {
	e := newPagesEnv(t)
	cases := []struct {
		name, path, accept, lang string
		says                     []string
	}{
		{"no preference is Chinese", "/v1/c/pd-02", "", "zh-CN", []string{"告诉我们哪里出了问题", "投诉类别", "提交投诉", "必填"}},
		{"an English browser", "/v1/c/pd-02", "en-GB,en;q=0.9", "en", []string{"Tell us what went wrong", "What is it about?", "Send complaint", "required"}},
		{"a Chinese browser", "/v1/c/pd-02", "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN", []string{"发生了什么？", "如何联系您？"}},
		{"?lang=en wins over the browser", "/v1/c/pd-02?lang=en", "zh-CN", "en", []string{"How serious is it?"}},
		{"?lang=zh-CN wins over the browser", "/v1/c/pd-02?lang=zh-CN", "en-US", "zh-CN", []string{"严重程度"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := e.get(t, c.path, c.accept)
			wantPage(t, p, http.StatusOK, c.lang, append(c.says, "Pudong Airport Lounge", "Pudong Airport Lounge, Terminal 2")...)
			i := 0
			if c.lang == "zh-CN" {
				i = 1
			}
			values, labels, selected := p.options(t, "category")
			wantValues := []string{"", "service_attitude", "product_quality", "billing", "facilities", "waiting_time", "safety", "other"}
			if !slices.Equal(values, wantValues) || selected != "" {
				t.Errorf("categories %v (selected %q), want %v", values, selected, wantValues)
			}
			for j, v := range values[1:] {
				if labels[j+1] != categoryLabels[v][i] {
					t.Errorf("category %s is labelled %q, want %q", v, labels[j+1], categoryLabels[v][i])
				}
			}
			if values, _, selected := p.options(t, "severity"); !slices.Equal(values, complaint.Severities) || selected != "normal" {
				t.Errorf("severities %v (selected %q)", values, selected)
			}
			for name, want := range map[string]string{"locationId": "pd-02", "lang": c.lang} {
				in := p.control(t, "input", name)
				if v, _ := htmlAttr(in, "value"); v != want {
					t.Errorf("%s=%q, want %q", name, v, want)
				}
			}
			other := map[string]string{"en": "zh-CN", "zh-CN": "en"}[c.lang]
			sw := p.all(func(n *html.Node) bool { h, _ := htmlAttr(n, "href"); return n.Data == "a" && h == "?lang="+other })
			if len(sw) != 1 {
				t.Errorf("no link to the %s form", other)
			}
		})
	}

	p := e.get(t, "/v1/c/pd-02", "en")
	t.Run("every control has a label", func(t *testing.T) {
		labels := map[string]bool{}
		for _, l := range p.tag("label") {
			if f, ok := htmlAttr(l, "for"); ok && htmlText(l) != "" {
				labels[f] = true
			}
		}
		controls := p.all(func(n *html.Node) bool {
			typ, _ := htmlAttr(n, "type")
			return (n.Data == "input" && typ != "hidden") || n.Data == "textarea" || n.Data == "select"
		})
		if len(controls) != 7 {
			t.Errorf("%d controls, want 7", len(controls))
		}
		for _, c := range controls {
			id, _ := htmlAttr(c, "id")
			if id == "" || !labels[id] {
				t.Errorf("control %v has no label", c.Attr)
			}
		}
	})
	t.Run("required fields are required", func(t *testing.T) {
		for _, c := range [][2]string{{"select", "category"}, {"textarea", "description"}, {"input", "name"}} {
			if _, ok := htmlAttr(p.control(t, c[0], c[1]), "required"); !ok {
				t.Errorf("%s is not required", c[1])
			}
		}
		for _, c := range [][2]string{{"select", "severity"}, {"input", "phone"}, {"input", "email"}} {
			if _, ok := htmlAttr(p.control(t, c[0], c[1]), "required"); ok {
				t.Errorf("%s is required", c[1])
			}
		}
		if v, _ := htmlAttr(p.control(t, "textarea", "description"), "maxlength"); v != "5000" {
			t.Errorf("description maxlength %q", v)
		}
	})
	t.Run("posts urlencoded to the intake", func(t *testing.T) {
		forms := p.tag("form")
		if len(forms) != 1 {
			t.Fatalf("%d forms", len(forms))
		}
		for k, v := range map[string]string{"method": "post", "action": "/v1/complaints", "enctype": "application/x-www-form-urlencoded"} {
			if got, _ := htmlAttr(forms[0], k); got != v {
				t.Errorf("form %s=%q, want %q", k, got, v)
			}
		}
	})
	t.Run("the honeypot is hidden from people", func(t *testing.T) {
		hp := p.control(t, "input", "website")
		for k, v := range map[string]string{"type": "text", "tabindex": "-1", "autocomplete": "off", "value": ""} {
			if got, _ := htmlAttr(hp, k); got != v {
				t.Errorf("honeypot %s=%q, want %q", k, got, v)
			}
		}
		if v, _ := htmlAttr(hp.Parent, "aria-hidden"); v != "true" {
			t.Error("the honeypot's box is not aria-hidden")
		}
		if c, _ := htmlAttr(hp.Parent, "class"); !regexp.MustCompile(`\.` + c + `\{position:absolute;left:-10000px`).MatchString(p.body) {
			t.Errorf("the honeypot's box (class %q) is not moved off screen", c)
		}
	})
	t.Run("each rendering has its own submission key", func(t *testing.T) {
		key := func(p htmlPage) string {
			v, _ := htmlAttr(p.control(t, "input", "submissionKey"), "value")
			return v
		}
		a, b := key(p), key(e.get(t, "/v1/c/pd-02", "en"))
		if len(a) < 20 || a == b {
			t.Errorf("submission keys %q and %q", a, b)
		}
	})
	t.Run("branding: colour, logo and phone viewport", func(t *testing.T) {
		if !strings.Contains(p.body, "--brand:#7a1f5c") {
			t.Error("the brand colour is not applied")
		}
		logo := p.all(func(n *html.Node) bool {
			s, _ := htmlAttr(n, "src")
			return n.Data == "img" && s == pudong.Branding.LogoURL
		})
		if len(logo) != 1 || !strings.HasSuffix(p.header.Get("Content-Security-Policy"), "; img-src https://cdn.example.com") {
			t.Errorf("logo %d, CSP %q", len(logo), p.header.Get("Content-Security-Policy"))
		}
		vp := p.all(func(n *html.Node) bool { v, _ := htmlAttr(n, "name"); return n.Data == "meta" && v == "viewport" })
		if c, _ := htmlAttr(vp[0], "content"); len(vp) != 1 || !strings.Contains(c, "width=device-width") {
			t.Error("no phone viewport")
		}
	})
}

func TestFormOfAnUnknownLocationIs404(t *testing.T) {
	e := newPagesEnv(t)
	for _, c := range []struct{ path, accept, lang, says string }{
		{"/v1/c/nowhere", "en", "en", "Form not found"},
		{"/v1/c/nowhere", "zh-CN", "zh-CN", "未找到投诉表单"},
		{"/v1/c/" + url.PathEscape("not an id!"), "en", "en", "Form not found"},
		{"/v1/c/nowhere?lang=zh-CN", "en", "zh-CN", "未找到投诉表单"},
	} {
		p := e.get(t, c.path, c.accept)
		wantPage(t, p, http.StatusNotFound, c.lang, c.says)
		if len(p.tag("form")) != 0 {
			t.Errorf("%s shows a form", c.path)
		}
	}
}

func TestFormPostOpensOneCase(t *testing.T) {
	e := newPagesEnv(t)
	f := e.filled(t, "en")
	next, link := seeOther(t, e.post(t, f), "en")
	p := e.get(t, next, "zh-CN")
	wantPage(t, p, http.StatusOK, "en", "Thank you, we have received your complaint", "Reference",
		"We will get back to you by 23 Nov 2026, 12:00 (Asia/Shanghai, UTC+8).", "bookmark this page")
	ref := htmlText(p.byID("reference"))
	if !regexp.MustCompile(`^PD02-20261123-\d{4}$`).MatchString(ref) {
		t.Fatalf("reference %q", ref)
	}
	if h := p.tag("h1"); len(h) != 1 || htmlText(h[0]) != "Thank you, we have received your complaint" {
		t.Errorf("headings %v", h)
	}
	if p.byID("no-contact") != nil || strings.Contains(p.text(), "We have no phone number") {
		t.Error("a customer who left a phone and an email is told they cannot be contacted")
	}
	t.Run("a reload shows the same page and sends nothing", func(t *testing.T) {
		again := e.get(t, next, "")
		wantPage(t, again, http.StatusOK, "en", "Thank you, we have received your complaint", ref)
		if n := len(e.cases(t)); n != 1 {
			t.Fatalf("%d cases, want 1", n)
		}
	})
	t.Run("the language switch keeps the banner", func(t *testing.T) {
		sw := p.all(func(n *html.Node) bool { c, _ := htmlAttr(n, "class"); return n.Data == "a" && c == "lang" })
		if len(sw) != 1 {
			t.Fatal("no language switch")
		}
		href, _ := htmlAttr(sw[0], "href")
		zh := e.get(t, link+href, "")
		wantPage(t, zh, http.StatusOK, "zh-CN", "感谢您的反馈，我们已收到您的投诉", "我们将于 2026年11月23日 12:00（Asia/Shanghai，UTC+8） 前回复您。")
	})

	cs := e.cases(t)
	if len(cs) != 1 {
		t.Fatalf("%d cases, want 1", len(cs))
	}
	// The queue lists cases without their description (kept apart, in the case's body
	// item): the case itself has it.
	if cs[0].Description != "" {
		t.Errorf("queue item with a description: %q", cs[0].Description)
	}
	c, err := e.svc.Get(context.Background(), pagesManager, cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Reference != ref || c.Channel != "web" || c.Category != "waiting_time" || c.Severity != "high" ||
		c.Description != "Forty minutes at the counter\nand nobody came." || c.Status != complaint.Received {
		t.Errorf("case %+v", c.Complaint)
	}
	if c.Contact != (complaint.Contact{Name: "Li Lei", Phone: "+8613800138000", Email: "li.lei@example.com", Locale: "en"}) {
		t.Errorf("contact %+v", c.Contact)
	}

	t.Run("sending the same page again leads to the same case", func(t *testing.T) {
		again := e.post(t, f)
		if loc, _ := seeOther(t, again, "en"); loc != next || again.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the resent page leads to %q (replayed %q), want %q", loc, again.header.Get("Idempotent-Replayed"), next)
		}
		if n := len(e.cases(t)); n != 1 {
			t.Fatalf("%d cases after sending twice, want 1", n)
		}
	})
	t.Run("the same page edited after sending is not a second case", func(t *testing.T) {
		edited := url.Values{}
		for k, v := range f {
			edited[k] = v
		}
		edited.Set("description", "Another thing entirely.")
		p := e.post(t, edited)
		wantPage(t, p, http.StatusUnprocessableEntity, "en", "Already sent")
		if a := p.all(func(n *html.Node) bool { h, _ := htmlAttr(n, "href"); return h == "/v1/c/pd-02?lang=en" }); len(a) != 1 {
			t.Error("no link to a fresh form")
		}
		if n := len(e.cases(t)); n != 1 {
			t.Fatalf("%d cases, want 1", n)
		}
	})
	t.Run("a double tap makes one case", func(t *testing.T) {
		f := e.filled(t, "zh-CN")
		var wg sync.WaitGroup
		pages := make([]htmlPage, 3)
		for i := range pages {
			wg.Go(func() { pages[i] = e.post(t, f) })
		}
		wg.Wait()
		var refs []string
		for _, p := range pages {
			next, _ := seeOther(t, p, "zh-CN")
			shown := e.get(t, next, "")
			wantPage(t, shown, http.StatusOK, "zh-CN", "感谢您的反馈，我们已收到您的投诉", "投诉编号")
			refs = append(refs, htmlText(shown.byID("reference")))
		}
		if refs[0] == ref || refs[1] != refs[0] || refs[2] != refs[0] {
			t.Errorf("references %v", refs)
		}
		if n := len(e.cases(t)); n != 2 {
			t.Fatalf("%d cases, want 2", n)
		}
	})
	t.Run("the tracking link shows the case, without the banner", func(t *testing.T) {
		p := e.get(t, link, "")
		wantPage(t, p, http.StatusOK, "en", ref, "Received")
		if p.byID("received") != nil {
			t.Error("the plain tracking link shows the thank-you banner")
		}
	})
}

func TestFormHoneypotStoresNothing(t *testing.T) {
	e := newPagesEnv(t)
	f := e.filled(t, "en")
	f.Set("website", "http://spam.example")
	wantPage(t, e.post(t, f), http.StatusCreated, "en", "Thank you", "We will get back to you by")
	out, err := e.env.Clients.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(e.env.Names("complaints"))})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 0 {
		t.Fatalf("a bot's post stored %d items: %v", len(out.Items), out.Items)
	}
}

func TestFormPostWithProblemsComesBackWithTheInputKept(t *testing.T) {
	e := newPagesEnv(t)
	// errorOf is the message shown for a field, which must sit in the field's box
	// and describe its control.
	errorOf := func(t *testing.T, p htmlPage, id string) string {
		t.Helper()
		msg := p.byID(id + "-error")
		if msg == nil {
			return ""
		}
		ctl := p.byID(id)
		if ctl == nil || !slices.Contains(htmlAll(ctl.Parent, func(*html.Node) bool { return true }), msg) {
			t.Errorf("the error of %s is not beside it", id)
		}
		if d, _ := htmlAttr(ctl, "aria-describedby"); !strings.Contains(d, id+"-error") {
			t.Errorf("%s is not described by its error: %q", id, d)
		}
		return htmlText(msg)
	}
	t.Run("no description, in English", func(t *testing.T) {
		f := e.filled(t, "en")
		f.Set("name", "Wang Fang")
		f.Del("description")
		p := e.post(t, f)
		wantPage(t, p, http.StatusBadRequest, "en", "Please check the following:")
		if msg := errorOf(t, p, "description"); msg != "Please tell us what happened." {
			t.Errorf("description error %q", msg)
		}
		if s := htmlText(p.byID("errors")); !strings.Contains(s, "What happened? Please tell us what happened.") {
			t.Errorf("the summary says %q", s)
		}
		if v, _ := htmlAttr(p.control(t, "input", "name"), "value"); v != "Wang Fang" {
			t.Errorf("the name is kept as %q", v)
		}
		if v, _ := htmlAttr(p.control(t, "input", "phone"), "value"); v != "138 0013 8000" {
			t.Errorf("the phone is kept as %q", v)
		}
		if _, _, sel := p.options(t, "category"); sel != "waiting_time" {
			t.Errorf("the category is kept as %q", sel)
		}
		if _, _, sel := p.options(t, "severity"); sel != "high" {
			t.Errorf("the severity is kept as %q", sel)
		}
		for _, id := range []string{"category", "name", "phone", "email"} {
			if msg := errorOf(t, p, id); msg != "" {
				t.Errorf("%s has an error: %q", id, msg)
			}
		}
		if k, _ := htmlAttr(p.control(t, "input", "submissionKey"), "value"); k == "" || k == f.Get("submissionKey") {
			t.Errorf("the form comes back with submission key %q, want a fresh one", k)
		}
	})
	t.Run("bad contact and an unknown category, in Chinese", func(t *testing.T) {
		f := e.filled(t, "zh-CN")
		f.Set("category", "nonsense")
		f.Set("email", "not-an-email")
		f.Set("description", "排队\r\n太久")
		f.Set("name", "")
		p := e.post(t, f)
		wantPage(t, p, http.StatusBadRequest, "zh-CN", "请检查以下内容：")
		for id, want := range map[string]string{"category": "请选择投诉类别。", "email": "请填写有效的电子邮箱，例如 name@example.com。",
			"name": "请填写您的姓名。", "description": ""} {
			if msg := errorOf(t, p, id); msg != want {
				t.Errorf("%s error %q, want %q", id, msg, want)
			}
		}
		summary := htmlText(p.byID("errors"))
		for _, want := range []string{"投诉类别：请选择投诉类别。", "您的姓名：请填写您的姓名。", "电子邮箱：请填写有效的电子邮箱"} {
			if !strings.Contains(summary, want) {
				t.Errorf("the summary has no %q: %q", want, summary)
			}
		}
		if strings.Contains(summary, ":") {
			t.Errorf("an ASCII colon in the Chinese summary: %q", summary)
		}
		if v := htmlText(p.control(t, "textarea", "description")); v != "排队 太久" {
			t.Errorf("the description is kept as %q", v)
		}
		if v, _ := htmlAttr(p.control(t, "input", "email"), "value"); v != "not-an-email" {
			t.Errorf("the email is kept as %q", v)
		}
	})
	t.Run("too long: the limit, in both languages", func(t *testing.T) {
		for lang, want := range map[string][2]string{
			"en":    {"Please shorten this to at most 5000 characters (it has 5001).", "Please shorten this to at most 200 characters (it has 201)."},
			"zh-CN": {"请精简到 5000 字以内（目前 5001 字）。", "请精简到 200 字以内（目前 201 字）。"},
		} {
			f := e.filled(t, lang)
			f.Set("description", strings.Repeat("长", 5001))
			f.Set("name", strings.Repeat("n", 201))
			p := e.post(t, f)
			wantPage(t, p, http.StatusBadRequest, lang)
			if msg := errorOf(t, p, "description"); msg != want[0] {
				t.Errorf("%s: description error %q, want %q", lang, msg, want[0])
			}
			if msg := errorOf(t, p, "name"); msg != want[1] {
				t.Errorf("%s: name error %q, want %q", lang, msg, want[1])
			}
		}
	})
	t.Run("blank is empty: required, in Chinese", func(t *testing.T) {
		f := e.filled(t, "zh-CN")
		f.Set("description", " \r\n ")
		p := e.post(t, f)
		if msg := errorOf(t, p, "description"); msg != "请描述发生了什么。" {
			t.Errorf("description error %q", msg)
		}
	})
	if n := len(e.cases(t)); n != 0 {
		t.Fatalf("posts with problems made %d cases", n)
	}
	t.Run("the fixed post is taken", func(t *testing.T) {
		seeOther(t, e.post(t, e.filled(t, "en")), "en")
	})
}

func TestTrackingPageShowsOnlyWhatTheCustomerMaySee(t *testing.T) {
	e := newPagesEnv(t)
	_, link := seeOther(t, e.post(t, e.filled(t, "en")), "en")
	ref := e.cases(t)[0].Reference
	id := e.cases(t)[0].ID
	act := func(req complaint.ActionRequest) {
		t.Helper()
		e.clk.Advance(10 * time.Minute)
		if _, err := e.svc.Act(context.Background(), pagesManager, id, req); err != nil {
			t.Fatalf("%s: %v", req.Action, err)
		}
	}
	act(complaint.ActionRequest{Action: complaint.Acknowledge})
	act(complaint.ActionRequest{Action: complaint.Note, Note: "Customer was rude to the counter staff."})
	act(complaint.ActionRequest{Action: complaint.Note, Note: "We are checking the queue records.", Public: true})

	p := e.get(t, link, "zh-CN")
	wantPage(t, p, http.StatusOK, "en", ref, "Acknowledged", "We are checking the queue records.", "Update from our team",
		"Complaint received", "Waiting time", "23 Nov 2026, 10:00 (Asia/Shanghai, UTC+8)", "23 Nov 2026, 10:30 (Asia/Shanghai, UTC+8)")
	if tm := p.tag("time"); len(tm) == 0 || htmlText(tm[len(tm)-1]) != "23 Nov 2026, 10:00 (Asia/Shanghai, UTC+8)" {
		t.Errorf("the first event's time is not in the location's zone, named")
	} else if iso, _ := htmlAttr(tm[len(tm)-1], "datetime"); iso != "2026-11-23T02:00:00Z" {
		t.Errorf("the first event's datetime %q", iso)
	}
	if s := htmlText(p.byID("status")); s != "Acknowledged" {
		t.Errorf("status %q", s)
	}
	words := strings.Fields(p.text())
	for _, secret := range []string{"rude", "a1", "+8613800138000", "Li", "Forty"} {
		if slices.Contains(words, secret) || strings.Contains(p.body, secret+" ") {
			t.Errorf("the tracking page shows %q", secret)
		}
	}
	if n := len(htmlAll(p.byID("timeline"), func(n *html.Node) bool { return n.Data == "li" })); n != 3 {
		t.Errorf("%d timeline entries, want 3 (received, acknowledged, the public note)", n)
	}

	act(complaint.ActionRequest{Action: complaint.Resolve, Resolution: "We added a second counter at peak times.", RootCause: "capacity"})
	t.Run("resolved, in Chinese when asked", func(t *testing.T) {
		p := e.get(t, link+"?lang=zh-CN", "en")
		wantPage(t, p, http.StatusOK, "zh-CN", "已解决", "处理结果", "We added a second counter at peak times.", "处理记录",
			"2026年11月23日 10:40（Asia/Shanghai，UTC+8）")
		if s := htmlText(p.byID("status")); s != "已解决" {
			t.Errorf("status %q", s)
		}
	})
	// timeline is each entry's text, newest first.
	timeline := func(p htmlPage) []string {
		var out []string
		for _, li := range htmlAll(p.byID("timeline"), func(n *html.Node) bool { return n.Data == "li" }) {
			var own []string // the entry's label and badge, without its time and note
			for _, n := range htmlAll(li, func(n *html.Node) bool { return n.Data == "strong" || n.Data == "span" }) {
				own = append(own, htmlText(n))
			}
			out = append(out, strings.Join(own, " "))
		}
		return out
	}
	t.Run("each status once", func(t *testing.T) {
		want := map[string][]string{
			"en":    {"Resolved", "Update from our team", "Acknowledged", "Complaint received"},
			"zh-CN": {"已解决", "处理进展", "已确认收到", "投诉已提交"},
		}
		for lang, w := range want {
			if got := timeline(e.get(t, link+"?lang="+lang, "")); !slices.Equal(got, w) {
				t.Errorf("%s timeline %q, want %q", lang, got, w)
			}
		}
		act(complaint.ActionRequest{Action: complaint.Reopen, Note: "The second counter is not open yet.", Public: true})
		got := timeline(e.get(t, link+"?lang=en", ""))
		if len(got) == 0 || got[0] != "Reopened Being handled" {
			t.Errorf("a reopen says %q, want its new status named once", got)
		}
	})
	t.Run("an unknown token tells nothing", func(t *testing.T) {
		for _, tok := range []string{"WRONGTOKEN1234567890ABCDEFG", strings.Repeat("x", 200)} {
			p := e.get(t, "/v1/complaints/track/"+tok, "en")
			wantPage(t, p, http.StatusNotFound, "en", "Complaint not found")
			if strings.Contains(p.body, "PD02") || strings.Contains(p.body, "Pudong") {
				t.Errorf("the 404 page tells about a case: %s", p.body)
			}
			if name := headerName(p); name != "Complaints" {
				t.Errorf("the 404 page's header bar says %q, want a neutral title", name)
			}
		}
	})
}

// downDB is DynamoDB with every read failing.
type downDB struct{ dynamo.API }

func (downDB) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, fmt.Errorf("connection refused")
}

func TestPagesAskToTryAgainWhenTheDatabaseIsDown(t *testing.T) {
	e := newPagesEnv(t)
	f := e.filled(t, "zh-CN")
	db := downDB{e.env.Clients.DynamoDB}
	customers := &customer.Store{DB: db, Table: e.env.Names("customers"), Locations: &location.Store{DB: db, Table: e.env.Names("customers")}}
	svc := &complaint.Service{Store: &complaint.Store{DB: db, Table: e.env.Names("complaints")}, Locations: customers.Locations.(*location.Store),
		Customers: customers, Effects: &casework.Effects{Followups: &followup.Store{DB: db, Table: e.env.Names("followups")}}, Clock: e.clk}
	mux := http.NewServeMux()
	for pattern, h := range complaint.PublicRoutes(svc, &form.Pages{Service: svc}) {
		mux.Handle(pattern, h)
	}
	broken := &pagesEnv{h: mux, svc: e.svc, env: e.env, clk: e.clk}
	for name, p := range map[string]htmlPage{
		"the form":          broken.get(t, "/v1/c/pd-02?lang=zh-CN", ""),
		"a post":            broken.post(t, f),
		"the tracking page": broken.get(t, "/v1/complaints/track/ABCDEFGHJKMNPQRSTVWXYZ0123?lang=zh-CN", ""),
	} {
		t.Run(name, func(t *testing.T) {
			wantPage(t, p, http.StatusServiceUnavailable, "zh-CN", "请稍后再试")
			if strings.Contains(p.body, "refused") || p.header.Get("Retry-After") == "" {
				t.Errorf("Retry-After %q; body %s", p.header.Get("Retry-After"), p.body)
			}
		})
	}
	if n := len(e.cases(t)); n != 0 {
		t.Fatalf("%d cases", n)
	}
}

// A guest who leaves neither a phone nor an email still files the complaint (the API
// makes both optional; losing an anonymous complaint is worse than keeping it), on the
// form and on the JSON route. The page a sent form leads to promises no reply: it says
// plainly that the tracking link is the only way to follow the case, in both
// languages, and the tracking page keeps saying so; a customer with a contact is
// promised a reply and never told that.
func TestComplaintWithoutPhoneOrEmail(t *testing.T) {
	e := newPagesEnv(t)
	for _, c := range []struct {
		lang, heading, promise, noContact, reply string
	}{
		{"en", "Thank you, we have received your complaint", "We will start looking into it by 23 Nov 2026, 12:00 (Asia/Shanghai, UTC+8).",
			"We have no phone number or email address for you, so we cannot contact you about this complaint. You can follow it only on this page",
			"get back to you"},
		{"zh-CN", "感谢您的反馈，我们已收到您的投诉", "我们将于 2026年11月23日 12:00（Asia/Shanghai，UTC+8） 前开始处理。",
			"我们没有您的手机号码或电子邮箱，因此无法就此投诉联系您。您只能在本页查看处理进度",
			"回复您"},
	} {
		t.Run("the form, "+c.lang, func(t *testing.T) {
			form := e.get(t, "/v1/c/pd-02?lang="+c.lang, "")
			if hint := htmlText(form.byID("contact-hint")); !strings.Contains(hint, map[string]string{"en": "Without either we cannot contact you", "zh-CN": "如两者都不填写，我们将无法联系您"}[c.lang]) {
				t.Errorf("the form does not say what leaving no contact means: %q", hint)
			}
			f := e.filled(t, c.lang)
			f.Set("phone", "")
			f.Set("email", "")
			next, link := seeOther(t, e.post(t, f), c.lang)
			p := e.get(t, next, "")
			wantPage(t, p, http.StatusOK, c.lang, c.heading, c.promise, c.noContact)
			if strings.Contains(p.text(), c.reply) {
				t.Errorf("the page promises a reply to a customer who cannot be reached: %s", p.text())
			}
			later := e.get(t, link+"?lang="+c.lang, "")
			wantPage(t, later, http.StatusOK, c.lang, c.noContact)
			if later.byID("no-contact") == nil || later.byID("received") != nil {
				t.Errorf("the tracking page later: no-contact notice %v, banner %v", later.byID("no-contact") != nil, later.byID("received") != nil)
			}
		})
	}
	t.Run("the JSON route", func(t *testing.T) {
		body := `{"channel":"web","category":"billing","description":"Charged twice.","locationId":"pd-02","contact":{"name":"Guest"}}`
		req := httptest.NewRequest(http.MethodPost, "/v1/complaints", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"trackingToken"`) {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
	var anonymous int
	for _, c := range e.cases(t) {
		if c.Contact.Phone == "" && c.Contact.Email == "" {
			anonymous++
		}
	}
	if anonymous != 3 {
		t.Errorf("%d cases without a contact, want 3", anonymous)
	}
	t.Run("the 404 page's header, in Chinese", func(t *testing.T) {
		p := e.get(t, "/v1/complaints/track/WRONGTOKEN1234567890ABCDEFG", "zh-CN")
		wantPage(t, p, http.StatusNotFound, "zh-CN", "未找到投诉")
		if name := headerName(p); name != "投诉服务" {
			t.Errorf("the header bar says %q", name)
		}
	})
}
