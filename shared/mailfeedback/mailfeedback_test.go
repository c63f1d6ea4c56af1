package mailfeedback

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// snsWrap is how SNS delivers a message to an SQS subscription with raw delivery off.
func snsWrap(t *testing.T, message string) string {
	t.Helper()
	b, err := json.Marshal(map[string]string{
		"Type": "Notification", "MessageId": "8c2a0c6e-0000-0000-0000-000000000000",
		"TopicArn": "arn:aws:sns:us-east-1:000000000000:rapport-mail-feedback", "Message": message,
		"Timestamp": "2026-12-06T07:00:00.000Z", "SignatureVersion": "1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	permanent = `{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",
		"bouncedRecipients":[{"emailAddress":"gone@example.com","action":"failed","status":"5.1.1"},{"emailAddress":"Also.Gone@Example.com"}],
		"timestamp":"2026-12-06T06:59:58.123Z","feedbackId":"0100-abc"},
		"mail":{"timestamp":"2026-12-06T06:59:57.000Z","source":"noreply@hotel.example","messageId":"0100-m","destination":["gone@example.com"]}}`
	transient = `{"eventType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull",
		"bouncedRecipients":[{"emailAddress":"full@example.com"}],"timestamp":"2026-12-06T06:59:58.123Z"},"mail":{}}`
	complaint = `{"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"angry@example.com"}],
		"timestamp":"2026-12-06T07:01:00.000Z","complaintFeedbackType":"abuse"},"mail":{}}`
)

func TestParse(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantSource string
		wantTo     []string
		wantAt     time.Time
		wantErr    bool
	}{
		{"permanent bounce", permanent, SourceBounce, []string{"gone@example.com", "Also.Gone@Example.com"},
			time.Date(2026, 12, 6, 6, 59, 58, 123e6, time.UTC), false},
		{"transient bounce is ignored", transient, "", nil, time.Time{}, false},
		{"complaint", complaint, SourceComplaint, []string{"angry@example.com"}, time.Date(2026, 12, 6, 7, 1, 0, 0, time.UTC), false},
		{"an identity notification's notificationType", `{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"a@example.com"}]}}`,
			SourceComplaint, []string{"a@example.com"}, time.Time{}, false},
		{"a delivery event is ignored", `{"eventType":"Delivery","delivery":{},"mail":{}}`, "", nil, time.Time{}, false},
		{"not JSON", `{"eventType":`, "", nil, time.Time{}, true},
		{"no event type", `{"mail":{}}`, "", nil, time.Time{}, true},
		{"bounce without its bounce", `{"eventType":"Bounce"}`, "", nil, time.Time{}, true},
		{"complaint without recipients", `{"eventType":"Complaint","complaint":{"complainedRecipients":[]}}`, "", nil, time.Time{}, true},
	}
	for _, tt := range tests {
		for _, wrapped := range []bool{false, true} {
			body := tt.body
			if wrapped {
				body = snsWrap(t, tt.body)
			}
			t.Run(tt.name, func(t *testing.T) {
				f, err := Parse(body)
				if tt.wantErr {
					if !errors.Is(err, ErrMalformed) {
						t.Fatalf("Parse() = %+v, %v; want ErrMalformed", f, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if f.Source != tt.wantSource || !slices.Equal(f.Recipients, tt.wantTo) || !f.At.Equal(tt.wantAt) {
					t.Errorf("Parse() = %+v; want source %q, recipients %v, at %v", f, tt.wantSource, tt.wantTo, tt.wantAt)
				}
				if tt.wantSource == "" && f.Ignored == "" {
					t.Errorf("an ignored event says not why: %+v", f)
				}
			})
		}
	}
}

func TestParseSNSEnvelope(t *testing.T) {
	// SNS's subscription confirmation (not a notification) changes nothing.
	if f, err := Parse(`{"Type":"SubscriptionConfirmation","Message":"You have chosen to subscribe"}`); err != nil || f.Source != "" {
		t.Errorf("confirmation: %+v, %v", f, err)
	}
	// A notification whose Message is not a string, or not an SES event, is malformed.
	for _, body := range []string{`{"Type":"Notification","Message":{"eventType":"Bounce"}}`, `{"Type":"Notification"}`,
		`{"Type":"Notification","Message":"not json"}`, `{"Type":7}`} {
		if _, err := Parse(body); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%s) = %v; want ErrMalformed", body, err)
		}
	}
}

// A malformed record is reported as that record's failure, not a panic or the whole
// batch; an ignored one (a transient bounce) succeeds without touching customers.
func TestMalformedIsABatchItemFailure(t *testing.T) {
	h := &Handler{} // no store: neither record may need one
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "bad", Body: snsWrap(t, `{"eventType":"Bounce","bounce":`)},
		{MessageId: "transient", Body: snsWrap(t, transient)},
		{MessageId: "garbage", Body: `<html>`},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	if !slices.Equal(ids, []string{"bad", "garbage"}) {
		t.Errorf("failures %v, want [bad garbage]", ids)
	}
}
