package contact_test

import (
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/rapport-crm/rapport/shared/contact"
)

// TestNormalizePhoneAgreesWithLibphonenumber holds the normaliser to libphonenumber
// (nyaruka/phonenumbers, the maintained Go port), used here as an oracle: on every
// number below, written the ways people write it, both give the same E.164, so one
// person is one number. The library stays out of the functions: its metadata for every
// region adds about 8 MB to each binary that links it, against a 10 MB budget; the
// normaliser covers what Rapport's customers write (a country code, or a mainland
// China mobile without one) and refuses the rest.
func TestNormalizePhoneAgreesWithLibphonenumber(t *testing.T) {
	for _, in := range []string{
		"13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "0086 138 0013 8000", "+86 (138) 0013-8000",
		"+86 21 6321 2888", "+86-10-8529-6666", "0086 755 8888 1234",
		"+44 20 7946 0958", "+44 (0)20 7946 0958", "+44 (0) 20 7946 0958", "0044 20 7946 0958", "+44 7700 900123",
		"+1 (415) 555-2671", "+1 415.555.2671", "001 212 555 0199",
		"+852 2123 4567", "+852 9123 4567", "+853 2882 1234", "+886 2 2345 6789",
		"+81 3-1234-5678", "+81 (0)3 1234 5678", "+82 2 312 3456", "+65 6123 4567", "+61 2 9374 4000",
		"+49 30 901820", "+49 (0)30 901820", "+33 1 42 68 53 00", "+33 (0)1 42 68 53 00", "+39 06 6982", "+971 4 123 4567",
	} {
		want, err := libphonenumber(in)
		if err != nil {
			t.Fatalf("the oracle refuses %q: %v", in, err)
		}
		if got, err := contact.NormalizePhone(in); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; libphonenumber says %q", in, got, err, want)
		}
	}
}

// libphonenumber is the E.164 form the library gives, reading a number without a
// country code as a mainland China one.
func libphonenumber(s string) (string, error) {
	n, err := phonenumbers.Parse(s, "CN")
	if err != nil {
		return "", err
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}
