package texter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/notify/sms"
)

func testDeps() app.Deps { return app.Deps{Clients: cloud.NewClients(aws.Config{Region: "us-east-1"})} }

func TestSMSChannelModes(t *testing.T) {
	for mode, want := range map[string]string{"outbox": "*followup.Outbox", "aws": "followup.adapter", "carrier-pigeon": "use outbox or aws"} {
		ch, err := channel(mode, sms.Config{}, testDeps(), "t")
		got := fmt.Sprintf("%T", ch)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, want) {
			t.Errorf("%s: %s, want %s", mode, got, want)
		}
	}
}

// The SMS sender settings are checked at cold start in either mode, naming the
// setting; in aws mode they reach SNS (shared/notify/sms tests the attributes).
func TestSMSSettingsAreChecked(t *testing.T) {
	for _, mode := range []string{"outbox", "aws"} {
		_, err := channel(mode, sms.Config{SenderID: "Hotel Lotus!"}, testDeps(), "t")
		if err == nil || !strings.Contains(err.Error(), "smsSenderId") {
			t.Errorf("%s: %v, want an error naming smsSenderId", mode, err)
		}
		_, err = channel(mode, sms.Config{OriginationNumber: "2065550100x"}, testDeps(), "t")
		if err == nil || !strings.Contains(err.Error(), "smsOriginationNumber") {
			t.Errorf("%s: %v, want an error naming smsOriginationNumber", mode, err)
		}
		if _, err := channel(mode, sms.Config{SenderID: "HotelLotus", OriginationNumber: "+12065550100"}, testDeps(), "t"); err != nil {
			t.Errorf("%s: %v", mode, err)
		}
	}
}
