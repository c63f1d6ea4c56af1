package local_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A developer signs in on the local issuer's page in a real browser, in English and
// in Chinese: the page speaks the browser's language, the picks become the ID token's
// claims, and the browser lands on the console's callback (another local port) with
// a code that the token endpoint exchanges for that token.
func TestBrowserSignsInOnTheLocalIssuerPage(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	callback := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<!doctype html><title>console</title><h1>console callback</h1>")
	}))
	t.Cleanup(callback.Close)
	redirect := callback.URL + "/callback"
	ctx := browser(t)

	cases := []struct {
		lang, heading, button string
		click                 []string // the labels to click: a role and locations
		groups, locations     string
	}{
		{"en", "Sign in to Rapport", "Sign in", []string{"role-agent", "loc-loc-1"}, `["agent"]`, `"loc-1"`},
		{"zh-CN", "登录 Rapport", "登录", []string{"role-admin", "loc-all"}, `["admin"]`, `"*"`},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
				Headers: network.Headers{"Accept-Language": c.lang}}); err != nil {
				t.Fatal(err)
			}
			verifier, challenge := pkce()
			params := authorizeParams(challenge)
			params.Set("redirect_uri", redirect)
			resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.issuerURL()+"/oauth2/authorize?"+params.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
			if err != nil {
				t.Fatal(err)
			}
			lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
			if err != nil {
				t.Fatal(err)
			}
			button, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`button[type="submit"]`)))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != http.StatusOK || !strings.HasPrefix(heading, c.heading) || lang != c.lang || strings.TrimSpace(button) != c.button {
				t.Fatalf("status %d, heading %q, lang %q, button %q; want 200, %q, %q, %q", resp.Status, heading, lang, button, c.heading, c.lang, c.button)
			}
			var clicks []chromedp.Action[chromedp.Void]
			for _, id := range c.click {
				clicks = append(clicks, chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)))
			}
			if err := chromedp.Do(ctx, clicks...); err != nil {
				t.Fatal(err)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			keep(t, "signin-"+c.lang+".png", shot)

			resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
			if err != nil {
				t.Fatal(err)
			}
			landed, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(landed)
			if err != nil || resp.Status != http.StatusOK || !strings.HasPrefix(landed, redirect+"?") || u.Query().Get("state") != "st-1" || u.Query().Get("code") == "" {
				t.Fatalf("landed on %q (status %d); want %s with a code and state st-1", landed, resp.Status, redirect)
			}

			form := codeExchange(u.Query().Get("code"), verifier)
			form.Set("redirect_uri", redirect)
			status, tok := s.exchange(t, form, "", "")
			if status != http.StatusOK {
				t.Fatalf("exchange: %d %v", status, tok)
			}
			cl := claims(t, tok["id_token"].(string))
			if asJSON(cl["cognito:groups"]) != c.groups || asJSON(cl["custom:locations"]) != c.locations || cl["aud"] != local.ConsoleClientID {
				t.Fatalf("ID token claims %v; want groups %s, locations %s", cl, c.groups, c.locations)
			}
		})
	}
}
