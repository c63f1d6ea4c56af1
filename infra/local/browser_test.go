package local_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/chromedp/chromedp/kb"

	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// chromium is Debian's Chromium, which make tools installs.
const chromium = "/usr/bin/chromium"

// browser starts a headless Chromium for the test, in a fresh profile, with the
// flags that keep it off the (closed) network: no background networking, component
// updates, sync or QUIC.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (%v): run `make tools`, which installs Debian's chromium", chromium, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}

// A customer on a phone opens an invitation, answers by tapping labels and typing,
// sends the form and is thanked (on the page the post redirects to); the response is stored once with those answers,
// and the link then says it has been answered.
func TestBrowserAnswersTheHostedFormOnAPhone(t *testing.T) {
	ctx := browser(t)
	s := newStack(t, testenv.New(t), nil)
	store := &survey.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("surveys")}
	now := s.cfg.Clock.Now()
	sv := survey.Survey{ID: "visit", Name: "Your visit to Harbour Hotel", Version: 1, LocationID: "loc-1", CreatedAt: now,
		Questions: []survey.Question{
			{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{
				"en": "How likely are you to recommend us to a friend?", "zh-CN": "您向朋友推荐我们的可能性有多大？"}},
			{ID: "service", Type: survey.TypeCSAT, Required: true, Dimension: "service quality", Text: map[string]string{
				"en": "How satisfied were you with our service?", "zh-CN": "您对我们的服务满意吗？"}},
			{ID: "clean", Type: survey.TypeLikert5, Dimension: "cleanliness", Text: map[string]string{
				"en": "How clean was your room?", "zh-CN": "房间的清洁程度如何？"}},
			{ID: "liked", Type: survey.TypeChoice, Multiple: true, Options: []string{"Breakfast", "Pool", "Staff"},
				Text: map[string]string{"en": "What did you enjoy?", "zh-CN": "您喜欢什么？"}},
			{ID: "better", Type: survey.TypeText, Text: map[string]string{
				"en": "What could we do better?", "zh-CN": "我们如何改进？"}},
		}}
	if err := store.PutSurvey(context.Background(), sv); err != nil {
		t.Fatal(err)
	}
	const token = "tok-browser-1"
	if err := store.PutInvitation(context.Background(), survey.Invitation{Token: token, SurveyID: "visit", CustomerID: "c-7",
		LocationID: "loc-1", Locale: "en", ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	link := s.srv.URL + "/v1/s/" + token

	if err := chromedp.Do(ctx, chromedp.Emulate(device.IPhone12)); err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(link))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("opening the link: status %d", resp.Status)
	}

	t.Run("fits a phone", func(t *testing.T) {
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("the page scrolls sideways on a 390 px wide phone (%v)", err)
		}
		smallest, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
			`Math.min(...[...document.querySelectorAll('.scale label, .choices label, button')].map(e => e.getBoundingClientRect().height))`))
		if err != nil || smallest < 44 {
			t.Errorf("the smallest touch target is %.0f px high, want at least 44 (%v)", smallest, err)
		}
		hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('website').getBoundingClientRect().right < 0`))
		if err != nil || !hidden {
			t.Errorf("the honeypot is on screen (%v)", err)
		}
	})

	// Tap the labels (the radios themselves are visually hidden behind them), move
	// within a scale with the keyboard, tick two boxes and type.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`label[for="q-nps-9"]`)),
		chromedp.Click(chromedp.CSS(`label[for="q-service-2"]`)),
		chromedp.Click(chromedp.CSS(`label[for="q-service-4"]`)), // a change of mind
		chromedp.Click(chromedp.CSS(`label[for="q-clean-3"]`)),
		chromedp.KeyEvent(kb.ArrowRight), // the focused radio group moves to 4
		chromedp.Click(chromedp.CSS(`label[for="q-liked-0"]`)),
		chromedp.Click(chromedp.CSS(`label[for="q-liked-2"]`)),
		chromedp.SendKeys(chromedp.ID("q-better"), "More towels"),
		chromedp.SendKeys(chromedp.ID("comment"), "Lovely staff\nThank you"),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "survey-form-phone.png", shot)

	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	if err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	// The post is answered 303 See Other; the browser shows the link's thank-you view.
	if thanks := link + "?done=1&lang=en"; resp.Status != http.StatusOK || resp.URL != thanks || heading != "Thank you!" {
		t.Errorf("sending the form: status %d at %s, heading %q; want 200 at %s, Thank you!", resp.Status, resp.URL, heading, thanks)
	}

	rs, err := store.Responses(context.Background(), "visit")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%d responses stored, want exactly 1", len(rs))
	}
	r := rs[0]
	got := map[string]string{}
	for _, a := range r.Answers {
		got[a.QuestionID] = fmt.Sprint(a.Value)
	}
	want := map[string]string{"nps": "9", "service": "4", "clean": "4", "liked": "[Breakfast Staff]", "better": "More towels"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answers %v, want %v", got, want)
	}
	if r.Comment != "Lovely staff\nThank you" || r.CustomerID != "c-7" || r.SurveyVersion != 1 {
		t.Errorf("response %+v", r)
	}

	t.Run("opening the link again says it was answered", func(t *testing.T) {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(link))
		if err != nil {
			t.Fatal(err)
		}
		heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != http.StatusGone || heading != "Already answered" {
			t.Fatalf("status %d, heading %q; want 410, Already answered", resp.Status, heading)
		}
	})
}

// keep writes a screenshot into the test's temporary directory, and also into
// $RAPPORT_SCREENSHOTS when it is set, to look at.
func keep(t *testing.T, name string, png []byte) {
	t.Helper()
	dirs := []string{t.TempDir()}
	if d := os.Getenv("RAPPORT_SCREENSHOTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
