// Package sms is notify's SMS channel over Amazon SNS, apart from the notify core so
// that only the function that sends (followup-sender) links SNS. Config's checks are
// also the stack's, at synth.
package sms

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/rapport-crm/rapport/shared/notify"
)

// API is the part of the SNS client that Channel uses.
type API interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Config is how Channel sends. Both fields are optional and country-dependent.
type Config struct {
	// SenderID is the alphanumeric sender shown where countries allow one (1–11
	// letters and digits, at least one letter); sent as AWS.SNS.SMS.SenderID.
	SenderID string
	// OriginationNumber is the E.164 number (or short code) to send from, one the
	// account owns in the region; sent as AWS.MM.SMS.OriginationNumber.
	OriginationNumber string
}

// Channel delivers messages with SNS Publish to a phone number. SNS has no dedupe key
// for SMS, so at most once rests on the caller's claim on the message.
type Channel struct {
	api API
	cfg Config
}

// New checks the configuration once, at cold start.
func New(api API, cfg Config) (*Channel, error) {
	if api == nil {
		return nil, errors.New("notify sms: no SNS client")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("notify sms: %w", err)
	}
	return &Channel{api: api, cfg: cfg}, nil
}

// Validate checks the settings as SNS will read them; the error names the setting
// (smsSenderId, smsOriginationNumber) and its rule.
func (c Config) Validate() error {
	var errs []error
	if c.SenderID != "" && !validSenderID(c.SenderID) {
		errs = append(errs, fmt.Errorf("sender id (smsSenderId) %q: 1 to 11 ASCII letters and digits, with a letter", c.SenderID))
	}
	if c.OriginationNumber != "" && !validE164(c.OriginationNumber) && !shortCode(c.OriginationNumber) {
		errs = append(errs, fmt.Errorf("origination number (smsOriginationNumber) %q: an E.164 number such as +12065550100, or a short code of 3 to 8 digits", c.OriginationNumber))
	}
	return errors.Join(errs...)
}

// Deliver sends m.Text to the phone number m.To. The SMS type is Promotional for
// marketing messages (cheaper routes, quiet hours apply) and Transactional otherwise.
func (s *Channel) Deliver(ctx context.Context, m notify.Message) error {
	if !validE164(m.To) {
		return notify.Permanent("sms: recipient is not an E.164 phone number (+ and 8 to 15 digits)", nil)
	}
	if strings.TrimSpace(m.Text) == "" {
		return notify.Permanent("sms: empty text", nil)
	}
	smsType := "Transactional"
	if m.Marketing {
		smsType = "Promotional"
	}
	attrs := map[string]types.MessageAttributeValue{
		"AWS.SNS.SMS.SMSType": str(smsType),
	}
	if s.cfg.SenderID != "" {
		attrs["AWS.SNS.SMS.SenderID"] = str(s.cfg.SenderID)
	}
	if s.cfg.OriginationNumber != "" {
		attrs["AWS.MM.SMS.OriginationNumber"] = str(s.cfg.OriginationNumber)
	}
	_, err := s.api.Publish(ctx, &sns.PublishInput{
		PhoneNumber:       aws.String(m.To),
		Message:           aws.String(m.Text),
		MessageAttributes: attrs,
	})
	if err != nil {
		op := "sns publish " + m.ID
		if snsPermanent(err) {
			return notify.Permanent(op, err, m.To, strings.TrimPrefix(m.To, "+"))
		}
		return notify.Transient(op, err, m.To, strings.TrimPrefix(m.To, "+"))
	}
	return nil
}

// snsPermanent: the number or the message is refused. AuthorizationError, the KMS
// errors and NotFound are the account's configuration and stay transient.
func snsPermanent(err error) bool {
	var (
		param    *types.InvalidParameterException
		value    *types.InvalidParameterValueException
		valid    *types.ValidationException
		optedOut *types.OptedOutException
		disabled *types.EndpointDisabledException
	)
	return errors.As(err, &param) || errors.As(err, &value) || errors.As(err, &valid) ||
		errors.As(err, &optedOut) || errors.As(err, &disabled)
}

func str(s string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s)}
}

// validE164 is + then 8 to 15 digits, the first not 0.
func validE164(s string) bool {
	d, ok := strings.CutPrefix(s, "+")
	return ok && len(d) >= 8 && len(d) <= 15 && d[0] != '0' && allDigits(d)
}

// shortCode is a short code: 3 to 8 digits (4 to 7 in most countries).
func shortCode(s string) bool { return len(s) >= 3 && len(s) <= 8 && allDigits(s) }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validSenderID(s string) bool {
	if len(s) < 1 || len(s) > 11 {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}
