package stack

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// The emulators see nothing of Cognito: every identity setting the API's authorization
// relies on is held here.

const locationsClaim = "custom:" + LocationsAttribute

func TestSignInDomain(t *testing.T) {
	tests := []struct {
		name       string
		props      StackProps
		wantPrefix any
	}{
		// GIVEN no prefix: it is derived from the stage and the deploying account
		// (CDK folds the literal parts of the join into one)
		{"default", devProps(), map[string]any{"Fn::Join": []any{"-", []any{"rapport-dev", ref("AWS::AccountId")}}}},
		// GIVEN authDomainPrefix in context
		{"from context", identityProps(), "hotel-staff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := synthCached(t, "identity-"+tt.name, tt.props)
			poolID := s.logicalID(t, "StaffPool")

			// THEN the pool has one prefix domain with managed login (version 2)
			domains := s.ofType("AWS::Cognito::UserPoolDomain")
			if len(domains) != 1 {
				t.Fatalf("%d user pool domains, want 1", len(domains))
			}
			for id, d := range domains {
				p := d.Properties
				if !sameJSON(p["Domain"], tt.wantPrefix) || !sameJSON(p["UserPoolId"], ref(poolID)) || num(p["ManagedLoginVersion"]) != 2 {
					t.Errorf("domain %s = %s, want prefix %s of %s with ManagedLoginVersion 2", id, jsonString(p), jsonString(tt.wantPrefix), poolID)
				}
				if p["CustomDomainConfig"] != nil {
					t.Errorf("domain %s has a custom domain", id)
				}
			}

			// AND managed login has a style for the console client, without which it shows no page
			consoleID := s.logicalID(t, "StaffPool", "StaffClient")
			brandings := s.ofType("AWS::Cognito::ManagedLoginBranding")
			if len(brandings) != 1 {
				t.Fatalf("%d managed login brandings, want 1 (the console client's)", len(brandings))
			}
			for _, b := range brandings {
				if !sameJSON(b.Properties["ClientId"], ref(consoleID)) || b.Properties["UseCognitoProvidedValues"] != true {
					t.Errorf("branding %s, want Cognito's style for %s", jsonString(b.Properties), consoleID)
				}
			}

			// AND the sign-in URL is an output
			mustNotPanic(t, func() {
				s.template.HasOutput(jsii.String("SignInUrl"), map[string]any{})
			})
		})
	}
}

func TestConsoleClient(t *testing.T) {
	tests := []struct {
		name        string
		props       StackProps
		wantCalls   []string
		wantLogouts []string
	}{
		// GIVEN a dev stack without console URLs: the local console's
		{"dev defaults", devProps(), devConsoleCallbackURLs, devConsoleURLs},
		// GIVEN console URLs in context
		{"from context", identityProps(),
			[]string{"https://console.hotel.example/", "https://console.hotel.example/callback"},
			[]string{"https://console.hotel.example/signed-out"}},
		// GIVEN prod with the console's callback URL only: it is also the logout URL
		{"prod", prodProps(), []string{"https://console.hotel.example/"}, []string{"https://console.hotel.example/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := synthCached(t, "identity-"+tt.name, tt.props)

			// WHEN the console's client is read
			c := s.resource(t, s.logicalID(t, "StaffPool", "StaffClient"), "AWS::Cognito::UserPoolClient").Properties

			// THEN it is a public client of the authorization-code grant and nothing else
			checks := map[string][2]any{
				"AllowedOAuthFlows":               {c["AllowedOAuthFlows"], []any{"code"}},
				"AllowedOAuthFlowsUserPoolClient": {c["AllowedOAuthFlowsUserPoolClient"], true},
				"SupportedIdentityProviders":      {c["SupportedIdentityProviders"], []any{"COGNITO"}},
				"ExplicitAuthFlows":               {c["ExplicitAuthFlows"], []any{"ALLOW_REFRESH_TOKEN_AUTH"}},
				"PreventUserExistenceErrors":      {c["PreventUserExistenceErrors"], "ENABLED"},
				"EnableTokenRevocation":           {c["EnableTokenRevocation"], true},
				// AND it returns only to the console's addresses: those given, and the
				// console's own distribution (console_test.go)
				"CallbackURLs": {c["CallbackURLs"], append(anySlice(tt.wantCalls), distributionURL(t, s, "/callback"))},
				"LogoutURLs":   {c["LogoutURLs"], append(anySlice(tt.wantLogouts), distributionURL(t, s, "/"))},
				// AND its tokens live an hour, its refresh token a shift
				"IdTokenValidity":      {c["IdTokenValidity"], 60.0},
				"AccessTokenValidity":  {c["AccessTokenValidity"], 60.0},
				"RefreshTokenValidity": {c["RefreshTokenValidity"], 720.0},
				"TokenValidityUnits": {c["TokenValidityUnits"],
					map[string]any{"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"}},
			}
			for name, ch := range checks {
				if !sameJSON(ch[0], ch[1]) {
					t.Errorf("%s = %s, want %s", name, jsonString(ch[0]), jsonString(ch[1]))
				}
			}
			if secret, _ := c["GenerateSecret"].(bool); secret {
				t.Error("the console client has a secret; a browser cannot keep one")
			}

			// AND its scopes are OpenID's, never the API's machine scopes or Cognito's self-service one
			if got := sortedStrings(c["AllowedOAuthScopes"]); !slices.Equal(got, []string{"email", "openid", "profile"}) {
				t.Errorf("AllowedOAuthScopes = %v, want email, openid, profile", got)
			}

			// AND its ID tokens carry the locations claim
			if read := sortedStrings(c["ReadAttributes"]); !slices.Contains(read, locationsClaim) || !slices.Contains(read, "email") {
				t.Errorf("ReadAttributes = %v, want %s and email among them", read, locationsClaim)
			}
		})
	}
}

func TestMachineClients(t *testing.T) {
	// GIVEN a stack with machine locations in context
	s := synthCached(t, "identity-from context", identityProps())
	poolID := s.logicalID(t, "StaffPool")

	// THEN the API is a resource server "rapport" with the system scope, all
	// locations, and one scope per listed location
	servers := s.ofType("AWS::Cognito::UserPoolResourceServer")
	if len(servers) != 1 {
		t.Fatalf("%d resource servers, want 1", len(servers))
	}
	var serverID string
	for id, rs := range servers {
		serverID = id
		if rs.Properties["Identifier"] != "rapport" || !sameJSON(rs.Properties["UserPoolId"], ref(poolID)) {
			t.Errorf("resource server %s, want identifier rapport on %s", jsonString(rs.Properties), poolID)
		}
		var scopes []string
		for _, sc := range rs.Properties["Scopes"].([]any) {
			m := sc.(map[string]any)
			if m["ScopeDescription"] == "" {
				t.Errorf("scope %v has no description", m["ScopeName"])
			}
			scopes = append(scopes, m["ScopeName"].(string))
		}
		sort.Strings(scopes)
		if want := []string{"location:*", "location:HB01", "location:SH02", "system"}; !slices.Equal(scopes, want) {
			t.Errorf("scopes %v, want %v", scopes, want)
		}
	}

	// AND the head office's client is confidential, client credentials only, with the
	// system and all-locations scopes
	id := s.logicalID(t, "StaffPool", "MachineClient")
	c := s.resource(t, id, "AWS::Cognito::UserPoolClient").Properties
	checks := map[string][2]any{
		"GenerateSecret":                  {c["GenerateSecret"], true},
		"AllowedOAuthFlows":               {c["AllowedOAuthFlows"], []any{"client_credentials"}},
		"AllowedOAuthFlowsUserPoolClient": {c["AllowedOAuthFlowsUserPoolClient"], true},
		"ExplicitAuthFlows":               {c["ExplicitAuthFlows"], []any{"ALLOW_REFRESH_TOKEN_AUTH"}},
		"AccessTokenValidity":             {c["AccessTokenValidity"], 60.0},
		"CallbackURLs":                    {c["CallbackURLs"], nil},
	}
	for name, ch := range checks {
		if !sameJSON(ch[0], ch[1]) {
			t.Errorf("%s = %s, want %s", name, jsonString(ch[0]), jsonString(ch[1]))
		}
	}
	if got := sortedStrings(c["AllowedOAuthScopes"]); !slices.Equal(got, []string{"rapport/location:*", "rapport/system"}) {
		t.Errorf("AllowedOAuthScopes = %v, want rapport/location:* and rapport/system", got)
	}
	// AND the client is created after the scopes it names exist
	if r := rawResource(s, id); !strings.Contains(jsonString(r["DependsOn"]), serverID) {
		t.Errorf("machine client DependsOn = %s, want %s", jsonString(r["DependsOn"]), serverID)
	}

	// AND its id is an output, its secret is not
	mustNotPanic(t, func() {
		s.template.HasOutput(jsii.String("MachineClientId"), map[string]any{"Value": ref(id)})
	})
	outputs := jsonString((*s.template.ToJSON())["Outputs"])
	if strings.Contains(outputs, "ClientSecret") || strings.Contains(outputs, "DescribeUserPoolClient") {
		t.Errorf("an output carries the client secret: %s", outputs)
	}
}

// TestScopesMatchAuth holds the stack's scope names to the ones the API reads.
func TestScopesMatchAuth(t *testing.T) {
	if got := resourceServerID + "/" + systemScope; got != auth.SystemScope {
		t.Errorf("system scope %q, the API reads %q", got, auth.SystemScope)
	}
	if got := resourceServerID + "/" + locationScopePrefix; got != auth.LocationScopePrefix {
		t.Errorf("location scope prefix %q, the API reads %q", got, auth.LocationScopePrefix)
	}
	if allLocationsScope != locationScopePrefix+auth.AllLocations {
		t.Errorf("all-locations scope %q, the API reads %q", allLocationsScope, locationScopePrefix+auth.AllLocations)
	}
}

func TestStaffGroups(t *testing.T) {
	// GIVEN the stack's own user pool
	s := synthCached(t, "dev", devProps())

	// THEN there is one group per staff role, and none for machines
	var groups []string
	for _, g := range s.ofType("AWS::Cognito::UserPoolGroup") {
		groups = append(groups, g.Properties["GroupName"].(string))
	}
	sort.Strings(groups)
	want := slices.Clone(wiring.Staff)
	sort.Strings(want)
	if !slices.Equal(groups, want) {
		t.Errorf("groups %v, want %v", groups, want)
	}
	if slices.Contains(groups, wiring.RoleSystem) {
		t.Errorf("a %q group: machines do not sign in as users", wiring.RoleSystem)
	}
}

func TestNoClientWritesLocations(t *testing.T) {
	// GIVEN every stack shape that has a user pool
	for _, c := range []struct {
		name  string
		props StackProps
	}{{"dev", devProps()}, {"prod", prodProps()}, {"identity-from context", identityProps()}} {
		t.Run(c.name, func(t *testing.T) {
			s := synthCached(t, c.name, c.props)

			// THEN every app client lists what it may read and write, and none may write
			// the locations attribute: only AdminUpdateUserAttributes sets it
			if n := len(s.ofType("AWS::Cognito::UserPoolClient")); n != 2 {
				t.Errorf("%d app clients, want 2 (console, machine)", n)
			}
			for _, p := range clientAttributeProblems(s) {
				t.Error(p)
			}
		})
	}
}

// TestNoClientWritesLocationsCatchesCareless proves the check covers clients added later.
func TestNoClientWritesLocationsCatchesCareless(t *testing.T) {
	// GIVEN a stack with a careless client added: no attribute lists, and one that
	// lets users write their own locations
	s := synth(t, devProps(), func(stack awscdk.Stack) {
		pool := stack.Node().FindChild(jsii.String("StaffPool")).(awscognito.UserPool)
		pool.AddClient(jsii.String("Careless"), &awscognito.UserPoolClientOptions{DisableOAuth: jsii.Bool(true)})
		pool.AddClient(jsii.String("SelfService"), &awscognito.UserPoolClientOptions{
			DisableOAuth:    jsii.Bool(true),
			ReadAttributes:  staffReadAttributes(),
			WriteAttributes: staffWriteAttributes().WithCustomAttributes(jsii.String(LocationsAttribute)),
		})
	})

	// THEN both are reported
	problems := strings.Join(clientAttributeProblems(s), "\n")
	for _, id := range []string{"Careless", "SelfService"} {
		if !strings.Contains(problems, id) {
			t.Errorf("no problem reported for client %s; problems:\n%s", id, problems)
		}
	}
}

// clientAttributeProblems lists the app clients that leave attribute access to Cognito's
// defaults (every standard attribute) or let their users write custom:locations.
func clientAttributeProblems(s *synthesized) []string {
	var out []string
	for id, c := range s.ofType("AWS::Cognito::UserPoolClient") {
		read, write := sortedStrings(c.Properties["ReadAttributes"]), sortedStrings(c.Properties["WriteAttributes"])
		if len(read) == 0 {
			out = append(out, id+": no explicit ReadAttributes")
		}
		if len(write) == 0 {
			out = append(out, id+": no explicit WriteAttributes")
		}
		for _, a := range write {
			if strings.HasPrefix(a, "custom:") {
				out = append(out, id+": users may write "+a)
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestAuthorizerAudienceBothClients(t *testing.T) {
	// GIVEN the stack's own user pool with JWT routes
	s := synthCached(t, "identity-from context", identityProps())

	// THEN the JWT authorizer accepts tokens of the console client (aud), of the
	// machine client (client_id) and of the machine clients named in context, no other
	want := []any{ref(s.logicalID(t, "StaffPool", "StaffClient")), ref(s.logicalID(t, "StaffPool", "MachineClient")),
		"4pos0hb01example0client0id"}
	authorizers := s.ofType("AWS::ApiGatewayV2::Authorizer")
	if len(authorizers) != 1 {
		t.Fatalf("%d authorizers, want 1", len(authorizers))
	}
	for _, a := range authorizers {
		got := a.Properties["JwtConfiguration"].(map[string]any)["Audience"]
		if !sameJSON(got, want) {
			t.Errorf("audience %s, want %s", jsonString(got), jsonString(want))
		}
	}

	// AND the outputs name what a deployer needs, issuer included
	for _, out := range []string{"UserPoolId", "ConsoleClientId", "MachineClientId", "SignInUrl", "JwtIssuer"} {
		mustNotPanic(t, func() { s.template.HasOutput(jsii.String(out), map[string]any{}) })
	}
}

func TestIdentitySettingsRejected(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *StackProps)
		want   string
	}{
		{"localhost callback in prod", func(p *StackProps) {
			p.Stage, p.ConsoleCallbackURLs = "prod", []string{"https://console.hotel.example/", "http://localhost:8080/"}
		}, `consoleCallbackUrls "http://localhost:8080/": localhost`},
		{"loopback callback in prod", func(p *StackProps) {
			p.Stage, p.ConsoleCallbackURLs = "prod", []string{"https://127.0.0.1:8443/"}
		}, `consoleCallbackUrls "https://127.0.0.1:8443/": localhost`},
		{"localhost logout in prod", func(p *StackProps) {
			p.Stage, p.ConsoleLogoutURLs = "prod", []string{"http://localhost:8080/"}
		}, `consoleLogoutUrls "http://localhost:8080/": localhost`},
		{"plain http elsewhere", func(p *StackProps) {
			p.ConsoleCallbackURLs = []string{"http://console.hotel.example/"}
		}, "want https://"},
		{"relative URL", func(p *StackProps) { p.ConsoleCallbackURLs = []string{"/callback"} }, "absolute URL"},
		{"fragment", func(p *StackProps) {
			p.ConsoleCallbackURLs = []string{"https://console.hotel.example/#/signed-in"}
		}, "fragment"},
		{"bad location id", func(p *StackProps) { p.MachineLocations = []string{"HB01", "no/slash"} }, `machineLocations "no/slash"`},
		{"all locations as an id", func(p *StackProps) { p.MachineLocations = []string{"*"} }, `machineLocations "*"`},
		{"location twice", func(p *StackProps) { p.MachineLocations = []string{"HB01", "HB01"} }, "listed twice"},
		{"too many locations", func(p *StackProps) {
			p.MachineLocations = nil
			for i := range maxLocationScopes + 1 {
				p.MachineLocations = append(p.MachineLocations, fmt.Sprintf("L%03d", i))
			}
		}, "at most 98"},
		{"bad client id", func(p *StackProps) { p.MachineClientIDs = []string{"pos HB01"} }, `machineClientIds "pos HB01"`},
		{"uppercase prefix", func(p *StackProps) { p.AuthDomainPrefix = "Hotel" }, "authDomainPrefix"},
		{"reserved prefix", func(p *StackProps) { p.AuthDomainPrefix = "hotel-cognito" }, `containing "cognito"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN valid identity settings with one thing wrong
			p := identityProps()
			tt.change(&p)

			// WHEN validated as NewStack and the CDK app do
			err := p.withDefaults().Validate()

			// THEN it is refused, naming the setting
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}

	// AND the settings it starts from, the dev defaults and an external issuer are accepted
	ext := identityProps()
	ext.Stage, ext.ConsoleCallbackURLs = "prod", nil
	ext.JWTIssuer, ext.JWTAudience = "https://login.example.com/", []string{"rapport-api"}
	ext.AlarmEmail, ext.Settings = prodProps().AlarmEmail, prodProps().Settings
	for name, p := range map[string]StackProps{"identity": identityProps(), "dev": devProps(), "prod": prodProps(), "external issuer in prod": ext} {
		if err := p.withDefaults().Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestProdRefusesLocalhostAtSynth(t *testing.T) {
	// GIVEN prod with the local console's address
	p := prodProps()
	p.ConsoleCallbackURLs = append(p.ConsoleCallbackURLs, "http://localhost:8080/")

	// WHEN the stack is built
	var panicked any
	func() {
		defer func() { panicked = recover() }()
		NewStack(awscdk.NewApp(nil), "Rapport-prod-test", &p)
	}()

	// THEN it refuses before anything is synthesized
	if panicked == nil || !strings.Contains(fmt.Sprint(panicked), "localhost") {
		t.Errorf("NewStack did not refuse a localhost callback in prod (recovered %v)", panicked)
	}
}

func anySlice(items []string) []any {
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = s
	}
	return out
}

func sortedStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// rawResource is a resource as the template has it, with DependsOn.
func rawResource(s *synthesized, id string) map[string]any {
	resources, _ := (*s.template.ToJSON())["Resources"].(map[string]any)
	r, _ := resources[id].(map[string]any)
	return r
}
