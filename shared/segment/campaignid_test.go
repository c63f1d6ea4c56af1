package segment

import (
	"strings"
	"testing"
)

// A campaign id starts with a letter or digit and is at most 64 characters.
func TestCampaignIDLimits(t *testing.T) {
	for _, c := range []struct {
		id   string
		want bool
	}{
		{"spring-2027", true},
		{"s", true},
		{strings.Repeat("c", 64), true},
		{strings.Repeat("c", 65), false},
		{"-spring", false},
		{"spring#1", false},
		{"win.back:q1_2027", true},
	} {
		if got := validCampaignID(c.id); got != c.want {
			t.Errorf("validCampaignID(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}
