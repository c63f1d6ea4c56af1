package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/i18n/accept"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// The issuer's endpoints under IssuerPath, named as a Cognito user pool's domain
// names them.
const (
	discoveryPath = "/.well-known/openid-configuration"
	jwksPath      = "/.well-known/jwks.json"
	authorizePath = "/oauth2/authorize"
	tokenPath     = "/oauth2/token"
	logoutPath    = "/logout"
	// codeTTL is how long an authorization code may wait for its exchange (Cognito:
	// five minutes); refreshTTL a refresh token's life, as the stack sets the console
	// client's (a working shift; here they live in memory and end with the runner).
	codeTTL    = 5 * time.Minute
	refreshTTL = 12 * time.Hour
)

// oauthClient is an app client of the local user pool.
type oauthClient struct {
	id     string
	secret string // "" for a public client (PKCE instead)
	grants []string
	// scopes are the scopes it may ask for; defaults what it gets when it asks none.
	scopes   func(string) bool
	defaults []string
}

var personScopes = []string{"openid", "email", "profile"}

var clients = map[string]oauthClient{
	ConsoleClientID: {
		id: ConsoleClientID, grants: []string{"authorization_code", "refresh_token"},
		scopes: func(s string) bool { return slices.Contains(personScopes, s) }, defaults: personScopes,
	},
	MachineClientID: {
		id: MachineClientID, secret: MachineClientSecret, grants: []string{"client_credentials"},
		scopes: machineScope, defaults: SystemScopes([]string{auth.AllLocations}),
	},
}

// machineScope allows rapport/system and rapport/location:<id> for any location id or
// "*": one client for every point-of-sale script on a laptop.
func machineScope(s string) bool {
	if s == auth.SystemScope {
		return true
	}
	loc, ok := strings.CutPrefix(s, auth.LocationScopePrefix)
	return ok && (loc == auth.AllLocations || id.Valid(loc))
}

// grant is what an authorization code or a refresh token stands for.
type grant struct {
	user        User
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
	scopes      []string
	expires     time.Time
}

// locationLister is the location registry, for the sign-in page's choices.
type locationLister interface {
	Locations(ctx context.Context) ([]place.Location, error)
}

// provider serves the Issuer as an OpenID Connect provider shaped like a Cognito user
// pool with its managed login: discovery, JWKS, an authorization endpoint whose
// sign-in page picks a demo user (no passwords, no session: every sign-in shows the
// page), a token endpoint (authorization code with PKCE S256, refresh token, client
// credentials) and sign-out. Codes and refresh tokens live in memory.
type provider struct {
	iss       *Issuer
	now       func() time.Time
	registry  locationLister
	mu        sync.Mutex
	codes     map[string]grant
	refreshes map[string]grant
}

func newProvider(iss *Issuer, now func() time.Time, registry locationLister) *provider {
	return &provider{iss: iss, now: now, registry: registry, codes: map[string]grant{}, refreshes: map[string]grant{}}
}

func (p *provider) mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+IssuerPath+discoveryPath, p.discovery)
	mux.HandleFunc("GET "+IssuerPath+jwksPath, p.jwks)
	mux.HandleFunc("GET "+IssuerPath+authorizePath, p.authorize)
	mux.HandleFunc("POST "+IssuerPath+authorizePath, p.signIn)
	mux.HandleFunc("POST "+IssuerPath+tokenPath, p.token)
	mux.HandleFunc("OPTIONS "+IssuerPath+tokenPath, p.preflight)
	mux.HandleFunc("GET "+IssuerPath+logoutPath, p.logout)
}

func (p *provider) discovery(w http.ResponseWriter, r *http.Request) {
	iss := p.iss.URL()
	allowLoopbackOrigin(w, r)
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + authorizePath,
		"token_endpoint":                        iss + tokenPath,
		"jwks_uri":                              iss + jwksPath,
		"end_session_endpoint":                  iss + logoutPath,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      append(slices.Clone(personScopes), auth.SystemScope, auth.LocationScopePrefix+auth.AllLocations),
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "token_use",
			"cognito:username", "cognito:groups", "email", "email_verified", auth.ClaimLocations},
		"ui_locales_supported": []string{i18n.English, i18n.Chinese},
	})
}

func (p *provider) jwks(w http.ResponseWriter, r *http.Request) {
	allowLoopbackOrigin(w, r)
	web.JSON(w, http.StatusOK, p.iss.JWKS())
}

// authRequest is a checked authorization request.
type authRequest struct {
	client      oauthClient
	redirectURI *url.URL
	state       string
	challenge   string
	nonce       string
	scopes      []string
	params      url.Values // the request's own parameters, carried through the form
}

// authParams are the parameters an authorization request carries through the page.
var authParams = []string{"response_type", "client_id", "redirect_uri", "state", "scope",
	"code_challenge", "code_challenge_method", "nonce", "prompt", "lang"}

var codeChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
var codeVerifier = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// refusal is a refused authorization request. One with redirect is told to the client
// at its redirect URI (RFC 6749 4.1.2.1); one without (an unknown client, a redirect
// URI not its own) is shown on a page and redirects nowhere.
type refusal struct {
	code, description string
	redirect          bool
}

// checkAuthorize checks an authorization request's parameters: a registered client,
// one of its redirect URIs (http(s) on localhost or 127.0.0.1), response_type code and
// PKCE with S256.
func checkAuthorize(v url.Values) (authRequest, *refusal) {
	var req authRequest
	for _, k := range authParams {
		if len(v[k]) > 1 {
			return req, &refusal{"invalid_request", k + " is given more than once", false}
		}
	}
	c, ok := clients[v.Get("client_id")]
	if !ok || !slices.Contains(c.grants, "authorization_code") {
		return req, &refusal{"unauthorized_client", fmt.Sprintf("unknown client_id %q; the local console's is %s", v.Get("client_id"), ConsoleClientID), false}
	}
	u, err := url.Parse(v.Get("redirect_uri"))
	if err != nil || !loopbackURL(u) {
		return req, &refusal{"invalid_request", fmt.Sprintf("redirect_uri %q is not a URL on localhost or 127.0.0.1", v.Get("redirect_uri")), false}
	}
	req = authRequest{client: c, redirectURI: u, state: v.Get("state"), challenge: v.Get("code_challenge"), nonce: v.Get("nonce"), params: url.Values{}}
	for _, k := range authParams {
		if x := v.Get(k); x != "" {
			req.params.Set(k, x)
		}
	}
	switch {
	case v.Get("response_type") != "code":
		return req, &refusal{"unsupported_response_type", "response_type must be code", true}
	case v.Get("code_challenge_method") != "S256":
		return req, &refusal{"invalid_request", "PKCE is required with code_challenge_method=S256 (plain is refused)", true}
	case !codeChallenge.MatchString(req.challenge):
		return req, &refusal{"invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the code_verifier", true}
	}
	req.scopes = strings.Fields(v.Get("scope"))
	if len(req.scopes) == 0 {
		req.scopes = c.defaults
	}
	for _, s := range req.scopes {
		if !c.scopes(s) {
			return req, &refusal{"invalid_scope", fmt.Sprintf("scope %q is not allowed for %s", s, c.id), true}
		}
	}
	return req, nil
}

// loopbackURL reports whether u is an absolute http(s) URL on this machine, with no
// user info or fragment: the only redirect URIs the local issuer sends anyone to.
func loopbackURL(u *url.URL) bool {
	if (u.Scheme != "http" && u.Scheme != "https") || u.Opaque != "" || u.User != nil || u.Fragment != "" || u.Host == "" {
		return false
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// redirectTo is the client's redirect URI with parameters added to its own.
func redirectTo(u *url.URL, params url.Values) string {
	out := *u
	q := out.Query()
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				q.Add(k, v)
			}
		}
	}
	out.RawQuery = q.Encode()
	return out.String()
}

func (p *provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t := signInTexts[accept.Locale(r, i18n.English, q.Get("lang"))]
	req, bad := checkAuthorize(q)
	if bad != nil && !bad.redirect {
		p.message(w, r, http.StatusBadRequest, t, t.Refused, bad.description)
		return
	}
	if bad != nil {
		http.Redirect(w, r, redirectTo(req.redirectURI, url.Values{"error": {bad.code}, "error_description": {bad.description}, "state": {req.state}}), http.StatusFound)
		return
	}
	if slices.Contains(strings.Fields(q.Get("prompt")), "none") {
		// No session is kept, so there is never a sign-in to reuse silently.
		http.Redirect(w, r, redirectTo(req.redirectURI, url.Values{"error": {"login_required"}, "state": {req.state}}), http.StatusFound)
		return
	}
	p.signInPage(w, r, http.StatusOK, t, req, signInForm{Role: wiring.RoleManager}, "")
}

// signInForm is what the developer picked on the sign-in page.
type signInForm struct {
	Role      string
	Locations []string
	Other     string
}

func (p *provider) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		web.JSON(w, http.StatusBadRequest, map[string]string{"error": "the sign-in form could not be read"})
		return
	}
	f := r.PostForm
	t := signInTexts[accept.Locale(r, i18n.English, f.Get("lang"))]
	if !sameOrigin(r) {
		p.message(w, r, http.StatusForbidden, t, t.Refused, t.CrossSite)
		return
	}
	req, bad := checkAuthorize(f)
	if bad != nil && !bad.redirect {
		p.message(w, r, http.StatusBadRequest, t, t.Refused, bad.description)
		return
	}
	if bad != nil {
		http.Redirect(w, r, redirectTo(req.redirectURI, url.Values{"error": {bad.code}, "error_description": {bad.description}, "state": {req.state}}), http.StatusSeeOther)
		return
	}
	picked := signInForm{Role: f.Get("role"), Locations: f["location"], Other: f.Get("other")}
	user, msg := picked.user(t)
	if msg != "" {
		p.signInPage(w, r, http.StatusBadRequest, t, req, picked, msg)
		return
	}
	code := randomToken(32)
	user.SignedInAt = p.now()
	p.mu.Lock()
	p.sweep()
	p.codes[code] = grant{user: user, clientID: req.client.id, redirectURI: req.params.Get("redirect_uri"),
		challenge: req.challenge, nonce: req.nonce, scopes: req.scopes, expires: p.now().Add(codeTTL)}
	p.mu.Unlock()
	http.Redirect(w, r, redirectTo(req.redirectURI, url.Values{"code": {code}, "state": {req.state}}), http.StatusSeeOther)
}

// user is the demo user the form names, or the message that says what is wrong: a
// staff role, location ids, and "*" only for an administrator (and then alone).
func (f signInForm) user(t signInText) (User, string) {
	if !slices.Contains(wiring.Staff, f.Role) {
		return User{}, t.RoleNeeded
	}
	var locs []string
	all := false
	for _, l := range append(slices.Clone(f.Locations), strings.Split(f.Other, ",")...) {
		switch l = strings.TrimSpace(l); {
		case l == "":
		case l == auth.AllLocations:
			all = true
		case !id.Valid(l):
			return User{}, fmt.Sprintf(t.BadLocation, l)
		case !slices.Contains(locs, l):
			locs = append(locs, l)
		}
	}
	if all {
		if f.Role != wiring.RoleAdmin {
			return User{}, t.AllAdminOnly
		}
		locs = []string{auth.AllLocations}
	}
	return User{Subject: "dev-" + f.Role, Roles: []string{f.Role}, Locations: locs}, ""
}

// sameOrigin refuses a sign-in posted from another site's page: a browser names the
// posting page's origin, which must be this server. Clients that are not browsers
// (tests, scripts) send no Origin.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host && (u.Scheme == "http" || u.Scheme == "https")
}

// sweep drops expired codes and refresh tokens; p.mu is held.
func (p *provider) sweep() {
	now := p.now()
	for _, m := range []map[string]grant{p.codes, p.refreshes} {
		for k, g := range m {
			if now.After(g.expires) {
				delete(m, k)
			}
		}
	}
}

// tokenError is an OAuth error reply of the token endpoint (RFC 6749 5.2).
func tokenError(w http.ResponseWriter, status int, code, description string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="rapport-local"`)
	}
	web.JSON(w, status, map[string]string{"error": code, "error_description": description})
}

func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	allowLoopbackOrigin(w, r)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "the body must be form-encoded (application/x-www-form-urlencoded)")
		return
	}
	f := r.PostForm
	c, status, msg := authenticate(r, f)
	if msg != "" {
		code := "invalid_client"
		if status == http.StatusBadRequest {
			code = "invalid_request"
		}
		tokenError(w, status, code, msg)
		return
	}
	gt := f.Get("grant_type")
	if !slices.Contains([]string{"authorization_code", "refresh_token", "client_credentials"}, gt) {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported", gt))
		return
	}
	if !slices.Contains(c.grants, gt) {
		tokenError(w, http.StatusBadRequest, "unauthorized_client", fmt.Sprintf("%s may not use the %s grant", c.id, gt))
		return
	}
	now := p.now()
	switch gt {
	case "authorization_code":
		p.mu.Lock()
		g, ok := p.codes[f.Get("code")]
		delete(p.codes, f.Get("code")) // one try per code, whatever its outcome
		p.mu.Unlock()
		switch {
		case !ok || now.After(g.expires):
			tokenError(w, http.StatusBadRequest, "invalid_grant", "the code is unknown, used or expired")
		case g.clientID != c.id:
			tokenError(w, http.StatusBadRequest, "invalid_grant", "the code was issued to another client")
		case g.redirectURI != f.Get("redirect_uri"):
			tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request's")
		case !verifierMatches(f.Get("code_verifier"), g.challenge):
			tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		default:
			p.issue(w, g, now, true)
		}
	case "refresh_token":
		p.mu.Lock()
		g, ok := p.refreshes[f.Get("refresh_token")]
		p.mu.Unlock()
		if !ok || now.After(g.expires) || g.clientID != c.id {
			tokenError(w, http.StatusBadRequest, "invalid_grant", "the refresh token is unknown, expired or another client's (they last as long as make run)")
			return
		}
		p.issue(w, g, now, false)
	case "client_credentials":
		scopes := strings.Fields(f.Get("scope"))
		if len(scopes) == 0 {
			scopes = c.defaults
		}
		for _, s := range scopes {
			if !c.scopes(s) {
				tokenError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("scope %q is not allowed for %s", s, c.id))
				return
			}
		}
		at, err := p.iss.ClientToken(c.id, scopes, now, TokenTTL)
		if err != nil {
			tokenError(w, http.StatusInternalServerError, "server_error", "could not sign the token")
			return
		}
		web.JSON(w, http.StatusOK, map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": int(TokenTTL.Seconds())})
	}
}

// authenticate finds the calling client: a confidential one by HTTP Basic with its
// secret, a public one by client_id alone. It answers a status and message on failure.
func authenticate(r *http.Request, f url.Values) (oauthClient, int, string) {
	if id, secret, basic := r.BasicAuth(); basic {
		c, ok := clients[id]
		if !ok || c.secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) != 1 {
			return c, http.StatusUnauthorized, "client authentication failed"
		}
		if f.Get("client_id") != "" && f.Get("client_id") != id {
			return c, http.StatusBadRequest, "client_id differs from the authenticated client"
		}
		return c, 0, ""
	}
	c, ok := clients[f.Get("client_id")]
	switch {
	case !ok:
		return c, http.StatusUnauthorized, fmt.Sprintf("unknown client_id %q", f.Get("client_id"))
	case c.secret != "":
		return c, http.StatusUnauthorized, c.id + " authenticates with its secret by HTTP Basic"
	}
	return c, 0, ""
}

// verifierMatches checks a PKCE code_verifier against its S256 challenge (RFC 7636).
func verifierMatches(verifier, challenge string) bool {
	if !codeVerifier.MatchString(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(b64(sum[:])), []byte(challenge)) == 1
}

// issue answers a person's grant with Cognito's tokens: the ID token (if openid was
// granted), the access token and, on the code exchange, a refresh token.
func (p *provider) issue(w http.ResponseWriter, g grant, now time.Time, withRefresh bool) {
	out := map[string]any{"token_type": "Bearer", "expires_in": int(TokenTTL.Seconds())}
	at, err := p.iss.AccessToken(g.user, g.clientID, g.scopes, now, TokenTTL)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", "could not sign the token")
		return
	}
	out["access_token"] = at
	if slices.Contains(g.scopes, "openid") {
		id, err := p.iss.IDToken(g.user, g.clientID, g.nonce, now, TokenTTL)
		if err != nil {
			tokenError(w, http.StatusInternalServerError, "server_error", "could not sign the token")
			return
		}
		out["id_token"] = id
	}
	if withRefresh {
		rt := randomToken(32)
		g.expires = now.Add(refreshTTL)
		p.mu.Lock()
		p.refreshes[rt] = g
		p.mu.Unlock()
		out["refresh_token"] = rt
	}
	web.JSON(w, http.StatusOK, out)
}

func (p *provider) preflight(w http.ResponseWriter, r *http.Request) {
	allowLoopbackOrigin(w, r)
	w.Header().Set("Access-Control-Allow-Methods", "POST")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
	w.WriteHeader(http.StatusNoContent)
}

// allowLoopbackOrigin lets a console served from another port of this machine (a Vite
// dev server) read the discovery document, the keys and the token endpoint's replies,
// as Cognito's endpoints allow browsers to.
func allowLoopbackOrigin(w http.ResponseWriter, r *http.Request) {
	o := r.Header.Get("Origin")
	if u, err := url.Parse(o); o != "" && err == nil && loopbackURL(u) && (u.Path == "" || u.Path == "/") {
		w.Header().Set("Access-Control-Allow-Origin", o)
	}
	w.Header().Add("Vary", "Origin")
}

// logout ends the sign-in, as Cognito's /logout does (client_id and logout_uri) and as
// OIDC's end-session endpoint does (post_logout_redirect_uri, id_token_hint, state).
// The issuer keeps no session, so it only sends the browser back, and only to a
// loopback URI of a registered client.
func (p *provider) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t := signInTexts[accept.Locale(r, i18n.English, q.Get("lang"))]
	target := q.Get("logout_uri")
	if target == "" {
		target = q.Get("post_logout_redirect_uri")
	}
	if target == "" {
		p.message(w, r, http.StatusOK, t, t.SignedOut, t.SignedOutText)
		return
	}
	clientID := q.Get("client_id")
	if clientID == "" {
		clientID = p.hintAudience(q.Get("id_token_hint"))
	}
	c, ok := clients[clientID]
	u, err := url.Parse(target)
	if !ok || !slices.Contains(c.grants, "authorization_code") || err != nil || !loopbackURL(u) {
		p.message(w, r, http.StatusBadRequest, t, t.Refused, "sign-out needs a registered client_id (or id_token_hint) and a logout_uri on localhost or 127.0.0.1")
		return
	}
	params := url.Values{}
	if q.Get("post_logout_redirect_uri") != "" {
		params.Set("state", q.Get("state"))
	}
	http.Redirect(w, r, redirectTo(u, params), http.StatusFound)
}

// hintAudience is the client an id_token_hint was issued to, if the issuer signed it
// (expired or not).
func (p *provider) hintAudience(raw string) string {
	if raw == "" {
		return ""
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(raw, claims, p.iss.keyFor, jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(p.iss.URL()), jwt.WithoutClaimsValidation()); err != nil {
		return ""
	}
	aud, _ := claims.GetAudience()
	if len(aud) != 1 {
		return ""
	}
	return aud[0]
}

// The pages.

//go:embed signin.html
var signInHTML string

var signInTemplates = template.Must(template.New("signin").Parse(signInHTML))

type signInText struct {
	Lang, Title, Heading, Local, Intro, Role, Locations, All, Other, NoneHint, SignIn, ForClient string
	RoleNames                                                                                    map[string]string
	RoleNeeded, AllAdminOnly, BadLocation, CrossSite, Refused, SignedOut, SignedOutText          string
}

var signInTexts = map[string]signInText{
	i18n.English: {
		Lang: i18n.English, Title: "Sign in — Rapport (local)", Heading: "Sign in to Rapport", Local: "local",
		Intro: "Development sign-in of make run: pick a demo user's role and locations. There is no password.",
		Role:  "Role", Locations: "Locations", All: "All locations (*) — administrators only",
		Other:    "Other location ids, comma-separated",
		NoneHint: "Leave every location out for a user who may see no location's data.",
		SignIn:   "Sign in", ForClient: "Signing in to",
		RoleNames:  map[string]string{wiring.RoleAgent: "Agent", wiring.RoleManager: "Manager", wiring.RoleAdmin: "Administrator"},
		RoleNeeded: "Pick a role.", AllAdminOnly: "Only an administrator can have all locations (*).",
		BadLocation: "“%s” is not a location id (letters, digits, dot, underscore and hyphen).",
		CrossSite:   "This sign-in was posted from another site, so it was refused.",
		Refused:     "Sign-in request refused", SignedOut: "Signed out",
		SignedOutText: "You are signed out of Rapport's local issuer.",
	},
	i18n.Chinese: {
		Lang: i18n.Chinese, Title: "登录 — Rapport（本地）", Heading: "登录 Rapport", Local: "本地",
		Intro: "make run 的开发用登录：为演示用户选择角色和门店，无需密码。",
		Role:  "角色", Locations: "门店", All: "全部门店（*）— 仅限管理员",
		Other:    "其他门店编号，用逗号分隔",
		NoneHint: "一个门店都不选，则该用户看不到任何门店的数据。",
		SignIn:   "登录", ForClient: "正在登录",
		RoleNames:  map[string]string{wiring.RoleAgent: "客服专员", wiring.RoleManager: "经理", wiring.RoleAdmin: "管理员"},
		RoleNeeded: "请选择角色。", AllAdminOnly: "只有管理员可以拥有全部门店（*）。",
		BadLocation: "“%s”不是有效的门店编号（只能包含字母、数字、点、下划线和连字符）。",
		CrossSite:   "此登录请求来自其他网站，已被拒绝。",
		Refused:     "登录请求被拒绝", SignedOut: "已退出登录",
		SignedOutText: "您已退出 Rapport 的本地签发方。",
	},
}

type choice struct {
	Value, Label string
	Checked      bool
}

type hidden struct{ Name, Value string }

type signInData struct {
	T                      signInText
	Lang                   string
	EnglishURL, ChineseURL string
	Action                 string
	Hidden                 []hidden
	Roles, Locations       []choice
	All                    bool
	Other, Error           string
	ClientID, RedirectURI  string
}

func (p *provider) signInPage(w http.ResponseWriter, r *http.Request, status int, t signInText, req authRequest, f signInForm, msg string) {
	// Paths, not URLs: the page posts to the origin it was opened on (localhost or
	// 127.0.0.1), which is what its form-action 'self' allows.
	d := signInData{T: t, Lang: t.Lang, Action: IssuerPath + authorizePath, Error: msg, Other: f.Other,
		ClientID: req.client.id, RedirectURI: req.params.Get("redirect_uri"), All: slices.Contains(f.Locations, auth.AllLocations)}
	d.EnglishURL, d.ChineseURL = langURLs(req.params)
	params := req.params
	params.Set("lang", t.Lang)
	for _, k := range authParams {
		if v := params.Get(k); v != "" && k != "prompt" {
			d.Hidden = append(d.Hidden, hidden{k, v})
		}
	}
	for _, role := range wiring.Staff {
		d.Roles = append(d.Roles, choice{Value: role, Label: t.RoleNames[role], Checked: role == f.Role})
	}
	for _, l := range p.demoLocations(r.Context()) {
		d.Locations = append(d.Locations, choice{Value: l.ID, Label: l.Name, Checked: slices.Contains(f.Locations, l.ID)})
	}
	p.render(w, r, status, "signin", d, req.redirectURI)
}

func langURLs(params url.Values) (en, zh string) {
	q := url.Values{}
	for k, vs := range params {
		q[k] = slices.Clone(vs)
	}
	q.Set("lang", i18n.English)
	en = IssuerPath + authorizePath + "?" + q.Encode()
	q.Set("lang", i18n.Chinese)
	return en, IssuerPath + authorizePath + "?" + q.Encode()
}

// demoLocations are the registry's locations, with the demo location make run seeds
// even when the registry cannot be read.
func (p *provider) demoLocations(ctx context.Context) []place.Location {
	var locs []place.Location
	if p.registry != nil {
		var err error
		if locs, err = p.registry.Locations(ctx); err != nil {
			slog.WarnContext(ctx, "sign-in page: no locations from the registry", "error", err.Error())
		}
	}
	demo := DemoLocation(p.now())
	if !slices.ContainsFunc(locs, func(l place.Location) bool { return l.ID == demo.ID }) {
		locs = append([]place.Location{demo}, locs...)
	}
	return locs
}

type messageData struct {
	T                      signInText
	Lang                   string
	EnglishURL, ChineseURL string
	Heading, Message       string
}

func (p *provider) message(w http.ResponseWriter, r *http.Request, status int, t signInText, heading, msg string) {
	q := r.URL.Query()
	d := messageData{T: t, Lang: t.Lang, Heading: heading, Message: msg}
	q.Set("lang", i18n.English)
	d.EnglishURL = r.URL.Path + "?" + q.Encode()
	q.Set("lang", i18n.Chinese)
	d.ChineseURL = r.URL.Path + "?" + q.Encode()
	p.render(w, r, status, "message", d, nil)
}

// render sends a page that may post its form only to this server, and follow the
// post's redirect only to the client's redirect URI.
func (p *provider) render(w http.ResponseWriter, r *http.Request, status int, name string, data any, redirect *url.URL) {
	var buf bytes.Buffer
	if err := signInTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		slog.ErrorContext(r.Context(), "render the local sign-in page", "error", err.Error())
		http.Error(w, "the page could not be drawn", http.StatusInternalServerError)
		return
	}
	formAction := "'self'"
	if redirect != nil {
		formAction += " " + redirect.Scheme + "://" + redirect.Host
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action "+formAction+"; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
