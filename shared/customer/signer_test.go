package customer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/customer"
)

// TestUnsubscribeTokenWorkedExample: the token of one customer's email under a known
// key, and the key of its lookup item. Links already in mailboxes and lookups already
// in the table hold these bytes: a change that gave others would break them all.
func TestUnsubscribeTokenWorkedExample(t *testing.T) {
	s := newStore(t)
	sg := &customer.Signer{Store: s, Keys: []customer.MAC{key(1, "one")}}
	tok, err := sg.Token(context.Background(), "cust-4711", "email", t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := "1.k6RaCUiQsTb_-sc-nGWsvEK21Pl3e2hTI9npcGDGMPU"; tok != want {
		t.Errorf("token %q, want %q", tok, want)
	}
	if dump := scanTable(t, s); !strings.Contains(dump, "pk=UNSUB#ZDRlc3icaZIz3kTL-J5pQRLTHx7q0MrGoiZEAlVjzBw ") {
		t.Errorf("no lookup keyed by the handle's hash in:\n%s", dump)
	}
}
