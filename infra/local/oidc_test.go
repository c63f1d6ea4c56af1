package local_test

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// consoleCallback is a redirect URI of the kind the local console registers.
const consoleCallback = "http://localhost:8080/callback"

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func pkce() (verifier, challenge string) {
	verifier = "verifier-" + strings.Repeat("x", 40) + time.Now().Format("150405.000000000")
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizeParams(challenge string) url.Values {
	return url.Values{"response_type": {"code"}, "client_id": {local.ConsoleClientID}, "redirect_uri": {consoleCallback},
		"state": {"st-1"}, "nonce": {"n-1"}, "scope": {"openid email profile"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
}

func (s *stack) issuerURL() string { return s.srv.URL + local.IssuerPath }

type httpReply struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, req *http.Request) httpReply {
	t.Helper()
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpReply{resp.StatusCode, resp.Header, string(b)}
}

func get(t *testing.T, u string, header map[string]string) httpReply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return send(t, req)
}

func postForm(t *testing.T, u string, form url.Values, header map[string]string) httpReply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return send(t, req)
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// signIn opens the sign-in page of an authorization request and posts its form with
// the developer's picks, as a browser would: the hidden fields the page carries, and
// the role and locations.
func (s *stack) signIn(t *testing.T, params url.Values, picks url.Values) httpReply {
	t.Helper()
	page := get(t, s.issuerURL()+"/oauth2/authorize?"+params.Encode(), nil)
	if page.status != http.StatusOK || !strings.Contains(page.body, "<form") {
		t.Fatalf("sign-in page: %d %s", page.status, page.body)
	}
	form := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	for k, v := range picks {
		form[k] = v
	}
	return postForm(t, s.issuerURL()+"/oauth2/authorize", form, nil)
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// codeFrom checks that a reply redirects to the console's callback with a code and
// the request's state, and returns the code.
func codeFrom(t *testing.T, r httpReply) string {
	t.Helper()
	if r.status != http.StatusSeeOther && r.status != http.StatusFound {
		t.Fatalf("sign-in: %d %s", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil || !strings.HasPrefix(u.String(), consoleCallback+"?") {
		t.Fatalf("redirected to %q, want %s", r.header.Get("Location"), consoleCallback)
	}
	if u.Query().Get("state") != "st-1" || u.Query().Get("code") == "" || u.Query().Get("error") != "" {
		t.Fatalf("redirect %s: want a code and state st-1", u)
	}
	return u.Query().Get("code")
}

func (s *stack) exchange(t *testing.T, form url.Values, user, password string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.issuerURL()+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	r := send(t, req)
	var out map[string]any
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatalf("token endpoint: %d %s", r.status, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("token reply Cache-Control %q, want no-store", r.header.Get("Cache-Control"))
	}
	return r.status, out
}

func codeExchange(code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {consoleCallback},
		"client_id": {local.ConsoleClientID}, "code_verifier": {verifier}}
}

// claims reads a JWT's payload without checking it (the gateway checks it).
func claims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func TestIssuerDiscoveryIsServedUnderTheIssuerURL(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	r := get(t, s.issuerURL()+"/.well-known/openid-configuration", nil)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(r.body), &d); err != nil {
		t.Fatal(err)
	}
	iss := s.issuerURL()
	want := map[string]string{
		"issuer": iss, "authorization_endpoint": iss + "/oauth2/authorize", "token_endpoint": iss + "/oauth2/token",
		"jwks_uri": iss + "/.well-known/jwks.json", "end_session_endpoint": iss + "/logout",
	}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s = %v, want %s", k, d[k], v)
		}
	}
	for k, v := range map[string]string{"code_challenge_methods_supported": `["S256"]`, "response_types_supported": `["code"]`,
		"id_token_signing_alg_values_supported": `["RS256"]`, "subject_types_supported": `["public"]`} {
		if asJSON(d[k]) != v {
			t.Errorf("%s = %v, want %s", k, d[k], v)
		}
	}
	if s.issuer.URL() != iss {
		t.Errorf("the runner's issuer is %s, want the URL it is served under, %s", s.issuer.URL(), iss)
	}
}

func TestIssuerJWKSVerifiesItsTokens(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	r := get(t, s.issuerURL()+"/.well-known/jwks.json", map[string]string{"Origin": "http://localhost:5173"})
	var set struct {
		Keys []struct{ Kty, Kid, Alg, Use, N, E string }
	}
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &set) != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS: %d %s", r.status, r.body)
	}
	if r.header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
		t.Errorf("a console on another local port cannot read the keys: %v", r.header)
	}
	k := set.Keys[0]
	if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.Kid == "" {
		t.Fatalf("key %+v", k)
	}
	n, _ := base64.RawURLEncoding.DecodeString(k.N)
	e, _ := base64.RawURLEncoding.DecodeString(k.E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	raw, err := s.issuer.Token("dev-manager", []string{"manager"}, []string{"loc-1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Parse(raw, func(tk *jwt.Token) (any, error) {
		if tk.Header["kid"] != k.Kid {
			t.Errorf("token kid %v, JWKS kid %s", tk.Header["kid"], k.Kid)
		}
		return pub, nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(s.issuerURL()), jwt.WithAudience(local.ConsoleClientID))
	if err != nil || !tok.Valid {
		t.Fatalf("the JWKS key does not verify a token: %v", err)
	}
}

// A console signs a manager of loc-1 in: authorize, the sign-in page's form, the
// redirect with a code, the exchange with the PKCE verifier. The ID token is a
// Cognito ID token the gateway accepts; the access token a person's, which the API
// refuses.
func TestIssuerAuthorizationCodeWithPKCE(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC))
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Clock = clk })
	verifier, challenge := pkce()
	code := codeFrom(t, s.signIn(t, authorizeParams(challenge), url.Values{"role": {"manager"}, "location": {"loc-1"}}))
	status, tok := s.exchange(t, codeExchange(code, verifier), "", "")
	if status != http.StatusOK {
		t.Fatalf("exchange: %d %v", status, tok)
	}
	if tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) || tok["refresh_token"] == nil {
		t.Errorf("token reply %v", tok)
	}
	id, access := tok["id_token"].(string), tok["access_token"].(string)

	c := claims(t, id)
	for k, v := range map[string]any{"iss": s.issuerURL(), "aud": local.ConsoleClientID, "token_use": "id", "sub": "dev-manager",
		"custom:locations": "loc-1", "nonce": "n-1", "cognito:groups": []any{"manager"}} {
		if asJSON(c[k]) != asJSON(v) {
			t.Errorf("ID token %s = %v, want %v", k, c[k], v)
		}
	}
	a := claims(t, access)
	if a["token_use"] != "access" || a["client_id"] != local.ConsoleClientID || a["scope"] != "openid email profile" || a["aud"] != nil || a["custom:locations"] != nil {
		t.Errorf("access token claims %v", a)
	}

	path := "/v1/surveys/" + local.DemoSurveyID
	if r := s.do(t, http.MethodGet, path, "", nil, bearer(id)); r.status != http.StatusOK {
		t.Errorf("the ID token: %d %s", r.status, r.body)
	}
	if r := s.do(t, http.MethodGet, path, "", nil, bearer(access)); r.status != http.StatusUnauthorized {
		t.Errorf("a person's access token: %d, want 401", r.status)
	}

	t.Run("the refresh token gives new tokens", func(t *testing.T) {
		clk.Advance(30 * time.Minute)
		status, again := s.exchange(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
			"client_id": {local.ConsoleClientID}}, "", "")
		if status != http.StatusOK || again["id_token"] == nil || again["refresh_token"] != nil {
			t.Fatalf("refresh: %d %v", status, again)
		}
		// OpenID clients (oidc-client-ts) refuse a renewed ID token whose auth_time
		// differs from the sign-in's: the renewal keeps it and moves iat on.
		renewed := claims(t, again["id_token"].(string))
		if renewed["auth_time"] != c["auth_time"] || renewed["iat"] == c["iat"] {
			t.Errorf("renewed auth_time %v iat %v; signed in auth_time %v iat %v", renewed["auth_time"], renewed["iat"], c["auth_time"], c["iat"])
		}
		if r := s.do(t, http.MethodGet, path, "", nil, bearer(again["id_token"].(string))); r.status != http.StatusOK {
			t.Errorf("the refreshed ID token: %d %s", r.status, r.body)
		}
	})
	t.Run("an admin of all locations and a user of none", func(t *testing.T) {
		for _, c := range []struct {
			picks url.Values
			want  any
		}{
			{url.Values{"role": {"admin"}, "location": {"*"}}, "*"},
			{url.Values{"role": {"agent"}}, nil},
			{url.Values{"role": {"agent"}, "location": {"loc-1"}, "other": {" loc-2, HB01 "}}, "loc-1,loc-2,HB01"},
		} {
			verifier, challenge := pkce()
			code := codeFrom(t, s.signIn(t, authorizeParams(challenge), c.picks))
			status, tok := s.exchange(t, codeExchange(code, verifier), "", "")
			if status != http.StatusOK {
				t.Fatalf("%v: %d %v", c.picks, status, tok)
			}
			cl := claims(t, tok["id_token"].(string))
			if got, ok := cl["custom:locations"]; got != c.want || (c.want == nil && ok) {
				t.Errorf("%v: custom:locations %v, want %v", c.picks, got, c.want)
			}
		}
	})
	t.Run("the token endpoint answers a console on another local port", func(t *testing.T) {
		r := postForm(t, s.issuerURL()+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}}, map[string]string{"Origin": "http://127.0.0.1:5173"})
		if r.header.Get("Access-Control-Allow-Origin") != "http://127.0.0.1:5173" {
			t.Errorf("no CORS header for a loopback origin: %v", r.header)
		}
		r = postForm(t, s.issuerURL()+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}}, map[string]string{"Origin": "https://evil.example"})
		if r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("a foreign origin may read the token endpoint: %v", r.header)
		}
	})
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Requests the issuer must refuse: those without a registered client or with a
// redirect URI off this machine are shown a page and sent nowhere (no open
// redirect); the others are told at the client's redirect URI.
func TestIssuerRefusesBadAuthorizationRequests(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	_, challenge := pkce()
	with := func(change func(url.Values)) url.Values {
		p := authorizeParams(challenge)
		change(p)
		return p
	}
	cases := []struct {
		name   string
		params url.Values
		error  string // "" for a page that redirects nowhere
	}{
		{"unknown client", with(func(p url.Values) { p.Set("client_id", "someone-else") }), ""},
		{"the machine client", with(func(p url.Values) { p.Set("client_id", local.MachineClientID) }), ""},
		{"foreign redirect_uri", with(func(p url.Values) { p.Set("redirect_uri", "https://evil.example/callback") }), ""},
		{"user info before a foreign host", with(func(p url.Values) { p.Set("redirect_uri", "http://localhost@evil.example/cb") }), ""},
		{"a lookalike host", with(func(p url.Values) { p.Set("redirect_uri", "http://127.0.0.1.evil.example/cb") }), ""},
		{"relative redirect_uri", with(func(p url.Values) { p.Set("redirect_uri", "//evil.example/cb") }), ""},
		{"no redirect_uri", with(func(p url.Values) { p.Del("redirect_uri") }), ""},
		{"two redirect_uris", with(func(p url.Values) { p.Add("redirect_uri", "http://localhost:9/x") }), ""},
		{"no PKCE", with(func(p url.Values) { p.Del("code_challenge"); p.Del("code_challenge_method") }), "invalid_request"},
		{"PKCE plain", with(func(p url.Values) { p.Set("code_challenge_method", "plain") }), "invalid_request"},
		{"PKCE without a method", with(func(p url.Values) { p.Del("code_challenge_method") }), "invalid_request"},
		{"a challenge that is no SHA-256", with(func(p url.Values) { p.Set("code_challenge", "short") }), "invalid_request"},
		{"implicit flow", with(func(p url.Values) { p.Set("response_type", "token") }), "unsupported_response_type"},
		{"an unknown scope", with(func(p url.Values) { p.Set("scope", "openid rapport/system") }), "invalid_scope"},
		{"prompt=none (no session)", with(func(p url.Values) { p.Set("prompt", "none") }), "login_required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := get(t, s.issuerURL()+"/oauth2/authorize?"+c.params.Encode(), nil)
			loc := r.header.Get("Location")
			if c.error == "" {
				if r.status != http.StatusBadRequest || loc != "" || strings.Contains(r.body, "<form") {
					t.Fatalf("%d, Location %q; want 400 and no redirect, no form", r.status, loc)
				}
				return
			}
			u, err := url.Parse(loc)
			if r.status != http.StatusFound || err != nil || !strings.HasPrefix(loc, consoleCallback+"?") {
				t.Fatalf("%d, Location %q; want a redirect to the callback", r.status, loc)
			}
			if u.Query().Get("error") != c.error || u.Query().Get("code") != "" || u.Query().Get("state") != "st-1" {
				t.Fatalf("redirect %s; want error=%s with the state and no code", loc, c.error)
			}
		})
	}

	t.Run("a sign-in form posted with a foreign redirect_uri", func(t *testing.T) {
		form := authorizeParams(challenge)
		form.Set("redirect_uri", "https://evil.example/cb")
		form.Set("role", "admin")
		r := postForm(t, s.issuerURL()+"/oauth2/authorize", form, nil)
		if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
			t.Fatalf("%d, Location %q", r.status, r.header.Get("Location"))
		}
	})
	t.Run("a sign-in form posted from another site", func(t *testing.T) {
		form := authorizeParams(challenge)
		form.Set("role", "admin")
		r := postForm(t, s.issuerURL()+"/oauth2/authorize", form, map[string]string{"Origin": "https://evil.example"})
		if r.status != http.StatusForbidden || r.header.Get("Location") != "" {
			t.Fatalf("%d, Location %q", r.status, r.header.Get("Location"))
		}
	})
	for _, c := range []struct {
		name  string
		picks url.Values
		say   string
	}{
		{"all locations for a manager", url.Values{"role": {"manager"}, "location": {"*"}}, "Only an administrator"},
		{"no role", url.Values{"location": {"loc-1"}}, "Pick a role"},
		{"the system role", url.Values{"role": {"system"}}, "Pick a role"},
		{"a bad location id", url.Values{"role": {"agent"}, "other": {"loc 1;x"}}, "is not a location id"},
	} {
		t.Run("sign-in page: "+c.name, func(t *testing.T) {
			r := s.signIn(t, authorizeParams(challenge), c.picks)
			if r.status != http.StatusBadRequest || r.header.Get("Location") != "" || !strings.Contains(r.body, c.say) || !strings.Contains(r.body, "<form") {
				t.Fatalf("%d, Location %q, body %s", r.status, r.header.Get("Location"), r.body)
			}
		})
	}
	t.Run("the page speaks Chinese to a Chinese browser", func(t *testing.T) {
		r := get(t, s.issuerURL()+"/oauth2/authorize?"+authorizeParams(challenge).Encode(), map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
		if !strings.Contains(r.body, `<html lang="zh-CN">`) || !strings.Contains(r.body, "登录 Rapport") {
			t.Fatalf("%d %s", r.status, r.body)
		}
		csp := r.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "form-action 'self' http://localhost:8080") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
	})
}

// The exchange refuses a wrong verifier, a used code, an expired code, another
// redirect_uri and clients that may not use the grant.
func TestIssuerCodeExchangeRefusals(t *testing.T) {
	clk := clock.NewManual(time.Now())
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Clock = clk })
	newCode := func() (code, verifier string) {
		verifier, challenge := pkce()
		return codeFrom(t, s.signIn(t, authorizeParams(challenge), url.Values{"role": {"agent"}, "location": {"loc-1"}})), verifier
	}
	refused := func(t *testing.T, form url.Values, user, password string, status int, want string) {
		t.Helper()
		got, out := s.exchange(t, form, user, password)
		if got != status || out["error"] != want || out["id_token"] != nil || out["access_token"] != nil {
			t.Fatalf("%d %v; want %d %s", got, out, status, want)
		}
	}

	t.Run("a wrong verifier, then the right one: the code is spent", func(t *testing.T) {
		code, verifier := newCode()
		other, _ := pkce()
		refused(t, codeExchange(code, other+"-other"), "", "", 400, "invalid_grant")
		refused(t, codeExchange(code, verifier), "", "", 400, "invalid_grant")
	})
	t.Run("no verifier", func(t *testing.T) {
		code, _ := newCode()
		refused(t, codeExchange(code, ""), "", "", 400, "invalid_grant")
	})
	t.Run("a used code", func(t *testing.T) {
		code, verifier := newCode()
		if status, out := s.exchange(t, codeExchange(code, verifier), "", ""); status != 200 {
			t.Fatalf("%d %v", status, out)
		}
		refused(t, codeExchange(code, verifier), "", "", 400, "invalid_grant")
	})
	t.Run("another redirect_uri", func(t *testing.T) {
		code, verifier := newCode()
		form := codeExchange(code, verifier)
		form.Set("redirect_uri", "http://localhost:8080/other")
		refused(t, form, "", "", 400, "invalid_grant")
	})
	t.Run("an expired code", func(t *testing.T) {
		code, verifier := newCode()
		clk.Advance(5*time.Minute + time.Second)
		refused(t, codeExchange(code, verifier), "", "", 400, "invalid_grant")
	})
	t.Run("an unknown client", func(t *testing.T) {
		code, verifier := newCode()
		form := codeExchange(code, verifier)
		form.Set("client_id", "someone-else")
		refused(t, form, "", "", 401, "invalid_client")
	})
	t.Run("the machine client may not redeem a code", func(t *testing.T) {
		code, verifier := newCode()
		form := codeExchange(code, verifier)
		form.Del("client_id")
		refused(t, form, local.MachineClientID, local.MachineClientSecret, 400, "unauthorized_client")
	})
	t.Run("the console may not use client credentials", func(t *testing.T) {
		refused(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {local.ConsoleClientID}}, "", "", 400, "unauthorized_client")
	})
	t.Run("an unknown grant", func(t *testing.T) {
		refused(t, url.Values{"grant_type": {"password"}, "client_id": {local.ConsoleClientID}}, "", "", 400, "unsupported_grant_type")
	})
}

// A point-of-sale script gets a machine token with the client-credentials grant, and
// a system route accepts it.
func TestIssuerClientCredentials(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	cc := url.Values{"grant_type": {"client_credentials"}}
	for _, c := range []struct {
		name, user, password string
		form                 url.Values
	}{
		{"wrong secret", local.MachineClientID, "guess", cc},
		{"no secret", "", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {local.MachineClientID}}},
		{"unknown client", "someone", local.MachineClientSecret, cc},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := s.exchange(t, c.form, c.user, c.password)
			if status != http.StatusUnauthorized || out["error"] != "invalid_client" || out["access_token"] != nil {
				t.Fatalf("%d %v", status, out)
			}
		})
	}
	status, out := s.exchange(t, cc, local.MachineClientID, local.MachineClientSecret)
	if status != http.StatusOK || out["token_type"] != "Bearer" || out["id_token"] != nil || out["refresh_token"] != nil {
		t.Fatalf("%d %v", status, out)
	}
	access := out["access_token"].(string)
	c := claims(t, access)
	for k, v := range map[string]any{"iss": s.issuerURL(), "token_use": "access", "client_id": local.MachineClientID, "sub": local.MachineClientID,
		"scope": "rapport/system rapport/location:*"} {
		if c[k] != v {
			t.Errorf("%s = %v, want %v", k, c[k], v)
		}
	}
	if _, ok := c["aud"]; ok {
		t.Errorf("a client-credentials token has aud %v", c["aud"])
	}
	visit := []byte(`{"sourceId":"pos-cc-1","customerId":"c-cc-1","locationId":"loc-1","amount":120,"currency":"CNY"}`)
	if r := s.do(t, http.MethodPost, "/v1/visits", "application/json", visit, bearer(access)); r.status == 401 || r.status == 403 {
		t.Errorf("POST /v1/visits with the machine token: %d %s", r.status, r.body)
	}
	if r := s.do(t, http.MethodPost, "/v1/visits", "application/json", visit, nil); r.status != 401 {
		t.Errorf("POST /v1/visits without a token: %d", r.status)
	}

	t.Run("asked scopes, within those allowed", func(t *testing.T) {
		status, out := s.exchange(t, url.Values{"grant_type": {"client_credentials"}, "scope": {"rapport/system rapport/location:loc-1"}},
			local.MachineClientID, local.MachineClientSecret)
		if status != 200 || claims(t, out["access_token"].(string))["scope"] != "rapport/system rapport/location:loc-1" {
			t.Fatalf("%d %v", status, out)
		}
		for _, scope := range []string{"openid", "rapport/admin", "rapport/location:bad id"} {
			status, out := s.exchange(t, url.Values{"grant_type": {"client_credentials"}, "scope": {"rapport/system " + scope}},
				local.MachineClientID, local.MachineClientSecret)
			if status != 400 || out["error"] != "invalid_scope" {
				t.Errorf("scope %q: %d %v", scope, status, out)
			}
		}
	})
}

func TestIssuerLogout(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	id, err := s.issuer.Token("dev-agent", []string{"agent"}, nil, time.Now().Add(-2*time.Hour), time.Hour) // expired hints still name their client
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		params url.Values
		to     string // "" for no redirect
		status int
	}{
		{"Cognito's form", url.Values{"client_id": {local.ConsoleClientID}, "logout_uri": {"http://localhost:8080/"}}, "http://localhost:8080/", 302},
		{"OIDC's form", url.Values{"id_token_hint": {id}, "post_logout_redirect_uri": {"http://127.0.0.1:5173/signed-out"}, "state": {"s9"}},
			"http://127.0.0.1:5173/signed-out?state=s9", 302},
		{"nowhere to go", nil, "", 200},
		{"a foreign logout_uri", url.Values{"client_id": {local.ConsoleClientID}, "logout_uri": {"https://evil.example/"}}, "", 400},
		{"no client", url.Values{"logout_uri": {"http://localhost:8080/"}}, "", 400},
		{"an unknown client", url.Values{"client_id": {"x"}, "logout_uri": {"http://localhost:8080/"}}, "", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := get(t, s.issuerURL()+"/logout?"+c.params.Encode(), nil)
			if r.status != c.status || r.header.Get("Location") != c.to {
				t.Fatalf("%d, Location %q; want %d, %q", r.status, r.header.Get("Location"), c.status, c.to)
			}
		})
	}
}

// make token prints tokens that a runner on any port accepts, in the shapes of
// Cognito's: quoted, so that LOCATIONS= and LOCATIONS='*' reach the command as given.
func TestMakeTokenShapes(t *testing.T) {
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	// make token signs with the key make run keeps; this runner uses it too, and the
	// real clock, as make run does: make token stamps its tokens with the time of day,
	// which the runner's usual noon would put in the future after 12:00 UTC.
	devKey, err := local.LoadIssuer(filepath.Join(root, ".local", "dev-issuer.pem"))
	if err != nil {
		t.Fatal(err)
	}
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Issuer, c.Clock = devKey, clock.System{} })
	_, port, _ := net.SplitHostPort(s.srv.Listener.Addr().String())
	cases := []struct {
		name   string
		vars   []string
		claims map[string]any // nil: the claim is absent
		status int            // GET /v1/surveys/demo-stay (loc-1)
	}{
		{"default: a manager of loc-1", nil,
			map[string]any{"token_use": "id", "aud": local.ConsoleClientID, "cognito:groups": []any{"manager"}, "custom:locations": "loc-1"}, 200},
		{"LOCATIONS= : no locations claim", []string{"ROLE=manager", "LOCATIONS="},
			map[string]any{"token_use": "id", "cognito:groups": []any{"manager"}, "custom:locations": nil}, 404},
		{"LOCATIONS='*' for an admin", []string{"ROLE=admin", "LOCATIONS=*"},
			map[string]any{"token_use": "id", "cognito:groups": []any{"admin"}, "custom:locations": "*"}, 200},
		{"ROLE=system, two locations", []string{"ROLE=system", "LOCATIONS=loc-1,loc-2"},
			map[string]any{"token_use": "access", "client_id": local.MachineClientID, "sub": local.MachineClientID, "aud": nil,
				"scope": "rapport/system rapport/location:loc-1 rapport/location:loc-2", "cognito:groups": nil}, 403},
		{"ROLE=system LOCATIONS='*'", []string{"ROLE=system", "LOCATIONS=*"},
			map[string]any{"token_use": "access", "scope": "rapport/system rapport/location:*"}, 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := makeToken(t, root, append([]string{"PORT=" + port}, c.vars...))
			cl := claims(t, tok)
			if cl["iss"] != s.issuerURL() {
				t.Errorf("iss %v, want %s", cl["iss"], s.issuerURL())
			}
			for k, v := range c.claims {
				got, ok := cl[k]
				if v == nil && ok || v != nil && asJSON(got) != asJSON(v) {
					t.Errorf("%s = %v, want %v", k, got, v)
				}
			}
			if r := s.do(t, http.MethodGet, "/v1/surveys/"+local.DemoSurveyID, "", nil, bearer(tok)); r.status != c.status {
				t.Errorf("GET the loc-1 survey: %d, want %d: %s", r.status, c.status, r.body)
			}
		})
	}
}

// makeToken runs make token as a developer does, in the checkout's root.
func makeToken(t *testing.T, root string, vars []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", append([]string{"-s", "--no-print-directory", "-C", root, "token"}, vars...)...)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PORT", "ROLE", "LOCATIONS"}, name)
	})
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make token %v: %v\n%s", vars, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// The runner's authorizer checks what API Gateway's JWT authorizer checks: the
// signature, the issuer (this runner's own), the audience (aud, or client_id when a
// token has no aud), exp and iat; the token may come with or without "Bearer ".
func TestGatewayVerifiesTokensLikeAPIGateway(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	now := s.cfg.Clock.Now()
	manager := local.User{Subject: "dev-manager", Roles: []string{"manager"}, Locations: []string{"loc-1"}}
	sign := func(f func() (string, error)) string {
		t.Helper()
		tok, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := sign(func() (string, error) { return s.issuer.IDToken(manager, local.ConsoleClientID, "", now, time.Hour) })
	cases := []struct {
		name, authorization string
		status              int
	}{
		{"an ID token with Bearer", "Bearer " + good, 200},
		{"an ID token alone", good, 200},
		{"Bearer and nothing", "Bearer ", 401},
		{"another audience", "Bearer " + sign(func() (string, error) { return s.issuer.IDToken(manager, "someone-else", "", now, time.Hour) }), 401},
		{"issued in the future", "Bearer " + sign(func() (string, error) {
			return s.issuer.IDToken(manager, local.ConsoleClientID, "", now.Add(10*time.Minute), time.Hour)
		}), 401},
		{"an access token of another client", "Bearer " + sign(func() (string, error) {
			return s.issuer.ClientToken("someone-else", local.SystemScopes([]string{"*"}), now, time.Hour)
		}), 401},
		{"the machine client's access token on a staff route", "Bearer " + sign(func() (string, error) {
			return s.issuer.ClientToken(local.MachineClientID, local.SystemScopes([]string{"*"}), now, time.Hour)
		}), 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(t, http.MethodGet, "/v1/surveys/"+local.DemoSurveyID, "", nil, map[string]string{"Authorization": c.authorization})
			if r.status != c.status {
				t.Fatalf("%d, want %d: %s", r.status, c.status, r.body)
			}
		})
	}
	t.Run("the same key behind another port's issuer URL", func(t *testing.T) {
		key := filepath.Join(t.TempDir(), "dev-issuer.pem")
		mine, err := local.LoadIssuer(key)
		if err != nil {
			t.Fatal(err)
		}
		s2 := newStack(t, s.env, func(c *local.Config) { c.Issuer = mine })
		elsewhere, err := local.LoadIssuer(key)
		if err != nil {
			t.Fatal(err)
		}
		elsewhere.SetBaseURL("http://127.0.0.1:1")
		tok := sign(func() (string, error) {
			return elsewhere.Token("x", []string{"manager"}, []string{"loc-1"}, now, time.Hour)
		})
		if r := s2.do(t, http.MethodGet, "/v1/surveys/"+local.DemoSurveyID, "", nil, bearer(tok)); r.status != 401 {
			t.Fatalf("a token for %s: %d, want 401", elsewhere.URL(), r.status)
		}
		elsewhere.SetBaseURL(s2.srv.URL)
		tok = sign(func() (string, error) {
			return elsewhere.Token("x", []string{"manager"}, []string{"loc-1"}, now, time.Hour)
		})
		if r := s2.do(t, http.MethodGet, "/v1/surveys/"+local.DemoSurveyID, "", nil, bearer(tok)); r.status != 200 {
			t.Fatalf("a token for %s: %d, want 200", elsewhere.URL(), r.status)
		}
	})
}
