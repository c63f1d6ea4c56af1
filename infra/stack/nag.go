package stack

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// publicRoute remembers a route without authorizer and the throttle that guards it.
type publicRoute struct {
	construct constructs.IConstruct
	route     wiring.Route
}

// suppressNagFindings records, on the resource concerned, why each accepted cdk-nag
// AwsSolutions finding is acceptable. Every suppression names exactly what it covers.
func (b *builder) suppressNagFindings() {
	for _, pr := range b.publicRoutes {
		suppress(pr.construct, "AwsSolutions-APIG4", publicRouteReason(pr.route))
	}
	for _, lf := range b.functions {
		b.suppressGrantWildcards(lf)
	}
	b.suppressKeyFindings()
	if b.userPool != nil {
		suppress(b.userPool.pool, "AwsSolutions-COG8",
			"Cognito Plus (threat protection) is billed per active user; the staff pool has no self sign-up, "+
				"requires TOTP MFA and a 12-character password; raise FeaturePlan to PLUS when wanted")
	}
}

func publicRouteReason(r wiring.Route) string {
	throttle := fmt.Sprintf("throttled by the API default of %g req/s, burst %d",
		wiring.DefaultThrottle.RatePerSecond, wiring.DefaultThrottle.Burst)
	if t := r.Throttle; t != nil {
		throttle = fmt.Sprintf("throttled per route at %g req/s, burst %d", t.RatePerSecond, t.Burst)
	}
	return fmt.Sprintf("public by design (%s): customers' web forms and links and health checks carry no staff token; %s",
		r.Pattern(), throttle)
}

// suppressGrantWildcards accepts the two wildcards explicit grants contain: the GSIs of
// a table the row lists, and the GenerateDataKey family on that table's own key.
func (b *builder) suppressGrantWildcards(lf *lambdaFunction) {
	var findings []*cdknag.NagPackSuppression
	var written []string
	for _, name := range sortedKeys(lf.row.Tables) {
		t := b.tables[name]
		if len(t.def.Indexes) > 0 {
			findings = append(findings, &cdknag.NagPackSuppression{
				Id:        jsii.String("AwsSolutions-IAM5"),
				Reason:    jsii.String("Query on the GSIs of the function's own table " + name + " only"),
				AppliesTo: &[]interface{}{fmt.Sprintf("Resource::<%s.Arn>/index/*", b.logicalID(t.table))},
			})
		}
		if lf.row.Tables[name] == wiring.ReadWrite {
			written = append(written, name)
		}
	}
	if len(written) > 0 {
		findings = append(findings, &cdknag.NagPackSuppression{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String(fmt.Sprintf("kms:GenerateDataKey* only on the keys of the tables the function writes (%s), "+
				"which DynamoDB uses to encrypt what it writes", strings.Join(written, ", "))),
			AppliesTo: &[]interface{}{"Action::kms:GenerateDataKey*"},
		})
	}
	for _, ch := range lf.row.Sends {
		switch ch {
		case "email":
			findings = append(findings, &cdknag.NagPackSuppression{
				Id: jsii.String("AwsSolutions-IAM5"),
				Reason: jsii.String("ses:SendEmail on this account's SES identities and configuration sets in this region: " +
					"the verified sending identity is set up by ops, outside the stack"),
				AppliesTo: &[]interface{}{
					"Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*",
					"Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:configuration-set/*",
				},
			})
		case "sms":
			findings = append(findings, &cdknag.NagPackSuppression{
				Id:        jsii.String("AwsSolutions-IAM5"),
				Reason:    jsii.String("sns:Publish to phone numbers (SMS), which have no ARN to scope the grant to"),
				AppliesTo: &[]interface{}{"Resource::*"},
			})
		}
	}
	if len(findings) > 0 {
		cdknag.NagSuppressions_AddResourceSuppressions(lf.role, &findings, jsii.Bool(true))
	}
}

func suppress(construct constructs.IConstruct, id, reason string) {
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String(id), Reason: jsii.String(reason),
	}}, jsii.Bool(true))
}

// logicalID is the CloudFormation logical id of a construct's main resource.
func (b *builder) logicalID(c constructs.IConstruct) string {
	return *b.stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
}
