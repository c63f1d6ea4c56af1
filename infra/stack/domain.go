package stack

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/jsii-runtime-go"
)

// addCustomDomain serves the API at APIDomain (a regional API Gateway domain name with
// the ACM certificate CertificateArn, mapped to the $default stage), when configured.
// DNS stays with the domain's owner: a CNAME (or alias) from APIDomain to the
// ApiDomainTarget output.
func (b *builder) addCustomDomain() {
	if b.props.APIDomain == "" {
		return
	}
	domain := awsapigatewayv2.NewDomainName(b.stack, jsii.String("ApiDomain"), &awsapigatewayv2.DomainNameProps{
		DomainName: jsii.String(b.props.APIDomain),
		Certificate: awscertificatemanager.Certificate_FromCertificateArn(b.stack, jsii.String("ApiCertificate"),
			jsii.String(b.props.CertificateArn)),
		SecurityPolicy: awsapigatewayv2.SecurityPolicy_TLS_1_2,
	})
	awsapigatewayv2.NewApiMapping(b.stack, jsii.String("ApiMapping"), &awsapigatewayv2.ApiMappingProps{
		Api:        b.api,
		DomainName: domain,
		Stage:      b.apiStage,
	})
	b.output("ApiDomainTarget", domain.RegionalDomainName(), "Point a CNAME (or alias) for "+b.props.APIDomain+" here")
	b.output("ApiDomainUrl", jsii.String(b.publicBaseURLString()), "Base URL of the HTTP API at its custom domain")
}

// publicBaseURL is what links in messages and pages start with: the custom domain when
// there is one, else the API's own endpoint.
func (b *builder) publicBaseURL() *string {
	if b.props.APIDomain != "" {
		return jsii.String(b.publicBaseURLString())
	}
	return b.api.ApiEndpoint()
}

func (b *builder) publicBaseURLString() string { return "https://" + b.props.APIDomain }

// validateDomain: a custom domain comes with its certificate, as a bare host name.
func (p StackProps) validateDomain() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if (p.APIDomain == "") != (p.CertificateArn == "") {
		add("apiDomain and certificateArn go together: apiDomain %q, certificateArn %q", p.APIDomain, p.CertificateArn)
	}
	if d := p.APIDomain; d != "" && (strings.Contains(d, "/") || strings.Contains(d, ":") || !strings.Contains(d, ".")) {
		add("apiDomain %q: want a host name such as api.hotel.example (no scheme, no path)", d)
	}
	if c := p.CertificateArn; c != "" && (!strings.HasPrefix(c, "arn:") || !strings.Contains(c, ":acm:")) {
		add("certificateArn %q: want an ACM certificate ARN in the stack's region", c)
	}
	return errs
}
