package stack

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/rapport-crm/rapport/shared/page"
)

// The staff console in AWS: its build (ConsoleDir) in a private bucket, served by one
// CloudFront distribution that also routes /v1/* to the HTTP API, so the console calls
// the API on its own origin (no CORS) and customers' hosted pages work on the
// console's domain too. The API's own URL keeps working beside it.

// consoleAssetsDir is where Vite writes the build's content-hashed files.
const consoleAssetsDir = "assets"

// Cache-Control of the console's files. Hashed assets never change under their name.
// index.html, config.json and the rest (favicon, ...) are revalidated on every load,
// so a deploy reaches every browser at its next page load.
const (
	hashedCacheControl = "public, max-age=31536000, immutable"
	pageCacheControl   = "no-cache"
)

// spaFallback sends every path that names no file of the build to index.html, where the
// console's router takes over (/complaints/42, /callback, /settings/locations/HB.01).
// The build's files are the hashed ones under /assets/ and a few at the top
// (config.json, favicon.svg): one segment with an extension. It runs on the default
// behaviour only: /v1/* never sees it. Distribution-wide error responses would do the
// same for S3's 403, but they would also turn the API's 403 and 404 into index.html.
const spaFallback = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var topLevelFile = uri.lastIndexOf('/') === 0 && uri.indexOf('.') > 0;
  if (uri.indexOf('/` + consoleAssetsDir + `/') !== 0 && !topLevelFile) {
    request.uri = '/index.html';
  }
  return request;
}`

type console struct {
	bucket       awss3.Bucket
	distribution awscloudfront.Distribution
	// assets is the first upload; its handler role is the one both uploads share.
	assets awss3deployment.BucketDeployment
	// origins are the console's addresses: the distribution's own, then consoleDomain.
	origins []string
}

// buildConsole needs the API (the /v1/* origin) and the identity provider (config.json,
// the CSP's connect-src, the console client's callback URLs): it runs after buildAPI.
func (b *builder) buildConsole() {
	c := &console{}
	b.console = c
	c.bucket = awss3.NewBucket(b.stack, jsii.String("ConsoleBucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		// SSE-S3, not the stack's KMS keys: these files are what every visitor downloads,
		// and CloudFront reading SSE-KMS objects through OAC needs a key policy grant to
		// cloudfront.amazonaws.com, which buys nothing for public content.
		Encryption:      awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		ObjectOwnership: awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:   b.stage.removal,
		// A dev stack takes its files with it; a bucket that is not empty cannot go.
		AutoDeleteObjects: jsii.Bool(b.stage.removal == awscdk.RemovalPolicy_DESTROY),
	})

	headers := awscloudfront.NewResponseHeadersPolicy(b.stack, jsii.String("ConsoleHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("Rapport console security headers (" + b.stage.name + ")"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: b.consoleCSP(), Override: jsii.Bool(true),
			},
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(730)),
				IncludeSubdomains:   jsii.Bool(true),
				Override:            jsii.Bool(true),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_DENY, Override: jsii.Bool(true),
			},
			// Console paths carry customer and case ids: they stay on the console's origin.
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_SAME_ORIGIN, Override: jsii.Bool(true),
			},
		},
	})

	fallback := awscloudfront.NewFunction(b.stack, jsii.String("ConsoleSpaFallback"), &awscloudfront.FunctionProps{
		Comment: jsii.String("Paths without a file extension serve the console's index.html"),
		Runtime: awscloudfront.FunctionRuntime_JS_2_0(),
		Code:    awscloudfront.FunctionCode_FromInline(jsii.String(spaFallback)),
	})

	props := &awscloudfront.DistributionProps{
		Comment:           jsii.String("Rapport staff console and API (" + b.stage.name + ")"),
		DefaultRootObject: jsii.String("index.html"),
		HttpVersion:       awscloudfront.HttpVersion_HTTP2_AND_3,
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(c.bucket, nil),
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			Compress:              jsii.Bool(true),
			ResponseHeadersPolicy: headers,
			FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
				Function: fallback, EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
			}},
		},
		AdditionalBehaviors: &map[string]*awscloudfront.BehaviorOptions{
			// The API as it is: every method, nothing cached, every viewer header but Host
			// (API Gateway routes by its own host name), Authorization included. The
			// hosted customer pages set their own headers (CSP, no-store), so no response
			// headers policy overrides them here.
			"/v1/*": {
				Origin: awscloudfrontorigins.NewHttpOrigin(b.apiHost(), &awscloudfrontorigins.HttpOriginProps{
					ProtocolPolicy:     awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
					OriginSslProtocols: &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2},
				}),
				// A POST redirected to https would lose its body: plain http is refused.
				ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
				AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(),
				CachePolicy:          awscloudfront.CachePolicy_CACHING_DISABLED(),
				OriginRequestPolicy:  awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
			},
		},
	}
	if d := b.props.ConsoleDomain; d != "" {
		props.DomainNames = jsii.Strings(d)
		props.Certificate = awscertificatemanager.Certificate_FromCertificateArn(b.stack, jsii.String("ConsoleCertificate"),
			jsii.String(b.props.ConsoleCertificateArn))
		props.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
	}
	if acl := b.props.ConsoleWebACLArn; acl != "" {
		props.WebAclId = jsii.String(acl)
	}
	c.distribution = awscloudfront.NewDistribution(b.stack, jsii.String("ConsoleDistribution"), props)
	if b.stage.name == "prod" && b.props.ConsoleWebACLArn == "" {
		awscdk.Annotations_Of(c.distribution).AddWarningV2(jsii.String("rapport:console-without-waf"), jsii.String(
			"the console's distribution has no WAF web ACL: pass -c consoleWebAclArn=<CLOUDFRONT-scope web ACL ARN> to add one (README)"))
	}

	c.origins = []string{"https://" + *c.distribution.DistributionDomainName()}
	if d := b.props.ConsoleDomain; d != "" {
		c.origins = append(c.origins, "https://"+d)
	}

	b.deployConsole(c)
	b.output("ConsoleUrl", jsii.String(c.origins[len(c.origins)-1]+"/"), "Staff console (and the API under /v1/ on the same origin)")
	if b.props.ConsoleDomain != "" {
		b.output("ConsoleDomainTarget", c.distribution.DistributionDomainName(),
			"Point a CNAME (or alias) for "+b.props.ConsoleDomain+" here")
	}
}

// deployConsole uploads the build when CloudFormation deploys: the hashed assets first,
// then index.html, the other files and config.json, so a new index.html never names an
// asset that is not there yet. Nothing is pruned: a console left open over a deploy
// still lazy-loads its pages by their old hashed names. The chunks a deploy replaces
// stay in the bucket.
func (b *builder) deployConsole(c *console) {
	dir := b.props.ConsoleDir
	logs := awslogs.NewLogGroup(b.stack, jsii.String("ConsoleDeploymentLogs"), &awslogs.LogGroupProps{
		Retention:     b.stage.logRetention,
		RemovalPolicy: b.stage.removal,
	})
	// A role of our own: CDK's default would hold AWS's managed basic execution policy.
	// CDK adds its S3 grants to it; it writes its logs to their group and nowhere else.
	role := awsiam.NewRole(b.stack, jsii.String("ConsoleDeploymentRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Uploads the staff console's build to its bucket while CloudFormation deploys"),
	})
	logs.GrantWrite(role)
	common := func(sources []awss3deployment.ISource, cacheControl string) *awss3deployment.BucketDeploymentProps {
		return &awss3deployment.BucketDeploymentProps{
			DestinationBucket: c.bucket,
			Sources:           &sources,
			CacheControl:      &[]awss3deployment.CacheControl{awss3deployment.CacheControl_FromString(jsii.String(cacheControl))},
			Prune:             jsii.Bool(false),
			// CDK's default of 128 MiB is meant for small uploads; the handler unzips the
			// whole build and syncs it with the AWS CLI.
			MemoryLimit: jsii.Number(512),
			LogGroup:    logs,
			Role:        role,
		}
	}
	assets := common([]awss3deployment.ISource{awss3deployment.Source_Asset(jsii.String(filepath.Join(dir, consoleAssetsDir)), nil)},
		hashedCacheControl)
	assets.DestinationKeyPrefix = jsii.String(consoleAssetsDir + "/")
	c.assets = awss3deployment.NewBucketDeployment(b.stack, jsii.String("ConsoleAssets"), assets)

	pages := common([]awss3deployment.ISource{
		awss3deployment.Source_Asset(jsii.String(dir), &awss3assets.AssetOptions{Exclude: jsii.Strings(consoleAssetsDir)}),
		awss3deployment.Source_JsonData(jsii.String("config.json"), b.consoleConfig(), nil),
	}, pageCacheControl)
	awss3deployment.NewBucketDeployment(b.stack, jsii.String("ConsolePages"), pages).Node().AddDependency(c.assets)
}

// consoleConfig is config.json (console/src/config.ts reads it): what one build needs to
// know of the stage it is served by. The API is on the console's own origin, so its base
// is empty.
func (b *builder) consoleConfig() map[string]any {
	if !b.props.usesCognito() {
		return map[string]any{"issuer": b.props.JWTIssuer, "clientId": b.props.consoleClientID(), "apiBase": ""}
	}
	return map[string]any{
		"issuer":   "https://" + *b.userPool.pool.UserPoolProviderUrl(),
		"clientId": *b.userPool.console.UserPoolClientId(),
		"apiBase":  "",
	}
}

// consoleClientID is the console's OIDC client with an external issuer: the first
// audience the API accepts, unless consoleClientId names another.
func (p StackProps) consoleClientID() string {
	if p.ConsoleClientID != "" {
		return p.ConsoleClientID
	}
	return p.JWTAudience[0]
}

// consoleCSP is page.ConsoleCSP (the same policy make run sets) with the identity
// provider's endpoints: Cognito's issuer host (discovery, keys) and the managed login
// domain (token, revoke, userinfo), or an external issuer's origin.
func (b *builder) consoleCSP() *string {
	var connect []string
	if b.props.usesCognito() {
		issuerHost := awscdk.Fn_Select(jsii.Number(0), awscdk.Fn_Split(jsii.String("/"), b.userPool.pool.UserPoolProviderUrl(), nil))
		connect = []string{"https://" + *issuerHost, *b.userPool.domain.BaseUrl(nil)}
	} else {
		connect = []string{originOf(b.props.JWTIssuer)}
	}
	return jsii.String(page.ConsoleCSP(connect...))
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + u.Host
}

// apiHost is the HTTP API's own host name, <api id>.execute-api.<region>.<url suffix>.
func (b *builder) apiHost() *string {
	return awscdk.Fn_Join(jsii.String("."), jsii.Strings(*b.api.ApiId(), "execute-api", *awscdk.Aws_REGION(), *awscdk.Aws_URL_SUFFIX()))
}

// consoleReturnURLs lets sign-in return to the console on its distribution (and its
// custom domain) besides the URLs given: the distribution's name exists only once it
// is deployed, so nobody could pass it as consoleCallbackUrls for the first deploy. The
// console client is made before the distribution (the distribution's CSP names the
// user pool's domain), so its lists are produced when the stack is synthesized. Sign-in
// returns to /callback, sign-out to the console's root (console/src/auth).
type consoleReturnURLs struct {
	b     *builder
	given []string
	path  string
}

func (u *consoleReturnURLs) Produce() *[]*string {
	urls := append([]string{}, u.given...)
	for _, origin := range u.b.console.origins {
		urls = append(urls, origin+u.path)
	}
	return jsii.Strings(urls...)
}

// validateConsole: a custom domain comes with its certificate, which CloudFront takes
// from us-east-1 only, as it takes only a CLOUDFRONT-scope WAF web ACL (also us-east-1).
func (p StackProps) validateConsole() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if (p.ConsoleDomain == "") != (p.ConsoleCertificateArn == "") {
		add("consoleDomain and consoleCertificateArn go together: consoleDomain %q, consoleCertificateArn %q",
			p.ConsoleDomain, p.ConsoleCertificateArn)
	}
	if d := p.ConsoleDomain; d != "" && (strings.ContainsAny(d, "/:") || !strings.Contains(d, ".")) {
		add("consoleDomain %q: want a host name such as console.hotel.example (no scheme, no path)", d)
	}
	if c := p.ConsoleCertificateArn; c != "" && !arnIn(c, "acm", "us-east-1") {
		add("consoleCertificateArn %q: want an ACM certificate ARN in us-east-1, the only region CloudFront takes certificates from", c)
	}
	if w := p.ConsoleWebACLArn; w != "" && (!arnIn(w, "wafv2", "us-east-1") || !strings.Contains(w, ":global/webacl/")) {
		add("consoleWebAclArn %q: want the ARN of a WAF web ACL of scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/...)", w)
	}
	if p.ConsoleClientID != "" && p.usesCognito() {
		add("consoleClientId %q: only with jwtIssuer; the stack's own user pool has its console client", p.ConsoleClientID)
	}
	return errs
}

// arnIn tells whether an ARN is of the service in the region (any partition).
func arnIn(arn, service, region string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == service && parts[3] == region
}

// CheckConsole tells, before any synthesis, whether dir holds a console build, so a
// missing `make console` reads as such instead of as a CDK asset stack trace.
func CheckConsole(dir string) error {
	var missing []string
	if st, err := os.Stat(filepath.Join(dir, "index.html")); err != nil || st.IsDir() {
		missing = append(missing, "index.html")
	}
	if st, err := os.Stat(filepath.Join(dir, consoleAssetsDir)); err != nil || !st.IsDir() {
		missing = append(missing, consoleAssetsDir+"/")
	}
	if len(missing) > 0 {
		return errors.New("no console build in " + dir + " (" + strings.Join(missing, ", ") +
			" missing): run `make console` first or pass -c consoleDir=<dir>")
	}
	return nil
}

// suppressConsoleFindings records why the console's cdk-nag findings are acceptable:
// the logs it does without, the default certificate, and the handler CDK's
// BucketDeployment brings (a singleton Lambda that runs only while CloudFormation
// deploys, shared by both deployments).
func (b *builder) suppressConsoleFindings() {
	c := b.console
	suppress(c.bucket, "AwsSolutions-S1", "the bucket holds the console's build, which every visitor downloads: only CloudFront "+
		"reads it (OAC) and only the deployment writes it, so its access log would list CloudFront fetching public files; "+
		"what is deployed is recorded by CloudFormation")
	suppress(c.distribution, "AwsSolutions-CFR3", "no CloudFront access logs: they would hold viewers' IP addresses and full "+
		"paths, which carry the tracking tokens of customers' hosted pages, and the stack logs neither; the API's access "+
		"log records every /v1/ request by route key, status and latency, and CloudFront's metrics count the rest")
	suppress(c.distribution, "AwsSolutions-CFR1", "staff and customers are wherever the business operates; a geo rule, "+
		"if wanted, belongs in the WAF web ACL (consoleWebAclArn)")
	if b.props.ConsoleWebACLArn == "" {
		suppress(c.distribution, "AwsSolutions-CFR2", "WAF by configuration: consoleWebAclArn names a CLOUDFRONT-scope web ACL "+
			"(made in CloudFront's region, outside this stack); the API behind /v1/* is throttled by API Gateway either way")
	}
	if b.props.ConsoleDomain == "" {
		suppress(c.distribution, "AwsSolutions-CFR4", "CloudFront's default *.cloudfront.net certificate fixes the viewer "+
			"minimum at TLSv1; with consoleDomain and consoleCertificateArn the distribution requires TLSv1.2_2021")
	}

	cdknag.NagSuppressions_AddResourceSuppressions(c.assets.HandlerRole(), &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("CDK's BucketDeployment grants: read the zipped build from the CDK bootstrap's asset bucket, " +
				"write (and clean up) objects in the console bucket; the action families are CDK's grantRead and " +
				"grantReadWrite, on those two buckets only"),
			AppliesTo: &[]interface{}{
				"Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*",
				// The bootstrap's asset bucket, by its default name; account and region are
				// spelled out when the stack is bound to an environment.
				map[string]any{"regex": `/^Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-[^/]+\/\*$/`},
				fmt.Sprintf("Resource::<%s.Arn>/*", b.logicalID(c.bucket)),
			},
		},
	}, jsii.Bool(true))
	for _, child := range *b.stack.Node().Children() {
		construct := child.(constructs.IConstruct)
		if !strings.HasPrefix(*construct.Node().Id(), "Custom::CDKBucketDeployment") {
			continue
		}
		for id, reason := range map[string]string{
			"AwsSolutions-L1": "CDK's BucketDeployment handler: its runtime comes with the CDK version (aws-cdk-lib) " +
				"and moves with it; it runs only while CloudFormation deploys",
			"Serverless-LambdaLatestVersion": "CDK's BucketDeployment handler: its runtime comes with the CDK version " +
				"(aws-cdk-lib) and moves with it",
			"Serverless-LambdaDLQ": "invoked synchronously by CloudFormation as a custom resource: a failure fails " +
				"the deploy, which rolls back; there is no event to keep",
			"Serverless-LambdaTracing": "a deploy-time copy job, logged to ConsoleDeploymentLogs; nothing to trace",
		} {
			suppress(construct, id, reason)
		}
	}
}
