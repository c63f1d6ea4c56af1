package stack

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	rid "github.com/rapport-crm/rapport/shared/id"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// The stack's own identity provider has two kinds of callers, and the API reads each
// from one token shape (shared/auth):
//
//   - staff sign in on the hosted pages through the console client and send their ID
//     token: roles from cognito:groups, locations from custom:locations;
//   - machines (a point-of-sale, a booking system) use the client-credentials grant and
//     send an access token: the system role from the rapport/system scope, locations
//     from rapport/location:<id> or rapport/location:* scopes.

// LocationsAttribute is the custom user attribute listing the locations a staff member
// works for; tokens carry it as "custom:locations".
const LocationsAttribute = "locations"

// Scopes of the resource server the API is to Cognito. The API compares the full names
// ("rapport/system", "rapport/location:HB01") with shared/auth's.
const (
	resourceServerID    = "rapport"
	systemScope         = "system"
	locationScopePrefix = "location:"
	allLocationsScope   = locationScopePrefix + "*"
	// maxLocationScopes keeps the resource server within Cognito's 100 custom scopes,
	// two of which are system and location:*.
	maxLocationScopes = 98
)

// clientIDPattern is Cognito's syntax of an app client id.
var clientIDPattern = regexp.MustCompile(`^[\w+]{1,128}$`)

// domainPrefixPattern is what Cognito takes as a prefix domain: lowercase letters, digits
// and inner hyphens, at most 63 characters.
var domainPrefixPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// devConsoleURLs are where `make run` serves the staff console. Dev stacks accept them by
// default so the local console can sign in against a deployed dev pool: sign-in returns
// to /callback, sign-out to the root (console/src/auth).
var (
	devConsoleURLs         = []string{"http://localhost:8080/", "http://127.0.0.1:8080/"}
	devConsoleCallbackURLs = []string{"http://localhost:8080/callback", "http://127.0.0.1:8080/callback"}
)

// Token lifetimes of the console client, in hours. An hour bounds what a leaked ID
// token can do and is Cognito's default. The refresh token lasts 12 hours, a working
// shift: staff sign in (with TOTP) once per shift, and a refresh token left in a shared
// browser at the front desk is dead by the next morning. (Plain numbers: a CDK call at
// package init would start jsii before the CDK app has chosen its directory.)
const (
	staffTokenHours   = 1
	staffRefreshHours = 12
)

// userPool is the stack's own identity provider for staff and machine clients.
type userPool struct {
	pool   awscognito.UserPool
	domain awscognito.UserPoolDomain
	// console is the staff console's public client; machine the head office's
	// confidential client-credentials client.
	console awscognito.UserPoolClient
	machine awscognito.UserPoolClient
	// others are the ids of machine clients made outside the stack.
	others []string
}

// audience is what the API's JWT authorizer accepts: API Gateway compares it with the
// aud claim of ID tokens and the client_id claim of access tokens, so a client missing
// here gets 401 whatever its scopes.
func (u *userPool) audience() []string {
	return append([]string{*u.console.UserPoolClientId(), *u.machine.UserPoolClientId()}, u.others...)
}

func (b *builder) buildUserPool() *userPool {
	pool := awscognito.NewUserPool(b.stack, jsii.String("StaffPool"), &awscognito.UserPoolProps{
		// Staff accounts are created by an admin, never by sign-up.
		SelfSignUpEnabled: jsii.Bool(false),
		SignInAliases:     &awscognito.SignInAliases{Email: jsii.Bool(true)},
		AutoVerify:        &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:            jsii.Number(12),
			RequireLowercase:     jsii.Bool(true),
			RequireUppercase:     jsii.Bool(true),
			RequireDigits:        jsii.Bool(true),
			RequireSymbols:       jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(3)),
		},
		// Staff read customers' personal data: a second factor is required. TOTP only,
		// so the pool needs no SMS role.
		Mfa:             awscognito.Mfa_REQUIRED,
		MfaSecondFactor: &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		AccountRecovery: awscognito.AccountRecovery_EMAIL_ONLY,
		FeaturePlan:     awscognito.FeaturePlan_ESSENTIALS,
		CustomAttributes: &map[string]awscognito.ICustomAttribute{
			// Cognito cannot change a custom attribute once the pool exists (changing it
			// here would fail the update, not migrate it), so it stays as it was created.
			// Mutable it must be: admins set it with AdminUpdateUserAttributes. What keeps
			// staff from widening their own locations is that no app client lists it
			// among its write attributes (staffWriteAttributes).
			LocationsAttribute: awscognito.NewStringAttribute(&awscognito.StringAttributeProps{
				Mutable: jsii.Bool(true),
				MaxLen:  jsii.Number(2048),
			}),
		},
		DeletionProtection: jsii.Bool(b.stage.deletionProtection),
		RemovalPolicy:      b.stage.removal,
	})
	// ID tokens carry the groups in cognito:groups; functions match them to route roles.
	// Only people are in groups: machines get the system role from a scope.
	for _, role := range wiring.Staff {
		pool.AddGroup(jsii.String(pascal(role)+"Group"), &awscognito.UserPoolGroupOptions{
			GroupName:   jsii.String(role),
			Description: jsii.String("Rapport role " + role),
		})
	}

	u := &userPool{pool: pool, others: b.props.MachineClientIDs}
	u.domain = b.addSignInDomain(pool)
	u.console = b.addConsoleClient(pool, u.domain)
	u.machine = b.addMachineClient(pool)

	b.output("UserPoolId", pool.UserPoolId(), "Cognito user pool for staff")
	b.output("ConsoleClientId", u.console.UserPoolClientId(),
		"Staff console app client (public, authorization code with PKCE); JWT audience")
	b.output("MachineClientId", u.machine.UserPoolClientId(),
		"Head-office machine client (client credentials); JWT audience. Its secret: aws cognito-idp describe-user-pool-client")
	b.output("SignInUrl", u.domain.BaseUrl(nil),
		"Hosted sign-in domain (managed login); tokens from <url>/oauth2/token")
	b.output("JwtIssuer", jsii.String("https://"+*pool.UserPoolProviderUrl()), "Issuer the API's JWT authorizer trusts")
	return u
}

// addSignInDomain gives the pool a Cognito prefix domain for the hosted sign-in pages
// and the OAuth endpoints (authorize, token) both kinds of clients need.
func (b *builder) addSignInDomain(pool awscognito.UserPool) awscognito.UserPoolDomain {
	prefix := jsii.String(b.props.AuthDomainPrefix)
	if b.props.AuthDomainPrefix == "" {
		// Prefix domains are unique per region across all accounts: the account id
		// keeps two stacks, and two companies' stacks, apart.
		prefix = awscdk.Fn_Join(jsii.String("-"), jsii.Strings("rapport", b.stage.name, *awscdk.Aws_ACCOUNT_ID()))
	}
	return pool.AddDomain(jsii.String("SignInDomain"), &awscognito.UserPoolDomainOptions{
		CognitoDomain: &awscognito.CognitoDomainOptions{DomainPrefix: prefix},
		// Managed login (version 2), not the classic hosted UI: managed login pages are
		// localized (the console can ask for lang=zh-CN) and get Cognito's newer sign-in
		// features (passkeys, for one); the classic UI is their English-only first
		// generation. The pool's ESSENTIALS plan includes managed login. It shows its
		// pages only to app clients with a branding style, so addConsoleClient makes one.
		ManagedLoginVersion: awscognito.ManagedLoginVersion_NEWER_MANAGED_LOGIN,
	})
}

// addConsoleClient is the staff console's client: a browser app, so public (no secret),
// and the authorization-code grant only. The console sends a PKCE challenge (S256) with
// every authorization request; Cognito then requires the matching verifier at the token
// endpoint, which is what protects a public client's code in transit.
func (b *builder) addConsoleClient(pool awscognito.UserPool, domain awscognito.UserPoolDomain) awscognito.UserPoolClient {
	client := pool.AddClient(jsii.String("StaffClient"), &awscognito.UserPoolClientOptions{
		UserPoolClientName: jsii.String("rapport-console"),
		GenerateSecret:     jsii.Bool(false),
		OAuth: &awscognito.OAuthSettings{
			Flows: &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
			// No aws.cognito.signin.user.admin: a console token cannot call Cognito's
			// self-service API (UpdateUserAttributes and the like) at all.
			Scopes: &[]awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL(), awscognito.OAuthScope_PROFILE()},
			// Those given, and the console's own addresses (console.go).
			CallbackUrls: awscdk.Lazy_List(&consoleReturnURLs{b: b, given: b.props.ConsoleCallbackURLs, path: "/callback"}, nil),
			LogoutUrls:   awscdk.Lazy_List(&consoleReturnURLs{b: b, given: b.props.ConsoleLogoutURLs, path: "/"}, nil),
		},
		SupportedIdentityProviders: &[]awscognito.UserPoolClientIdentityProvider{awscognito.UserPoolClientIdentityProvider_COGNITO()},
		PreventUserExistenceErrors: jsii.Bool(true),
		EnableTokenRevocation:      jsii.Bool(true),
		IdTokenValidity:            awscdk.Duration_Hours(jsii.Number(staffTokenHours)),
		AccessTokenValidity:        awscdk.Duration_Hours(jsii.Number(staffTokenHours)),
		RefreshTokenValidity:       awscdk.Duration_Hours(jsii.Number(staffRefreshHours)),
		ReadAttributes:             staffReadAttributes(),
		WriteAttributes:            staffWriteAttributes(),
	})
	// Staff sign in on the hosted pages only: nothing calls InitiateAuth with SRP now.
	onlyRefreshTokenAuth(client)

	branding := awscognito.NewCfnManagedLoginBranding(pool, jsii.String("StaffClientBranding"), &awscognito.CfnManagedLoginBrandingProps{
		UserPoolId:               pool.UserPoolId(),
		ClientId:                 client.UserPoolClientId(),
		UseCognitoProvidedValues: jsii.Bool(true),
	})
	branding.Node().AddDependency(domain)
	return client
}

// addMachineClient creates the resource server machines get their scopes from, and one
// confidential client-credentials client for a head-office integration that acts on
// every location. Per-location clients (a point-of-sale) are made with the CLI from the
// rapport/location:<id> scopes and listed in MachineClientIDs (README, "Staff sign-in
// and machine clients in AWS").
func (b *builder) addMachineClient(pool awscognito.UserPool) awscognito.UserPoolClient {
	scopes := []awscognito.ResourceServerScope{
		scope(systemScope, "Act as a machine client with the system role"),
		scope(allLocationsScope, "Act on every location"),
	}
	for _, id := range b.props.MachineLocations {
		scopes = append(scopes, scope(locationScopePrefix+id, "Act on location "+id))
	}
	server := pool.AddResourceServer(jsii.String("ApiResourceServer"), &awscognito.UserPoolResourceServerOptions{
		Identifier:                 jsii.String(resourceServerID),
		UserPoolResourceServerName: jsii.String("Rapport API"),
		Scopes:                     &scopes,
	})

	client := pool.AddClient(jsii.String("MachineClient"), &awscognito.UserPoolClientOptions{
		UserPoolClientName: jsii.String("rapport-head-office"),
		GenerateSecret:     jsii.Bool(true),
		OAuth: &awscognito.OAuthSettings{
			Flows: &awscognito.OAuthFlows{ClientCredentials: jsii.Bool(true)},
			// Spelled out rather than referenced, so the template reads as the API does;
			// the dependency below orders the creation instead.
			Scopes: &[]awscognito.OAuthScope{
				awscognito.OAuthScope_Custom(jsii.String(resourceServerID + "/" + systemScope)),
				awscognito.OAuthScope_Custom(jsii.String(resourceServerID + "/" + allLocationsScope)),
			},
		},
		SupportedIdentityProviders: &[]awscognito.UserPoolClientIdentityProvider{awscognito.UserPoolClientIdentityProvider_COGNITO()},
		PreventUserExistenceErrors: jsii.Bool(true),
		EnableTokenRevocation:      jsii.Bool(true),
		// Client credentials yield an access token only, never a refresh token.
		AccessTokenValidity: awscdk.Duration_Hours(jsii.Number(1)),
		// No user signs in through this client, yet Cognito lets a client without
		// explicit attribute lists read and write every standard attribute: list them.
		ReadAttributes:  staffReadAttributes(),
		WriteAttributes: staffWriteAttributes(),
	})
	client.Node().AddDependency(server)
	onlyRefreshTokenAuth(client)
	return client
}

func scope(name, description string) awscognito.ResourceServerScope {
	return awscognito.NewResourceServerScope(&awscognito.ResourceServerScopeProps{
		ScopeName:        jsii.String(name),
		ScopeDescription: jsii.String(description),
	})
}

// staffReadAttributes is what an app client may read of a user, and so what its ID
// tokens carry: the locations claim the API needs, and who the person is.
func staffReadAttributes() awscognito.ClientAttributes {
	return awscognito.NewClientAttributes().
		WithStandardAttributes(&awscognito.StandardAttributesMask{
			Email:         jsii.Bool(true),
			EmailVerified: jsii.Bool(true),
			Fullname:      jsii.Bool(true),
		}).
		WithCustomAttributes(jsii.String(LocationsAttribute))
}

// staffWriteAttributes is what a user may change about themselves: their name. Never
// custom:locations (only AdminUpdateUserAttributes sets it), and not the email, which
// is how they sign in. Every app client lists these explicitly: without a list,
// Cognito lets a client write every standard attribute.
func staffWriteAttributes() awscognito.ClientAttributes {
	return awscognito.NewClientAttributes().
		WithStandardAttributes(&awscognito.StandardAttributesMask{Fullname: jsii.Bool(true)})
}

// onlyRefreshTokenAuth leaves the client no direct sign-in API (SRP, password, custom):
// without an explicit list Cognito would allow SRP and custom auth.
func onlyRefreshTokenAuth(client awscognito.UserPoolClient) {
	client.Node().DefaultChild().(awscognito.CfnUserPoolClient).
		SetExplicitAuthFlows(jsii.Strings("ALLOW_REFRESH_TOKEN_AUTH"))
}

// withIdentityDefaults lets a dev stack's console client accept the local console.
// Logout URLs default to the callback URLs: the console's own address.
func (p StackProps) withIdentityDefaults() StackProps {
	if !p.usesCognito() {
		return p
	}
	if p.Stage == "dev" && len(p.ConsoleCallbackURLs) == 0 {
		p.ConsoleCallbackURLs = devConsoleCallbackURLs
		if len(p.ConsoleLogoutURLs) == 0 {
			p.ConsoleLogoutURLs = devConsoleURLs
		}
	}
	if len(p.ConsoleLogoutURLs) == 0 {
		p.ConsoleLogoutURLs = p.ConsoleCallbackURLs
	}
	return p
}

// validateIdentity checks the settings of the stack's own user pool; with an external
// issuer the stack makes none and they do not apply.
func (p StackProps) validateIdentity() []error {
	if !p.usesCognito() {
		return nil
	}
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	for _, list := range []struct {
		key  string
		urls []string
	}{{"consoleCallbackUrls", p.ConsoleCallbackURLs}, {"consoleLogoutUrls", p.ConsoleLogoutURLs}} {
		for _, u := range list.urls {
			if problem := consoleURLProblem(p.Stage, u); problem != "" {
				add("%s %q: %s", list.key, u, problem)
			}
		}
	}
	if pre := p.AuthDomainPrefix; pre != "" {
		if !domainPrefixPattern.MatchString(pre) {
			add("authDomainPrefix %q: want 1 to 63 lowercase letters, digits and inner hyphens", pre)
		}
		for _, reserved := range []string{"aws", "amazon", "cognito"} {
			if strings.Contains(pre, reserved) {
				add("authDomainPrefix %q: Cognito refuses a prefix containing %q", pre, reserved)
			}
		}
	}
	seen := map[string]bool{}
	for _, id := range p.MachineLocations {
		if !rid.Valid(id) {
			add("machineLocations %q: want a location id (1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit)", id)
		}
		if seen[id] {
			add("machineLocations %q: listed twice", id)
		}
		seen[id] = true
	}
	clients := map[string]bool{}
	for _, id := range p.MachineClientIDs {
		if !clientIDPattern.MatchString(id) {
			add("machineClientIds %q: not an app client id", id)
		}
		if clients[id] {
			add("machineClientIds %q: listed twice", id)
		}
		clients[id] = true
	}
	if len(p.MachineLocations) > maxLocationScopes {
		add("machineLocations: %d ids, but a resource server holds at most %d location scopes",
			len(p.MachineLocations), maxLocationScopes)
	}
	return errs
}

// consoleURLProblem tells what Cognito, or the stage, would refuse in a console URL.
func consoleURLProblem(stage, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return "want an absolute URL"
	}
	if strings.Contains(raw, "#") {
		return "a redirect URL cannot have a fragment"
	}
	local := isLocalHost(u.Hostname())
	switch {
	case local && stage == "prod":
		return "localhost is the local console's address, allowed in dev only"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && local:
		return ""
	default:
		return "want https:// (plain http is for localhost in dev only)"
	}
}

func isLocalHost(host string) bool {
	h := strings.ToLower(host)
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}
