package cost

import (
	"math"
	"strings"
	"testing"
)

// idleTemplate is a small stack by hand: two keys (one rotating), a single-metric
// alarm, a metric math alarm of two metrics, a composite alarm, a dashboard of three
// metrics and an expression (its body joined around a reference), a secret, and a
// function of 256 MB on a one-minute schedule.
const idleTemplate = `{"Resources": {
  "DataKey":  {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": true}},
  "MacKey":   {"Type": "AWS::KMS::Key", "Properties": {"KeySpec": "HMAC_256"}},
  "Dlq":      {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "ApproximateNumberOfMessagesVisible"}},
  "Rate":     {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Metrics": [
                {"Id": "expr", "Expression": "100 * errors / requests"},
                {"Id": "errors", "MetricStat": {"Metric": {"MetricName": "5xx"}}},
                {"Id": "requests", "MetricStat": {"Metric": {"MetricName": "Count"}}}]}},
  "Any":      {"Type": "AWS::CloudWatch::CompositeAlarm", "Properties": {}},
  "Board":    {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": {"Fn::Join": ["", [
                "{\"widgets\":[{\"properties\":{\"metrics\":[[\"AWS/ApiGateway\",\"Count\",\"ApiId\",\"", {"Ref": "Api"},
                "\"],[\"AWS/ApiGateway\",\"5xx\"]]}},{\"properties\":{\"metrics\":[[{\"expression\":\"m1+m2\"}],[\"AWS/Lambda\",\"Errors\"]]}}]}"]]}}},
  "Secret":   {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
  "Job":      {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": 256}},
  "JobTick":  {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 minute)",
                "Targets": [{"Arn": {"Fn::GetAtt": ["Job", "Arn"]}, "Id": "Target0"}]}},
  "Pattern":  {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["aws.ses"]}}}
}}`

func TestIdleMonthWorkedExample(t *testing.T) {
	// GIVEN the template, list prices and a 20 ms tick
	i, err := IdleMonth([]byte(idleTemplate), IdleUSEast1, DefaultIdle)
	if err != nil {
		t.Fatal(err)
	}

	// THEN keys: 2 × $1 in their first year
	if i.Keys != 2 || i.RotatingKeys != 1 || !idleNear(i.KeysCost, 2) {
		t.Errorf("keys %d (%d rotating) $%v, want 2 (1) $2", i.Keys, i.RotatingKeys, i.KeysCost)
	}
	// AND alarms: 1 + 2 metrics × $0.10, and the composite $0.50
	if i.Alarms != 2 || i.AlarmMetrics != 3 || i.CompositeAlarms != 1 || !idleNear(i.AlarmsCost, 0.80) {
		t.Errorf("alarms %d, %d metrics, %d composite, $%v; want 2, 3, 1, $0.80", i.Alarms, i.AlarmMetrics, i.CompositeAlarms, i.AlarmsCost)
	}
	// AND the dashboard graphs 3 metrics (not the expression): $3 beyond the free tier, $0 within
	if len(i.DashboardMetrics) != 1 || i.DashboardMetrics[0] != 3 || !idleNear(i.DashboardsCost, 3) || i.FreeDashboardsCost != 0 {
		t.Errorf("dashboards %v $%v (free tier $%v), want [3] $3 ($0)", i.DashboardMetrics, i.DashboardsCost, i.FreeDashboardsCost)
	}
	// AND the secret $0.40, no custom metric written
	if i.Secrets != 1 || !idleNear(i.SecretsCost, 0.40) || i.CustomMetricsCost != 0 {
		t.Errorf("secrets %d $%v, custom metrics $%v", i.Secrets, i.SecretsCost, i.CustomMetricsCost)
	}
	// AND the one-minute job runs 730 × 60 = 43,800 times: 43,800 × ($0.0000002 +
	// 0.25 GB × 0.02 s × $0.0000133334) = $0.0116800146; the pattern rule runs nothing
	wantTick := 43800 * (0.20e-6 + 0.25*0.02*0.0000133334)
	if len(i.Ticks) != 1 || i.Ticks[0].Runs != 43800 || i.Ticks[0].MemoryMB != 256 || !idleNear(i.TicksCost, wantTick) ||
		math.Abs(wantTick-0.0116800146) > 1e-9 {
		t.Errorf("ticks %+v $%v, want one of 43,800 runs, $%v", i.Ticks, i.TicksCost, wantTick)
	}
	// AND the total is their sum: 2 + 0.80 + 3 + 0.40 + 0.01168 = $6.21168
	if !idleNear(i.Total(), 6.2116800146) {
		t.Errorf("total $%v, want $6.2116800146", i.Total())
	}
	// AND alone in its account the 3 alarm metrics are within the free 10 (the composite
	// is not), the dashboard is free and so are the ticks: 2 + 0.50 + 0.40 = $2.90
	if f := i.Free(IdleUSEast1); !idleNear(f, 2.90) {
		t.Errorf("free-tier month $%v, want $2.90", f)
	}
	if s := i.String(); !strings.Contains(s, "total") || !strings.Contains(s, "JobTick") && !strings.Contains(s, "Job ") {
		t.Errorf("breakdown:\n%s", s)
	}
}

// A yearly-rotated key costs $1, then $2, then $3 a month, and no more; a key that
// does not rotate (an HMAC key) stays at $1.
func TestIdleKeyRotations(t *testing.T) {
	for year, want := range map[int]float64{1: 2, 2: 3, 3: 4, 7: 4} {
		a := DefaultIdle
		a.KeyYear = year
		i, err := IdleMonth([]byte(idleTemplate), IdleUSEast1, a)
		if err != nil || !idleNear(i.KeysCost, want) {
			t.Errorf("year %d: keys $%v, %v; want $%v (the rotating key's $%v and the HMAC key's $1)", year, i.KeysCost, err, want, want-1)
		}
	}
}

// A dashboard over 50 metrics, or a fourth one, is outside the free tier.
func TestIdleDashboardFreeTier(t *testing.T) {
	metric := `[\"AWS/Lambda\",\"Errors\"]`
	board := func(n int) string {
		ms := strings.TrimSuffix(strings.Repeat(metric+",", n), ",")
		return `{"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": "{\"widgets\":[{\"properties\":{\"metrics\":[` + ms + `]}}]}"}}`
	}
	tmpl := `{"Resources": {"A": ` + board(50) + `, "B": ` + board(51) + `, "C": ` + board(1) + `, "D": ` + board(1) + `, "E": ` + board(1) + `}}`
	i, err := IdleMonth([]byte(tmpl), IdleUSEast1, DefaultIdle)
	if err != nil {
		t.Fatal(err)
	}
	// A (50), C and D are the three free ones; B (51) and E (the fourth small one) are not.
	if !idleNear(i.DashboardsCost, 15) || !idleNear(i.FreeDashboardsCost, 6) {
		t.Errorf("dashboards %v: $%v beyond the free tier, $%v within; want $15, $6", i.DashboardMetrics, i.DashboardsCost, i.FreeDashboardsCost)
	}
}

func TestIdleRefusesWhatItCannotPrice(t *testing.T) {
	cron := `{"Resources": {"R": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "cron(0 3 * * ? *)",
		"Targets": [{"Arn": {"Fn::GetAtt": ["F", "Arn"]}}]}}}}`
	if _, err := IdleMonth([]byte(cron), IdleUSEast1, DefaultIdle); err == nil {
		t.Error("a cron schedule was priced; only rate expressions are")
	}
	if _, err := IdleMonth([]byte(`{"Resources": `), IdleUSEast1, DefaultIdle); err == nil {
		t.Error("a broken template was priced")
	}
}

func idleNear(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
