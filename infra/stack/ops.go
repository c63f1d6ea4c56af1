package stack

import (
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"
)

// Alarm thresholds. Each alarm's description says what to do; README "Alarms" too.
const (
	// apiErrorRatePercent: share of a function's requests answered 5xx.
	apiErrorRatePercent = 5.0
	// apiLatencyP99Millis: p99 of the API's latency, and of each HTTP function's duration.
	apiLatencyP99Millis = 2000.0
	// queueAgeSeconds: a queued follow-up older than this is late (retries included).
	queueAgeSeconds = 15 * 60.0
	// smsSpendShare: the SMS spend alarm fires at this share of the monthly limit.
	smsSpendShare = 0.8
)

// tableOperations are the DynamoDB operations the functions call (CloudWatch reports
// ThrottledRequests and SystemErrors per operation). At most 10: one alarm's metric math
// takes at most 10 metrics.
var tableOperations = []awsdynamodb.Operation{
	awsdynamodb.Operation_GET_ITEM, awsdynamodb.Operation_BATCH_GET_ITEM, awsdynamodb.Operation_QUERY,
	awsdynamodb.Operation_PUT_ITEM, awsdynamodb.Operation_UPDATE_ITEM, awsdynamodb.Operation_DELETE_ITEM,
	awsdynamodb.Operation_BATCH_WRITE_ITEM, awsdynamodb.Operation_TRANSACT_WRITE_ITEMS,
	awsdynamodb.Operation_TRANSACT_GET_ITEMS,
}

// buildOps creates the encrypted SNS topic that every alarm notifies, or adopts an
// existing one (AlarmTopicArn), and subscribes AlarmEmail.
func (b *builder) buildOps() {
	if b.props.AlarmTopicArn != "" {
		// The topic's owner lets CloudWatch publish to it (README "Alarms").
		b.alarmTopic = awssns.Topic_FromTopicArn(b.stack, jsii.String("AlarmTopic"), jsii.String(b.props.AlarmTopicArn))
	} else {
		b.alarmTopic = b.newAlarmTopic()
	}
	if b.props.AlarmEmail != "" {
		b.alarmTopic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(b.props.AlarmEmail), nil))
	}
	b.output("AlarmTopicArn", b.alarmTopic.TopicArn(), "SNS topic the alarms notify")
}

// newAlarmTopic is a KMS-encrypted topic that only this account's CloudWatch alarms may
// publish to, over TLS only.
func (b *builder) newAlarmTopic() awssns.Topic {
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
		Conditions: alarmSourceConditions(),
	}), nil)
	topic := awssns.NewTopic(b.stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Rapport " + b.stage.name + " alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// Without this statement an alarm's publish is refused: the topic policy (made for
	// the TLS deny) allows nobody by default.
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarmsOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: alarmSourceConditions(),
	}))
	return topic
}

// alarmSourceConditions limit the CloudWatch service principal to this account's
// alarms in this region (the confused-deputy guard).
func alarmSourceConditions() *map[string]interface{} {
	return &map[string]interface{}{
		"ArnLike": map[string]interface{}{
			"aws:SourceArn": awscdk.Fn_Join(jsii.String(""), &[]*string{
				jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":cloudwatch:"), awscdk.Aws_REGION(),
				jsii.String(":"), awscdk.Aws_ACCOUNT_ID(), jsii.String(":alarm:*"),
			}),
		},
		"StringEquals": map[string]interface{}{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
	}
}

// buildAlarms alarms on what means a customer's request or message waits for a person:
// DLQs, function errors and throttles, the API's 5xx and latency, late follow-ups,
// DynamoDB throttles and errors, and SMS spend. A periodic job is a function of its
// own: its failed runs are its errors and its failure queue's records.
func (b *builder) buildAlarms() {
	fiveMinutes := awscdk.Duration_Minutes(jsii.Number(5))
	maxOf := &awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("Maximum")}
	sum := &awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("Sum")}
	p99 := &awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("p99")}

	for _, q := range b.props.Queues {
		dq := b.queues[q.Name]
		b.alarm(dlqID(q.DLQName())+"NotEmpty", "Messages are waiting in "+q.DLQName()+": inspect and redrive them",
			dq.dlq.MetricApproximateNumberOfMessagesVisible(maxOf))
		b.alarmAbove(queueID(q.Name)+"Age", fmt.Sprintf("The oldest message in %s is older than %g minutes: "+
			"its consumer is failing, throttled or too slow", q.Name, queueAgeSeconds/60),
			dq.queue.MetricApproximateAgeOfOldestMessage(maxOf), queueAgeSeconds, 3, 3)
	}
	for _, lf := range b.functions {
		b.alarm(functionID(lf.row.Name)+"Errors", lf.row.Name+" returned errors", lf.fn.MetricErrors(sum))
		b.alarm(functionID(lf.row.Name)+"Throttles", lf.row.Name+" was throttled", lf.fn.MetricThrottles(sum))
	}
	b.failureAlarms()
	b.jobNotRunAlarms()
	b.buildAPIAlarms(sum, p99)
	for _, name := range sortedKeys(b.tables) {
		t := b.tables[name].table
		b.alarm(tableID(name)+"Throttles", "DynamoDB throttled requests to the "+name+" table",
			t.MetricThrottledRequestsForOperations(&awsdynamodb.OperationsMetricOptions{
				Operations: &tableOperations, Period: fiveMinutes,
			}))
		b.alarm(tableID(name)+"SystemErrors", "DynamoDB answered requests to the "+name+" table with a 500 (its own error)",
			t.MetricSystemErrorsForOperations(&awsdynamodb.SystemErrorsForOperationsMetricOptions{
				Operations: &tableOperations, Period: fiveMinutes,
			}))
	}
	if b.sendsSMS() {
		limit := b.props.SMSSpendLimitUSD
		b.alarmAbove("SmsSpend", fmt.Sprintf("SMS spend this month passed %g%% of the USD %g limit: at the limit SNS stops sending SMS",
			smsSpendShare*100, limit), smsSpendMetric(), smsSpendShare*limit, 1, 1)
	}
}

// jobNotRunAlarms: a periodic job of a minute's or an hour's period that was not
// invoked for three five-minute periods, or two hours, stopped: its schedule is gone
// or disabled, or Lambda cannot run it (missing data, no invocation, breaches). A
// daily job's missed day shows in its failure queue or not at all, and waits a day.
func (b *builder) jobNotRunAlarms() {
	for _, lf := range b.functions {
		s := lf.row.Trigger.Schedule
		if s == nil || !s.Job {
			continue
		}
		every, err := s.Every()
		if err != nil {
			continue // Validate refused the row already
		}
		period, periods, span := awscdk.Duration_Minutes(jsii.Number(5)), 3.0, "15 minutes"
		switch {
		case every <= 5*time.Minute:
		case every <= time.Hour:
			period, periods, span = awscdk.Duration_Hours(jsii.Number(1)), 2, "two hours"
		default:
			continue
		}
		alarm := awscloudwatch.NewAlarm(b.stack, jsii.String(functionID(lf.row.Name)+"NotRunAlarm"), &awscloudwatch.AlarmProps{
			AlarmDescription: jsii.String("The periodic job " + lf.row.Name + " has not run for " + span +
				": its EventBridge schedule is gone or disabled, or Lambda cannot start it"),
			Metric:             lf.fn.MetricInvocations(&awscloudwatch.MetricOptions{Period: period, Statistic: jsii.String("Sum")}),
			Threshold:          jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(periods),
			DatapointsToAlarm:  jsii.Number(periods),
			TreatMissingData:   awscloudwatch.TreatMissingData_BREACHING,
		})
		action := awscloudwatchactions.NewSnsAction(b.alarmTopic)
		alarm.AddAlarmAction(action)
		alarm.AddOkAction(action)
	}
}

// buildAPIAlarms: the whole API's 5xx rate and p99 latency, and per function (its
// routes) the 5xx rate, from the access logs, and the p99 duration.
func (b *builder) buildAPIAlarms(sum, p99 *awscloudwatch.MetricOptions) {
	b.alarmAbove("Api5xxRate", fmt.Sprintf("More than %g%% of API requests answered 5xx", apiErrorRatePercent),
		errorRate(b.api.MetricServerError(sum), b.api.MetricCount(sum)), apiErrorRatePercent, 3, 2)
	b.alarmAbove("ApiLatencyP99", fmt.Sprintf("The API's p99 latency is above %g ms", apiLatencyP99Millis),
		b.api.MetricLatency(p99), apiLatencyP99Millis, 3, 2)
	for _, lf := range b.functions {
		if len(lf.row.Trigger.Routes) == 0 {
			continue
		}
		b.alarmAbove(functionID(lf.row.Name)+"5xxRate", fmt.Sprintf("More than %g%% of %s's requests (its routes) answered 5xx: "+
			"its logs say why (a dependency's 503 or our bug's 500)", apiErrorRatePercent, lf.row.Name),
			errorRate(b.route5xxMetric(lf, sum), lf.fn.MetricInvocations(sum)), apiErrorRatePercent, 3, 2)
		b.alarmAbove(functionID(lf.row.Name)+"LatencyP99", fmt.Sprintf("%s's p99 duration (its routes' latency) is above %g ms",
			lf.row.Name, apiLatencyP99Millis), lf.fn.MetricDuration(p99), apiLatencyP99Millis, 3, 2)
	}
}

// route5xxMetric counts the 5xx answers of one function's routes, from the API's
// access log lines (one per request, with its route key and status).
func (b *builder) route5xxMetric(lf *lambdaFunction, sum *awscloudwatch.MetricOptions) awscloudwatch.IMetric {
	var routes []awslogs.JsonPattern
	for _, r := range lf.row.Trigger.Routes {
		routes = append(routes, awslogs.FilterPattern_StringValue(jsii.String("$.routeKey"), jsii.String("="), jsii.String(r.Pattern())))
	}
	filter := awslogs.NewMetricFilter(b.stack, jsii.String(functionID(lf.row.Name)+"5xxFilter"), &awslogs.MetricFilterProps{
		LogGroup:        b.accessLogs,
		MetricNamespace: jsii.String(apiMetricsNamespace),
		MetricName:      jsii.String("5xx-" + lf.row.Name),
		FilterPattern: awslogs.FilterPattern_All(
			awslogs.FilterPattern_StringValue(jsii.String("$.status"), jsii.String("="), jsii.String("5*")),
			awslogs.FilterPattern_Any(routes...)),
		MetricValue:  jsii.String("1"),
		DefaultValue: jsii.Number(0),
	})
	return filter.Metric(sum)
}

// apiMetricsNamespace holds the per-function 5xx counts made from the access logs.
const apiMetricsNamespace = "Rapport/Api"

// errorRate is 100 × errors / requests, 0 without requests.
func errorRate(errors, requests awscloudwatch.IMetric) awscloudwatch.IMetric {
	return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"errors": errors, "requests": requests,
		},
		Label:  jsii.String("5xx %"),
		Period: awscdk.Duration_Minutes(jsii.Number(5)),
	})
}

func smsSpendMetric() awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:  jsii.String("AWS/SNS"),
		MetricName: jsii.String("SMSMonthToDateSpentUSD"),
		Statistic:  jsii.String("Maximum"),
		Period:     awscdk.Duration_Minutes(jsii.Number(5)),
	})
}

// jobMetric is a periodic job's metric (embedded metric format lines written by
// shared/job's Runner).
func jobMetric(name, job string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String("Rapport"),
		MetricName:    jsii.String(name),
		DimensionsMap: &map[string]*string{"Job": jsii.String(job)},
		Statistic:     opts.Statistic,
		Period:        opts.Period,
	})
}

// jobs are the periodic jobs' functions, sorted.
func (b *builder) jobs() []string {
	var out []string
	for _, f := range b.props.Functions {
		if s := f.Trigger.Schedule; s != nil && s.Job {
			out = append(out, f.Name)
		}
	}
	sort.Strings(out)
	return out
}

func (b *builder) sendsSMS() bool {
	for _, f := range b.props.Functions {
		for _, ch := range f.Sends {
			if ch == "sms" {
				return true
			}
		}
	}
	return false
}

// alarm fires when the metric goes above zero in one period.
func (b *builder) alarm(id, description string, metric awscloudwatch.IMetric) {
	b.alarmAbove(id, description, metric, 0, 1, 1)
}

// alarmAbove fires when the metric is above threshold in datapoints of the last
// periods, and tells the ops topic both ways.
func (b *builder) alarmAbove(id, description string, metric awscloudwatch.IMetric, threshold, periods, datapoints float64) {
	alarm := awscloudwatch.NewAlarm(b.stack, jsii.String(id+"Alarm"), &awscloudwatch.AlarmProps{
		AlarmDescription:   jsii.String(description),
		Metric:             metric,
		Threshold:          jsii.Number(threshold),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(periods),
		DatapointsToAlarm:  jsii.Number(datapoints),
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	action := awscloudwatchactions.NewSnsAction(b.alarmTopic)
	alarm.AddAlarmAction(action)
	alarm.AddOkAction(action)
}

// buildDashboard puts the API, every function, queue and table, the periodic jobs and
// the SMS spend on one page.
func (b *builder) buildDashboard() {
	graph := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6),
		})
	}
	p99 := &awscloudwatch.MetricOptions{Statistic: jsii.String("p99")}
	sum := &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum")}
	rows := [][]awscloudwatch.IWidget{{
		graph("API requests", b.api.MetricCount(nil)),
		graph("API 4xx / 5xx", b.api.MetricClientError(nil), b.api.MetricServerError(nil)),
		graph("API latency p99", b.api.MetricLatency(p99), b.api.MetricIntegrationLatency(p99)),
	}}
	for _, lf := range b.functions {
		rows = append(rows, []awscloudwatch.IWidget{
			graph(lf.row.Name+" invocations", lf.fn.MetricInvocations(nil)),
			graph(lf.row.Name+" errors / throttles", lf.fn.MetricErrors(nil), lf.fn.MetricThrottles(nil)),
			graph(lf.row.Name+" duration p99", lf.fn.MetricDuration(p99)),
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
	// One graph per metric math: the operations' metric ids repeat across tables.
	for _, name := range sortedKeys(b.tables) {
		t := b.tables[name].table
		rows = append(rows, []awscloudwatch.IWidget{
			graph(name+" table throttled requests", t.MetricThrottledRequestsForOperations(&awsdynamodb.OperationsMetricOptions{
				Operations: &tableOperations})),
			graph(name+" table system errors", t.MetricSystemErrorsForOperations(&awsdynamodb.SystemErrorsForOperationsMetricOptions{
				Operations: &tableOperations})),
		})
	}
	var failed []awscloudwatch.IMetric
	for _, job := range b.jobs() {
		failed = append(failed, jobMetric("JobFailed", job, sum))
	}
	row := []awscloudwatch.IWidget{}
	if len(failed) > 0 {
		row = append(row, graph("Periodic jobs failed", failed...))
	}
	if b.sendsSMS() {
		row = append(row, graph("SMS spend this month (USD)", smsSpendMetric()))
	}
	rows = append(rows, row)
	widgets := make([]*[]awscloudwatch.IWidget, len(rows))
	for i := range rows {
		widgets[i] = &rows[i]
	}
	awscloudwatch.NewDashboard(b.stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		Widgets: &widgets,
	})
}
