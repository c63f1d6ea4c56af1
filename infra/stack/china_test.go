package stack

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// TestChinaRegion synthesizes the real wiring table for a China region (partition
// aws-cn): with an external OIDC issuer (no Cognito user pool) and the outbox channel
// (no SES). README "AWS China" says what works there and what does not.
func TestChinaRegion(t *testing.T) {
	// GIVEN a dev stack bound to cn-north-1 with an external issuer and the outbox
	p := devProps()
	p.StackProps = awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("cn-north-1")}}
	p.JWTIssuer, p.JWTAudience = "https://login.hotel.example.cn/", []string{"rapport-api"}
	p.Settings = map[string]string{"notifyChannel": "outbox"}
	s := synth(t, p, nil)

	// THEN it synthesizes without Cognito, SES or anything bound to the aws partition
	for _, typ := range []string{"AWS::Cognito::UserPool", "AWS::SES::ConfigurationSet", "AWS::SES::EmailIdentity"} {
		if n := len(s.ofType(typ)); n != 0 {
			t.Errorf("%d %s in a China stack", n, typ)
		}
	}
	if strings.Contains(s.raw, "arn:aws:") {
		t.Error("template hard-codes the aws partition")
	}
	// AND the API trusts the external issuer
	s.template.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Authorizer"), map[string]any{
		"AuthorizerType": "JWT",
		"JwtConfiguration": map[string]any{
			"Issuer": "https://login.hotel.example.cn/", "Audience": []any{"rapport-api"},
		},
	})
	// AND cdk-nag has nothing to report
	if findings := nagErrors(s.stack); len(findings) > 0 {
		t.Errorf("cdk-nag: %s", strings.Join(findings, "\n"))
	}
}

// TestChinaProdRefused: prod needs notifyChannel=aws, whose email is SES, which China
// regions do not have; the refusal names the setting instead of failing at deploy.
func TestChinaProdNeedsTheAWSChannel(t *testing.T) {
	p := prodProps()
	p.StackProps = awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("cn-northwest-1")}}
	p.JWTIssuer, p.JWTAudience, p.ConsoleCallbackURLs = "https://login.hotel.example.cn/", []string{"rapport-api"}, nil
	p.Settings = map[string]string{"notifyChannel": "outbox"}
	if err := p.withDefaults().Validate(); err == nil || !strings.Contains(err.Error(), "notifyChannel=aws") {
		t.Errorf("Validate() = %v", err)
	}
}
