package stack

import (
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

func TestCustomDomain(t *testing.T) {
	// GIVEN prod with a custom domain and its certificate
	p := prodProps()
	p.APIDomain = "api.hotel.example"
	p.CertificateArn = "arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d"
	s := synth(t, p, nil)
	domain := s.logicalID(t, "ApiDomain")

	// THEN API Gateway serves the domain with that certificate, mapped to the API's stage
	s.template.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::DomainName"), map[string]any{
		"DomainName": "api.hotel.example",
		"DomainNameConfigurations": []any{map[string]any{
			"CertificateArn": p.CertificateArn, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2",
		}},
	})
	s.template.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::ApiMapping"), map[string]any{
		"ApiId":      ref(s.logicalID(t, "Api")),
		"DomainName": ref(domain),
		"Stage":      "$default",
	})

	// AND every function whose links need the base URL gets the domain's
	for _, row := range wiring.Functions {
		for _, e := range row.Env {
			if !e.API {
				continue
			}
			fn := s.resource(t, s.logicalID(t, functionID(row.Name)), "AWS::Lambda::Function")
			vars := fn.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
			if vars[e.Name] != "https://api.hotel.example" {
				t.Errorf("%s %s = %s", row.Name, e.Name, jsonString(vars[e.Name]))
			}
		}
	}

	// AND without a domain the base URL is the API's endpoint
	dev := synthCached(t, "dev", devProps())
	fn := dev.resource(t, dev.logicalID(t, functionID("followup-sender")), "AWS::Lambda::Function")
	vars := fn.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	if !strings.Contains(jsonString(vars["PUBLIC_BASE_URL"]), dev.logicalID(t, "Api")) {
		t.Errorf("dev PUBLIC_BASE_URL = %s", jsonString(vars["PUBLIC_BASE_URL"]))
	}
}

func TestCustomDomainRejected(t *testing.T) {
	for name, change := range map[string]func(*StackProps){
		"domain without certificate": func(p *StackProps) { p.APIDomain = "api.hotel.example" },
		"url instead of host":        func(p *StackProps) { p.APIDomain, p.CertificateArn = "https://api.hotel.example", "arn:aws:acm:x" },
		"not a certificate":          func(p *StackProps) { p.APIDomain, p.CertificateArn = "api.hotel.example", "cert-1" },
	} {
		p := prodProps()
		change(&p)
		if err := p.withDefaults().Validate(); err == nil || !strings.Contains(err.Error(), "apiDomain") && !strings.Contains(err.Error(), "certificateArn") {
			t.Errorf("%s: Validate() = %v", name, err)
		}
	}
}
