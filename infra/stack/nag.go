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
	b.suppressServerlessFindings()
	b.suppressConsoleFindings()
	if b.smsLogRole != nil {
		cdknag.NagSuppressions_AddResourceSuppressions(b.smsLogRole, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("SNS names its SMS delivery status log groups itself: sns/<region>/<account>/DirectPublishToPhoneNumber " +
				"and .../Failure; the grant covers those and no other log group"),
			AppliesTo: &[]interface{}{"Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:sns/<AWS::Region>/<AWS::AccountId>/DirectPublishToPhoneNumber*"},
		}}, jsii.Bool(true))
	}
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
				AppliesTo: &[]interface{}{b.indexFinding(t)},
			})
		}
		if lf.row.Tables[name] == wiring.ReadWrite {
			written = append(written, name)
		}
	}
	if len(written) > 0 && b.tableKey() != nil {
		findings = append(findings, &cdknag.NagPackSuppression{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String(fmt.Sprintf("kms:GenerateDataKey* only on the tables' key, for the tables the function writes (%s), "+
				"which DynamoDB uses to encrypt what it writes", strings.Join(written, ", "))),
			AppliesTo: &[]interface{}{"Action::kms:GenerateDataKey*"},
		})
	}
	for _, ch := range lf.row.Sends {
		switch ch {
		case "email":
			findings = append(findings, &cdknag.NagPackSuppression{
				Id: jsii.String("AwsSolutions-IAM5"),
				Reason: jsii.String("ses:SendEmail without a configured sender (notifyChannel=outbox, where nothing calls SES): " +
					"any SES identity and configuration set of this account in this region; with notifyChannel=aws the grant names " +
					"the emailFrom identities and the stack's configuration set"),
				AppliesTo: &[]interface{}{
					"Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*",
					"Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:configuration-set/*",
				},
			})
		case "sms":
			findings = append(findings, &cdknag.NagPackSuppression{
				Id: jsii.String("AwsSolutions-IAM5"),
				Reason: jsii.String("sns:Publish to phone numbers (direct SMS): IAM authorizes it only on Resource \"*\" and SNS has " +
					"no condition key for the number; a Deny on every SNS ARN in the same policy keeps it from any topic or endpoint"),
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

// suppressServerlessFindings records why the cdk-nag Serverless findings that do not
// fit how a function is invoked are acceptable, each on its own resource.
func (b *builder) suppressServerlessFindings() {
	for _, lf := range b.functions {
		suppress(lf.fn, "Serverless-LambdaTracing", "no X-Ray: each function logs structured JSON with Lambda's request id, "+
			"the API logs each request's route, status and latencies, and the alarms watch errors and p99; active tracing would "+
			"add xray:Put* grants to every role and a charge per trace")
		switch {
		case len(lf.row.Trigger.Routes) > 0:
			suppress(lf.fn, "Serverless-LambdaDLQ", "invoked synchronously by API Gateway: a failure is the caller's 5xx "+
				"(the API's 5xx rate and the stage's Failures metric alarm), never a queued event a DLQ could keep")
		case lf.row.Trigger.Queue != nil:
			suppress(lf.fn, "Serverless-LambdaDLQ", "invoked by its SQS event source mapping: a message that keeps failing "+
				"moves to the queue's own DLQ (maxReceiveCount), which alarms")
			suppress(lf.fn, "Serverless-LambdaEventSourceMappingDestination", "SQS mappings take no on-failure destination: "+
				"the queue's redrive policy moves failing messages to its DLQ, which alarms")
		case lf.row.Trigger.Manual:
			suppress(lf.fn, "Serverless-LambdaDLQ", "invoked by hand and synchronously (aws lambda invoke, make invoke): a "+
				"failure is the invoker's answer, and a run again picks up where it stopped")
		case lf.row.Trigger.Schedule != nil:
			suppress(lf.fn, "Serverless-LambdaDLQ", "asynchronous failures go to the on-failure destination queue "+
				runFailuresID+" of its EventInvokeConfig (with zero retries), which alarms")
			if rule := b.stack.Node().TryFindChild(jsii.String(pascal(lf.row.Name) + "Schedule")); rule != nil {
				suppress(rule, "Serverless-EventBusDLQ", "a tick EventBridge fails to deliver is redone by the next tick a minute "+
					"later; a queued stale tick would only repeat it")
			}
		}
	}
	for _, d := range wiring.DeadLetterQueues(b.props.Queues) {
		suppress(b.dlqs[d.Name], "Serverless-SQSRedrivePolicy", "this is the DLQ of "+strings.Join(d.SourceNames(), " and ")+
			": the end of the line, alarmed and redriven by hand (make redrive, README)")
	}
	if b.runFailures != nil {
		suppress(b.runFailures, "Serverless-SQSRedrivePolicy", "the on-failure destination of the scheduled functions"+
			": the end of the line, alarmed; nothing consumes it")
	}
	suppress(b.alarmTopic, "Serverless-SNSRedrivePolicy", "the alarm topic's only subscription is ops' email: SNS retries "+
		"email delivery itself, and a DLQ of undelivered alarms would be a queue nobody reads")
	if b.backupSelection != nil {
		cdknag.NagSuppressions_AddResourceSuppressions(b.backupSelection, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-IAM4"),
			Reason: jsii.String("the AWS Backup service role with AWS's own backup and restore policies: AWS keeps them in step with " +
				"what Backup needs per resource type (DynamoDB, KMS); only AWS Backup can assume the role"),
			AppliesTo: &[]interface{}{
				"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
				"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
			},
		}}, jsii.Bool(true))
	}
}

// indexFinding is how cdk-nag spells the GSI wildcard of a table's grant: the stack's
// own table by its logical id, an adopted one by its name.
func (b *builder) indexFinding(t *dataTable) string {
	if t.adopted != "" {
		return "Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/" + t.adopted + "/index/*"
	}
	return fmt.Sprintf("Resource::<%s.Arn>/index/*", b.logicalID(t.table))
}
