package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"
)

// buildOps creates the encrypted SNS topic that every alarm notifies.
func (b *builder) buildOps() {
	key := awskms.NewKey(b.stack, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the ops alarm topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     b.stage.removal,
	})
	// CloudWatch publishes to an encrypted topic only if the key lets it use the key.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
	}), nil)
	b.alarmTopic = awssns.NewTopic(b.stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Rapport " + b.stage.name + " alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	if b.props.AlarmEmail != "" {
		b.alarmTopic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(b.props.AlarmEmail), nil))
	}
	b.output("AlarmTopicArn", b.alarmTopic.TopicArn(), "SNS topic the alarms notify")
}

// buildAlarms alarms on any message in a DLQ and on any function error or throttle:
// each of those means a customer's request or follow-up is waiting for a person.
func (b *builder) buildAlarms() {
	fiveMinutes := awscdk.Duration_Minutes(jsii.Number(5))
	for _, q := range b.props.Queues {
		dlq := b.queues[q.Name].dlq
		b.alarm(dlqID(q.DLQName())+"NotEmpty", "Messages are waiting in "+q.DLQName()+": inspect and redrive them",
			dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
				Period: fiveMinutes, Statistic: jsii.String("Maximum"),
			}))
	}
	for _, lf := range b.functions {
		sum := &awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("Sum")}
		b.alarm(functionID(lf.row.Name)+"Errors", lf.row.Name+" returned errors", lf.fn.MetricErrors(sum))
		b.alarm(functionID(lf.row.Name)+"Throttles", lf.row.Name+" was throttled", lf.fn.MetricThrottles(sum))
	}
}

// alarm fires when the metric goes above zero and tells the ops topic both ways.
func (b *builder) alarm(id, description string, metric awscloudwatch.IMetric) {
	alarm := awscloudwatch.NewAlarm(b.stack, jsii.String(id+"Alarm"), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(description),
		Metric:             metric,
		Threshold:          jsii.Number(0),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	action := awscloudwatchactions.NewSnsAction(b.alarmTopic)
	alarm.AddAlarmAction(action)
	alarm.AddOkAction(action)
}

// buildDashboard puts the API, every function and every queue on one page.
func (b *builder) buildDashboard() {
	graph := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6),
		})
	}
	p90 := &awscloudwatch.MetricOptions{Statistic: jsii.String("p90")}
	rows := [][]awscloudwatch.IWidget{{
		graph("API requests", b.api.MetricCount(nil)),
		graph("API 4xx / 5xx", b.api.MetricClientError(nil), b.api.MetricServerError(nil)),
		graph("API latency p90", b.api.MetricLatency(p90), b.api.MetricIntegrationLatency(p90)),
	}}
	for _, lf := range b.functions {
		rows = append(rows, []awscloudwatch.IWidget{
			graph(lf.row.Name+" invocations", lf.fn.MetricInvocations(nil)),
			graph(lf.row.Name+" errors / throttles", lf.fn.MetricErrors(nil), lf.fn.MetricThrottles(nil)),
			graph(lf.row.Name+" duration p90", lf.fn.MetricDuration(p90)),
		})
	}
	for _, q := range b.props.Queues {
		dq := b.queues[q.Name]
		rows = append(rows, []awscloudwatch.IWidget{
			graph(q.Name+" visible", dq.queue.MetricApproximateNumberOfMessagesVisible(nil)),
			graph(q.Name+" oldest message age", dq.queue.MetricApproximateAgeOfOldestMessage(nil)),
			graph(q.DLQName()+" visible", dq.dlq.MetricApproximateNumberOfMessagesVisible(nil)),
		})
	}
	widgets := make([]*[]awscloudwatch.IWidget, len(rows))
	for i := range rows {
		widgets[i] = &rows[i]
	}
	awscloudwatch.NewDashboard(b.stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		Widgets: &widgets,
	})
}
