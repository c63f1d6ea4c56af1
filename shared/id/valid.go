package id

import "strings"

// Valid tells whether s is an id a caller may choose (a location, a survey, a
// customer id a system gave, an assignee): 1 to 64 letters, digits, '.', '_' or '-',
// starting with a letter or digit. Ids are parts of DynamoDB keys and of URLs; this
// keeps them safe in both.
func Valid(s string) bool { return valid(s, 64, "._-") }

// ValidSource is Valid for the ids other systems give a loyalty entry (a bill, a
// booking, "complaint:<reference>"): up to 128 characters, ':' and '#' allowed too.
func ValidSource(s string) bool { return valid(s, 128, "._:#-") }

// valid checks by hand what a regular expression such as ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$
// says: compiling that repeats its class 63 times, which every function would pay for
// at start.
func valid(s string, max int, punctuation string) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && strings.IndexByte(punctuation, c) >= 0:
		default:
			return false
		}
	}
	return true
}
