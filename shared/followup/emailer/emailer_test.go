package emailer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/notify/email"
)

func TestEmailChannelModes(t *testing.T) {
	d := app.Deps{Clients: cloud.NewClients(aws.Config{Region: "us-east-1"})}
	for _, c := range []struct {
		mode, from string
		want       string // the channel's type, or the error's text
	}{
		{"outbox", "", "*followup.Outbox"},
		{"", "", "*followup.Outbox"},
		{"aws", "noreply@hotel.example", "followup.adapter"},
		{"aws", "", "emailFrom"},
		{"carrier-pigeon", "", "use outbox or aws"},
	} {
		ch, err := channel(c.mode, email.Config{From: c.from}, d, "t")
		if err != nil {
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s/%q: error %v, want one naming %q", c.mode, c.from, err, c.want)
			}
			continue
		}
		if got := fmt.Sprintf("%T", ch); got != c.want {
			t.Errorf("%s/%q: channel %s, want %s", c.mode, c.from, got, c.want)
		}
	}
}
