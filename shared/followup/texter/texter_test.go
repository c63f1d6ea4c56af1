package texter

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// build builds followup-sms in a NOTIFY_CHANNEL mode with the given sender settings.
func build(mode, senderID, number string) error {
	row, _ := wiring.FunctionByName("followup-sms")
	_, err := Function(row, config.FromMap(map[string]string{"FOLLOWUPS_TABLE": "t", "DELIVERIES_QUEUE_URL": "q", "NOTIFY_CHANNEL": mode,
		"NOTIFY_SMS_SENDER_ID": senderID, "NOTIFY_SMS_ORIGINATION_NUMBER": number, "FOLLOWUP_RETRY_BASE": "30s"}),
		app.Deps{Clients: cloud.NewClients(aws.Config{Region: "us-east-1"})})
	return err
}

// The SMS sender settings are checked at cold start in either mode, naming the
// setting; in aws mode they reach SNS (shared/notify/sms tests the attributes).
func TestSMSSettingsAreChecked(t *testing.T) {
	for _, mode := range []string{"outbox", "aws"} {
		if err := build(mode, "Hotel Lotus!", ""); err == nil || !strings.Contains(err.Error(), "smsSenderId") {
			t.Errorf("%s: %v, want an error naming smsSenderId", mode, err)
		}
		if err := build(mode, "", "2065550100x"); err == nil || !strings.Contains(err.Error(), "smsOriginationNumber") {
			t.Errorf("%s: %v, want an error naming smsOriginationNumber", mode, err)
		}
		if err := build(mode, "HotelLotus", "+12065550100"); err != nil {
			t.Errorf("%s: %v", mode, err)
		}
	}
	if err := build("carrier-pigeon", "", ""); err == nil || !strings.Contains(err.Error(), "use outbox or aws") {
		t.Errorf("an unknown mode: %v", err)
	}
}
