package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// scheduleMaxEventAgeSeconds: a tick older than this is dropped (a minute's schedule
// sends the next one before then; Lambda's minimum is 60 s).
const scheduleMaxEventAgeSeconds = 60

// runFailuresID is the construct id of the scheduled functions' shared on-failure queue.
const runFailuresID = "ScheduledRunFailures"

// noAsyncRetries keeps Lambda from retrying a failed scheduled run: the next tick does
// the same work, and a retry would run beside it. A run that fails (or is too old) is
// recorded in the scheduled functions' one failure queue, whose depth alarms; Lambda's
// record names the function (requestContext.functionArn) and carries the error.
func (b *builder) noAsyncRetries(lf *lambdaFunction) {
	failures := b.runFailureQueue()
	// The L1 resource with an explicit SendMessage grant: the L2 destination also
	// grants GetQueueAttributes and GetQueueUrl, which Lambda does not call.
	lf.role.AddToPrincipalPolicy(allow(queueSendActions, failures.QueueArn()))
	config := awslambda.NewCfnEventInvokeConfig(b.stack, jsii.String(pascal(lf.row.Name)+"AsyncConfig"), &awslambda.CfnEventInvokeConfigProps{
		FunctionName:             lf.fn.FunctionName(),
		Qualifier:                jsii.String("$LATEST"),
		MaximumRetryAttempts:     jsii.Number(0),
		MaximumEventAgeInSeconds: jsii.Number(scheduleMaxEventAgeSeconds),
		DestinationConfig: &awslambda.CfnEventInvokeConfig_DestinationConfigProperty{
			OnFailure: &awslambda.CfnEventInvokeConfig_OnFailureProperty{Destination: failures.QueueArn()},
		},
	})
	// Lambda checks the role may send to the destination when the config is made.
	config.Node().AddDependency(lf.role)
}

// runFailureQueue is the one queue every scheduled function's failed runs land in,
// made with the first: one queue and one alarm instead of one of each per function.
func (b *builder) runFailureQueue() awssqs.Queue {
	if b.runFailures == nil {
		b.runFailures = awssqs.NewQueue(b.stack, jsii.String(runFailuresID), &awssqs.QueueProps{
			Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
			EnforceSSL:      jsii.Bool(true),
			RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		})
		suppress(b.runFailures, "AwsSolutions-SQS3", "this queue is itself where the scheduled functions' failed runs land "+
			"(Lambda's on-failure destination); a record here alarms and waits to be read, nothing consumes it")
		b.output(runFailuresID+"Url", b.runFailures.QueueUrl(), "SQS queue of the scheduled functions' failed runs (Lambda's records)")
	}
	return b.runFailures
}

// runFailureAlarm: any record in the failure queue means a scheduled run failed.
func (b *builder) runFailureAlarm() {
	if b.runFailures == nil {
		return
	}
	b.alarm(runFailuresID+"NotEmpty", "A scheduled run failed or timed out (Lambda's record is in the queue "+runFailuresID+
		", naming the function in requestContext.functionArn): read it, fix the cause, then purge the queue",
		b.runFailures.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum"),
		}))
}
