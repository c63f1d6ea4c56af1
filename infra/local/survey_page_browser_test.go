package local_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// requests records the method and URL of every request the tab sends.
type requests struct {
	mu   sync.Mutex
	sent []string
}

func (r *requests) listen(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			r.mu.Lock()
			r.sent = append(r.sent, e.Request.Method+" "+e.Request.URL)
			r.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// posts counts the POSTs sent since the last call.
func (r *requests) posts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.sent {
		if strings.HasPrefix(s, "POST ") {
			n++
		}
	}
	r.sent = nil
	return n
}

// back goes one step back in the tab's history and waits until it shows want. It
// does not wait for a response: a page restored from the back/forward cache has none.
func back(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	h, err := chromedp.Call(ctx, page.GetNavigationHistory, cdp.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if h.CurrentIndex < 1 {
		t.Fatal("no page to go back to")
	}
	if _, err := chromedp.Call(ctx, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[h.CurrentIndex-1].ID}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		at, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === 'complete' ? location.href : ''`))
		if err == nil && at == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("going back: at %q (%v), want %s", at, err, want)
		}
	}
}

// A guest on a phone opens a Chinese invitation of a branded location: the page wears
// the location's name and colour and shows the survey's Chinese title. The guest
// switches to English, answers and sends: the browser lands on the link's thank-you
// view by a redirect, so reloading it, and going Back, send nothing again — one
// response is stored, and no "Confirm Form Resubmission".
func TestBrowserSurveyPageSwitchesLanguageAndSurvivesReload(t *testing.T) {
	ctx := browser(t)
	s := newStack(t, testenv.New(t), nil)
	ctx0 := context.Background()
	customers := &customer.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers"), Locations: &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}}
	loc := place.Location{ID: "sh-07", Name: "Harbour Hotel Pudong", TimeZone: "Asia/Shanghai",
		Branding: place.Branding{Name: "海港酒店 · 浦东", Color: "#c8102e", FooterText: "浦东新区世纪大道 100 号"}}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.Locations.(*location.Store).PutLocation(ctx0, loc, 0); err != nil {
		t.Fatal(err)
	}
	store := &survey.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("surveys")}
	now := s.cfg.Clock.Now()
	sv := survey.Survey{ID: "pudong", Name: "pudong-q4-internal", Version: 1, LocationID: "sh-07", CreatedAt: now,
		Title: map[string]string{"zh-CN": "您在浦东店的入住体验", "en": "Your stay in Pudong"},
		Loop:  &survey.Loop{Off: true},
		Questions: []survey.Question{
			{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{
				"en": "How likely are you to recommend us to a friend?", "zh-CN": "您向朋友推荐我们的可能性有多大？"}},
			{ID: "service", Type: survey.TypeCSAT, Text: map[string]string{
				"en": "How satisfied were you with our service?", "zh-CN": "您对我们的服务满意吗？"}},
		}}
	if err := store.PutSurvey(ctx0, sv); err != nil {
		t.Fatal(err)
	}
	const token = "tok-pudong-1"
	if err := store.PutInvitation(ctx0, survey.Invitation{Token: token, SurveyID: "pudong", CustomerID: "c-8",
		LocationID: "sh-07", Locale: "zh-CN", ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	text := func(t *testing.T, css string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	eval := func(t *testing.T, js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var reqs requests
	reqs.listen(t, ctx)

	if err := chromedp.Do(ctx, chromedp.Emulate(device.IPhone12)); err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.srv.URL+"/v1/s/"+token))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("opening the link: %d", resp.Status)
	}
	t.Run("the location's brand and the survey's Chinese title", func(t *testing.T) {
		if h := text(t, "h1"); h != "您在浦东店的入住体验" {
			t.Errorf("heading %q", h)
		}
		if n := text(t, ".brand .name"); n != "海港酒店 · 浦东" {
			t.Errorf("brand name %q", n)
		}
		red := "rgb(200, 16, 46)"
		if bg := eval(t, `getComputedStyle(document.querySelector('header.brand')).backgroundColor`); bg != red {
			t.Errorf("the brand bar is %s, want the location's %s", bg, red)
		}
		if bg := eval(t, `getComputedStyle(document.querySelector('button[type=submit]')).backgroundColor`); bg != red {
			t.Errorf("the send button is %s, want the location's %s", bg, red)
		}
		if f := text(t, "footer"); f != "浦东新区世纪大道 100 号" {
			t.Errorf("footer %q", f)
		}
		if l := text(t, "a.lang"); l != "English" {
			t.Errorf("language switch %q", l)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		keep(t, "survey-branded-zh-phone.png", shot)
	})

	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("a.lang")))
	if err != nil {
		t.Fatal(err)
	}
	if h := text(t, "h1"); resp.Status != http.StatusOK || h != "Your stay in Pudong" || eval(t, `document.documentElement.lang`) != "en" {
		t.Fatalf("after the switch: status %d, heading %q", resp.Status, h)
	}
	if q := text(t, "#q-nps legend"); !strings.HasPrefix(q, "How likely are you to recommend us") {
		t.Fatalf("question %q after the switch", q)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`label[for="q-nps-9"]`)),
		chromedp.Click(chromedp.CSS(`label[for="q-service-4"]`)),
		chromedp.SendKeys(chromedp.ID("comment"), "Great view"),
	)
	if err != nil {
		t.Fatal(err)
	}
	reqs.posts()
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	if err != nil {
		t.Fatal(err)
	}
	thanksURL := s.srv.URL + "/v1/s/" + token + "?done=1&lang=en"
	if h := text(t, "h1"); resp.Status != http.StatusOK || resp.URL != thanksURL || h != "Thank you!" {
		t.Fatalf("sending: status %d at %s, heading %q; want 200 at %s, Thank you!", resp.Status, resp.URL, h, thanksURL)
	}
	if n := reqs.posts(); n != 1 {
		t.Fatalf("sending the form made %d POSTs, want 1", n)
	}
	stored := func(t *testing.T) {
		t.Helper()
		rs, err := store.Responses(ctx0, "pudong")
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Comment != "Great view" || rs[0].CustomerID != "c-8" {
			t.Fatalf("%d responses stored, want the one: %+v", len(rs), rs)
		}
	}
	stored(t)

	t.Run("reload shows the thank-you page again and sends nothing", func(t *testing.T) {
		resp, err := chromedp.RunResponse(ctx, chromedp.Reload())
		if err != nil {
			t.Fatal(err)
		}
		if h := text(t, "h1"); resp.Status != http.StatusOK || resp.URL != thanksURL || h != "Thank you!" {
			t.Fatalf("reload: status %d at %s, heading %q", resp.Status, resp.URL, h)
		}
		if n := reqs.posts(); n != 0 {
			t.Fatalf("reloading posted %d times", n)
		}
		stored(t)
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		keep(t, "survey-thanks-phone.png", shot)
	})
	t.Run("the thank-you page switches language in place", func(t *testing.T) {
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("a.lang"))); err != nil {
			t.Fatal(err)
		}
		if h := text(t, "h1"); h != "感谢您的反馈！" || !strings.Contains(eval(t, `location.search`), "done=1") {
			t.Fatalf("heading %q at %s", h, eval(t, `location.href`))
		}
	})
	t.Run("Back goes to the form's address and sends nothing", func(t *testing.T) {
		back(t, ctx, thanksURL)
		form := s.srv.URL + "/v1/s/" + token + "?lang=en"
		back(t, ctx, form)
		// Chromium may show the page from its back/forward cache or fetch it again
		// (then it says the invitation is answered): either way, a GET page. (Read
		// with script: chromedp's DOM queries do not follow a restore from the cache.)
		if h := eval(t, `document.querySelector('h1').textContent`); h != "Already answered" && h != "Your stay in Pudong" {
			t.Fatalf("back: heading %q", h)
		}
		if n := reqs.posts(); n != 0 {
			t.Fatalf("going back posted %d times", n)
		}
		stored(t)
	})
}
