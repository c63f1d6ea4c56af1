package notify_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rapport-crm/rapport/shared/notify"
)

// The stack hands the sender its SES configuration set by NOTIFY_SES_CONFIGURATION_SET;
// every SendEmail names it, so bounces, complaints and reputation are tracked.
func TestEmailConfigurationSetFromEnvironment(t *testing.T) {
	// GIVEN the variable the stack sets, and no configuration set in the config
	t.Setenv(notify.ConfigurationSetEnv, "rapport-prod-email")
	ses := &fakeSES{}
	e, err := notify.NewEmail(ses, notify.EmailConfig{From: "noreply@lotus.example"})
	if err != nil {
		t.Fatal(err)
	}

	// WHEN a message is sent
	if err := e.Deliver(context.Background(), notify.Message{ID: "m1", To: "guest@lotus.example", Subject: "Hi", Text: "Body"}); err != nil {
		t.Fatal(err)
	}

	// THEN SendEmail names that configuration set
	if len(ses.calls) != 1 || aws.ToString(ses.calls[0].ConfigurationSetName) != "rapport-prod-email" {
		t.Fatalf("SendEmail input: %+v", ses.calls)
	}

	// AND an explicit configuration set wins over the variable
	ses2 := &fakeSES{}
	e2, _ := notify.NewEmail(ses2, notify.EmailConfig{From: "noreply@lotus.example", ConfigurationSet: "explicit"})
	_ = e2.Deliver(context.Background(), notify.Message{ID: "m2", To: "guest@lotus.example", Subject: "Hi", Text: "Body"})
	if len(ses2.calls) != 1 || aws.ToString(ses2.calls[0].ConfigurationSetName) != "explicit" {
		t.Fatalf("SendEmail input: %+v", ses2.calls)
	}
}
