package email_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/notify"
	"github.com/rapport-crm/rapport/shared/notify/email"
)

type fakeSES struct {
	calls []*sesv2.SendEmailInput
	err   error
}

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.calls = append(f.calls, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sesv2.SendEmailOutput{MessageId: aws.String("ses-1")}, nil
}

func TestEmailBuildsTheSendEmailInput(t *testing.T) {
	ses := &fakeSES{}
	e, err := email.New(ses, email.Config{From: "Hotel Lotus <noreply@lotus.example>", ReplyTo: "care@lotus.example", ConfigurationSet: "rapport"})
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Message{
		ID: "01J0ABCDEF", Kind: "recovery-callback", Channel: "email", To: "Li Lei <li.lei@例子.example>",
		Subject: "We are sorry\n about your stay", Text: "Plain body", HTML: "<p>HTML body</p>", LocationID: "loc/1",
		Marketing: true, UnsubscribeURL: "https://u.example/unsub?t=abc",
	}
	if err := e.Deliver(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(ses.calls) != 1 {
		t.Fatalf("SendEmail called %d times", len(ses.calls))
	}
	in := ses.calls[0]
	check := func(name, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("From", aws.ToString(in.FromEmailAddress), "\"Hotel Lotus\" <noreply@lotus.example>")
	check("To", strings.Join(in.Destination.ToAddresses, ","), "li.lei@xn--fsqu00a.example")
	check("ReplyTo", strings.Join(in.ReplyToAddresses, ","), "care@lotus.example")
	check("ConfigurationSet", aws.ToString(in.ConfigurationSetName), "rapport")
	s := in.Content.Simple
	check("Subject", aws.ToString(s.Subject.Data), "We are sorry about your stay")
	check("Subject charset", aws.ToString(s.Subject.Charset), "UTF-8")
	check("Text", aws.ToString(s.Body.Text.Data), "Plain body")
	check("Html", aws.ToString(s.Body.Html.Data), "<p>HTML body</p>")
	headers := map[string]string{}
	for _, h := range s.Headers {
		headers[aws.ToString(h.Name)] = aws.ToString(h.Value)
	}
	check("X-Rapport-Id", headers["X-Rapport-Id"], "01J0ABCDEF")
	check("List-Unsubscribe", headers["List-Unsubscribe"], "<https://u.example/unsub?t=abc>")
	check("List-Unsubscribe-Post", headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
	tags := map[string]string{}
	for _, tg := range in.EmailTags {
		tags[aws.ToString(tg.Name)] = aws.ToString(tg.Value)
	}
	check("tag rapport-id", tags["rapport-id"], "01J0ABCDEF")
	check("tag rapport-kind", tags["rapport-kind"], "recovery-callback")
	check("tag rapport-location", tags["rapport-location"], "loc_1")
}

func TestEmailTextOnlyTransactional(t *testing.T) {
	ses := &fakeSES{}
	e, err := email.New(ses, email.Config{From: "noreply@lotus.example"})
	if err != nil {
		t.Fatal(err)
	}
	err = e.Deliver(context.Background(), notify.Message{ID: "x1", To: "a@b.example", Subject: "Hi", Text: "Body", UnsubscribeURL: "https://u.example/x"})
	if err != nil {
		t.Fatal(err)
	}
	in := ses.calls[0]
	if in.Content.Simple.Body.Html != nil || in.ConfigurationSetName != nil || in.ReplyToAddresses != nil {
		t.Errorf("unexpected optional fields: html=%v configset=%v replyto=%v", in.Content.Simple.Body.Html, in.ConfigurationSetName, in.ReplyToAddresses)
	}
	for _, h := range in.Content.Simple.Headers {
		if aws.ToString(h.Name) == "List-Unsubscribe" {
			t.Error("a transactional message got List-Unsubscribe")
		}
	}
	if got := aws.ToString(in.FromEmailAddress); got != "noreply@lotus.example" {
		t.Errorf("From = %q", got)
	}
}

func TestEmailEncodesANonASCIISenderName(t *testing.T) {
	ses := &fakeSES{}
	e, err := email.New(ses, email.Config{From: "西湖酒店 <noreply@lotus.example>"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Deliver(context.Background(), notify.Message{ID: "x", To: "a@b.example", Subject: "您好", Text: "正文"}); err != nil {
		t.Fatal(err)
	}
	from := aws.ToString(ses.calls[0].FromEmailAddress)
	if !strings.HasPrefix(from, "=?utf-8?") || !strings.HasSuffix(from, " <noreply@lotus.example>") {
		t.Errorf("From = %q, want an RFC 2047 encoded name", from)
	}
}

func TestNewEmailRefusesABadSender(t *testing.T) {
	for _, from := range []string{"", "not an address", "noreply@localhost"} {
		if _, err := email.New(&fakeSES{}, email.Config{From: from}); err == nil {
			t.Errorf("From %q accepted", from)
		}
	}
}

func TestEmailRefusesBadMessagesWithoutCallingSES(t *testing.T) {
	tests := []struct {
		name string
		m    notify.Message
	}{
		{"empty address", notify.Message{To: "", Subject: "s", Text: "t"}},
		{"no at", notify.Message{To: "li.lei.example.com", Subject: "s", Text: "t"}},
		{"two addresses", notify.Message{To: "a@b.example, c@d.example", Subject: "s", Text: "t"}},
		{"non-ASCII local part", notify.Message{To: "李雷@b.example", Subject: "s", Text: "t"}},
		{"no dot in domain", notify.Message{To: "a@intranet", Subject: "s", Text: "t"}},
		{"empty subject", notify.Message{To: "a@b.example", Subject: " \n", Text: "t"}},
		{"empty body", notify.Message{To: "a@b.example", Subject: "s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ses := &fakeSES{}
			e, _ := email.New(ses, email.Config{From: "noreply@lotus.example"})
			err := e.Deliver(context.Background(), tt.m)
			if !errors.Is(err, notify.ErrPermanent) {
				t.Fatalf("err = %v, want permanent", err)
			}
			if len(ses.calls) != 0 {
				t.Error("SES was called")
			}
		})
	}
}

func TestEmailClassifiesSESErrors(t *testing.T) {
	msg := aws.String("Email address is not verified: li.lei@example.com")
	tests := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"MessageRejected", &types.MessageRejected{Message: msg}, true},
		{"BadRequest", &types.BadRequestException{Message: aws.String("Missing final '@domain'")}, true},
		{"wrapped MessageRejected", fmt.Errorf("operation error SESv2: SendEmail: %w", &types.MessageRejected{}), true},
		{"MailFromDomainNotVerified", &types.MailFromDomainNotVerifiedException{}, false},
		{"AccountSuspended", &types.AccountSuspendedException{}, false},
		{"SendingPaused", &types.SendingPausedException{}, false},
		{"NotFound (configuration set)", &types.NotFoundException{}, false},
		{"TooManyRequests", &types.TooManyRequestsException{}, false},
		{"LimitExceeded", &types.LimitExceededException{}, false},
		{"InternalServiceError", &types.InternalServiceErrorException{}, false},
		{"throttling", &smithy.GenericAPIError{Code: "ThrottlingException", Fault: smithy.FaultClient}, false},
		{"network", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, false},
		{"deadline", context.DeadlineExceeded, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := email.New(&fakeSES{err: tt.err}, email.Config{From: "noreply@lotus.example"})
			err := e.Deliver(context.Background(), notify.Message{ID: "f1", To: "li.lei@example.com", Subject: "s", Text: "t"})
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, notify.ErrPermanent); got != tt.permanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tt.permanent, err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("cause lost: %v", err)
			}
			if strings.Contains(err.Error(), "li.lei@example.com") {
				t.Errorf("error text carries the address: %v", err)
			}
		})
	}
}
