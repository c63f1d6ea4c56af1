package cost

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// IdlePrices are the monthly charges a stack pays with no traffic at all, in dollars.
type IdlePrices struct {
	// KMSKey is a customer-managed key's monthly charge (symmetric or HMAC alike);
	// KMSRotation is added for each of a key's first two automatic rotations, so a
	// key rotated yearly costs KMSKey in its first year, twice it in its second and
	// three times it from its third on.
	KMSKey, KMSRotation float64
	// AlarmMetric is a standard-resolution alarm's price per metric it evaluates (a
	// metric math alarm pays for each metric in its expression); CompositeAlarm is a
	// composite alarm's.
	AlarmMetric, CompositeAlarm float64
	// Dashboard is a dashboard's monthly price beyond the account's free ones:
	// FreeDashboards dashboards of up to FreeDashboardMetrics metrics each.
	Dashboard            float64
	FreeDashboards       int
	FreeDashboardMetrics int
	// Secret is a Secrets Manager secret's monthly price.
	Secret float64
	// CustomMetric is a custom metric's monthly price, charged by the hours it is
	// written in: a metric written only when something fails costs nothing idle.
	CustomMetric float64
	// LambdaRequest and LambdaGBSecond price a scheduled function's ticks (arm64).
	LambdaRequest, LambdaGBSecond float64
}

// IdleUSEast1 holds the us-east-1 list prices as of 2026, from each service's pricing
// page: KMS $1 per customer-managed key a month, plus $1 a month for each of the
// first two rotations of its key material; CloudWatch $0.10 per standard-resolution
// alarm metric, $0.50 per composite alarm, $3 per dashboard beyond three free ones of
// up to 50 metrics, $0.30 per custom metric; Secrets Manager $0.40 per secret; Lambda
// arm64 $0.20 per million requests and $0.0000133334 per GB-second. Free tiers other
// than the dashboards' are left out (Idle.Free says what they take off).
var IdleUSEast1 = IdlePrices{
	KMSKey:               1.00,
	KMSRotation:          1.00,
	AlarmMetric:          0.10,
	CompositeAlarm:       0.50,
	Dashboard:            3.00,
	FreeDashboards:       3,
	FreeDashboardMetrics: 50,
	Secret:               0.40,
	CustomMetric:         0.30,
	LambdaRequest:        0.20e-6,
	LambdaGBSecond:       0.0000133334,
}

// FreeAlarmMetrics is CloudWatch's free tier of standard alarm metrics per account a
// month; Idle.Free applies it (and Lambda's, which the ticks never exceed).
const FreeAlarmMetrics = 10

// IdleAssumptions are what a template cannot say.
type IdleAssumptions struct {
	// TickRun is an idle scheduled run's billed duration (nothing due: a query or two).
	TickRun time.Duration
	// KeyYear is the rotating keys' age in years: 1 (no rotation yet), 2 (one), 3 or
	// more (two, where KMS stops adding).
	KeyYear int
	// WrittenMetrics counts the custom metrics written every hour while idle.
	WrittenMetrics int
}

// DefaultIdle: a 20 ms tick, keys in their first year, no custom metric written
// while nothing fails.
var DefaultIdle = IdleAssumptions{TickRun: 20 * time.Millisecond, KeyYear: 1}

// HoursPerMonth is AWS's billing month.
const HoursPerMonth = 730

// Tick is one scheduled function's idle month.
type Tick struct {
	Function string
	Every    time.Duration
	MemoryMB int
	Runs     float64
	Cost     float64
}

// Idle is one stage's idle month, item by item.
type Idle struct {
	// Keys counts the customer-managed KMS keys; RotatingKeys those that rotate.
	Keys, RotatingKeys int
	KeysCost           float64
	// AlarmMetrics counts the metrics the standard alarms evaluate.
	Alarms, AlarmMetrics, CompositeAlarms int
	AlarmsCost                            float64
	// DashboardMetrics counts each dashboard's metrics (math inputs included);
	// DashboardsCost is the price beyond the free tier (FreeDashboardsCost within it).
	DashboardMetrics   []int
	DashboardsCost     float64
	FreeDashboardsCost float64
	Secrets            int
	SecretsCost        float64
	CustomMetricsCost  float64
	Ticks              []Tick
	TicksCost          float64
}

// Total is the month at list prices, the dashboards beyond the free tier.
func (i Idle) Total() float64 {
	return i.KeysCost + i.AlarmsCost + i.DashboardsCost + i.SecretsCost + i.CustomMetricsCost + i.TicksCost
}

// Free is the month of a stage alone in its account: the first FreeAlarmMetrics alarm
// metrics, the dashboards within their free tier and the ticks within Lambda's free
// tier (a million requests, 400,000 GB-seconds) cost nothing.
func (i Idle) Free(p IdlePrices) float64 {
	billed := max(0, i.AlarmMetrics-FreeAlarmMetrics)
	alarms := float64(billed)*p.AlarmMetric + float64(i.CompositeAlarms)*p.CompositeAlarm
	return i.KeysCost + alarms + i.FreeDashboardsCost + i.SecretsCost + i.CustomMetricsCost
}

// String is the breakdown, one item a line.
func (i Idle) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "KMS keys        %2d (%d rotating)          $%.2f\n", i.Keys, i.RotatingKeys, i.KeysCost)
	fmt.Fprintf(&b, "alarms          %2d, %d metrics, %d composite $%.2f\n", i.Alarms, i.AlarmMetrics, i.CompositeAlarms, i.AlarmsCost)
	fmt.Fprintf(&b, "dashboards      %v metrics               $%.2f (free tier: $%.2f)\n", i.DashboardMetrics, i.DashboardsCost, i.FreeDashboardsCost)
	fmt.Fprintf(&b, "secrets         %2d                        $%.2f\n", i.Secrets, i.SecretsCost)
	fmt.Fprintf(&b, "custom metrics                            $%.2f\n", i.CustomMetricsCost)
	fmt.Fprintf(&b, "scheduled ticks %2d functions              $%.2f\n", len(i.Ticks), i.TicksCost)
	for _, t := range i.Ticks {
		fmt.Fprintf(&b, "  %-20s every %-6s %4d MB %7.0f runs $%.4f\n", t.Function, t.Every, t.MemoryMB, t.Runs, t.Cost)
	}
	fmt.Fprintf(&b, "total                                     $%.2f", i.Total())
	return b.String()
}

// resource is a template resource as far as pricing reads it.
type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// IdleMonth prices a synthesized CloudFormation template's idle month.
func IdleMonth(template []byte, p IdlePrices, a IdleAssumptions) (Idle, error) {
	var t struct {
		Resources map[string]resource `json:"Resources"`
	}
	if err := json.Unmarshal(template, &t); err != nil {
		return Idle{}, fmt.Errorf("template: %w", err)
	}
	var i Idle
	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := t.Resources[id]
		switch r.Type {
		case "AWS::KMS::Key":
			i.Keys++
			if r.Properties["EnableKeyRotation"] == true {
				i.RotatingKeys++
			}
		case "AWS::CloudWatch::Alarm":
			i.Alarms++
			i.AlarmMetrics += alarmMetrics(r.Properties)
		case "AWS::CloudWatch::CompositeAlarm":
			i.CompositeAlarms++
		case "AWS::CloudWatch::Dashboard":
			n, err := dashboardMetrics(r.Properties["DashboardBody"])
			if err != nil {
				return Idle{}, fmt.Errorf("dashboard %s: %w", id, err)
			}
			i.DashboardMetrics = append(i.DashboardMetrics, n)
		case "AWS::SecretsManager::Secret":
			i.Secrets++
		case "AWS::Events::Rule":
			tick, ok, err := ruleTick(r.Properties, t.Resources, p, a)
			if err != nil {
				return Idle{}, fmt.Errorf("rule %s: %w", id, err)
			}
			if ok {
				i.Ticks = append(i.Ticks, tick)
				i.TicksCost += tick.Cost
			}
		}
	}
	rotations := min(max(a.KeyYear-1, 0), 2)
	i.KeysCost = float64(i.Keys)*p.KMSKey + float64(i.RotatingKeys*rotations)*p.KMSRotation
	i.AlarmsCost = float64(i.AlarmMetrics)*p.AlarmMetric + float64(i.CompositeAlarms)*p.CompositeAlarm
	free := 0
	for _, n := range i.DashboardMetrics {
		i.DashboardsCost += p.Dashboard
		if n > p.FreeDashboardMetrics || free == p.FreeDashboards {
			i.FreeDashboardsCost += p.Dashboard
			continue
		}
		free++
	}
	i.SecretsCost = float64(i.Secrets) * p.Secret
	i.CustomMetricsCost = float64(a.WrittenMetrics) * p.CustomMetric
	return i, nil
}

// alarmMetrics counts the metrics an alarm evaluates: its one metric, or each
// MetricStat of its metric math (the expressions themselves are free).
func alarmMetrics(props map[string]any) int {
	if props["MetricName"] != nil {
		return 1
	}
	n := 0
	metrics, _ := props["Metrics"].([]any)
	for _, m := range metrics {
		if q, ok := m.(map[string]any); ok && q["MetricStat"] != nil {
			n++
		}
	}
	return n
}

// dashboardMetrics counts the metrics a dashboard's widgets graph. The body is JSON,
// usually joined with references (Fn::Join); each reference becomes a placeholder
// string, which keeps it JSON. A metric entry is an array starting with its
// namespace; an expression entry is an array of one object and is not a metric.
func dashboardMetrics(body any) (int, error) {
	text, err := joined(body)
	if err != nil {
		return 0, err
	}
	var d struct {
		Widgets []struct {
			Properties struct {
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		return 0, fmt.Errorf("body: %w", err)
	}
	n := 0
	for _, w := range d.Widgets {
		for _, m := range w.Properties.Metrics {
			if len(m) > 0 {
				if _, ok := m[0].(string); ok {
					n++
				}
			}
		}
	}
	return n, nil
}

// joined renders a string or an Fn::Join of strings and references.
func joined(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		join, ok := v["Fn::Join"].([]any)
		if !ok || len(join) != 2 {
			return "ref", nil // a reference inside a string: any placeholder will do
		}
		sep, _ := join[0].(string)
		parts, _ := join[1].([]any)
		out := make([]string, len(parts))
		for k, part := range parts {
			s, err := joined(part)
			if err != nil {
				return "", err
			}
			out[k] = s
		}
		return strings.Join(out, sep), nil
	}
	return "", fmt.Errorf("unexpected %T", v)
}

var rateExpr = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)

// ruleTick prices one scheduled rule's idle runs of the function it targets: the
// requests and TickRun at the function's memory, for HoursPerMonth.
func ruleTick(props map[string]any, resources map[string]resource, p IdlePrices, a IdleAssumptions) (Tick, bool, error) {
	expr, _ := props["ScheduleExpression"].(string)
	if expr == "" {
		return Tick{}, false, nil // an event pattern's rule: no idle runs
	}
	m := rateExpr.FindStringSubmatch(expr)
	if m == nil {
		return Tick{}, false, fmt.Errorf("schedule %q: only rate(N unit) is priced", expr)
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[m[2][0]]
	every := time.Duration(n) * unit
	targets, _ := props["Targets"].([]any)
	if len(targets) != 1 {
		return Tick{}, false, fmt.Errorf("%d targets, want one function", len(targets))
	}
	arn, _ := targets[0].(map[string]any)["Arn"].(map[string]any)
	ga, _ := arn["Fn::GetAtt"].([]any)
	if len(ga) != 2 {
		return Tick{}, false, fmt.Errorf("target %v is not a function of the template", arn)
	}
	fn, ok := resources[ga[0].(string)]
	if !ok || fn.Type != "AWS::Lambda::Function" {
		return Tick{}, false, fmt.Errorf("target %v is not a function of the template", ga[0])
	}
	mb, _ := fn.Properties["MemorySize"].(float64)
	if mb == 0 {
		mb = 128 // Lambda's default
	}
	runs := float64(HoursPerMonth*time.Hour) / float64(every)
	cost := runs * (p.LambdaRequest + mb/1024*a.TickRun.Seconds()*p.LambdaGBSecond)
	return Tick{Function: ga[0].(string), Every: every, MemoryMB: int(mb), Runs: runs, Cost: cost}, true, nil
}
