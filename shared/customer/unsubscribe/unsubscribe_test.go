package unsubscribe_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/customer/unsubscribe"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// newStore is a customer store over a test's own customers table.
func newStore(t *testing.T) *customer.Store {
	env := testenv.New(t)
	return &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers"), Locations: &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}}
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// unsubscribeFixture serves customers-public's routes as its function does (body
// limits, idempotency), over a test's table.
type unsubscribeFixture struct {
	store  *customer.Store
	signer *customer.Signer
	mux    http.Handler
	clk    *clock.Manual
}

func newUnsubscribeFixture(t *testing.T) *unsubscribeFixture {
	s := newStore(t)
	clk := clock.NewManual(t0)
	sg := &customer.Signer{Store: s, Keys: []customer.MAC{key(1, "one")}}
	row, _ := wiring.FunctionByName("customers-public")
	mux, err := app.Mux(row, unsubscribe.Routes(&customer.Service{Store: s, Signer: sg, Clock: clk}), idempotency.NewStore(s.DB, s.Table, clk))
	if err != nil {
		t.Fatal(err)
	}
	return &unsubscribeFixture{store: s, signer: sg, mux: mux, clk: clk}
}

func (f *unsubscribeFixture) do(t *testing.T, method, path, contentType string, body []byte, lang string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	rec := httptest.NewRecorder()
	f.mux.ServeHTTP(rec, req)
	return rec
}

// records are a customer's current consents and their whole log.
func (f *unsubscribeFixture) records(t *testing.T, cid string) (map[string]customer.Consent, []customer.Consent) {
	t.Helper()
	cur, err := f.store.Consents(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	log, err := f.store.ConsentLog(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	return cur, log
}

// Opening the link, as a mail scanner does before the customer, writes nothing: the
// page asks, in the reader's language, and its button posts back.
func TestUnsubscribeGETChangesNothing(t *testing.T) {
	f := newUnsubscribeFixture(t)
	ctx := context.Background()
	if err := f.store.SetConsent(ctx, "c-10", customer.Consent{Channel: "email", Granted: true, At: t0.Add(-time.Hour), Source: "web-form"}); err != nil {
		t.Fatal(err)
	}
	tok, err := f.signer.Token(ctx, "c-10", "email", t0)
	if err != nil {
		t.Fatal(err)
	}
	beforeCur, beforeLog := f.records(t, "c-10")
	for _, c := range []struct{ lang, heading, button, channel, htmlLang string }{
		{"en-GB,en;q=0.9", "Unsubscribe?", "Unsubscribe", "by email", `lang="en"`},
		{"zh-CN,zh;q=0.9,en;q=0.5", "确认退订？", "确认退订", "电子邮件", `lang="zh-CN"`},
	} {
		rec := f.do(t, http.MethodGet, "/v1/u/"+tok, "", nil, c.lang)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", c.lang, rec.Code)
		}
		for _, want := range []string{c.heading, c.button, c.channel, c.htmlLang, `<form method="post">`, `name="confirm" value="unsubscribe"`, `name="viewport"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %q:\n%s", c.lang, want, body)
			}
		}
		if strings.Contains(body, "<script") || strings.Contains(body, " action=") {
			t.Errorf("%s: the page has a script or posts elsewhere", c.lang)
		}
		if h := rec.Header(); h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(h.Get("Content-Security-Policy"), "form-action 'self'") {
			t.Errorf("%s: headers %v", c.lang, h)
		}
	}
	// ?lang picks the language over the browser's.
	if rec := f.do(t, http.MethodGet, "/v1/u/"+tok+"?lang=en", "", nil, "zh-CN"); !strings.Contains(rec.Body.String(), "Unsubscribe?") || !strings.Contains(rec.Body.String(), `href="?lang=zh-CN"`) {
		t.Errorf("?lang=en: %s", rec.Body.String())
	}
	afterCur, afterLog := f.records(t, "c-10")
	if len(afterLog) != len(beforeLog) || afterCur["email"] != beforeCur["email"] || !afterCur["email"].Granted {
		t.Fatalf("GET changed consent: before %+v %+v, after %+v %+v", beforeCur, beforeLog, afterCur, afterLog)
	}
	for _, c := range []struct {
		path   string
		status int
		text   string
	}{
		{"/v1/u/1." + strings.Repeat("A", 43), http.StatusNotFound, "not valid"},
		{"/v1/u/nonsense", http.StatusNotFound, "not valid"},
	} {
		if rec := f.do(t, http.MethodGet, c.path, "", nil, "en"); rec.Code != c.status || !strings.Contains(rec.Body.String(), c.text) || strings.Contains(rec.Body.String(), "<form") {
			t.Errorf("GET %s: %d %s", c.path, rec.Code, rec.Body.String())
		}
	}
	// A retired key version: 410, in Chinese by default.
	f.signer.Keys = []customer.MAC{key(2, "two")}
	if rec := f.do(t, http.MethodGet, "/v1/u/"+tok, "", nil, ""); rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "链接已过期") {
		t.Errorf("a retired link: %d %s", rec.Code, rec.Body.String())
	}
}

// The page's button and a mail client's one-click turn the channel off once, each with
// its source; repeating changes nothing more.
func TestUnsubscribePOSTOptsOutOnce(t *testing.T) {
	f := newUnsubscribeFixture(t)
	ctx := context.Background()
	for _, ch := range []string{"email", "sms", "webhook"} {
		if err := f.store.SetConsent(ctx, "c-11", customer.Consent{Channel: ch, Granted: true, At: t0.Add(-time.Hour), Source: "web-form"}); err != nil {
			t.Fatal(err)
		}
	}
	token := func(ch string) string {
		tok, err := f.signer.Token(ctx, "c-11", ch, t0)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	form := "application/x-www-form-urlencoded"
	email, sms, webhook := token("email"), token("sms"), token("webhook")

	// A post that confirms nothing (a JSON body, an empty form) asks again, 400.
	for _, c := range []struct{ ct, body string }{{form, ""}, {form, "lang=en"}, {"application/json", "{}"}} {
		if rec := f.do(t, http.MethodPost, "/v1/u/"+email, c.ct, []byte(c.body), "en"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "<form") {
			t.Errorf("POST %s %q: %d", c.ct, c.body, rec.Code)
		}
	}
	if cur, _ := f.records(t, "c-11"); !cur["email"].Granted {
		t.Fatal("a post without confirmation unsubscribed")
	}

	f.clk.Advance(time.Minute)
	page := url.Values{"confirm": {"unsubscribe"}, "lang": {"zh-CN"}}.Encode()
	for i := range 3 { // the button, a double tap, a reload of the done page
		rec := f.do(t, http.MethodPost, "/v1/u/"+email, form, []byte(page), "en")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "您已退订") || strings.Contains(rec.Body.String(), "<form") {
			t.Fatalf("post %d: %d %s", i, rec.Code, rec.Body.String())
		}
		f.clk.Advance(time.Second)
	}

	// RFC 8058: multipart/form-data, as the RFC's example posts it, or urlencoded.
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("List-Unsubscribe", "One-Click")
	_ = mw.Close()
	for i := range 2 {
		if rec := f.do(t, http.MethodPost, "/v1/u/"+sms, mw.FormDataContentType(), mp.Bytes(), ""); rec.Code != http.StatusOK {
			t.Fatalf("one-click %d (multipart): %d %s", i, rec.Code, rec.Body.String())
		}
	}
	if rec := f.do(t, http.MethodPost, "/v1/u/"+webhook, form, []byte("List-Unsubscribe=One-Click"), ""); rec.Code != http.StatusOK {
		t.Fatalf("one-click (urlencoded): %d %s", rec.Code, rec.Body.String())
	}

	cur, log := f.records(t, "c-11")
	want := map[string]string{"email": customer.SourceUnsubscribePage, "sms": customer.SourceUnsubscribeOneClick, "webhook": customer.SourceUnsubscribeOneClick}
	for ch, source := range want {
		if c := cur[ch]; c.Granted || c.Source != source {
			t.Errorf("%s: %+v, want off by %s", ch, c, source)
		}
		offs := 0
		for _, e := range log {
			if e.Channel == ch && !e.Granted {
				offs++
			}
		}
		if offs != 1 {
			t.Errorf("%s: %d opt-outs in the log, want 1: %+v", ch, offs, log)
		}
	}
	if c := cur["email"]; !c.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("the opt-out is dated %s, want the first post's %s", c.At, t0.Add(time.Minute))
	}

	// Bad links post to nothing.
	if rec := f.do(t, http.MethodPost, "/v1/u/1."+strings.Repeat("B", 43), form, []byte(page), "en"); rec.Code != http.StatusNotFound {
		t.Errorf("a bad link: %d", rec.Code)
	}
}

// key is a per-test unsubscribe key of a version, as keyring makes one from a key file.
func key(version int, secret string) customer.MAC {
	return keyring.NewMAC(version, []byte(secret+strings.Repeat(".", 32-len(secret))))
}
