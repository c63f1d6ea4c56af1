package local_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// sesViaSNS is an SES event as SNS delivers it to an SQS subscription with raw
// delivery off: the event is the envelope's Message string.
func sesViaSNS(t *testing.T, sesEvent string) string {
	t.Helper()
	b, err := json.Marshal(map[string]string{
		"Type": "Notification", "MessageId": "5d5b2a1e-7e0c-5b8f-9a57-2f6b3c1d0e11",
		"TopicArn": "arn:aws:sns:us-east-1:000000000000:rapport-mail-feedback", "Message": sesEvent,
		"Timestamp": "2026-12-06T07:00:01.000Z", "SignatureVersion": "1", "Signature": "EXAMPLE",
		"SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem",
		"UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=example",
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A permanent bounce and a complaint from SES, sent through the SQS emulator into the
// mail-feedback queue, turn the customers' email consent off through the runner's
// event-source emulation; delivered again, they change nothing more; an unknown
// address and a transient bounce change nothing at all.
func TestSESBouncesAndComplaintsTurnEmailConsentOff(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	ctx := context.Background()
	if _, err := (&location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}).PutLocation(ctx, local.DemoLocation(s.cfg.Clock.Now()), 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ id, email string }{{"c-bounce", "Gone.Away@Example.com"}, {"c-complain", "angry@example.com"}, {"c-full", "full@example.com"}} {
		r := s.staffCall(t, "manager", "loc-1", "POST", "/v1/customers",
			`{"customerId":"`+c.id+`","name":"Guest","email":"`+c.email+`","locationId":"loc-1","consent":{"email":true}}`)
		if r.status != http.StatusCreated || !strings.Contains(r.body, `"email":true`) {
			t.Fatalf("create %s: %d %s", c.id, r.status, r.body)
		}
	}
	s.start(t)
	// SES reports after the opt-in (a consent change older than the current one is
	// only logged): the events carry times after the runner's clock.
	at := func(d time.Duration) string { return s.cfg.Clock.Now().Add(d).UTC().Format("2006-01-02T15:04:05.000Z") }
	bounce := sesViaSNS(t, `{"eventType":"Bounce","bounce":{"feedbackId":"0100-bounce","bounceType":"Permanent","bounceSubType":"General",`+
		`"bouncedRecipients":[{"emailAddress":"gone.away@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"},`+
		`{"emailAddress":"nobody-we-know@example.com","action":"failed","status":"5.1.1"}],`+
		`"timestamp":"`+at(time.Minute)+`","reportingMTA":"dsn; a1-2.smtp-out.amazonses.com"},`+
		`"mail":{"timestamp":"2026-12-06T06:59:57.000Z","source":"noreply@hotel.example","messageId":"0100-m1","destination":["gone.away@example.com"]}}`)
	complaint := sesViaSNS(t, `{"eventType":"Complaint","complaint":{"feedbackId":"0100-complaint","complaintFeedbackType":"abuse",`+
		`"complainedRecipients":[{"emailAddress":"angry@example.com"}],"timestamp":"`+at(2*time.Minute)+`"},`+
		`"mail":{"timestamp":"2026-12-06T07:00:00.000Z","source":"noreply@hotel.example","messageId":"0100-m2","destination":["angry@example.com"]}}`)
	transient := sesViaSNS(t, `{"eventType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull",`+
		`"bouncedRecipients":[{"emailAddress":"full@example.com"}],"timestamp":"`+at(3*time.Minute)+`"},"mail":{}}`)
	url := s.env.Queues["mail-feedback"]
	send := func(bodies ...string) {
		for _, b := range bodies {
			if _, err := s.env.Clients.SQS.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(b)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// drained waits until every message was received and deleted (handled without failure).
	drained := func() {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			n := s.env.Messages(t, url)
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the mail-feedback queue is not drained: %d messages", n)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// consentItems are a customer's consent records: the current ones and the log.
	consentItems := func(id string) []map[string]dtypes.AttributeValue {
		out, err := s.env.Clients.DynamoDB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.env.Names("customers")),
			KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :c)"),
			ExpressionAttributeValues: map[string]dtypes.AttributeValue{":pk": dynamo.S("CUST#" + id), ":c": dynamo.S("CONSENT")},
			ConsistentRead:            aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		return out.Items
	}
	consent := func(id string) string {
		return s.staffCall(t, "admin", "*", "GET", "/v1/customers/"+id+"/consent", "").body
	}

	send(bounce, complaint, transient)
	drained()
	// THEN the bouncing and the complaining customers' email consent is off, saying why
	for id, source := range map[string]string{"c-bounce": "ses-bounce", "c-complain": "ses-complaint"} {
		if got := consent(id); !strings.Contains(got, `"granted":false`) || !strings.Contains(got, `"source":"`+source+`"`) {
			t.Errorf("%s consent after SES feedback: %s", id, got)
		}
	}
	// AND a transient bounce changed nothing
	if got := consent("c-full"); !strings.Contains(got, `"granted":true`) || strings.Contains(got, "ses-") {
		t.Errorf("c-full consent after a transient bounce: %s", got)
	}
	before := map[string]int{}
	for _, id := range []string{"c-bounce", "c-complain", "c-full"} {
		before[id] = len(consentItems(id))
	}
	// (opt-in: current + log; opt-out: the current one rewritten + one more log entry)
	if before["c-bounce"] != 3 || before["c-complain"] != 3 || before["c-full"] != 2 {
		t.Errorf("consent records after one delivery: %v, want 3, 3, 2", before)
	}

	// WHEN SNS or SQS delivers them again
	send(bounce, complaint, transient)
	drained()
	// THEN nothing more is written
	for id, n := range before {
		if got := len(consentItems(id)); got != n {
			t.Errorf("%s has %d consent records after a redelivery, %d before", id, got, n)
		}
	}
	if got := consent("c-bounce"); !strings.Contains(got, `"granted":false`) || !strings.Contains(got, `"source":"ses-bounce"`) {
		t.Errorf("c-bounce consent after a redelivery: %s", got)
	}
}
