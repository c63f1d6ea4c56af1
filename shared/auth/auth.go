// Package auth reads the caller's identity from the claims API Gateway's JWT authorizer
// passed on, and enforces each route's roles from the wiring table. The local runner
// verifies tokens and then hands claims over in the same shape, so this one code path
// authorizes both locally and in Lambda.
//
// Two token shapes are accepted, as Cognito issues them:
//
//   - a person's ID token (token_use "id"): roles from cognito:groups (agent, manager,
//     admin), locations from custom:locations, which only admins can write;
//   - a machine's client-credentials access token (token_use "access"): the system role
//     from the rapport/system scope, locations from rapport/location:<id> scopes.
//
// A person's access token carries neither custom claims nor a scope Rapport knows, so
// it is refused (401) rather than read as a token with no limits. "All locations" exists
// only as the explicit value "*", and only for admin and system; a missing, empty or
// unreadable locations claim means none.
package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Claim names and scopes, as Cognito issues them.
const (
	ClaimGroups    = "cognito:groups"
	ClaimLocations = "custom:locations"
	ClaimScope     = "scope"
	ClaimTokenUse  = "token_use"
	// SystemScope lets machine clients (client-credentials tokens, which carry no
	// groups) act with the system role.
	SystemScope = "rapport/system"
	// LocationScopePrefix names a location a machine client may act on
	// ("rapport/location:HB01"), or all of them ("rapport/location:*").
	LocationScopePrefix = "rapport/location:"
	// AllLocations is the explicit value for every location.
	AllLocations = "*"
)

// Principal is who is calling.
type Principal struct {
	Subject string
	Roles   []string
	// Locations are the locations the caller may act on. All is the explicit "*",
	// honoured for admin and system only. Neither means no location.
	Locations []string
	All       bool
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

// Sees reports whether the principal may act on a location. An empty location id is
// nobody's: no principal sees it.
func (p Principal) Sees(locationID string) bool {
	return locationID != "" && (p.All || slices.Contains(p.Locations, locationID))
}

// SeesAny reports whether the principal may act on any of the locations.
func (p Principal) SeesAny(locationIDs []string) bool {
	return slices.ContainsFunc(locationIDs, p.Sees)
}

// Fingerprint identifies the caller together with everything the access policy reads
// of it (subject, roles, locations), hashed to a fixed length for use in keys.
func (p Principal) Fingerprint() string {
	roles, locs := slices.Clone(p.Roles), slices.Clone(p.Locations)
	slices.Sort(roles)
	slices.Sort(locs)
	if p.All {
		locs = []string{AllLocations}
	}
	b, _ := json.Marshal([]any{p.Subject, roles, locs})
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ErrToken means the claims are not a token Rapport accepts.
var ErrToken = errors.New("not a token Rapport accepts")

// FromClaims builds a principal from authorizer claims. API Gateway passes array claims
// as a string such as "[agent manager]"; JSON arrays and comma lists are read too.
func FromClaims(claims map[string]string) (Principal, error) {
	p := Principal{Subject: claims["sub"]}
	switch claims[ClaimTokenUse] {
	case "id", "":
		// An issuer other than Cognito (configured by the stack) may not set
		// token_use; its tokens are read as ID tokens.
		for _, g := range splitList(claims[ClaimGroups]) {
			if slices.Contains(wiring.Staff, g) && !slices.Contains(p.Roles, g) {
				p.Roles = append(p.Roles, g)
			}
		}
		p.Locations, p.All = parseLocations(claims[ClaimLocations])
		if p.All && !p.Has(wiring.RoleAdmin) {
			p.All = false
		}
	case "access":
		scopes := strings.Fields(claims[ClaimScope])
		if !slices.Contains(scopes, SystemScope) {
			return Principal{}, errors.Join(ErrToken, errors.New("an access token counts only from a machine client with the "+SystemScope+" scope; people send their ID token"))
		}
		p.Roles = []string{wiring.RoleSystem}
		var ids []string
		for _, s := range scopes {
			if id, ok := strings.CutPrefix(s, LocationScopePrefix); ok {
				ids = append(ids, id)
			}
		}
		p.Locations, p.All = parseLocations(strings.Join(ids, ","))
	default:
		return Principal{}, errors.Join(ErrToken, errors.New("token_use must be id or access"))
	}
	return p, nil
}

// parseLocations reads a locations claim: "*" alone is all; otherwise a list of
// location ids. Anything unreadable (a bad id, "*" among ids, stray quotes) is none.
func parseLocations(s string) (ids []string, all bool) {
	list := splitList(s)
	if len(list) == 1 && list[0] == AllLocations {
		return nil, true
	}
	for _, loc := range list {
		if !id.Valid(loc) {
			return nil, false
		}
		if !slices.Contains(ids, loc) {
			ids = append(ids, loc)
		}
	}
	return ids, false
}

func splitList(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if strings.HasPrefix(s, "[") && strings.Contains(s, "\"") {
		var out []string
		if json.Unmarshal([]byte(s), &out) != nil {
			return []string{s} // unreadable: one element no id matches
		}
		return out
	}
	if strings.HasPrefix(s, "[") != strings.HasSuffix(s, "]") {
		return []string{s}
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
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
// of an accepted token shape (401 otherwise) and one of the route's roles (403).
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
		p, err := FromClaims(claims)
		if err != nil {
			problem.Write(w, r, problem.New(problem.Unauthorized, strings.TrimPrefix(err.Error(), ErrToken.Error()+"\n")))
			return
		}
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

// Within are the locations a list or report reads for a principal: the one asked for
// (not found unless the principal sees it), else the principal's own, or every
// registered one (from registry) for an all-locations token. An empty result means the
// principal sees no location.
func Within(ctx context.Context, p Principal, asked string, registry func(context.Context) ([]string, error)) ([]string, error) {
	switch {
	case asked != "":
		if !p.Sees(asked) {
			return nil, problem.New(problem.NotFound, "no such location")
		}
		return []string{asked}, nil
	case p.All:
		return registry(ctx)
	default:
		return p.Locations, nil
	}
}
