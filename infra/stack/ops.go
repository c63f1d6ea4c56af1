package stack

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// Alarm thresholds. Each alarm's description says what to do; README "Alarms" too.
const (
	// apiErrorRatePercent: share of the API's requests answered 5xx.
	apiErrorRatePercent = 5.0
	// apiLatencyP99Millis: p99 of the API's latency.
	apiLatencyP99Millis = 2000.0
	// queueAgeSeconds: a queued follow-up older than this is late (retries included).
	queueAgeSeconds = 15 * 60.0
	// smsSpendShare: the SMS spend alarm fires at this share of the monthly limit.
	smsSpendShare = 0.8
)

// Rows the alarms single out by name.
const (
	// followupsQueue is the queue of follow-ups to send: its age alarms (a late
	// follow-up is a customer waiting); the other queues alarm on their DLQ only, and
	// the email and SMS queues' age is graphed.
	followupsQueue = "followups"
	// escalationJob is the complaint SLA ladder: the one job whose absence alarms
	// (a missed escalation is a complaint nobody is told about). Other jobs catch up
	// on their next run, and their failed runs alarm through the failure queue.
	escalationJob = "complaint-sla"
)

// failuresNamespace and failuresMetricName are the stage's one custom metric, written
// by shared/app (a 5xx answer, a failed queue record) and shared/job (a failed run)
// as embedded-metric-format lines, by the Stage dimension only.
const (
	failuresNamespace  = "Rapport"
	failuresMetricName = "Failures"
)

// stageVariable is the one environment variable the stack sets on every function
// besides its row's Env (shared/app.StageVariable): the Failures metric's dimension.
const stageVariable = "RAPPORT_STAGE"

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

// newAlarmTopic is a topic that only this account's CloudWatch alarms may publish to,
// over TLS only, encrypted with the data key when the stack has one. With
// tableEncryption=aws-owned and no topic of customers' data (SES's bounces name
// addresses) there is none, and the topic goes without: CloudWatch cannot use SNS's
// AWS-managed key, and a key of its own would cost $1 a month to encrypt alarm names.
func (b *builder) newAlarmTopic() awssns.Topic {
	props := &awssns.TopicProps{
		DisplayName: jsii.String("Rapport " + b.stage.name + " alarms"),
		EnforceSSL:  jsii.Bool(true),
	}
	if b.tableKey() != nil || b.props.makesMailFeedbackTopic() {
		key := b.dataKey()
		// CloudWatch publishes to an encrypted topic only if the key lets it use the key.
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
			Resources:  jsii.Strings("*"),
			Conditions: alarmSourceConditions(),
		}), nil)
		props.MasterKey = key
	}
	topic := awssns.NewTopic(b.stack, jsii.String("AlarmTopic"), props)
	if props.MasterKey == nil {
		suppress(topic, "AwsSolutions-SNS2", "tableEncryption=aws-owned and no topic of customers' data: alarm "+
			"notifications carry alarm names, descriptions and metric values only; CloudWatch cannot publish with SNS's "+
			"AWS-managed key, and a customer-managed key for them alone costs $1 a month (README \"What a stage costs idle\")")
	}
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

// buildAlarms alarms on what means a customer's request or message waits for a person,
// with as few metrics as say so (each alarm metric costs $0.10 a month, README "What a
// stage costs idle"): the API's 5xx rate and p99 latency; the stage's Failures (a 5xx
// answer, a failed queue record, a failed job run); Lambda throttles in the region;
// every DLQ, the scheduled runs' failure queue and the follow-ups' age; the complaint
// SLA job not running; SMS spend. What a process cannot report (a timeout, a crash)
// shows as the API's 5xx, a message in a DLQ, or a record in the failure queue; a
// DynamoDB throttle or outage that reaches a caller is a 5xx or a failure.
func (b *builder) buildAlarms() {
	fiveMinutes := awscdk.Duration_Minutes(jsii.Number(5))
	maxOf := &awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("Maximum")}
	sum := &awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("Sum")}
	p99 := &awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("p99")}

	b.alarmAbove("Api5xxRate", fmt.Sprintf("More than %g%% of API requests answered 5xx: the Failures metric's log lines "+
		"name the function; its logs say why (a dependency's 503 or our bug's 500)", apiErrorRatePercent),
		errorRate(b.api.MetricServerError(sum), b.api.MetricCount(sum)), apiErrorRatePercent, 3, 2)
	b.alarmAbove("ApiLatencyP99", fmt.Sprintf("The API's p99 latency is above %g ms: the dashboard's p99 duration per "+
		"HTTP function shows which", apiLatencyP99Millis), b.api.MetricLatency(p99), apiLatencyP99Millis, 3, 2)
	b.alarm("Failures", "Work failed in "+b.stage.name+": a 5xx answer, a failed queue record or a failed job run. "+
		"Logs Insights over the functions' log groups: filter Failures > 0 | stats sum(Failures) by Function, Kind",
		b.failuresMetric(sum))
	b.alarm("LambdaThrottles", "Lambda throttled invocations in this account and region (the concurrency pool is the "+
		"account's): the dashboard's concurrent executions; raise the quota or cap the email and SMS deliverers (sendConcurrency)",
		accountLambdaMetric("Throttles", sum))
	// One alarm per DLQ: an alarm over several DLQs (metric math) pays for each metric
	// in it all the same. The email and SMS queues share one DLQ, and so one metric.
	for _, d := range wiring.DeadLetterQueues(b.props.Queues) {
		b.alarm(dlqID(d.Name)+"NotEmpty", "Messages are waiting in "+d.Name+" (from "+strings.Join(d.SourceNames(), ", ")+
			"): inspect them and redrive them to their queues", b.dlqs[d.Name].MetricApproximateNumberOfMessagesVisible(maxOf))
	}
	for _, q := range b.props.Queues {
		dq := b.queues[q.Name]
		if q.Name == followupsQueue {
			b.alarmAbove(queueID(q.Name)+"Age", fmt.Sprintf("The oldest message in %s is older than %g minutes: "+
				"its consumer is failing, throttled or too slow", q.Name, queueAgeSeconds/60),
				dq.queue.MetricApproximateAgeOfOldestMessage(maxOf), queueAgeSeconds, 3, 3)
		}
	}
	b.runFailureAlarm()
	b.escalationNotRunAlarm()
	if b.sendsSMS() {
		limit := b.props.SMSSpendLimitUSD
		b.alarmAbove("SmsSpend", fmt.Sprintf("SMS spend this month passed %g%% of the USD %g limit: at the limit SNS stops sending SMS",
			smsSpendShare*100, limit), smsSpendMetric(), smsSpendShare*limit, 1, 1)
	}
}

// escalationNotRunAlarm: the complaint SLA job, run every minute, was not invoked for
// three five-minute periods: its schedule is gone or disabled, or Lambda cannot start
// it. Missing data breaches: no invocation is exactly what it watches.
func (b *builder) escalationNotRunAlarm() {
	for _, lf := range b.functions {
		if lf.row.Name != escalationJob || lf.row.Trigger.Schedule == nil {
			continue
		}
		if every, err := lf.row.Trigger.Schedule.Every(); err != nil || every > 5*time.Minute {
			continue // a slower schedule would breach between runs
		}
		alarm := awscloudwatch.NewAlarm(b.stack, jsii.String(functionID(lf.row.Name)+"NotRunAlarm"), &awscloudwatch.AlarmProps{
			AlarmDescription: jsii.String("The complaint SLA job " + lf.row.Name + " has not run for 15 minutes: " +
				"no warning or escalation is sent. Its EventBridge schedule is gone or disabled, or Lambda cannot start it"),
			Metric: lf.fn.MetricInvocations(&awscloudwatch.MetricOptions{
				Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum"),
			}),
			Threshold:          jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(3),
			DatapointsToAlarm:  jsii.Number(3),
			TreatMissingData:   awscloudwatch.TreatMissingData_BREACHING,
		})
		action := awscloudwatchactions.NewSnsAction(b.alarmTopic)
		alarm.AddAlarmAction(action)
		alarm.AddOkAction(action)
	}
}

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

// failuresMetric is the stage's Failures metric.
func (b *builder) failuresMetric(opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String(failuresNamespace),
		MetricName:    jsii.String(failuresMetricName),
		DimensionsMap: &map[string]*string{"Stage": jsii.String(b.stage.name)},
		Statistic:     opts.Statistic,
		Period:        opts.Period,
		Label:         opts.Label,
	})
}

// accountLambdaMetric is an AWS/Lambda metric of the whole account in the region (no
// dimension): every function's, this stack's and any other's.
func accountLambdaMetric(name string, opts *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	props := &awscloudwatch.MetricProps{Namespace: jsii.String("AWS/Lambda"), MetricName: jsii.String(name)}
	if opts != nil {
		props.Statistic, props.Period = opts.Statistic, opts.Period
	}
	return awscloudwatch.NewMetric(props)
}

func smsSpendMetric() awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:  jsii.String("AWS/SNS"),
		MetricName: jsii.String("SMSMonthToDateSpentUSD"),
		Statistic:  jsii.String("Maximum"),
		Period:     awscdk.Duration_Minutes(jsii.Number(5)),
	})
}

// sendsSMS: a row sends SMS and the channel is aws (the outbox sends nothing).
func (b *builder) sendsSMS() bool {
	if b.props.channel() != channelAWS {
		return false
	}
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

// dashboardMetrics is the most metrics the dashboard may graph (math inputs count): a
// dashboard of up to 50 metrics is within CloudWatch's free tier of three.
const dashboardMetrics = 50

// buildDashboard puts on one page what an operator looks at, in rows: the API; the
// functions (the stage's failures, the region's Lambda errors, throttles and
// concurrency, each HTTP function's p99 duration); the longest run of the functions
// scheduled every few minutes (a run near its period is about to overlap the next); the
// follow-ups waiting, the messages that failed and the age of the oldest follow-up and
// delivery; the tables' consumed capacity; the SMS spend. About one metric per HTTP
// function and two per table, within dashboardMetrics; an hourly or daily job's
// failure shows in the failure queue instead.
//
// What the queue row leaves out, to stay within dashboardMetrics: the email and SMS
// queues are graphed by their oldest message's age (a backlog of deliveries is how
// late they are, in the customer's terms) and their shared DLQ (the failed deliveries), not
// their size; the mail-feedback queue by its DLQ alone; the consumers' longest run
// not at all (a consumer that times out or crashes is in the region's Lambda errors,
// at last a DLQ message, and a slow one in its queue's age). Nor is the API's
// integration latency: the HTTP functions' durations show where its latency goes.
func (b *builder) buildDashboard() {
	graph := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6),
		})
	}
	p99 := &awscloudwatch.MetricOptions{Statistic: jsii.String("p99")}
	sum := &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum")}
	maxOf := &awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum")}
	duration := func(lf *lambdaFunction, stat string) awscloudwatch.IMetric {
		return lf.fn.MetricDuration(&awscloudwatch.MetricOptions{Statistic: jsii.String(stat), Label: jsii.String(lf.row.Name)})
	}
	var httpDurations, minuteRuns []awscloudwatch.IMetric
	deliveries := map[string]bool{}
	for _, lf := range b.functions {
		switch tr := lf.row.Trigger; {
		case len(tr.Routes) > 0:
			httpDurations = append(httpDurations, duration(lf, "p99"))
		case tr.Queue != nil && len(lf.row.Sends) > 0:
			deliveries[tr.Queue.Queue] = true
		case tr.Schedule != nil:
			if every, err := tr.Schedule.Every(); err == nil && every <= 5*time.Minute {
				minuteRuns = append(minuteRuns, duration(lf, "Maximum"))
			}
		}
	}
	rows := [][]awscloudwatch.IWidget{{
		graph("API requests", b.api.MetricCount(nil)),
		graph("API 4xx / 5xx", b.api.MetricClientError(nil), b.api.MetricServerError(nil)),
		graph("API latency p99", b.api.MetricLatency(p99)),
	}, {
		graph("Failures", b.failuresMetric(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"),
			Label: jsii.String("5xx answers, failed records, failed job runs")})),
		graph("Lambda errors / throttles (account, region)", accountLambdaMetric("Errors", sum), accountLambdaMetric("Throttles", sum)),
		graph("Lambda concurrent executions (account, region)", accountLambdaMetric("ConcurrentExecutions", maxOf)),
	}, {
		graph("HTTP functions' duration p99", httpDurations...),
		graph("Every-minute scheduled functions' longest run", minuteRuns...),
	}}
	// The follow-ups' size beside the DLQs and the failure queue: with their age it
	// tells a backlog from one message retried.
	var waiting, age []awscloudwatch.IMetric
	for _, q := range b.props.Queues {
		dq := b.queues[q.Name]
		label := &awscloudwatch.MetricOptions{Label: jsii.String(q.Name)}
		if q.Name == followupsQueue {
			waiting = append(waiting, dq.queue.MetricApproximateNumberOfMessagesVisible(label))
		}
		if q.Name == followupsQueue || deliveries[q.Name] {
			age = append(age, dq.queue.MetricApproximateAgeOfOldestMessage(label))
		}
	}
	for _, d := range wiring.DeadLetterQueues(b.props.Queues) {
		waiting = append(waiting, b.dlqs[d.Name].MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Label: jsii.String(d.Name)}))
	}
	if b.runFailures != nil {
		waiting = append(waiting, b.runFailures.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Label: jsii.String(runFailuresID)}))
	}
	queues := []awscloudwatch.IWidget{graph("Messages waiting ("+followupsQueue+", DLQs, failed runs)", waiting...)}
	if len(age) > 0 {
		queues = append(queues, graph("Oldest message age (follow-ups, deliveries)", age...))
	}
	var reads, writes []awscloudwatch.IMetric
	for _, name := range sortedKeys(b.tables) {
		t := b.tables[name].table
		reads = append(reads, t.MetricConsumedReadCapacityUnits(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Label: jsii.String(name)}))
		writes = append(writes, t.MetricConsumedWriteCapacityUnits(&awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Label: jsii.String(name)}))
	}
	tables := []awscloudwatch.IWidget{graph("Tables' consumed read units", reads...), graph("Tables' consumed write units", writes...)}
	if b.sendsSMS() {
		tables = append(tables, graph("SMS spend this month (USD)", smsSpendMetric()))
	}
	rows = append(rows, queues, tables)
	widgets := make([]*[]awscloudwatch.IWidget, len(rows))
	for i := range rows {
		widgets[i] = &rows[i]
	}
	awscloudwatch.NewDashboard(b.stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String("Rapport-" + b.stage.name),
		Widgets:       &widgets,
	})
}
