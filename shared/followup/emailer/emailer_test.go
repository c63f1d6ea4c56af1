package emailer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/notify/email"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func testDeps() app.Deps { return app.Deps{Clients: cloud.NewClients(aws.Config{Region: "us-east-1"})} }

// build builds followup-email in a NOTIFY_CHANNEL mode from a given sender.
func build(mode, from string) error {
	row, _ := wiring.FunctionByName("followup-email")
	_, err := Function(row, config.FromMap(map[string]string{"FOLLOWUPS_TABLE": "t", "DELIVERIES_QUEUE_URL": "q",
		"NOTIFY_CHANNEL": mode, "NOTIFY_EMAIL_FROM": from, "FOLLOWUP_RETRY_BASE": "30s"}), testDeps())
	return err
}

// The modes build, with their checks: aws needs a sender address, and an unknown mode
// is refused naming the two there are.
func TestEmailModes(t *testing.T) {
	for _, c := range []struct{ mode, from, err string }{
		{"outbox", "", ""},
		{"aws", "Harbour Hotel <noreply@hotel.example>", ""},
		{"aws", "", "emailFrom"},
		{"carrier-pigeon", "noreply@hotel.example", "use outbox or aws"},
	} {
		err := build(c.mode, c.from)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s/%q: %v, want an error naming %q", c.mode, c.from, err, c.err)
		}
	}
	ch, err := sesChannel(testDeps(), email.Config{From: "noreply@hotel.example"})
	if got := fmt.Sprintf("%T", ch); err != nil || got != "followup.adapter" {
		t.Errorf("the SES channel: %s, %v", got, err)
	}
}
