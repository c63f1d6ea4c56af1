package id

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidSaysWhatThePatternSays holds Valid and ValidSource to the patterns they
// replace, on hand-picked edges and on every short string over a small alphabet.
func TestValidSaysWhatThePatternSays(t *testing.T) {
	for _, c := range []struct {
		valid   func(string) bool
		pattern *regexp.Regexp
	}{
		{Valid, regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)},
		{ValidSource, regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:#-]{0,127}$`)},
	} {
		check := func(s string) {
			if got, want := c.valid(s), c.pattern.MatchString(s); got != want {
				t.Errorf("%s: %q valid %v, the pattern says %v", c.pattern, s, got, want)
			}
		}
		for _, s := range []string{"", "a", "A9", "loc-1", "SH01.bund_2", ".a", "-a", "_a", "a b", "a\n", "a/b", "é", "日本",
			"bill:1001", "complaint:HB01-20261123-0001", "a#1", ":a", "#a",
			strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a", 65),
			strings.Repeat("b", 127), strings.Repeat("b", 128), strings.Repeat("b", 129)} {
			check(s)
		}
		alphabet := []string{"a", "Z", "0", ".", "_", "-", ":", "#", " ", "é"}
		var walk func(prefix string, n int)
		walk = func(prefix string, n int) {
			check(prefix)
			if n == 0 {
				return
			}
			for _, a := range alphabet {
				walk(prefix+a, n-1)
			}
		}
		walk("", 3)
	}
}
