// Package auth reads the caller's identity from the claims API Gateway's JWT authorizer
// passed on, and enforces each route's roles from the wiring table. The local runner
// verifies tokens and then hands claims over in the same shape, so this one code path
// authorizes both locally and in Lambda.
package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Claim names, as Cognito issues them.
const (
	ClaimGroups    = "cognito:groups"
	ClaimLocations = "custom:locations"
	ClaimScope     = "scope"
	// SystemScope lets machine clients (client-credentials tokens, which carry no
	// groups) act with the system role.
	SystemScope = "rapport/system"
)

// Principal is who is calling.
type Principal struct {
	Subject string
	Roles   []string
	// Locations limits the caller to these locations; empty means every location.
	Locations []string
}

// Has reports whether the principal holds any of the roles.
func (p Principal) Has(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// CanSee reports whether the principal may act on a location.
func (p Principal) CanSee(locationID string) bool {
	return len(p.Locations) == 0 || slices.Contains(p.Locations, locationID)
}

// FromClaims builds a principal from authorizer claims. API Gateway passes array claims
// as a string such as "[agent manager]"; JSON arrays and comma lists are read too.
func FromClaims(claims map[string]string) Principal {
	p := Principal{Subject: claims["sub"]}
	p.Roles = splitList(claims[ClaimGroups])
	if slices.Contains(strings.Fields(claims[ClaimScope]), SystemScope) && !slices.Contains(p.Roles, wiring.RoleSystem) {
		p.Roles = append(p.Roles, wiring.RoleSystem)
	}
	p.Locations = splitList(claims[ClaimLocations])
	return p
}

func splitList(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if strings.HasPrefix(s, "[") && strings.Contains(s, "\"") {
		var out []string
		if json.Unmarshal([]byte(s), &out) == nil {
			return out
		}
	}
	s = strings.Trim(s, "[]")
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

type ctxKey struct{}

// With stores a principal in a context.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal of an authenticated request.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// gatewayClaims are the JWT claims API Gateway verified for this request, if any.
func gatewayClaims(ctx context.Context) (map[string]string, bool) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(ctx)
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return nil, false
	}
	return rc.Authorizer.JWT.Claims, true
}

// RequestID is API Gateway's request id, for log lines.
func RequestID(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok {
		return rc.RequestID
	}
	return ""
}

// Require enforces a route's auth: public routes pass; JWT routes need verified claims
// (401 otherwise, which API Gateway would already have refused) and one of the route's
// roles (403).
func Require(route wiring.Route, next http.Handler) http.Handler {
	if route.Auth == wiring.Public {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := gatewayClaims(r.Context())
		if !ok {
			problem.Write(w, r, problem.New(problem.Unauthorized, "a bearer token is required"))
			return
		}
		p := FromClaims(claims)
		if len(route.Roles) > 0 && !p.Has(route.Roles...) {
			problem.Write(w, r, problem.Newf(problem.Forbidden, "this route needs one of the roles: %s", strings.Join(route.Roles, ", ")))
			return
		}
		next.ServeHTTP(w, r.WithContext(With(r.Context(), p)))
	})
}

// Authorizer is the JWT part of an API Gateway v2 request context, as the local runner
// fills it in after verifying a token.
func Authorizer(claims map[string]string) *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
	}
}
