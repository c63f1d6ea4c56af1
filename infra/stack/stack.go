// Package stack builds Rapport's CloudFormation stack by looping over the wiring table.
package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/infra/indexplan"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// StackProps configures one stage of Rapport. Everything a stage may differ in is here.
type StackProps struct {
	awscdk.StackProps

	// Stage is "dev" or "prod". Prod keeps data (RETAIN, deletion protection) and logs longer.
	Stage string
	// AssetDir holds one folder per function with its `bootstrap` binary (make build).
	AssetDir string

	// JWTIssuer and JWTAudience select an external OIDC issuer for JWT routes. When both
	// are empty the stack creates its own Cognito user pool and app clients instead.
	JWTIssuer   string
	JWTAudience []string

	// AlarmEmail, when set, subscribes this address to the ops alarm topic.
	AlarmEmail string
	// AlarmTopicArn, when set, is an existing SNS topic (an on-call tool's, another
	// account's) that the alarms notify instead of a topic of the stack's own. Its
	// policy must let cloudwatch.amazonaws.com publish (README "Alarms"). Prod needs
	// AlarmEmail or AlarmTopicArn: an alarm nobody receives is no alarm.
	AlarmTopicArn string
	// SMSSpendLimitUSD is the account's monthly SMS spend limit (SNS MonthlySpendLimit,
	// set outside the stack, README); an alarm fires at 80 % of it. Default 1, AWS's
	// default limit.
	SMSSpendLimitUSD float64

	// The rest configures the stack's own user pool (unused with an external issuer).
	// AuthDomainPrefix names the hosted sign-in domain, <prefix>.auth.<region>.amazoncognito.com;
	// empty means rapport-<stage>-<account id>.
	AuthDomainPrefix string
	// ConsoleCallbackURLs and ConsoleLogoutURLs are where the sign-in pages may send
	// staff back to besides the console's own distribution and ConsoleDomain, which
	// the stack always adds (/callback and /). Dev defaults to the local console
	// (http://localhost:8080/, http://127.0.0.1:8080/); prod takes https ones only.
	// Logout URLs default to the callback URLs.
	ConsoleCallbackURLs []string
	ConsoleLogoutURLs   []string
	// MachineLocations adds a rapport/location:<id> scope per location id, for
	// machine clients limited to some locations (a point-of-sale).
	MachineLocations []string
	// MachineClientIDs are app clients made outside the stack (per-location machine
	// clients, README) whose tokens the API accepts besides the stack's own two.
	MachineClientIDs []string

	// TableEncryption is how the tables are encrypted at rest (CDK context
	// tableEncryption): "customer" (the default), with the stack's one customer-managed
	// key, whose use CloudTrail records and whose grants the roles name; or "aws-owned",
	// with DynamoDB's own key at no charge, for a business that needs no key of its own
	// (README "What a stage costs idle"). Switching is an in-place update of each table.
	TableEncryption string

	// TableNames maps a wiring table name to a table made outside the stack that the
	// stack adopts instead of its own: a point-in-time restore (README "Restoring a
	// table"), e.g. {"customers": "rapport-prod-customers-2026-03-01"}.
	TableNames map[string]string

	// DeployedIndexes is what the stage's own tables hold (CDK context deployedIndexes,
	// the file `make deploy` writes from DescribeTable): each table then declares its
	// next step toward the wiring's indexes, one index created or deleted per update
	// (indexplan.Next). Nil for a stage that does not exist yet: every table with all
	// of its indexes.
	DeployedIndexes indexplan.Deployed

	// APIDomain and CertificateArn serve the API at a custom domain (api.hotel.example)
	// with an ACM certificate of the stack's region; links in messages (PUBLIC_BASE_URL)
	// then use it. Both or neither.
	APIDomain      string
	CertificateArn string

	// ConsoleDir is the staff console's build (make console): index.html, the hashed
	// files under assets/, and whatever else Vite copies. The stack uploads it to the
	// console's bucket at deploy, with a config.json for the stage.
	ConsoleDir string
	// ConsoleDomain and ConsoleCertificateArn serve the console (and the API under /v1/)
	// at a custom domain (console.hotel.example) with an ACM certificate in us-east-1.
	// Both or neither; without them the console is at CloudFront's own domain.
	ConsoleDomain         string
	ConsoleCertificateArn string
	// ConsoleWebACLArn, when set, is a WAF web ACL of scope CLOUDFRONT (made in
	// us-east-1, outside the stack) that guards the console's distribution.
	ConsoleWebACLArn string
	// ConsoleClientID is the console's OIDC client id at an external issuer (JWTIssuer);
	// empty means the first of JWTAudience.
	ConsoleClientID string

	// Backup turns on the daily AWS Backup plan of the tables in a stage other than
	// prod (prod always has it). BackupCopyVaultArn, when set, is a vault in another
	// region or account that receives a copy of every recovery point.
	Backup             bool
	BackupCopyVaultArn string

	// SESIdentity, when set, is the domain (hotel.example) or address the stack makes an
	// SES identity for (DKIM records in the console, README); empty means ops verified
	// the emailFrom identity outside the stack. Only with notifyChannel=aws.
	SESIdentity string
	// SendConcurrency caps the concurrent invocations of each function that sends
	// (followup-email, followup-sms: the SQS event source's maximum concurrency,
	// 2..1000; default 5): with batches of 10, about 10 × SendConcurrency emails and as
	// many SMS in flight, which keeps SES and SNS within their per-second quotas.
	SendConcurrency int

	// Settings are deployment settings (CDK context) for the rows' Setting variables,
	// e.g. notifyChannel=aws, emailFrom=noreply@hotel.example; absent ones keep the
	// row's default.
	Settings map[string]string

	// Functions, Tables, Queues and SigningKeys default to the wiring table. Tests
	// replace them to cover rows the real table does not have yet (JWT routes,
	// read-only grants, a key during a rotation).
	Functions   []wiring.Function
	Tables      []wiring.Table
	Queues      []wiring.Queue
	SigningKeys []wiring.SigningKey
}

// Stages lists the stages a stack can be built for.
var Stages = []string{"dev", "prod"}

// NewStack builds the whole of Rapport for one stage. It panics with a readable message
// on an inconsistent wiring table, as CDK constructs do: there is nothing to deploy then.
func NewStack(scope constructs.Construct, id string, props *StackProps) awscdk.Stack {
	p := props.withDefaults()
	if err := p.Validate(); err != nil {
		panic(err)
	}

	sprops := p.StackProps
	if sprops.Description == nil {
		sprops.Description = jsii.String(fmt.Sprintf("Rapport customer-relationship backend (%s)", p.Stage))
	}
	if p.Stage == "prod" {
		// Deleting prod takes turning this off first, on purpose.
		sprops.TerminationProtection = jsii.Bool(true)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sprops)
	// Every resource that takes tags says what it belongs to (cost reports, IAM conditions).
	awscdk.Tags_Of(stack).Add(jsii.String("app"), jsii.String("rapport"), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("stage"), jsii.String(p.Stage), nil)

	b := &builder{stack: stack, props: p, stage: stageSettings(p.Stage)}
	b.buildData()
	b.buildBackup()
	b.buildKeys()
	b.buildOps()
	b.buildMessaging()
	b.buildFunctions()
	b.buildAPI()
	b.buildConsole()
	b.buildAlarms()
	b.buildDashboard()
	b.suppressNagFindings()
	return stack
}

// withDefaults fills the wiring rows from the wiring table, and the console URLs of a
// dev stack.
func (p StackProps) withDefaults() StackProps {
	out := p
	if out.Stage == "" {
		out.Stage = "dev"
	}
	if out.Functions == nil {
		out.Functions = wiring.Functions
	}
	if out.Tables == nil {
		out.Tables = wiring.Tables
	}
	if out.Queues == nil {
		out.Queues = wiring.Queues
	}
	if out.SigningKeys == nil {
		out.SigningKeys = wiring.SigningKeys
	}
	if out.SendConcurrency == 0 {
		out.SendConcurrency = 5
	}
	if out.SMSSpendLimitUSD == 0 {
		out.SMSSpendLimitUSD = 1
	}
	return out.withIdentityDefaults()
}

// usesCognito tells whether the stack owns the identity provider.
func (p StackProps) usesCognito() bool { return p.JWTIssuer == "" }

// stage holds what differs between dev and prod.
type stage struct {
	name string
	// removal applies to stateful resources: tables, keys, the user pool, log groups.
	removal            awscdk.RemovalPolicy
	deletionProtection bool
	logRetention       awslogs.RetentionDays
	// backup: the tables' daily AWS Backup plan.
	backup bool
}

func stageSettings(name string) stage {
	if name == "prod" {
		return stage{
			name:               name,
			removal:            awscdk.RemovalPolicy_RETAIN,
			deletionProtection: true,
			logRetention:       awslogs.RetentionDays_ONE_YEAR,
			backup:             true,
		}
	}
	// Dev stacks come and go: nothing they hold outlives them.
	return stage{
		name:               name,
		removal:            awscdk.RemovalPolicy_DESTROY,
		deletionProtection: false,
		logRetention:       awslogs.RetentionDays_ONE_MONTH,
	}
}
