package sms_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/rapport-crm/rapport/shared/notify"
	"github.com/rapport-crm/rapport/shared/notify/sms"
)

type fakeSNS struct {
	calls []*sns.PublishInput
	err   error
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.calls = append(f.calls, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sns.PublishOutput{MessageId: aws.String("sns-1")}, nil
}

func attrs(in *sns.PublishInput) map[string]string {
	out := map[string]string{}
	for k, v := range in.MessageAttributes {
		if aws.ToString(v.DataType) != "String" {
			out[k] = "bad type " + aws.ToString(v.DataType)
			continue
		}
		out[k] = aws.ToString(v.StringValue)
	}
	return out
}

func TestSMSBuildsThePublishInput(t *testing.T) {
	tests := []struct {
		name  string
		cfg   sms.Config
		m     notify.Message
		attrs map[string]string
	}{
		{
			name:  "transactional, no sender settings",
			m:     notify.Message{ID: "f1", To: "+8613800138000", Subject: "ignored", Text: "您的回访已安排"},
			attrs: map[string]string{"AWS.SNS.SMS.SMSType": "Transactional"},
		},
		{
			name: "marketing with sender id and origination number",
			cfg:  sms.Config{SenderID: "Lotus", OriginationNumber: "+12065550100"},
			m:    notify.Message{ID: "f2", To: "+447700900123", Text: "20% off this weekend", Marketing: true},
			attrs: map[string]string{
				"AWS.SNS.SMS.SMSType":          "Promotional",
				"AWS.SNS.SMS.SenderID":         "Lotus",
				"AWS.MM.SMS.OriginationNumber": "+12065550100",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeSNS{}
			s, err := sms.New(f, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Deliver(context.Background(), tt.m); err != nil {
				t.Fatal(err)
			}
			if len(f.calls) != 1 {
				t.Fatalf("Publish called %d times", len(f.calls))
			}
			in := f.calls[0]
			if got := aws.ToString(in.PhoneNumber); got != tt.m.To {
				t.Errorf("PhoneNumber = %q, want %q", got, tt.m.To)
			}
			if got := aws.ToString(in.Message); got != tt.m.Text {
				t.Errorf("Message = %q, want %q", got, tt.m.Text)
			}
			if in.TopicArn != nil || in.TargetArn != nil || in.Subject != nil {
				t.Errorf("unexpected topic, target or subject: %+v", in)
			}
			if got := attrs(in); fmt.Sprint(got) != fmt.Sprint(tt.attrs) {
				t.Errorf("attributes = %v, want %v", got, tt.attrs)
			}
		})
	}
}

func TestNewSMSRefusesBadSettings(t *testing.T) {
	for _, cfg := range []sms.Config{
		{SenderID: "TooLongSenderID"},
		{SenderID: "12345"},
		{SenderID: "Lotus Hotel"},
		{SenderID: "Hotel-Lotus"},
		{SenderID: "Lötus"},
		{OriginationNumber: "2065550100x"},
		{OriginationNumber: "12065550100"},
		{OriginationNumber: "+1 206 555 0100"},
		{SenderID: "Lotus", OriginationNumber: "+0206555010"},
	} {
		if _, err := sms.New(&fakeSNS{}, cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	for _, cfg := range []sms.Config{{OriginationNumber: "12345"}, {SenderID: "L0tus2026"}, {SenderID: "A"}, {SenderID: "HotelLotus1"}} {
		if _, err := sms.New(&fakeSNS{}, cfg); err != nil {
			t.Errorf("%+v refused: %v", cfg, err)
		}
	}
	// The error names the setting to fix.
	err := sms.Config{SenderID: "Hotel Lotus!", OriginationNumber: "0800"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "smsSenderId") {
		t.Errorf("Validate() = %v, want it to name smsSenderId", err)
	}
}

func TestSMSRefusesBadNumbersWithoutCallingSNS(t *testing.T) {
	for _, to := range []string{"", "13800138000", "+86 138 0013 8000", "+1234567", "+1234567890123456", "+0123456789", "+86138001380a0", "li.lei@example.com"} {
		t.Run(to, func(t *testing.T) {
			f := &fakeSNS{}
			s, _ := sms.New(f, sms.Config{})
			err := s.Deliver(context.Background(), notify.Message{ID: "f1", To: to, Text: "hello"})
			if !errors.Is(err, notify.ErrPermanent) {
				t.Fatalf("err = %v, want permanent", err)
			}
			if len(f.calls) != 0 {
				t.Error("SNS was called")
			}
		})
	}
	f := &fakeSNS{}
	s, _ := sms.New(f, sms.Config{})
	if err := s.Deliver(context.Background(), notify.Message{To: "+8613800138000", Text: "  "}); !errors.Is(err, notify.ErrPermanent) || len(f.calls) != 0 {
		t.Errorf("empty text: err = %v, calls = %d", err, len(f.calls))
	}
	for _, to := range []string{"+12345678", "+123456789012345"} {
		if err := s.Deliver(context.Background(), notify.Message{To: to, Text: "x"}); err != nil {
			t.Errorf("%s refused: %v", to, err)
		}
	}
}

func TestSMSClassifiesSNSErrors(t *testing.T) {
	const to = "+8613800138000"
	why := aws.String("Invalid parameter: PhoneNumber Reason: " + to + " is not valid to publish to")
	tests := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"InvalidParameter", &types.InvalidParameterException{Message: why}, true},
		{"InvalidParameterValue", &types.InvalidParameterValueException{Message: why}, true},
		{"Validation", &types.ValidationException{}, true},
		{"OptedOut", &types.OptedOutException{}, true},
		{"EndpointDisabled", &types.EndpointDisabledException{}, true},
		{"wrapped InvalidParameter", fmt.Errorf("operation error SNS: Publish: %w", &types.InvalidParameterException{}), true},
		{"Throttled", &types.ThrottledException{}, false},
		{"InternalError", &types.InternalErrorException{}, false},
		{"KMSThrottling", &types.KMSThrottlingException{}, false},
		{"AuthorizationError", &types.AuthorizationErrorException{}, false},
		{"KMSDisabled", &types.KMSDisabledException{}, false},
		{"NotFound", &types.NotFoundException{}, false},
		{"network", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, false},
		{"canceled", context.Canceled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := sms.New(&fakeSNS{err: tt.err}, sms.Config{})
			err := s.Deliver(context.Background(), notify.Message{ID: "f1", To: to, Text: "hello"})
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, notify.ErrPermanent); got != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tt.permanent, err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("cause lost: %v", err)
			}
			if strings.Contains(err.Error(), "13800138000") {
				t.Errorf("error text carries the number: %v", err)
			}
		})
	}
}
