package stack

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// CloudFront's managed policies, by their fixed ids.
const (
	cachingOptimized          = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	cachingDisabled           = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	allViewerExceptHostHeader = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

// consoleDomainProps serves the console at its own domain behind a web ACL.
func consoleDomainProps() StackProps {
	p := prodProps()
	p.ConsoleDomain = "console.hotel.example"
	p.ConsoleCertificateArn = "arn:aws:acm:us-east-1:111122223333:certificate/0f0e0d0c-1111-2222-3333-444455556666"
	p.ConsoleWebACLArn = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/rapport-console/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
	return p
}

// distributionConfig is the console distribution's DistributionConfig.
func distributionConfig(t *testing.T, s *synthesized) map[string]any {
	t.Helper()
	d := s.resource(t, s.logicalID(t, "ConsoleDistribution"), "AWS::CloudFront::Distribution")
	cfg, _ := d.Properties["DistributionConfig"].(map[string]any)
	return cfg
}

// distributionURL is how the template spells https://<distribution domain><path>.
func distributionURL(t *testing.T, s *synthesized, path string) any {
	return map[string]any{"Fn::Join": []any{"", []any{"https://", getAtt(s.logicalID(t, "ConsoleDistribution"), "DomainName"), path}}}
}

func TestConsoleDistribution(t *testing.T) {
	for _, stage := range Stages {
		t.Run(stage, func(t *testing.T) {
			// GIVEN a stack of the stage
			s := synthCached(t, stage, stageProps(stage))

			// WHEN the console's distribution is read
			if n := len(s.ofType("AWS::CloudFront::Distribution")); n != 1 {
				t.Fatalf("%d distributions, want 1", n)
			}
			cfg := distributionConfig(t, s)
			origins := map[string]map[string]any{}
			for _, o := range cfg["Origins"].([]any) {
				origin := o.(map[string]any)
				origins[origin["Id"].(string)] = origin
			}

			// THEN the default behaviour serves the bucket through origin access control
			def := cfg["DefaultCacheBehavior"].(map[string]any)
			s3 := origins[def["TargetOriginId"].(string)]
			oac := s.logicalID(t, "ConsoleDistribution", "Origin1", "S3OriginAccessControl")
			checks := map[string][2]any{
				"default origin":            {s3["DomainName"], getAtt(s.logicalID(t, "ConsoleBucket"), "RegionalDomainName")},
				"default origin OAC":        {s3["OriginAccessControlId"], getAtt(oac, "Id")},
				"default cache policy":      {def["CachePolicyId"], cachingOptimized},
				"default viewer protocol":   {def["ViewerProtocolPolicy"], "redirect-to-https"},
				"default methods":           {def["AllowedMethods"], []any{"GET", "HEAD"}},
				"default headers policy":    {def["ResponseHeadersPolicyId"], ref(s.logicalID(t, "ConsoleHeaders"))},
				"default SPA fallback":      {def["FunctionAssociations"], []any{map[string]any{"EventType": "viewer-request", "FunctionARN": getAtt(s.logicalID(t, "ConsoleSpaFallback"), "FunctionARN")}}},
				"no error responses":        {cfg["CustomErrorResponses"], nil},
				"no origin access identity": {s3["S3OriginConfig"], map[string]any{"OriginAccessIdentity": ""}},
			}
			s.template.HasResourceProperties(jsii.String("AWS::CloudFront::OriginAccessControl"), map[string]any{
				"OriginAccessControlConfig": map[string]any{"OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"},
			})

			// AND /v1/* goes to the HTTP API's own host, uncached, with every method and
			// every viewer header but Host (Authorization with it)
			behaviors, _ := cfg["CacheBehaviors"].([]any)
			if len(behaviors) != 1 {
				t.Fatalf("%d cache behaviours, want /v1/* only", len(behaviors))
			}
			api := behaviors[0].(map[string]any)
			apiOrigin := origins[api["TargetOriginId"].(string)]
			apiHost := map[string]any{"Fn::Join": []any{".", []any{ref(s.logicalID(t, "Api")), "execute-api",
				map[string]any{"Ref": "AWS::Region"}, map[string]any{"Ref": "AWS::URLSuffix"}}}}
			for name, ch := range map[string][2]any{
				"api path":              {api["PathPattern"], "/v1/*"},
				"api origin":            {apiOrigin["DomainName"], apiHost},
				"api origin protocol":   {apiOrigin["CustomOriginConfig"], map[string]any{"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": []any{"TLSv1.2"}}},
				"api cache policy":      {api["CachePolicyId"], cachingDisabled},
				"api request policy":    {api["OriginRequestPolicyId"], allViewerExceptHostHeader},
				"api viewer protocol":   {api["ViewerProtocolPolicy"], "https-only"},
				"api headers untouched": {api["ResponseHeadersPolicyId"], nil},
			} {
				checks[name] = ch
			}
			if got := sortedStrings(api["AllowedMethods"]); !slices.Equal(got, []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}) {
				t.Errorf("/v1/* allows %v, want every method", got)
			}
			for name, ch := range checks {
				if !sameJSON(ch[0], ch[1]) {
					t.Errorf("%s = %s, want %s", name, jsonString(ch[0]), jsonString(ch[1]))
				}
			}

			// AND the console's address is an output
			out := (*s.template.ToJSON())["Outputs"].(map[string]any)["ConsoleUrl"].(map[string]any)
			if !sameJSON(out["Value"], distributionURL(t, s, "/")) {
				t.Errorf("ConsoleUrl = %s", jsonString(out["Value"]))
			}
		})
	}
}

func TestConsoleSecurityHeaders(t *testing.T) {
	// GIVEN a stack with the stack's own user pool
	s := synthCached(t, "dev", devProps())

	// WHEN the console's response headers policy is read
	cfg := s.resource(t, s.logicalID(t, "ConsoleHeaders"), "AWS::CloudFront::ResponseHeadersPolicy").
		Properties["ResponseHeadersPolicyConfig"].(map[string]any)["SecurityHeadersConfig"].(map[string]any)
	csp := jsonString(cfg["ContentSecurityPolicy"])

	// THEN the CSP allows the console's own origin and Cognito's endpoints, and nothing else
	for _, want := range []string{
		"default-src 'self'", "script-src 'self';", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
		"frame-ancestors 'none'", "object-src 'none'",
		// connect-src: the issuer's host (discovery, keys) and the managed login domain (tokens)
		`connect-src 'self' https://",{"Fn::Select":[0,{"Fn::Split":["/",{"Fn::GetAtt":["` + s.logicalID(t, "StaffPool") + `","ProviderURL"]}`,
		`" https://",{"Ref":"` + s.logicalID(t, "StaffPool", "SignInDomain") + `"},".auth.`,
		`"Override":true`,
	} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %s: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("CSP lets scripts run inline or eval: %s", csp)
	}
	// AND the other security headers are set, overriding the origin's
	for name, ch := range map[string][2]any{
		"HSTS":          {cfg["StrictTransportSecurity"], map[string]any{"AccessControlMaxAgeSec": 63072000.0, "IncludeSubdomains": true, "Override": true}},
		"nosniff":       {cfg["ContentTypeOptions"], map[string]any{"Override": true}},
		"frame options": {cfg["FrameOptions"], map[string]any{"FrameOption": "DENY", "Override": true}},
		"referrer":      {cfg["ReferrerPolicy"], map[string]any{"Override": true, "ReferrerPolicy": "same-origin"}},
	} {
		if !sameJSON(ch[0], ch[1]) {
			t.Errorf("%s = %s, want %s", name, jsonString(ch[0]), jsonString(ch[1]))
		}
	}
}

func TestConsoleExternalIssuer(t *testing.T) {
	// GIVEN an external OIDC issuer instead of the stack's user pool
	s := synthCached(t, "external-issuer", externalIssuerProps())

	// WHEN the CSP is read
	csp := jsonString(s.resource(t, s.logicalID(t, "ConsoleHeaders"), "AWS::CloudFront::ResponseHeadersPolicy").Properties)

	// THEN the console may call the issuer's origin
	if !strings.Contains(csp, "connect-src 'self' https://login.example.com;") {
		t.Errorf("CSP does not let the console reach the issuer: %s", csp)
	}

	// AND config.json names that issuer and, as the console's client, its first audience
	var dir string
	for id, r := range s.ofType("Custom::CDKBucketDeployment") {
		if strings.HasPrefix(id, "ConsolePages") {
			keys := r.Properties["SourceObjectKeys"].([]any)
			dir = filepath.Join(*awscdk.Stage_Of(s.stack).Outdir(), "asset."+strings.TrimSuffix(keys[1].(string), ".zip"))
		}
	}
	cfg, raw := consoleConfigJSON(t, s, dir)
	if cfg["issuer"] != "https://login.example.com/" || cfg["clientId"] != "rapport-api" || cfg["apiBase"] != "" {
		t.Errorf("config.json = %s, want the external issuer, its first audience and an empty apiBase", raw)
	}
}

func TestConsoleBucket(t *testing.T) {
	for _, stage := range Stages {
		t.Run(stage, func(t *testing.T) {
			// GIVEN a stack of the stage
			s := synthCached(t, stage, stageProps(stage))
			bucketID := s.logicalID(t, "ConsoleBucket")
			bucket := s.resource(t, bucketID, "AWS::S3::Bucket")

			// THEN the bucket blocks every kind of public access and is no website
			if !sameJSON(bucket.Properties["PublicAccessBlockConfiguration"], map[string]any{
				"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
			}) {
				t.Errorf("PublicAccessBlockConfiguration = %s", jsonString(bucket.Properties["PublicAccessBlockConfiguration"]))
			}
			if w, ok := bucket.Properties["WebsiteConfiguration"]; ok {
				t.Errorf("the bucket is a website: %s", jsonString(w))
			}
			if !strings.Contains(jsonString(bucket.Properties["BucketEncryption"]), `"SSEAlgorithm":"AES256"`) {
				t.Errorf("BucketEncryption = %s, want SSE-S3", jsonString(bucket.Properties["BucketEncryption"]))
			}
			// AND prod keeps it, as it keeps data
			wantPolicy := map[string]string{"prod": "Retain", "dev": "Delete"}[stage]
			if bucket.DeletionPolicy != wantPolicy {
				t.Errorf("DeletionPolicy = %q, want %q", bucket.DeletionPolicy, wantPolicy)
			}

			// AND its policy lets only CloudFront read, and only for the console's distribution
			var policy map[string]any
			for _, p := range s.ofType("AWS::S3::BucketPolicy") {
				if sameJSON(p.Properties["Bucket"], ref(bucketID)) {
					policy = p.Properties["PolicyDocument"].(map[string]any)
				}
			}
			if policy == nil {
				t.Fatal("the console bucket has no policy")
			}
			sourceArn := map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":cloudfront::",
				map[string]any{"Ref": "AWS::AccountId"}, ":distribution/", ref(s.logicalID(t, "ConsoleDistribution"))}}}
			var cloudFront, insecureDenied int
			for _, st := range policy["Statement"].([]any) {
				st := st.(map[string]any)
				principal := jsonString(st["Principal"])
				switch {
				case st["Effect"] == "Deny":
					if sameJSON(st["Condition"], map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}) {
						insecureDenied++
					}
				case principal == `{"Service":"cloudfront.amazonaws.com"}`:
					cloudFront++
					if st["Action"] != "s3:GetObject" || !sameJSON(st["Condition"], map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": sourceArn}}) {
						t.Errorf("CloudFront's statement = %s, want s3:GetObject for the console distribution only", jsonString(st))
					}
				case stage == "dev" && strings.Contains(principal, "CustomS3AutoDeleteObjectsCustomResourceProviderRole"):
					// A dev bucket empties itself when its stack is deleted.
				default:
					t.Errorf("the bucket policy allows %s: %s", principal, jsonString(st))
				}
			}
			if cloudFront != 1 || insecureDenied != 1 {
				t.Errorf("%d CloudFront statements and %d denials of plain HTTP, want 1 and 1", cloudFront, insecureDenied)
			}
		})
	}
}

func TestConsoleDeployment(t *testing.T) {
	// GIVEN a dev stack with its own user pool
	s := synthCached(t, "dev", devProps())
	var assetsID, pagesID string
	for id := range s.ofType("Custom::CDKBucketDeployment") {
		switch {
		case strings.HasPrefix(id, "ConsoleAssets"):
			assetsID = id
		case strings.HasPrefix(id, "ConsolePages"):
			pagesID = id
		}
	}
	assets := s.resource(t, assetsID, "Custom::CDKBucketDeployment").Properties
	pages := s.resource(t, pagesID, "Custom::CDKBucketDeployment").Properties
	outdir := *awscdk.Stage_Of(s.stack).Outdir()

	// THEN the hashed assets go to assets/ and are cached for good, nothing pruned
	for name, ch := range map[string][2]any{
		"assets prefix":        {assets["DestinationBucketKeyPrefix"], "assets/"},
		"assets cache control": {assets["SystemMetadata"], map[string]any{"cache-control": "public, max-age=31536000, immutable"}},
		"assets prune":         {assets["Prune"], false},
		"pages prefix":         {pages["DestinationBucketKeyPrefix"], nil},
		"pages cache control":  {pages["SystemMetadata"], map[string]any{"cache-control": "no-cache"}},
		"pages prune":          {pages["Prune"], false},
	} {
		if !sameJSON(ch[0], ch[1]) {
			t.Errorf("%s = %s, want %s", name, jsonString(ch[0]), jsonString(ch[1]))
		}
	}
	// AND index.html goes up after the assets it names
	if deps, _ := rawResource(s, pagesID)["DependsOn"].([]any); !slices.Contains(deps, any(assetsID)) {
		t.Errorf("the pages deployment does not wait for the assets: DependsOn %v", deps)
	}

	// AND the pages are the build without assets/, plus config.json
	keys := pages["SourceObjectKeys"].([]any)
	if len(keys) != 2 {
		t.Fatalf("pages sources = %v, want the build and config.json", keys)
	}
	staged := func(key any) string { return filepath.Join(outdir, "asset."+strings.TrimSuffix(key.(string), ".zip")) }
	build, config := staged(keys[0]), staged(keys[1])
	for _, name := range []string{"index.html", "favicon.svg"} {
		if _, err := os.Stat(filepath.Join(build, name)); err != nil {
			t.Errorf("the pages deployment lacks %s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(build, "assets")); err == nil {
		t.Error("the pages deployment carries assets/ too, with the pages' no-cache")
	}
	if _, err := os.Stat(filepath.Join(staged(assets["SourceObjectKeys"].([]any)[0]), "index-3f2a9c1b.js")); err != nil {
		t.Errorf("the assets deployment lacks the hashed file: %v", err)
	}

	// AND config.json names the issuer, the console's client and the same-origin API,
	// filled in by the deployment from the stack's resources
	cfg, raw := consoleConfigJSON(t, s, config)
	// The markers of the second source, config.json, and what each becomes
	markers := pages["SourceMarkers"].([]any)[1].(map[string]any)
	for key, want := range map[string]string{
		"issuer":   `"https://",{"Fn::GetAtt":["` + s.logicalID(t, "StaffPool") + `","ProviderURL"]}`,
		"clientId": `{"Ref":"` + s.logicalID(t, "StaffPool", "StaffClient") + `"}`,
	} {
		value, ok := markers[cfg[key]]
		if !ok {
			t.Errorf("config.json %s = %q, want a marker the deployment fills", key, cfg[key])
		} else if !strings.Contains(jsonString(value), want) {
			t.Errorf("config.json %s becomes %s, want %s in it", key, jsonString(value), want)
		}
	}
	if base, ok := cfg["apiBase"]; !ok || base != "" {
		t.Errorf("config.json apiBase = %q (present %v), want empty: the API is on the console's origin", base, ok)
	}
	if len(cfg) != 3 {
		t.Errorf("config.json = %s, want issuer, clientId and apiBase only (console/src/config.ts)", raw)
	}
}

// consoleConfigJSON reads config.json as the stack staged it in dir, each marker the
// deployment fills in left as a string.
func consoleConfigJSON(t *testing.T, s *synthesized, dir string) (map[string]string, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The deployment replaces each marker by a JSON value (quotes included).
	quoted := regexp.MustCompile(`<<marker:[^>]+>>`).ReplaceAllFunc(raw, func(m []byte) []byte { return []byte(`"` + string(m) + `"`) })
	var cfg map[string]string
	if err := json.Unmarshal(quoted, &cfg); err != nil {
		t.Fatalf("config.json: %v: %s", err, raw)
	}
	return cfg, raw
}

func TestConsoleCustomDomain(t *testing.T) {
	// GIVEN prod with a console domain, its certificate and a web ACL
	s := synthCached(t, "console-domain", consoleDomainProps())
	cfg := distributionConfig(t, s)

	// THEN the distribution answers to the domain with its certificate, TLS 1.2 at least, behind the ACL
	for name, ch := range map[string][2]any{
		"Aliases": {cfg["Aliases"], []any{"console.hotel.example"}},
		"ViewerCertificate": {cfg["ViewerCertificate"], map[string]any{
			"AcmCertificateArn":      consoleDomainProps().ConsoleCertificateArn,
			"MinimumProtocolVersion": "TLSv1.2_2021",
			"SslSupportMethod":       "sni-only",
		}},
		"WebACLId": {cfg["WebACLId"], consoleDomainProps().ConsoleWebACLArn},
	} {
		if !sameJSON(ch[0], ch[1]) {
			t.Errorf("%s = %s, want %s", name, jsonString(ch[0]), jsonString(ch[1]))
		}
	}
	// AND sign-in returns to both the domain and the distribution's own name
	c := s.resource(t, s.logicalID(t, "StaffPool", "StaffClient"), "AWS::Cognito::UserPoolClient").Properties
	calls := jsonString(c["CallbackURLs"])
	for _, want := range []string{`"https://console.hotel.example/callback"`, jsonString(distributionURL(t, s, "/callback"))} {
		if !strings.Contains(calls, want) {
			t.Errorf("CallbackURLs = %s, want %s among them", calls, want)
		}
	}
	if logouts := jsonString(c["LogoutURLs"]); !strings.Contains(logouts, `"https://console.hotel.example/"`) {
		t.Errorf("LogoutURLs = %s, want https://console.hotel.example/ among them", logouts)
	}
	// AND the outputs give the console's address and the CNAME target
	outputs := (*s.template.ToJSON())["Outputs"].(map[string]any)
	if v := outputs["ConsoleUrl"].(map[string]any)["Value"]; v != "https://console.hotel.example/" {
		t.Errorf("ConsoleUrl = %s", jsonString(v))
	}
	if _, ok := outputs["ConsoleDomainTarget"]; !ok {
		t.Error("no ConsoleDomainTarget output")
	}
	// AND cdk-nag has nothing to report, with no TLS or WAF finding left to suppress
	if findings := nagErrors(s.stack); len(findings) > 0 {
		t.Errorf("cdk-nag: %s", strings.Join(findings, "\n"))
	}
	meta := jsonString(rawResource(s, s.logicalID(t, "ConsoleDistribution"))["Metadata"])
	for _, rule := range []string{"AwsSolutions-CFR2", "AwsSolutions-CFR4"} {
		if strings.Contains(meta, rule) {
			t.Errorf("%s suppressed though the distribution has what it asks for", rule)
		}
	}
}

func TestConsoleClientReturnsToDistribution(t *testing.T) {
	bare := prodProps()
	bare.ConsoleCallbackURLs = nil
	for _, tt := range []struct {
		name  string
		props StackProps
	}{{"dev", devProps()}, {"prod", prodProps()}, {"prod without console URLs", bare}} {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN a stack of the stage (the first deploy of prod knows no console URL)
			name := tt.name // dev and prod: the stages' synthesis the other tests share
			if tt.props.Stage == "prod" && tt.props.ConsoleCallbackURLs == nil {
				name = "prod-without-console-urls"
			}
			s := synthCached(t, name, tt.props)

			// WHEN the console client's return addresses are read
			c := s.resource(t, s.logicalID(t, "StaffPool", "StaffClient"), "AWS::Cognito::UserPoolClient").Properties
			calls, logouts := c["CallbackURLs"].([]any), c["LogoutURLs"].([]any)

			// THEN sign-in returns to /callback and sign-out to / on the distribution
			if !slices.ContainsFunc(calls, func(u any) bool { return sameJSON(u, distributionURL(t, s, "/callback")) }) {
				t.Errorf("CallbackURLs = %s, want the distribution's /callback", jsonString(calls))
			}
			if !slices.ContainsFunc(logouts, func(u any) bool { return sameJSON(u, distributionURL(t, s, "/")) }) {
				t.Errorf("LogoutURLs = %s, want the distribution's /", jsonString(logouts))
			}
			// AND prod still has no local address among them
			if tt.props.Stage == "prod" && strings.Contains(jsonString(calls)+jsonString(logouts), "localhost") {
				t.Errorf("prod console client returns to localhost: %s %s", jsonString(calls), jsonString(logouts))
			}
			// AND without console URLs the distribution's are the only ones
			if tt.name == "prod without console URLs" && (len(calls) != 1 || len(logouts) != 1) {
				t.Errorf("CallbackURLs = %s, LogoutURLs = %s, want the distribution's only", jsonString(calls), jsonString(logouts))
			}
		})
	}
}

func TestConsoleSPAFallback(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH (the CDK tests need it anyway): %v", err)
	}
	// GIVEN the viewer-request function, run by Node as CloudFront would run it
	script := spaFallback + `
const uris = JSON.parse(process.argv[1]);
console.log(JSON.stringify(uris.map(uri => handler({request: {uri}}).uri)));`
	cases := map[string]string{
		"/":                         "/index.html",
		"/callback":                 "/index.html",
		"/complaints/01J8Z":         "/index.html",
		"/settings/locations/HB.01": "/index.html",
		"/assets/index-3f2a9c1b.js": "/assets/index-3f2a9c1b.js",
		"/assets/zh-CN-9a8b7c6d.js": "/assets/zh-CN-9a8b7c6d.js",
		"/config.json":              "/config.json",
		"/favicon.svg":              "/favicon.svg",
		"/index.html":               "/index.html",
	}
	var uris []string
	for uri := range cases {
		uris = append(uris, uri)
	}
	in, _ := json.Marshal(uris)

	// WHEN each path is handled
	out, err := exec.Command(node, "-e", script, string(in)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v: %s", err, out)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %s: %v", out, err)
	}

	// THEN routes serve index.html and the build's files serve themselves
	for i, uri := range uris {
		if got[i] != cases[uri] {
			t.Errorf("%s → %s, want %s", uri, got[i], cases[uri])
		}
	}
}

func TestConsoleSettingsRejected(t *testing.T) {
	cert := consoleDomainProps().ConsoleCertificateArn
	tests := []struct {
		name   string
		change func(p *StackProps)
		want   string
	}{
		{"domain without certificate", func(p *StackProps) { p.ConsoleCertificateArn = "" }, "consoleDomain and consoleCertificateArn go together"},
		{"certificate without domain", func(p *StackProps) { p.ConsoleDomain = "" }, "consoleDomain and consoleCertificateArn go together"},
		{"domain as a URL", func(p *StackProps) { p.ConsoleDomain = "https://console.hotel.example" }, `consoleDomain "https://console.hotel.example"`},
		{"certificate outside us-east-1", func(p *StackProps) {
			p.ConsoleCertificateArn = strings.Replace(cert, "us-east-1", "eu-west-1", 1)
		}, "in us-east-1"},
		{"regional web ACL", func(p *StackProps) {
			p.ConsoleWebACLArn = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/rapport/a1b2"
		}, "consoleWebAclArn"},
		{"console client with the stack's pool", func(p *StackProps) { p.ConsoleClientID = "abc123" }, "consoleClientId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN valid console settings with one thing wrong
			p := consoleDomainProps()
			tt.change(&p)

			// WHEN validated as NewStack and the CDK app do
			err := p.withDefaults().Validate()

			// THEN it is refused, naming the setting
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	// AND the settings it starts from are accepted, as is prod without console URLs:
	// the distribution's own address is the console's
	bare := prodProps()
	bare.ConsoleCallbackURLs = nil
	for name, p := range map[string]StackProps{"custom domain": consoleDomainProps(), "prod without console URLs": bare} {
		if err := p.withDefaults().Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckConsole(t *testing.T) {
	// GIVEN a build with index.html and one without assets/
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>"), 0o644)

	// WHEN each is checked
	err := CheckConsole(dir)

	// THEN the missing part is named, with what to do
	if err == nil || !strings.Contains(err.Error(), "assets/") || !strings.Contains(err.Error(), "make console") {
		t.Errorf("CheckConsole = %v, want assets/ named and make console suggested", err)
	}
	// AND a complete build passes
	os.Mkdir(filepath.Join(dir, "assets"), 0o755)
	if err := CheckConsole(dir); err != nil {
		t.Errorf("CheckConsole(complete build) = %v", err)
	}
}
