// Package email is notify's email channel over Amazon SES v2, apart from the notify
// core so that only the function that sends (followup-sender) links SES.
package email

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"golang.org/x/net/idna"

	"github.com/rapport-crm/rapport/shared/notify"
)

// API is the part of the SES v2 client that Channel uses.
type API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Config is how Channel sends.
type Config struct {
	// From is the verified sender, "noreply@example.com" or
	// "Example Hotel <noreply@example.com>".
	From string
	// ReplyTo is optional: where customers' replies go.
	ReplyTo string
	// ConfigurationSet is the SES configuration set every SendEmail names (its
	// reputation metrics, suppression list and event destinations; events carry the
	// rapport-id tag). The sender sets it from NOTIFY_SES_CONFIGURATION_SET, which the
	// stack fills in with the configuration set it makes.
	ConfigurationSet string
}

// Channel delivers messages with SES v2 SendEmail (simple content).
type Channel struct {
	api API
	cfg Config
}

// New checks the configuration once, at cold start.
func New(api API, cfg Config) (*Channel, error) {
	if api == nil {
		return nil, errors.New("notify email: no SES client")
	}
	from, err := sesAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify email: From %q: %w", cfg.From, err)
	}
	cfg.From = formatAddress(from)
	if cfg.ReplyTo != "" {
		reply, err := sesAddress(cfg.ReplyTo)
		if err != nil {
			return nil, fmt.Errorf("notify email: ReplyTo %q: %w", cfg.ReplyTo, err)
		}
		cfg.ReplyTo = formatAddress(reply)
	}
	return &Channel{api: api, cfg: cfg}, nil
}

// Deliver sends m to m.To. SES has no idempotency key: the rapport-id tag and the
// X-Rapport-Id header let event consumers and receivers spot a repeat.
func (e *Channel) Deliver(ctx context.Context, m notify.Message) error {
	addr, err := sesAddress(m.To)
	if err != nil {
		return notify.Permanent("email: invalid recipient address", err, m.To)
	}
	to := addr.Address // a display name adds nothing to a message to one person
	subject := oneLine(m.Subject)
	if subject == "" {
		return notify.Permanent("email: empty subject", nil)
	}
	if strings.TrimSpace(m.Text) == "" && strings.TrimSpace(m.HTML) == "" {
		return notify.Permanent("email: empty body", nil)
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(e.cfg.From),
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content:          &types.EmailContent{Simple: e.content(m, subject)},
		EmailTags:        tags(m),
	}
	if e.cfg.ReplyTo != "" {
		in.ReplyToAddresses = []string{e.cfg.ReplyTo}
	}
	if e.cfg.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(e.cfg.ConfigurationSet)
	}
	if _, err := e.api.SendEmail(ctx, in); err != nil {
		op := "ses send " + m.ID
		if sesPermanent(err) {
			return notify.Permanent(op, err, m.To, to, strings.ToLower(to))
		}
		return notify.Transient(op, err, m.To, to, strings.ToLower(to))
	}
	return nil
}

func (e *Channel) content(m notify.Message, subject string) *types.Message {
	utf8 := aws.String("UTF-8")
	body := &types.Body{}
	if m.Text != "" {
		body.Text = &types.Content{Data: aws.String(m.Text), Charset: utf8}
	}
	if m.HTML != "" {
		body.Html = &types.Content{Data: aws.String(m.HTML), Charset: utf8}
	}
	msg := &types.Message{
		Subject: &types.Content{Data: aws.String(subject), Charset: utf8},
		Body:    body,
	}
	if id := headerValue(m.ID); id != "" {
		msg.Headers = append(msg.Headers, types.MessageHeader{Name: aws.String("X-Rapport-Id"), Value: aws.String(id)})
	}
	if m.Marketing && m.UnsubscribeURL != "" {
		if u := headerValue(m.UnsubscribeURL); u != "" {
			// RFC 8058 one-click unsubscribe, which large mailbox providers ask of bulk senders.
			msg.Headers = append(msg.Headers,
				types.MessageHeader{Name: aws.String("List-Unsubscribe"), Value: aws.String("<" + u + ">")},
				types.MessageHeader{Name: aws.String("List-Unsubscribe-Post"), Value: aws.String("List-Unsubscribe=One-Click")})
		}
	}
	return msg
}

// sesPermanent: the message or its recipient is refused, whatever the retry.
// AccountSuspended, SendingPaused, MailFromDomainNotVerified and NotFound (a missing
// configuration set) are the sending account's problems and stay transient.
func sesPermanent(err error) bool {
	var rejected *types.MessageRejected
	var bad *types.BadRequestException
	return errors.As(err, &rejected) || errors.As(err, &bad)
}

// sesAddress checks one address and puts it in the form SES takes: ASCII only, the
// domain in Punycode (SES does not take UTF-8 local parts).
func sesAddress(s string) (*mail.Address, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, errors.New("not an email address") // err's text quotes the address
	}
	at := strings.LastIndexByte(a.Address, '@')
	local, domain := a.Address[:at], a.Address[at+1:]
	if !isASCII(local) {
		return nil, errors.New("non-ASCII local part")
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") {
		return nil, errors.New("invalid domain")
	}
	a.Address = local + "@" + ascii
	return a, nil
}

// formatAddress is the bare address, or the name and address with a non-ASCII name
// encoded (RFC 2047).
func formatAddress(a *mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	return a.String()
}

// tags are SES message tags: they travel into the configuration set's events.
func tags(m notify.Message) []types.MessageTag {
	var ts []types.MessageTag
	for _, t := range [][2]string{{"rapport-id", m.ID}, {"rapport-kind", m.Kind}, {"rapport-location", m.LocationID}} {
		if v := tagValue(t[1]); v != "" {
			ts = append(ts, types.MessageTag{Name: aws.String(t[0]), Value: aws.String(v)})
		}
	}
	return ts
}

// tagValue keeps what SES allows in a tag value: ASCII letters, digits, _ and -.
func tagValue(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() == 256 {
			break
		}
	}
	return b.String()
}

// headerValue is s if it is printable ASCII and short enough for an SES header, else "".
func headerValue(s string) string {
	if len(s) > 900 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return ""
		}
	}
	return s
}

// oneLine folds a rendered subject's line breaks and runs of space into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
