package local_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A customer on a phone opens the unsubscribe link of a message: the page (no
// scripts) asks, in their language or the other one, and nothing changes however often
// it is opened, as when a mail scanner opens it first; the button unsubscribes, once,
// with the link as the source, and says so.
func TestBrowserUnsubscribesWithTheButtonOnly(t *testing.T) {
	ctx := browser(t)
	env := testenv.New(t)
	s := newStack(t, env, nil)
	store := &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers"), Locations: &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}}
	bg := context.Background()
	if err := store.SetConsent(bg, "c-30", customer.Consent{Channel: "email", Granted: true, At: s.cfg.Clock.Now().Add(-time.Hour), Source: "web-form"}); err != nil {
		t.Fatal(err)
	}
	// The link as the sender makes it: with the key file the runner's functions use.
	signer, err := customer.NewSigner(store, keyring.LocalRefs(env.KeyDir)("unsubscribe"), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	token, err := signer.Token(bg, "c-30", "email", s.cfg.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	link := s.srv.URL + "/v1/u/" + token
	records := func() (customer.Consent, int) {
		t.Helper()
		cur, err := store.Consents(bg, "c-30")
		if err != nil {
			t.Fatal(err)
		}
		log, err := store.ConsentLog(bg, "c-30")
		if err != nil {
			t.Fatal(err)
		}
		return cur["email"], len(log)
	}
	before, beforeLog := records()

	// A mail scanner fetches the link first, twice.
	for range 2 {
		if r := s.do(t, http.MethodGet, "/v1/u/"+token, "", nil, map[string]string{"User-Agent": "Mozilla/5.0 (compatible; SafeLinks)"}); r.status != http.StatusOK {
			t.Fatalf("scanner GET: %d", r.status)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Emulate(device.IPhone12)); err != nil {
		t.Fatal(err)
	}
	open := func(url string) {
		t.Helper()
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != http.StatusOK {
			t.Fatalf("opening %s: status %d", url, resp.Status)
		}
	}
	heading := func() string {
		t.Helper()
		h, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	open(link + "?lang=en")
	if h := heading(); h != "Unsubscribe?" {
		t.Fatalf("heading %q, want Unsubscribe?", h)
	}

	t.Run("fits a phone, without scripts", func(t *testing.T) {
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("the page scrolls sideways on a 390 px wide phone (%v)", err)
		}
		height, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('button[type="submit"]').getBoundingClientRect().height`))
		if err != nil || height < 44 {
			t.Errorf("the button is %.0f px high, want at least 44 (%v)", height, err)
		}
		scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.scripts.length`))
		if err != nil || scripts != 0 {
			t.Errorf("%d scripts on the page (%v)", scripts, err)
		}
		method, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('form').method + ' ' + document.querySelector('form').action`))
		if err != nil || method != "post "+link+"?lang=en" {
			t.Errorf("the form sends %q, want a post to the link itself (%v)", method, err)
		}
	})
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "unsubscribe-confirm-phone.png", shot)

	// The other language, by its link: still only asking.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`nav.switch a`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] button`))); err != nil {
		t.Fatal(err)
	}
	if h := heading(); h != "确认退订？" {
		t.Fatalf("heading %q after switching to Chinese", h)
	}
	if now, n := records(); now != before || n != beforeLog || !now.Granted {
		t.Fatalf("opening the link changed consent: %+v (%d log entries), before %+v (%d)", now, n, before, beforeLog)
	}

	press := func(want string) {
		t.Helper()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
		if err != nil {
			t.Fatal(err)
		}
		if h := heading(); resp.Status != http.StatusOK || h != want {
			t.Fatalf("pressing the button: status %d, heading %q; want 200, %s", resp.Status, h, want)
		}
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.forms.length`)); n != 0 {
			t.Errorf("the done page still has a form")
		}
	}
	press("您已退订") // the page's language goes with the post
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "unsubscribe-done-phone.png", shot)

	after, afterLog := records()
	if after.Granted || after.Source != customer.SourceUnsubscribePage || afterLog != beforeLog+1 {
		t.Fatalf("after the button: %+v with %d log entries, want off by %s and one more entry", after, afterLog, customer.SourceUnsubscribePage)
	}

	t.Run("a second press changes nothing more", func(t *testing.T) {
		open(link) // in the browser's language
		press("You are unsubscribed")
		again, n := records()
		if again != after || n != afterLog {
			t.Fatalf("a second press: %+v (%d entries), want %+v (%d)", again, n, after, afterLog)
		}
	})

	t.Run("a broken link says so, without a button", func(t *testing.T) {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(link[:len(link)-4]+"AAAA?lang=en"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if resp.Status != http.StatusNotFound || !strings.Contains(body, "not valid") {
			t.Fatalf("status %d, text %q", resp.Status, body)
		}
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.forms.length`)); n != 0 {
			t.Error("a broken link's page has a form")
		}
	})
}
