package stack

import (
	"path/filepath"
	"slices"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// IAM actions per access level. Each function's role gets exactly these for what its row
// lists, on that table or queue only.
var (
	tableReadActions  = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"}
	tableWriteActions = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
	// Scan only where a row lists the table in Scans (a job that reads every item).
	tableScanActions = []string{"dynamodb:Scan"}
	// Only Query addresses an index; the other read actions name the table itself.
	indexActions     = []string{"dynamodb:Query"}
	keyReadActions   = []string{"kms:Decrypt"}
	keyWriteActions  = []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"}
	queueSendActions = []string{"sqs:SendMessage"}
	// queueInspectActions read a queue's counts of messages (deep health), never a message.
	queueInspectActions = []string{"sqs:GetQueueAttributes"}
	logWriteActions     = []string{"logs:CreateLogStream", "logs:PutLogEvents"}
)

// lambdaFunction is a wiring row with the resources made for it.
type lambdaFunction struct {
	row  wiring.Function
	fn   awslambda.Function
	role awsiam.Role
}

// buildFunctions creates one function per wiring row with its role, log group, grants
// and non-HTTP trigger. HTTP routes are added by buildAPI.
func (b *builder) buildFunctions() {
	for _, row := range b.props.Functions {
		lf := b.newFunction(row)
		b.grantTables(lf)
		b.grantQueueSends(lf)
		b.grantKeys(lf)
		b.grantMessaging(lf)
		b.addSchedule(lf)
		b.addQueueTrigger(lf)
		b.functions = append(b.functions, lf)
	}
}

func (b *builder) newFunction(row wiring.Function) *lambdaFunction {
	logs := awslogs.NewLogGroup(b.stack, jsii.String(logGroupID(row.Name)), &awslogs.LogGroupProps{
		Retention:     b.stage.logRetention,
		RemovalPolicy: b.stage.removal,
	})
	// An explicit role instead of AWSLambdaBasicExecutionRole, whose logs grant covers
	// every log group in the account.
	role := awsiam.NewRole(b.stack, jsii.String(roleID(row.Name)), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Runs the " + row.Name + " function with the grants its wiring row lists"),
	})
	role.AddToPrincipalPolicy(allow(logWriteActions, logs.LogGroupArn()))

	fn := awslambda.NewFunction(b.stack, jsii.String(functionID(row.Name)), &awslambda.FunctionProps{
		Description:  jsii.String(row.Description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(b.props.AssetDir, row.Name)), nil),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(float64(row.TimeoutSeconds))),
		MemorySize:   jsii.Number(float64(row.MemoryMB)),
		Environment:  b.environment(row),
		Role:         role,
		LogGroup:     logs,
		// JSON makes Lambda set AWS_LAMBDA_LOG_FORMAT=JSON, which lambdacontext's slog
		// handler reads; functions get structured logs without a variable of ours.
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
	})
	return &lambdaFunction{row: row, fn: fn, role: role}
}

// environment is the row's Env and the stage (stageVariable), which the shared
// framework writes as the Failures metric's dimension; nothing else is added behind
// the table's back.
func (b *builder) environment(row wiring.Function) *map[string]*string {
	env := map[string]*string{stageVariable: jsii.String(b.stage.name)}
	for _, e := range row.Env {
		switch {
		case e.Table != "":
			env[e.Name] = b.tables[e.Table].table.TableName()
		case e.Queue != "":
			env[e.Name] = b.queues[e.Queue].queue.QueueUrl()
		case e.Key != "":
			env[e.Name] = b.keys[e.Key].envValue()
		case e.API:
			// Set by setAPIEnvironment once the API exists.
		case e.Setting != "":
			v, ok := b.props.Settings[e.Setting]
			if !ok {
				v = e.Value
			}
			env[e.Name] = jsii.String(v)
		default:
			env[e.Name] = jsii.String(e.Value)
		}
	}
	return &env
}

// grantTables writes explicit statements instead of table.Grant*: the L2 grants add
// actions (Scan, DescribeTable, kms:ReEncrypt*) that no row asks for. The tables share
// one key: a role gets Decrypt on it to read any of its tables, and Encrypt and
// GenerateDataKey* too when it writes one; the table grants keep it to its own tables.
func (b *builder) grantTables(lf *lambdaFunction) {
	keyActions := keyReadActions
	for _, name := range sortedKeys(lf.row.Tables) {
		t := b.tables[name]
		actions := tableReadActions
		if lf.row.Tables[name] == wiring.ReadWrite {
			actions, keyActions = append(append([]string{}, tableReadActions...), tableWriteActions...), keyWriteActions
		}
		if slices.Contains(lf.row.Scans, name) {
			actions = append(slices.Clone(actions), tableScanActions...)
		}
		lf.role.AddToPrincipalPolicy(allow(actions, t.table.TableArn()))
		if len(t.def.Indexes) > 0 {
			lf.role.AddToPrincipalPolicy(allow(indexActions, indexArns(t.table)))
		}
	}
	if key := b.tableKey(); key != nil && len(lf.row.Tables) > 0 {
		lf.role.AddToPrincipalPolicy(allow(keyActions, key.KeyArn()))
	}
}

// indexArns covers every GSI of one table, and only of that table.
func indexArns(t awsdynamodb.ITable) *string {
	return jsii.String(*t.TableArn() + "/index/*")
}

// grantQueueSends grants SendMessage, and GetQueueAttributes alone for Inspect;
// consuming is granted by the event source mapping.
func (b *builder) grantQueueSends(lf *lambdaFunction) {
	for _, name := range sortedKeys(lf.row.Queues) {
		switch lf.row.Queues[name] {
		case wiring.Send:
			lf.role.AddToPrincipalPolicy(allow(queueSendActions, b.queues[name].queue.QueueArn()))
		case wiring.Inspect:
			lf.role.AddToPrincipalPolicy(allow(queueInspectActions, b.queues[name].queue.QueueArn()))
		}
	}
}

func (b *builder) addSchedule(lf *lambdaFunction) {
	s := lf.row.Trigger.Schedule
	if s == nil {
		return
	}
	awsevents.NewRule(b.stack, jsii.String(pascal(lf.row.Name)+"Schedule"), &awsevents.RuleProps{
		Description: jsii.String("Invokes " + lf.row.Name + " on " + s.Expression),
		Schedule:    awsevents.Schedule_Expression(jsii.String(s.Expression)),
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(lf.fn, &awseventstargets.LambdaFunctionProps{
			// The next tick does the same work; retrying a stale tick only piles up.
			RetryAttempts: jsii.Number(0),
		})},
	})
	b.noAsyncRetries(lf)
}

func (b *builder) addQueueTrigger(lf *lambdaFunction) {
	qt := lf.row.Trigger.Queue
	if qt == nil {
		return
	}
	props := &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(float64(qt.BatchSize)),
		ReportBatchItemFailures: jsii.Bool(true),
	}
	if qt.WindowSeconds > 0 {
		props.MaxBatchingWindow = awscdk.Duration_Seconds(jsii.Number(float64(qt.WindowSeconds)))
	}
	if len(lf.row.Sends) > 0 {
		// A sender's pace is its concurrency: SES and SNS quotas are per second.
		props.MaxConcurrency = jsii.Number(float64(b.props.SendConcurrency))
	}
	lf.fn.AddEventSource(awslambdaeventsources.NewSqsEventSource(b.queues[qt.Queue].queue, props))
}

func allow(actions []string, resources ...*string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Effect:    awsiam.Effect_ALLOW,
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
