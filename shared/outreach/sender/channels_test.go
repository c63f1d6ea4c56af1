package sender

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/notify/email"
	"github.com/rapport-crm/rapport/shared/notify/sms"
)

func testDeps() app.Deps { return app.Deps{Clients: cloud.NewClients(aws.Config{Region: "us-east-1"})} }

// webhookKey is a key file, as the local runner gives the sender.
func webhookKey(t *testing.T) followup.WebhookKey {
	t.Helper()
	key, err := keyring.NewSecret("file:"+t.TempDir()+"/webhook.key", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestNotifyChannelModes(t *testing.T) {
	d := testDeps()
	key := webhookKey(t)
	for _, c := range []struct {
		mode, from string
		email      string // the email channel's type, or the error's text
	}{
		{"outbox", "", "*followup.Outbox"},
		{"aws", "noreply@hotel.example", "followup.adapter"},
		{"aws", "", "emailFrom"},
		{"carrier-pigeon", "", "use outbox or aws"},
	} {
		chs, err := notifyChannels(c.mode, c.from, d, "t", key)
		if err != nil {
			if !strings.Contains(err.Error(), c.email) {
				t.Errorf("%s/%q: error %v, want one naming %q", c.mode, c.from, err, c.email)
			}
			continue
		}
		if got := typeName(chs["email"]); got != c.email || chs["sms"] == nil || chs["webhook"] == nil {
			t.Errorf("%s: email %s, sms %v, webhook %v", c.mode, got, chs["sms"], chs["webhook"])
		}
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// The SMS sender settings are checked at cold start in either mode, naming the
// setting; in aws mode they reach SNS (shared/notify/sms tests the attributes).
func TestSMSSettingsAreChecked(t *testing.T) {
	key := webhookKey(t)
	for _, mode := range []string{"outbox", "aws"} {
		_, err := notifyChannelsWith(mode, channelSettings{Email: email.Config{From: "noreply@hotel.example"},
			SMS: sms.Config{SenderID: "Hotel Lotus!"}}, testDeps(), "t", key)
		if err == nil || !strings.Contains(err.Error(), "smsSenderId") {
			t.Errorf("%s: %v, want an error naming smsSenderId", mode, err)
		}
		_, err = notifyChannelsWith(mode, channelSettings{Email: email.Config{From: "noreply@hotel.example"},
			SMS: sms.Config{OriginationNumber: "2065550100x"}}, testDeps(), "t", key)
		if err == nil || !strings.Contains(err.Error(), "smsOriginationNumber") {
			t.Errorf("%s: %v, want an error naming smsOriginationNumber", mode, err)
		}
		if _, err := notifyChannelsWith(mode, channelSettings{Email: email.Config{From: "noreply@hotel.example"},
			SMS: sms.Config{SenderID: "HotelLotus", OriginationNumber: "+12065550100"}}, testDeps(), "t", key); err != nil {
			t.Errorf("%s: %v", mode, err)
		}
	}
}
