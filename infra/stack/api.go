package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// accessLogFormat is one JSON line per request. It logs the route key rather than the
// path (paths carry tracking tokens) and no source IP or user agent: no personal data.
const accessLogFormat = `{"requestId":"$context.requestId","requestTime":"$context.requestTime",` +
	`"routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol",` +
	`"responseLength":"$context.responseLength","responseLatency":"$context.responseLatency",` +
	`"integrationLatency":"$context.integrationLatency","integrationError":"$context.integrationErrorMessage",` +
	`"authorizerError":"$context.authorizer.error"}`

// buildAPI creates the HTTP API with one route per wiring route.
func (b *builder) buildAPI() {
	b.api = awsapigatewayv2.NewHttpApi(b.stack, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		Description: jsii.String("Rapport public and staff API (" + b.stage.name + ")"),
		// The stage is made below: the default one takes no throttle or access logs.
		CreateDefaultStage: jsii.Bool(false),
	})
	b.apiStage = b.api.AddStage(jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageOptions{
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(wiring.DefaultThrottle.RatePerSecond),
			BurstLimit: jsii.Number(float64(wiring.DefaultThrottle.Burst)),
		},
	})
	b.addAccessLogs()
	b.addCustomDomain()
	b.setAPIEnvironment()

	jwt := b.jwtAuthorizer()
	throttled := map[string]interface{}{}
	for _, lf := range b.functions {
		if len(lf.row.Trigger.Routes) == 0 {
			continue
		}
		integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(
			jsii.String(pascal(lf.row.Name)+"Integration"), lf.fn,
			&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
				PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
			})
		for _, r := range lf.row.Trigger.Routes {
			route := b.addRoute(r, integration, jwt)
			if r.Throttle != nil {
				// RouteSettings is untyped JSON to CDK: spell CloudFormation's keys.
				throttled[r.Pattern()] = map[string]interface{}{
					"ThrottlingRateLimit":  r.Throttle.RatePerSecond,
					"ThrottlingBurstLimit": r.Throttle.Burst,
				}
				// API Gateway rejects settings for a route key that does not exist yet.
				b.apiStage.Node().AddDependency(route)
			}
		}
	}
	if len(throttled) > 0 {
		// The L2 stage has no per-route settings; set them on the CfnStage.
		b.cfnStage().SetRouteSettings(throttled)
	}
	b.output("ApiUrl", b.apiStage.Url(), "Base URL of the HTTP API")
}

func (b *builder) addRoute(r wiring.Route, integration awsapigatewayv2.HttpRouteIntegration, jwt awsapigatewayv2.IHttpRouteAuthorizer) awsapigatewayv2.HttpRoute {
	// Roles are not checked here: an HTTP API JWT authorizer checks scopes, not groups.
	// The function checks the caller's groups against route.Roles.
	var authorizer awsapigatewayv2.IHttpRouteAuthorizer = awsapigatewayv2.NewHttpNoneAuthorizer()
	if r.Auth == wiring.JWT {
		authorizer = jwt
	}
	route := awsapigatewayv2.NewHttpRoute(b.api, jsii.String(r.Pattern()), &awsapigatewayv2.HttpRouteProps{
		HttpApi:     b.api,
		RouteKey:    awsapigatewayv2.HttpRouteKey_With(jsii.String(r.Path), awsapigatewayv2.HttpMethod(r.Method)),
		Integration: integration,
		Authorizer:  authorizer,
	})
	if r.Auth == wiring.Public {
		b.publicRoutes = append(b.publicRoutes, publicRoute{construct: route, route: r})
	}
	return route
}

func (b *builder) addAccessLogs() {
	logs := awslogs.NewLogGroup(b.stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention:     b.stage.logRetention,
		RemovalPolicy: b.stage.removal,
	})
	// Set on the CfnStage: the L2 option is an interface that Go code cannot construct.
	b.cfnStage().SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: logs.LogGroupArn(),
		Format:         jsii.String(accessLogFormat),
	})
}

func (b *builder) cfnStage() awsapigatewayv2.CfnStage {
	return b.apiStage.Node().DefaultChild().(awsapigatewayv2.CfnStage)
}

// jwtAuthorizer validates bearer tokens from the stack's Cognito pool, or from the
// external OIDC issuer when one is configured. It is created whether or not a JWT route
// uses it; CloudFormation only sees it once a route does.
func (b *builder) jwtAuthorizer() awsapigatewayv2.IHttpRouteAuthorizer {
	issuer, audience := b.props.JWTIssuer, b.props.JWTAudience
	if b.props.usesCognito() {
		pool := b.buildUserPool()
		b.userPool = pool
		// The pool's provider URL carries the partition's domain; CDK's user pool
		// authorizer hard-codes amazonaws.com.
		issuer = "https://" + *pool.pool.UserPoolProviderUrl()
		// Both clients: the console's ID tokens (aud) and machines' access tokens (client_id).
		audience = pool.audience()
	}
	return awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("JwtAuthorizer"), jsii.String(issuer),
		&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			AuthorizerName: jsii.String("jwt"),
			JwtAudience:    jsii.Strings(audience...),
		})
}

// setAPIEnvironment gives functions the API's base URL where their row asks for it
// (links in messages). The URL is known only once the API exists, after the functions.
func (b *builder) setAPIEnvironment() {
	for _, lf := range b.functions {
		for _, e := range lf.row.Env {
			if e.API {
				lf.fn.AddEnvironment(jsii.String(e.Name), b.publicBaseURL(), nil)
			}
		}
	}
}
