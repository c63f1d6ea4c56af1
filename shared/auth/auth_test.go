package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func TestFromClaims(t *testing.T) {
	tests := []struct {
		name      string
		claims    map[string]string
		roles     []string
		locations []string
	}{
		{"no claims", map[string]string{}, nil, nil},
		{"API Gateway flattened array", map[string]string{"cognito:groups": "[agent manager]"}, []string{"agent", "manager"}, nil},
		{"flattened single", map[string]string{"cognito:groups": "[manager]"}, []string{"manager"}, nil},
		{"flattened empty", map[string]string{"cognito:groups": "[]"}, nil, nil},
		{"JSON array", map[string]string{"cognito:groups": `["agent","admin"]`}, []string{"agent", "admin"}, nil},
		{"JSON array with spaces after commas", map[string]string{"cognito:groups": `["agent", "admin"]`}, []string{"agent", "admin"}, nil},
		{"comma list", map[string]string{"cognito:groups": "agent,manager"}, []string{"agent", "manager"}, nil},
		{"comma list with spaces", map[string]string{"cognito:groups": " agent, manager "}, []string{"agent", "manager"}, nil},
		{"single bare group", map[string]string{"cognito:groups": "admin"}, []string{"admin"}, nil},
		{"system scope", map[string]string{"scope": "rapport/system"}, []string{"system"}, nil},
		{"system scope among others", map[string]string{"scope": "openid rapport/system email"}, []string{"system"}, nil},
		{"system scope with groups", map[string]string{"scope": "rapport/system", "cognito:groups": "[agent]"}, []string{"agent", "system"}, nil},
		{"system scope and group, once", map[string]string{"scope": "rapport/system", "cognito:groups": "[system]"}, []string{"system"}, nil},
		{"similar scope is not system", map[string]string{"scope": "rapport/systems rapport/read"}, nil, nil},
		{"scope prefix is not system", map[string]string{"scope": "rapport/system/read"}, nil, nil},
		{"groups do not come from scopes", map[string]string{"scope": "rapport/manager"}, nil, nil},
		{"one location", map[string]string{"custom:locations": "loc-1"}, nil, []string{"loc-1"}},
		{"location comma list", map[string]string{"custom:locations": "loc-1,loc-2"}, nil, []string{"loc-1", "loc-2"}},
		{"location flattened array", map[string]string{"custom:locations": "[loc-1 loc-2]"}, nil, []string{"loc-1", "loc-2"}},
		{"location JSON array", map[string]string{"custom:locations": `["loc-1","loc 2"]`}, nil, []string{"loc-1", "loc 2"}},
		{"blank locations", map[string]string{"custom:locations": "  "}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.claims["sub"] = "user-1"
			p := auth.FromClaims(tt.claims)
			if p.Subject != "user-1" {
				t.Errorf("Subject = %q", p.Subject)
			}
			if !slices.Equal(p.Roles, tt.roles) {
				t.Errorf("Roles = %q, want %q", p.Roles, tt.roles)
			}
			if !slices.Equal(p.Locations, tt.locations) {
				t.Errorf("Locations = %q, want %q", p.Locations, tt.locations)
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

func TestPrincipalCanSee(t *testing.T) {
	tests := []struct {
		name      string
		locations []string
		location  string
		want      bool
	}{
		{"no limit sees all", nil, "loc-9", true},
		{"empty limit sees all", []string{}, "loc-9", true},
		{"listed", []string{"loc-1", "loc-2"}, "loc-2", true},
		{"not listed", []string{"loc-1", "loc-2"}, "loc-3", false},
		{"no prefix match", []string{"loc-1"}, "loc-10", false},
		{"no case folding", []string{"loc-1"}, "LOC-1", false},
		{"empty location id against a limit", []string{"loc-1"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := auth.Principal{Locations: tt.locations}
			if got := p.CanSee(tt.location); got != tt.want {
				t.Errorf("CanSee(%q) with %q = %v, want %v", tt.location, tt.locations, got, tt.want)
			}
		})
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
		{name: "agent on a manager route", route: managers,
			authorizer: auth.Authorizer(map[string]string{"sub": "u1", "cognito:groups": "[agent]"}), status: 403},
		{name: "system scope on a staff route", route: staff,
			authorizer: auth.Authorizer(map[string]string{"sub": "client-1", "scope": "rapport/system"}), status: 403},
		{name: "manager on a staff route", route: staff,
			authorizer: auth.Authorizer(map[string]string{"sub": "u2", "cognito:groups": "[manager]", "custom:locations": "loc-1"}),
			status:     200, principal: &auth.Principal{Subject: "u2", Roles: []string{"manager"}, Locations: []string{"loc-1"}}},
		{name: "one of several groups", route: managers,
			authorizer: auth.Authorizer(map[string]string{"sub": "u3", "cognito:groups": "[agent admin]"}),
			status:     200, principal: &auth.Principal{Subject: "u3", Roles: []string{"agent", "admin"}}},
		{name: "machine client", route: system,
			authorizer: auth.Authorizer(map[string]string{"sub": "client-1", "scope": "rapport/system"}),
			status:     200, principal: &auth.Principal{Subject: "client-1", Roles: []string{"system"}}},
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
				!slices.Equal(s.principal.Locations, tt.principal.Locations) {
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

func TestFromClaimsJSONArrayWithSpaces(t *testing.T) {
	p := auth.FromClaims(map[string]string{auth.ClaimGroups: `[ "agent", "manager" ]`})
	if len(p.Roles) != 2 || p.Roles[0] != "agent" || p.Roles[1] != "manager" {
		t.Fatalf("roles %q", p.Roles)
	}
}
