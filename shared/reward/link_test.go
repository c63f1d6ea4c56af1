package reward_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/reward"
)

// linkKey is a per-test voucher link key of a version, as keyring makes one from a key file.
func linkKey(version int) reward.MAC {
	return keyring.NewMAC(version, []byte("a per-test voucher link key, 32b"))
}

// text is a string attribute's value ("" for any other).
func text(item map[string]types.AttributeValue, name string) string {
	s, _ := item[name].(*types.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}

// TestVoucherLinkWorkedExample: the token of one voucher's page under a known key, and
// the items that record its lookup. Links already sent and lookups already in the table
// hold these bytes: a change that gave others would break them all.
func TestVoucherLinkWorkedExample(t *testing.T) {
	ls := &reward.Links{Store: &reward.Store{Table: "rewards"}, Keys: []reward.MAC{linkKey(1)}}
	tok, puts, err := ls.Token(context.Background(), reward.Link{Code: "TEA-0001", CustomerID: "cust-1", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "1.-wZdKKszcwL3jfsRRf-sD7Q7bXytCrnP-lAHmmZNQXk"; tok != want {
		t.Errorf("token %q, want %q", tok, want)
	}
	const lookup = "LINK#aoKMNnoFkzvdbYU47T6mP_yJQipcgkHBGt15bMXMepI"
	if len(puts) != 2 {
		t.Fatalf("%d items, want the lookup and its pointer", len(puts))
	}
	l, p := puts[0].Put.Item, puts[1].Put.Item
	if text(l, "pk") != lookup || text(l, "sk") != "LINK" || text(l, "code") != "TEA-0001" || text(l, "customerId") != "cust-1" {
		t.Errorf("lookup item %v", l)
	}
	if v, _ := l["version"].(*types.AttributeValueMemberN); v == nil || v.Value != "1" {
		t.Errorf("lookup item's version %v, want 1", l["version"])
	}
	if text(p, "pk") != "LINKS#TEA-0001" || text(p, "sk") != lookup {
		t.Errorf("pointer item %v", p)
	}
}

// TestVoucherLinksRefusedBeforeAnyRead: a token that is not one, or of an unknown key
// version, is a bad link; one of a retired version, an expired link. Neither reads the
// table (this store has none).
func TestVoucherLinksRefusedBeforeAnyRead(t *testing.T) {
	ls := &reward.Links{Store: &reward.Store{Table: "rewards"}, Keys: []reward.MAC{linkKey(2)}}
	handle := "-wZdKKszcwL3jfsRRf-sD7Q7bXytCrnP-lAHmmZNQXk"
	for _, c := range []struct {
		token string
		want  error
	}{
		{"1." + handle, reward.ErrExpiredLink},
		{"3." + handle, reward.ErrBadLink},
		{"0." + handle, reward.ErrBadLink},
		{"01." + handle, reward.ErrBadLink},
		{handle, reward.ErrBadLink},
		{"2." + handle[:42], reward.ErrBadLink},
		{"2." + handle + "A", reward.ErrBadLink},
		{"2." + handle[:42] + "=", reward.ErrBadLink},
		{"", reward.ErrBadLink},
	} {
		if _, err := ls.Open(context.Background(), c.token); !errors.Is(err, c.want) {
			t.Errorf("Open(%q): %v, want %v", c.token, err, c.want)
		}
	}
}
