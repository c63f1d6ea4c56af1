package stack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// alarmWant is what one alarm must be: its threshold and, where it matters, its metric.
type alarmWant struct {
	threshold float64
	metric    string // MetricName of a single-metric alarm; "" for metric math
	stat      string // Statistic or ExtendedStatistic; "" when not checked
	// below is true for an alarm that fires under its threshold, missing data breaching.
	below bool
}

func TestAlarms(t *testing.T) {
	for _, stage := range []string{"dev", "prod"} {
		t.Run(stage, func(t *testing.T) {
			// GIVEN the stack synthesized from the wiring table
			s := synthCached(t, stage, stageProps(stage))
			topic := ref(s.logicalID(t, "AlarmTopic"))

			// WHEN the alarms the wiring table calls for are listed
			want := map[string]alarmWant{
				"Api5xxRate":                           {threshold: apiErrorRatePercent},
				"ApiLatencyP99":                        {threshold: apiLatencyP99Millis, metric: "Latency", stat: "p99"},
				"Failures":                             {metric: "Failures", stat: "Sum"},
				"LambdaThrottles":                      {metric: "Throttles", stat: "Sum"},
				runFailuresID + "NotEmpty":             {metric: "ApproximateNumberOfMessagesVisible", stat: "Maximum"},
				queueID("followups") + "Age":           {threshold: queueAgeSeconds, metric: "ApproximateAgeOfOldestMessage", stat: "Maximum"},
				functionID("complaint-sla") + "NotRun": {threshold: 1, metric: "Invocations", stat: "Sum", below: true},
			}
			// (dev's outbox channel sends no SMS: no spend to watch)
			if stage == "prod" {
				want["SmsSpend"] = alarmWant{threshold: smsSpendShare * 1, metric: "SMSMonthToDateSpentUSD", stat: "Maximum"}
			}
			for _, q := range wiring.Queues {
				want[dlqID(q.DLQName())+"NotEmpty"] = alarmWant{metric: "ApproximateNumberOfMessagesVisible", stat: "Maximum"}
			}

			// THEN each exists, fires above its threshold and tells the ops topic both ways
			for id, w := range want {
				a := s.resource(t, s.logicalID(t, id+"Alarm"), "AWS::CloudWatch::Alarm").Properties
				op, missing := "GreaterThanThreshold", "notBreaching"
				if w.below {
					op, missing = "LessThanThreshold", "breaching"
				}
				if a["Threshold"] != w.threshold || a["ComparisonOperator"] != op || a["TreatMissingData"] != missing ||
					!sameJSON(a["AlarmActions"], []any{topic}) || !sameJSON(a["OKActions"], []any{topic}) {
					t.Errorf("alarm %s = %s; want > %g notifying the ops topic", id, jsonString(a), w.threshold)
				}
				if w.metric != "" && a["MetricName"] != w.metric {
					t.Errorf("alarm %s watches %v, want %s", id, a["MetricName"], w.metric)
				}
				if w.stat != "" && a["Statistic"] != w.stat && a["ExtendedStatistic"] != w.stat {
					t.Errorf("alarm %s statistic %v/%v, want %s", id, a["Statistic"], a["ExtendedStatistic"], w.stat)
				}
			}
			// AND there are no others
			if n := len(s.ofType("AWS::CloudWatch::Alarm")); n != len(want) {
				t.Errorf("%d alarms, want %d", n, len(want))
			}
			// AND the stage's Failures alarm watches its own stage only; the throttles
			// alarm the account's Lambda pool in the region (no dimension)
			f := s.resource(t, s.logicalID(t, "FailuresAlarm"), "AWS::CloudWatch::Alarm").Properties
			if f["Namespace"] != failuresNamespace || !sameJSON(f["Dimensions"], []any{map[string]any{"Name": "Stage", "Value": stage}}) {
				t.Errorf("Failures alarm = %s, want Rapport/Failures of Stage %s", jsonString(f), stage)
			}
			th := s.resource(t, s.logicalID(t, "LambdaThrottlesAlarm"), "AWS::CloudWatch::Alarm").Properties
			if th["Namespace"] != "AWS/Lambda" || th["Dimensions"] != nil {
				t.Errorf("throttles alarm = %s, want AWS/Lambda without dimensions", jsonString(th))
			}
		})
	}
}

func TestAlarmMetricMath(t *testing.T) {
	// GIVEN the dev stack
	s := synthCached(t, "dev", devProps())

	// THEN the API's 5xx rate divides its 5xx answers by its requests: two metrics
	rate := s.resource(t, s.logicalID(t, "Api5xxRateAlarm"), "AWS::CloudWatch::Alarm").Properties
	m := jsonString(rate["Metrics"])
	for _, part := range []string{"100 * FILL(errors, 0) / requests", `"MetricName":"5xx"`, `"MetricName":"Count"`} {
		if !strings.Contains(m, part) {
			t.Errorf("API 5xx rate alarm lacks %s: %s", part, m)
		}
	}
	if n := len(list(rate["Metrics"])); n != 3 {
		t.Errorf("API 5xx rate alarm has %d metric entries, want the expression and its 2 metrics: %s", n, m)
	}
	// AND no log metric filter is left (the per-function 5xx counts went with their alarms)
	if n := len(s.ofType("AWS::Logs::MetricFilter")); n != 0 {
		t.Errorf("%d metric filters, want none", n)
	}
}

func TestAlarmTopicPolicy(t *testing.T) {
	// GIVEN the dev stack, with its own alarm topic
	s := synthCached(t, "dev", devProps())

	// THEN the topic policy lets this account's CloudWatch alarms publish, and keeps the TLS deny
	s.template.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Effect":    "Deny",
				"Principal": "*",
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			}),
			map[string]any{
				"Sid":       "AllowCloudWatchAlarmsOfThisAccount",
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
				"Action":    "sns:Publish",
				"Resource":  ref(s.logicalID(t, "AlarmTopic")),
				"Condition": map[string]any{
					"ArnLike": map[string]any{"aws:SourceArn": map[string]any{"Fn::Join": []any{"", []any{
						"arn:", ref("AWS::Partition"), ":cloudwatch:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":alarm:*",
					}}}},
					"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")},
				},
			},
		})},
	})
	// AND the topic's key lets the same alarms use it
	s.template.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
		"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
				"Condition": assertions.Match_ObjectLike(&map[string]any{
					"StringEquals": map[string]any{"aws:SourceAccount": ref("AWS::AccountId")},
				}),
			}),
		})},
	})
}

func TestExistingAlarmTopic(t *testing.T) {
	// GIVEN prod with an existing topic instead of an address
	p := prodProps()
	p.AlarmEmail = ""
	p.AlarmTopicArn = "arn:aws:sns:eu-west-1:111122223333:oncall"
	s := synth(t, p, nil)

	// THEN the stack makes no alarm topic (its only topic is SES's bounces and
	// complaints, whose key is still the data key) and its alarms notify the given one
	feedback := s.logicalID(t, "MailFeedbackTopic")
	for id := range s.ofType("AWS::SNS::Topic") {
		if id != feedback {
			t.Errorf("topic %s, want none but %s", id, feedback)
		}
	}
	a := s.resource(t, s.logicalID(t, "Api5xxRateAlarm"), "AWS::CloudWatch::Alarm").Properties
	if !sameJSON(a["AlarmActions"], []any{p.AlarmTopicArn}) {
		t.Errorf("alarm actions %s, want the given topic", jsonString(a["AlarmActions"]))
	}
}

func TestProdNeedsAlarmSubscriber(t *testing.T) {
	// GIVEN prod without alarmEmail or alarmTopicArn
	p := prodProps()
	p.AlarmEmail = ""

	// WHEN validated
	err := p.withDefaults().Validate()

	// THEN it refuses and names both settings
	if err == nil || !strings.Contains(err.Error(), "alarmEmail") || !strings.Contains(err.Error(), "alarmTopicArn") {
		t.Errorf("Validate() = %v; want a refusal naming alarmEmail and alarmTopicArn", err)
	}
	// AND a bad topic ARN is named
	p.AlarmTopicArn = "oncall"
	if err := p.withDefaults().Validate(); err == nil || !strings.Contains(err.Error(), `alarmTopicArn "oncall"`) {
		t.Errorf("Validate() = %v; want the bad ARN named", err)
	}
}

func TestDashboardGraphsTheDeliveries(t *testing.T) {
	// GIVEN prod, which sends email and SMS
	s := synthCached(t, "prod", prodProps())

	// WHEN its dashboard's graphs are read
	graphs := dashboardGraphs(t, s)

	// THEN the messages waiting show every DLQ (the emails and SMS that failed among
	// them) and the follow-ups' queue
	waiting := graphs["Messages waiting (followups, DLQs, failed runs)"]
	for _, q := range wiring.Queues {
		if !waiting["ApproximateNumberOfMessagesVisible "+s.logicalID(t, dlqID(q.DLQName()))] {
			t.Errorf("messages waiting lacks %s: %v", q.DLQName(), waiting)
		}
	}
	if !waiting["ApproximateNumberOfMessagesVisible "+s.logicalID(t, queueID("followups"))] {
		t.Errorf("messages waiting lacks followups: %v", waiting)
	}
	// AND the oldest message's age shows the backlog of follow-ups, emails and SMS
	age := graphs["Oldest message age (follow-ups, deliveries)"]
	for _, q := range []string{"followups", "emails", "texts"} {
		if !age["ApproximateAgeOfOldestMessage "+s.logicalID(t, queueID(q))] {
			t.Errorf("oldest message age lacks %s: %v", q, age)
		}
	}
	if len(age) != 3 {
		t.Errorf("oldest message age graphs %v, want followups, emails and texts", age)
	}
}

// dashboardGraphs reads the stack's one dashboard: each graph's title with its metrics
// as "<metric name> <logical id of the resource of its first dimension>".
func dashboardGraphs(t *testing.T, s *synthesized) map[string]map[string]bool {
	t.Helper()
	var body string
	for _, d := range s.ofType("AWS::CloudWatch::Dashboard") {
		body = renderJoined(d.Properties["DashboardBody"], func(v any) string {
			if m, ok := v.(map[string]any); ok {
				if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
					return ga[0].(string)
				}
				if r, ok := m["Ref"].(string); ok {
					return r
				}
			}
			t.Fatalf("dashboard body part %s", jsonString(v))
			return ""
		})
	}
	var d struct {
		Widgets []struct {
			Properties struct {
				Title   string  `json:"title"`
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("dashboard body: %v", err)
	}
	graphs := map[string]map[string]bool{}
	for _, w := range d.Widgets {
		metrics := map[string]bool{}
		for _, m := range w.Properties.Metrics {
			if len(m) >= 4 {
				metrics[fmt.Sprint(m[1])+" "+fmt.Sprint(m[3])] = true
			}
		}
		graphs[w.Properties.Title] = metrics
	}
	return graphs
}
