package auth

import (
	"strings"
	"testing"
)

// A staff id is 1 to 128 of its characters; the length is checked apart from the
// pattern, so both limits are held here.
func TestStaffIDLimits(t *testing.T) {
	for _, c := range []struct {
		id   string
		want bool
	}{
		{"till-3", true},
		{"a", true},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{"", false},
		{"ward#2", false},
		{"マリア", false},
		{"pos:12@lotus.example", true},
	} {
		if got := ValidStaffID(c.id); got != c.want {
			t.Errorf("ValidStaffID(%q) = %v, want %v", c.id, got, c.want)
		}
		_, err := ServingStaff(Principal{}, c.id, "staffId")
		if c.id != "" && (err == nil) != c.want {
			t.Errorf("ServingStaff(%q): %v, want ok=%v", c.id, err, c.want)
		}
	}
}
