package followup

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/cloud"
)

type nowhere struct{}

func (nowhere) Deliver(context.Context, Message) error { return nil }

// The outbox in outbox mode (and when none is set), the service's channel in aws mode,
// which is made only then.
func TestChannelOfMode(t *testing.T) {
	d := app.Deps{Clients: cloud.NewClients(aws.Config{Region: "us-east-1"})}
	made := 0
	service := func() (Channel, error) { made++; return nowhere{}, nil }
	for _, mode := range []string{"outbox", ""} {
		if ch, err := channelOf(mode, d, "t", service); err != nil || ch.(*Outbox).Table != "t" || ch.(*Outbox).Keep != OutboxKeep {
			t.Errorf("%q: %#v, %v; want the outbox of table t", mode, ch, err)
		}
	}
	if ch, err := channelOf("aws", d, "t", service); err != nil || ch != (nowhere{}) || made != 1 {
		t.Errorf("aws: %#v, %v, made %d times; want the service's channel, made once", ch, err, made)
	}
	refused := errors.New("no sender address")
	if _, err := channelOf("aws", d, "t", func() (Channel, error) { return nil, refused }); !errors.Is(err, refused) {
		t.Errorf("aws with a bad setting: %v", err)
	}
	if _, err := channelOf("smoke", d, "t", service); err == nil || made != 1 {
		t.Errorf("an unknown mode: %v (service made %d times)", err, made)
	}
}
