package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Claims as API Gateway hands them over from real Cognito tokens: an ID token of a
// person, a person's access token, and a client-credentials access token of a machine.
func TestFromClaims(t *testing.T) {
	id := func(extra map[string]string) map[string]string {
		c := map[string]string{"sub": "user-1", "token_use": "id", "aud": "console-client", "cognito:username": "user-1",
			"email": "ana@hotel.example", "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC"}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	tests := []struct {
		name      string
		claims    map[string]string
		roles     []string
		locations []string
		all       bool
		refused   bool
	}{
		{"no groups, no locations", id(nil), nil, nil, false, false},
		{"API Gateway flattened array", id(map[string]string{"cognito:groups": "[agent manager]"}), []string{"agent", "manager"}, nil, false, false},
		{"flattened single", id(map[string]string{"cognito:groups": "[manager]"}), []string{"manager"}, nil, false, false},
		{"flattened empty", id(map[string]string{"cognito:groups": "[]"}), nil, nil, false, false},
		{"JSON array", id(map[string]string{"cognito:groups": `["agent","admin"]`}), []string{"agent", "admin"}, nil, false, false},
		{"JSON array with spaces", id(map[string]string{"cognito:groups": `[ "agent", "manager" ]`}), []string{"agent", "manager"}, nil, false, false},
		{"comma list", id(map[string]string{"cognito:groups": " agent, manager "}), []string{"agent", "manager"}, nil, false, false},
		{"unknown groups are no role", id(map[string]string{"cognito:groups": "[cleaner superuser]"}), nil, nil, false, false},
		{"a system group is no role: machines use client credentials", id(map[string]string{"cognito:groups": "[system]"}), nil, nil, false, false},
		{"scopes in an ID token are ignored", id(map[string]string{"scope": "rapport/system"}), nil, nil, false, false},
		{"one location", id(map[string]string{"cognito:groups": "[agent]", "custom:locations": "loc-1"}), []string{"agent"}, []string{"loc-1"}, false, false},
		{"location comma list", id(map[string]string{"custom:locations": "loc-1,loc-2"}), nil, []string{"loc-1", "loc-2"}, false, false},
		{"location flattened array", id(map[string]string{"custom:locations": "[loc-1 loc-2]"}), nil, []string{"loc-1", "loc-2"}, false, false},
		{"location JSON array", id(map[string]string{"custom:locations": `["loc-1","loc-2"]`}), nil, []string{"loc-1", "loc-2"}, false, false},
		{"duplicate locations once", id(map[string]string{"custom:locations": "loc-1,loc-1"}), nil, []string{"loc-1"}, false, false},
		{"star for an admin is all", id(map[string]string{"cognito:groups": "[admin]", "custom:locations": "*"}), []string{"admin"}, nil, true, false},
		{"star for a manager is none", id(map[string]string{"cognito:groups": "[manager]", "custom:locations": "*"}), []string{"manager"}, nil, false, false},
		{"star among ids is unreadable", id(map[string]string{"cognito:groups": "[admin]", "custom:locations": "loc-1,*"}), []string{"admin"}, nil, false, false},
		{"missing locations is none", id(map[string]string{"cognito:groups": "[admin]"}), []string{"admin"}, nil, false, false},
		{"empty locations is none", id(map[string]string{"cognito:groups": "[admin]", "custom:locations": ""}), []string{"admin"}, nil, false, false},
		{"blank locations is none", id(map[string]string{"custom:locations": "   "}), nil, nil, false, false},
		{"[] is none", id(map[string]string{"custom:locations": "[]"}), nil, nil, false, false},
		{"broken JSON is none", id(map[string]string{"custom:locations": `["loc-1",`}), nil, nil, false, false},
		{"unbalanced bracket is none", id(map[string]string{"custom:locations": "[loc-1"}), nil, nil, false, false},
		{"a bad id spoils the claim", id(map[string]string{"custom:locations": "loc-1,../loc-2"}), nil, nil, false, false},
		{"quotes outside JSON are unreadable", id(map[string]string{"custom:locations": `"loc-1"`}), nil, nil, false, false},
		{"an issuer without token_use reads as an ID token", map[string]string{"sub": "user-1", "cognito:groups": "[agent]", "custom:locations": "loc-2"},
			[]string{"agent"}, []string{"loc-2"}, false, false},
		{"a person's access token is refused", map[string]string{"sub": "user-1", "token_use": "access", "client_id": "console-client",
			"cognito:groups": "[admin]", "scope": "openid email profile", "username": "user-1"}, nil, nil, false, true},
		{"an unknown token_use is refused", id(map[string]string{"token_use": "refresh"}), nil, nil, false, true},
		{"client credentials with system and all locations", map[string]string{"sub": "user-1", "token_use": "access", "client_id": "pos",
			"scope": "rapport/system rapport/location:*"}, []string{"system"}, nil, true, false},
		{"client credentials with one location", map[string]string{"sub": "user-1", "token_use": "access", "client_id": "pos",
			"scope": "rapport/location:HB01 rapport/system"}, []string{"system"}, []string{"HB01"}, false, false},
		{"client credentials with no location scope sees none", map[string]string{"sub": "user-1", "token_use": "access",
			"scope": "rapport/system"}, []string{"system"}, nil, false, false},
		{"a similar scope is not system", map[string]string{"sub": "user-1", "token_use": "access",
			"scope": "rapport/systems rapport/location:*"}, nil, nil, false, true},
		{"a scope prefix is not system", map[string]string{"sub": "user-1", "token_use": "access",
			"scope": "rapport/system/read"}, nil, nil, false, true},
		{"groups on a machine token give no staff role", map[string]string{"sub": "user-1", "token_use": "access",
			"scope": "rapport/system", "cognito:groups": "[admin]"}, []string{"system"}, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := auth.FromClaims(tt.claims)
			if tt.refused {
				if !errors.Is(err, auth.ErrToken) {
					t.Fatalf("FromClaims = %+v, %v; want ErrToken", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != "user-1" {
				t.Errorf("Subject = %q", p.Subject)
			}
			if !slices.Equal(p.Roles, tt.roles) {
				t.Errorf("Roles = %q, want %q", p.Roles, tt.roles)
			}
			if !slices.Equal(p.Locations, tt.locations) || p.All != tt.all {
				t.Errorf("Locations = %q all=%v, want %q all=%v", p.Locations, p.All, tt.locations, tt.all)
			}
		})
	}
}

func TestPrincipalHas(t *testing.T) {
	p := auth.Principal{Roles: []string{"agent", "manager"}}
	tests := []struct {
		roles []string
		want  bool
	}{
		{[]string{"manager"}, true},
		{[]string{"admin", "agent"}, true},
		{[]string{"admin"}, false},
		{[]string{"system"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := p.Has(tt.roles...); got != tt.want {
			t.Errorf("Has(%q) = %v, want %v", tt.roles, got, tt.want)
		}
	}
	if (auth.Principal{}).Has("agent") {
		t.Error("a principal without roles has agent")
	}
}

func TestPrincipalSees(t *testing.T) {
	tests := []struct {
		name      string
		locations []string
		all       bool
		location  string
		want      bool
	}{
		{"no locations sees none", nil, false, "loc-9", false},
		{"empty list sees none", []string{}, false, "loc-9", false},
		{"all sees any", nil, true, "loc-9", true},
		{"nobody sees an empty location id", nil, true, "", false},
		{"listed", []string{"loc-1", "loc-2"}, false, "loc-2", true},
		{"not listed", []string{"loc-1", "loc-2"}, false, "loc-3", false},
		{"no prefix match", []string{"loc-1"}, false, "loc-10", false},
		{"no case folding", []string{"loc-1"}, false, "LOC-1", false},
		{"empty location id against a list", []string{"loc-1"}, false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := auth.Principal{Locations: tt.locations, All: tt.all}
			if got := p.Sees(tt.location); got != tt.want {
				t.Errorf("Sees(%q) with %q all=%v = %v, want %v", tt.location, tt.locations, tt.all, got, tt.want)
			}
		})
	}
}

func TestWithin(t *testing.T) {
	registry := func(context.Context) ([]string, error) { return []string{"loc-1", "loc-2", "loc-3"}, nil }
	ctx := context.Background()
	tests := []struct {
		name  string
		p     auth.Principal
		asked string
		want  []string
		err   bool
	}{
		{"all, none asked: every registered one", auth.Principal{All: true}, "", []string{"loc-1", "loc-2", "loc-3"}, false},
		{"all, one asked", auth.Principal{All: true}, "loc-2", []string{"loc-2"}, false},
		{"scoped, none asked: its own", auth.Principal{Locations: []string{"loc-1"}}, "", []string{"loc-1"}, false},
		{"scoped, its own asked", auth.Principal{Locations: []string{"loc-1"}}, "loc-1", []string{"loc-1"}, false},
		{"scoped, another asked: not found", auth.Principal{Locations: []string{"loc-1"}}, "loc-2", nil, true},
		{"no locations: nothing", auth.Principal{}, "", nil, false},
		{"no locations, one asked: not found", auth.Principal{}, "loc-1", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := auth.Within(ctx, tt.p, tt.asked, registry)
			if (err != nil) != tt.err || !slices.Equal(got, tt.want) {
				t.Errorf("Within = %q, %v; want %q, error %v", got, err, tt.want, tt.err)
			}
			if err != nil && problem.KindOf(err) != problem.NotFound {
				t.Errorf("error %v is not a not-found", err)
			}
		})
	}
}

func TestFingerprintTellsScopesApart(t *testing.T) {
	base := auth.Principal{Subject: "u", Roles: []string{"manager"}, Locations: []string{"loc-1", "loc-2"}}
	same := auth.Principal{Subject: "u", Roles: []string{"manager"}, Locations: []string{"loc-2", "loc-1"}}
	if base.Fingerprint() != same.Fingerprint() {
		t.Error("the order of locations changed the fingerprint")
	}
	for name, other := range map[string]auth.Principal{
		"another location": {Subject: "u", Roles: []string{"manager"}, Locations: []string{"loc-1"}},
		"another role":     {Subject: "u", Roles: []string{"admin"}, Locations: []string{"loc-1", "loc-2"}},
		"another subject":  {Subject: "v", Roles: []string{"manager"}, Locations: []string{"loc-1", "loc-2"}},
		"all locations":    {Subject: "u", Roles: []string{"manager"}, All: true},
	} {
		if other.Fingerprint() == base.Fingerprint() {
			t.Errorf("%s has the same fingerprint", name)
		}
	}
}

// seen is what the protected handler observed.
type seen struct {
	called    bool
	principal auth.Principal
	hasP      bool
	requestID string
}

// invoke runs a route through the Lambda adapter exactly as a deployed function does:
// claims reach the handler only through the API Gateway request context.
func invoke(t *testing.T, route wiring.Route, authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription) (events.APIGatewayV2HTTPResponse, seen) {
	t.Helper()
	var s seen
	handler := auth.Require(route, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.called = true
		s.principal, s.hasP = auth.From(r.Context())
		s.requestID = auth.RequestID(r)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	path := strings.ReplaceAll(route.Path, "{surveyId}", "demo-stay")
	ev := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: route.Pattern(),
		RawPath:  path,
		Headers:  map[string]string{"accept": "application/json", "authorization": "Bearer eyJ.x.y"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   route.Pattern(),
			AccountID:  "000000000000",
			Stage:      "$default",
			RequestID:  "JKJaXmPLvHcESHA=",
			APIID:      "a1b2c3d4e5",
			DomainName: "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
			Authorizer: authorizer,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: route.Method, Path: path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7", UserAgent: "test",
			},
		},
	}
	resp, err := httpadapter.NewV2(handler).ProxyWithContext(context.Background(), ev)
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	return resp, s
}

func quiet(t *testing.T) {
	t.Helper()
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
}

func TestRequire(t *testing.T) {
	public := wiring.Route{Method: "POST", Path: "/v1/surveys/{surveyId}/responses", Auth: wiring.Public}
	staff := wiring.Route{Method: "GET", Path: "/v1/surveys/{surveyId}", Auth: wiring.JWT, Roles: wiring.Staff}
	managers := wiring.Route{Method: "GET", Path: "/v1/reports/complaints", Auth: wiring.JWT, Roles: wiring.ManagerUp}
	system := wiring.Route{Method: "POST", Path: "/v1/visits", Auth: wiring.JWT, Roles: []string{wiring.RoleSystem}}
	anyone := wiring.Route{Method: "GET", Path: "/v1/me", Auth: wiring.JWT}

	tests := []struct {
		name       string
		route      wiring.Route
		authorizer *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
		status     int
		principal  *auth.Principal // the principal the handler must see; nil when it must not run or see none
	}{
		{name: "public without claims", route: public, status: 200},
		{name: "public ignores claims", route: public, authorizer: auth.Authorizer(map[string]string{"sub": "u"}), status: 200},
		{name: "jwt without authorizer", route: staff, status: 401},
		{name: "jwt with a lambda authorizer only", route: staff,
			authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{"cognito:groups": "[admin]"}}, status: 401},
		{name: "jwt route for anyone without claims", route: anyone, status: 401},
		{name: "no groups", route: staff, authorizer: auth.Authorizer(map[string]string{"sub": "u1"}), status: 403},
		{name: "a person's access token", route: staff,
			authorizer: auth.Authorizer(map[string]string{"sub": "u1", "token_use": "access", "cognito:groups": "[admin]", "scope": "openid"}), status: 401},
		{name: "agent on a manager route", route: managers,
			authorizer: auth.Authorizer(map[string]string{"sub": "u1", "cognito:groups": "[agent]"}), status: 403},
		{name: "system scope on a staff route", route: staff,
			authorizer: auth.Authorizer(map[string]string{"sub": "client-1", "token_use": "access", "scope": "rapport/system"}), status: 403},
		{name: "manager on a staff route", route: staff,
			authorizer: auth.Authorizer(map[string]string{"sub": "u2", "cognito:groups": "[manager]", "custom:locations": "loc-1"}),
			status:     200, principal: &auth.Principal{Subject: "u2", Roles: []string{"manager"}, Locations: []string{"loc-1"}}},
		{name: "one of several groups", route: managers,
			authorizer: auth.Authorizer(map[string]string{"sub": "u3", "cognito:groups": "[agent admin]"}),
			status:     200, principal: &auth.Principal{Subject: "u3", Roles: []string{"agent", "admin"}}},
		{name: "machine client", route: system,
			authorizer: auth.Authorizer(map[string]string{"sub": "client-1", "token_use": "access", "scope": "rapport/system rapport/location:*"}),
			status:     200, principal: &auth.Principal{Subject: "client-1", Roles: []string{"system"}, All: true}},
		{name: "any authenticated caller", route: anyone,
			authorizer: auth.Authorizer(map[string]string{"sub": "u4"}),
			status:     200, principal: &auth.Principal{Subject: "u4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quiet(t)
			resp, s := invoke(t, tt.route, tt.authorizer)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.status, resp.Body)
			}
			if tt.status != 200 {
				if s.called {
					t.Error("the handler ran for a refused request")
				}
				if ct := resp.Headers["Content-Type"]; ct != "application/problem+json" {
					t.Errorf("Content-Type = %q, want application/problem+json", ct)
				}
				var doc struct {
					Status int    `json:"status"`
					Detail string `json:"detail"`
				}
				if err := json.Unmarshal([]byte(resp.Body), &doc); err != nil || doc.Status != tt.status || doc.Detail == "" {
					t.Errorf("body %s is not a %d problem (%v)", resp.Body, tt.status, err)
				}
				if tt.status == 403 && !strings.Contains(doc.Detail, tt.route.Roles[0]) {
					t.Errorf("403 detail %q does not name the roles needed", doc.Detail)
				}
				return
			}
			if !s.called {
				t.Fatal("the handler did not run")
			}
			if s.requestID != "JKJaXmPLvHcESHA=" {
				t.Errorf("RequestID = %q, want API Gateway's", s.requestID)
			}
			if tt.principal == nil {
				if s.hasP {
					t.Errorf("a public route carries a principal %+v", s.principal)
				}
				return
			}
			if !s.hasP {
				t.Fatal("auth.From found no principal")
			}
			if s.principal.Subject != tt.principal.Subject || !slices.Equal(s.principal.Roles, tt.principal.Roles) ||
				!slices.Equal(s.principal.Locations, tt.principal.Locations) || s.principal.All != tt.principal.All {
				t.Errorf("principal = %+v, want %+v", s.principal, *tt.principal)
			}
		})
	}
}

// Outside the adapter there is no API Gateway context, so a JWT route refuses even a
// request that carries a token header: only API Gateway's verified claims count.
func TestRequireIgnoresRawAuthorizationHeader(t *testing.T) {
	quiet(t)
	called := false
	h := auth.Require(wiring.Route{Method: "GET", Path: "/v1/surveys/{surveyId}", Auth: wiring.JWT, Roles: wiring.Staff},
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
	req := httptest.NewRequest(http.MethodGet, "/v1/surveys/demo-stay", nil)
	req.Header.Set("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJjb2duaXRvOmdyb3VwcyI6WyJhZG1pbiJdfQ.")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || called {
		t.Errorf("status = %d, handler called = %v; want 401 without calling it", rec.Code, called)
	}
	if auth.RequestID(req) != "" {
		t.Errorf("RequestID outside API Gateway = %q, want empty", auth.RequestID(req))
	}
}

func TestWithAndFrom(t *testing.T) {
	if _, ok := auth.From(context.Background()); ok {
		t.Error("From found a principal in an empty context")
	}
	want := auth.Principal{Subject: "s", Roles: []string{"agent"}}
	got, ok := auth.From(auth.With(context.Background(), want))
	if !ok || got.Subject != "s" || !slices.Equal(got.Roles, want.Roles) {
		t.Errorf("From(With(p)) = %+v, %v", got, ok)
	}
}

func TestAuthorizerShape(t *testing.T) {
	a := auth.Authorizer(map[string]string{"sub": "x"})
	if a == nil || a.JWT == nil || a.JWT.Claims["sub"] != "x" || a.Lambda != nil || a.IAM != nil {
		t.Errorf("Authorizer = %+v", a)
	}
}

func TestServingStaffIsTheGivenIdOrThePersonsOwn(t *testing.T) {
	agent := auth.Principal{Subject: "3f1c-agent", Roles: []string{wiring.RoleAgent}}
	machine := auth.Principal{Subject: "pos-client", Roles: []string{wiring.RoleSystem}}
	for _, c := range []struct {
		p           auth.Principal
		given, want string
	}{
		{agent, "", "3f1c-agent"},
		{agent, "pos:till-4", "pos:till-4"},
		{machine, "", ""},
		{machine, "emp-17", "emp-17"},
	} {
		if got, err := auth.ServingStaff(c.p, c.given, "staffId"); err != nil || got != c.want {
			t.Errorf("%v given %q: %q %v, want %q", c.p.Roles, c.given, got, err, c.want)
		}
	}
	if _, err := auth.ServingStaff(agent, "a#b", "staffId"); err == nil || !strings.Contains(err.Error(), "staffId") {
		t.Fatalf("a staff id with '#': %v, want a 400 naming staffId", err)
	}
}
