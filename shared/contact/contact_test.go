package contact

import (
	"errors"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+8613800138000", "+8613800138000"},
		{"+86 138-0013-8000", "+8613800138000"},
		{"0086-138-0013-8000", "+8613800138000"},
		{"138 0013 8000", "+8613800138000"},
		{" 13800138000 ", "+8613800138000"},
		{"+44 (0)20 7946 0958", "+442079460958"},
		{"+44 20 7946 0958", "+442079460958"},
		{"0044 20 7946 0958", "+442079460958"},
		{"0044 (0)20 7946 0958", "+442079460958"},
		{"+1 202.555.0143", "+12025550143"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got, err := NormalizePhone(tc.in); err != nil || got != tc.want {
				t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNormalizePhoneRefuses(t *testing.T) {
	for _, in := range []string{
		"", "   ", "abc", "Li Lei", "sh-01",
		"1-800-FLOWERS",     // letters are never read as digits
		"+1234567",          // too short anywhere
		"+1234567890123456", // longer than E.164 allows
		"020 7946 0958",     // a national number of no known country
		"+0123456789",       // no country code 0
		"+86 138 0013 8000 ext 5",
		"tel:+8613800138000",
		"138+0013 8000",
	} {
		if got, err := NormalizePhone(in); !errors.Is(err, ErrBadPhone) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want ErrBadPhone", in, got, err)
		}
	}
}
