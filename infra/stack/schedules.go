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

// noAsyncRetries keeps Lambda from retrying a failed scheduled run: the next tick does
// the same work, and a retry would run beside it. A run that fails (or is too old) is
// recorded in the function's failure queue, whose depth alarms.
func (b *builder) noAsyncRetries(lf *lambdaFunction) {
	failures := awssqs.NewQueue(b.stack, jsii.String(failureQueueID(lf.row.Name)), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
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
	b.failureQueues = append(b.failureQueues, scheduledFailures{row: lf.row.Name, queue: failures})
	suppress(failures, "AwsSolutions-SQS3", "this queue is itself where "+lf.row.Name+"'s failed runs land "+
		"(Lambda's on-failure destination); a record here alarms and waits to be read, nothing consumes it")
}

// scheduledFailures is a scheduled function's on-failure queue.
type scheduledFailures struct {
	row   string
	queue awssqs.Queue
}

func failureQueueID(name string) string { return pascal(name) + "Failures" }

// failureAlarms: any record in a failure queue means a scheduled run failed.
func (b *builder) failureAlarms() {
	for _, f := range b.failureQueues {
		b.alarm(failureQueueID(f.row)+"NotEmpty", "A run of "+f.row+" failed (its event is in the queue "+
			failureQueueID(f.row)+"): read it, fix the cause, then purge the queue",
			f.queue.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
				Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum"),
			}))
	}
}
