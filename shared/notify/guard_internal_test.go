package notify

import (
	"errors"
	"testing"
)

// The connection guard sees the address a name resolved to, after DNS: whatever a URL
// looked like, a connection to these is refused unless the local switch allows it.
func TestGuardChecksTheResolvedAddress(t *testing.T) {
	tests := []struct {
		address             string
		public, withPrivate bool
	}{
		{"93.184.215.14:443", true, true},
		{"127.0.0.1:9001", false, true}, // the Lambda Runtime API
		{"[::1]:443", false, true},
		{"10.0.0.7:443", false, true},
		{"[::ffff:127.0.0.1]:443", false, true},
		{"169.254.169.254:80", false, false},
		{"[fe80::1%eth0]:443", false, false},
		{"0.0.0.0:443", false, false},
		{"not an address", false, false},
	}
	for _, tt := range tests {
		for _, allow := range []bool{false, true} {
			want := tt.public
			if allow {
				want = tt.withPrivate
			}
			err := guard(allow)("tcp", tt.address, nil)
			if (err == nil) != want {
				t.Errorf("guard(%v)(%s) = %v, want allowed=%v", allow, tt.address, err, want)
			}
			if err != nil && !errors.Is(err, errForbiddenAddress) {
				t.Errorf("guard(%v)(%s) = %v, want errForbiddenAddress", allow, tt.address, err)
			}
		}
	}
}
