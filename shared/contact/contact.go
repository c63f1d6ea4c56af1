// Package contact is how Rapport writes people's addresses: phone numbers in E.164,
// email addresses in lower case, and the channels a message can go on. It is a kernel
// package: every domain may use it, and it uses none.
package contact

import (
	"errors"
	"net/mail"
	"strings"
)

// DefaultCountryCode is assumed for phone numbers written without one: an eleven-digit
// number starting with 1 is a mainland China mobile.
const DefaultCountryCode = "86"

// ErrBadPhone and ErrBadEmail mean a contact cannot be normalised.
var (
	ErrBadPhone = errors.New("not a phone number")
	ErrBadEmail = errors.New("not an email address")
)

// NormalizePhone writes a phone number in E.164 (+8613800138000): spaces, dashes, dots
// and brackets are dropped, 00 becomes +, a national mobile number gets the default
// country code, and a trunk prefix written "(0)" after the country code is left out
// ("+44 (0)20 7946 0958" is "+44 20 7946 0958"). Letters are refused, so a name
// searched for is never read as a number.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "(0)"); i > 0 && (s[0] == '+' || strings.HasPrefix(s, "00")) {
		s = s[:i] + s[i+3:]
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case strings.ContainsRune(" -.()/", r):
		default:
			return "", ErrBadPhone
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+"):
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case len(n) == 11 && n[0] == '1':
		n = "+" + DefaultCountryCode + n
	default:
		return "", ErrBadPhone
	}
	if d := len(n) - 1; d < 8 || d > 15 || n[1] == '0' {
		return "", ErrBadPhone
	}
	return n, nil
}

// NormalizeEmail lower-cases an address and checks its form.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", ErrBadEmail
	}
	return s, nil
}

// Channels a message can go on, and a customer can consent to: the one list.
var Channels = []string{"email", "sms", "webhook"}

// Contact is a person's address on a channel: a location's manager, a head-office
// recipient, a loop's alert.
type Contact struct {
	Name    string `dynamodbav:"name,omitempty" json:"name,omitempty"`
	Channel string `dynamodbav:"channel" json:"channel"`
	Address string `dynamodbav:"address" json:"address"`
	Locale  string `dynamodbav:"locale,omitempty" json:"locale,omitempty"`
}
