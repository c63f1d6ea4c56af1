package stack

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/infra/cost"
)

// idleCase is one stage and table encryption, priced idle.
type idleCase struct {
	stage, encryption string
	props             StackProps
}

func idleCases() []idleCase {
	owned := func(p StackProps) StackProps { p.TableEncryption = tableEncryptionAWSOwned; return p }
	return []idleCase{
		{"dev", tableEncryptionCustomer, devProps()},
		{"dev", tableEncryptionAWSOwned, owned(devProps())},
		{"prod", tableEncryptionCustomer, prodProps()},
		{"prod", tableEncryptionAWSOwned, owned(prodProps())},
	}
}

// readmeIdleRow is the README's row for one case ("What a stage costs idle"): the test
// below holds the README to the figures the templates price at.
func readmeIdleRow(c idleCase, i cost.Idle, steady float64) string {
	return fmt.Sprintf("| %s | %s | %d | %d | %d | %d | $%.2f | $%.2f | $%.2f |", c.stage, c.encryption, i.Keys, i.AlarmMetrics,
		i.DashboardMetrics[0], i.Secrets, i.Total(), steady, i.Free(cost.IdleUSEast1))
}

// TestIdleCost prices each stage's idle month from its synthesized template (go test
// ./stack/ -run TestIdleCost -v prints the breakdowns): few alarm metrics, a dashboard
// within the free tier's 50 metrics, one key for all the tables, and every stage within
// $3 when alone in its account. The README states the same figures.
func TestIdleCost(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range idleCases() {
		t.Run(c.stage+"-"+c.encryption, func(t *testing.T) {
			// GIVEN the stage's template
			s := synth(t, c.props, nil)

			// WHEN its idle month is priced, keys in their first year and from their third
			i, err := cost.IdleMonth([]byte(s.raw), cost.IdleUSEast1, cost.DefaultIdle)
			if err != nil {
				t.Fatal(err)
			}
			later := cost.DefaultIdle
			later.KeyYear = 3
			steady, err := cost.IdleMonth([]byte(s.raw), cost.IdleUSEast1, later)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s, tableEncryption=%s, %d resources, first year:\n%s\nfrom the third year: $%.2f; alone in its account (free tiers): $%.2f",
				c.stage, c.encryption, len(s.resources), i, steady.Total(), i.Free(cost.IdleUSEast1))

			// THEN the alarms evaluate at most 12 metrics, and the dashboard graphs at most 50
			if i.AlarmMetrics > 12 {
				t.Errorf("%d alarm metrics, want at most 12", i.AlarmMetrics)
			}
			if len(i.DashboardMetrics) != 1 || i.DashboardMetrics[0] > dashboardMetrics {
				t.Errorf("dashboards %v, want one of at most %d metrics", i.DashboardMetrics, dashboardMetrics)
			}
			// AND the tables share one key, or none of the stack's own
			keys := map[string]bool{}
			for _, r := range s.ofType("AWS::DynamoDB::Table") {
				sse, _ := r.Properties["SSESpecification"].(map[string]any)
				keys[jsonString(sse["KMSMasterKeyId"])] = true
			}
			if want := c.encryption == tableEncryptionCustomer; len(keys) != 1 || keys["null"] == want {
				t.Errorf("table keys %v, want one (customer-managed: %v)", keys, want)
			}
			// AND the stage costs at most $3 alone in its account, with either table key
			// (to the cent: the sum is of floating-point prices)
			if i.Free(cost.IdleUSEast1) > 3.005 {
				t.Errorf("%s, tableEncryption=%s: $%.2f a month alone in its account, want at most $3", c.stage, c.encryption, i.Free(cost.IdleUSEast1))
			}
			// AND the README states these figures
			if row := readmeIdleRow(c, i, steady.Total()); !strings.Contains(string(readme), row) {
				t.Errorf("README lacks the row\n%s", row)
			}
		})
	}
}
