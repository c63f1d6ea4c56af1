package followup

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/customer"
)

func TestNotifyChannelModes(t *testing.T) {
	d := app.Deps{Clients: cloud.NewClients(aws.Config{Region: "us-east-1"})}
	keys := &customer.Store{}
	for _, c := range []struct {
		mode, from string
		email      string // the email channel's type, or the error's text
	}{
		{"outbox", "", "*followup.Outbox"},
		{"aws", "noreply@hotel.example", "followup.adapter"},
		{"aws", "", "emailFrom"},
		{"carrier-pigeon", "", "use outbox or aws"},
	} {
		chs, err := notifyChannels(c.mode, c.from, d, "t", keys)
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
