package reward

import "testing"

// The timers job reads a voucher's code from its dueKeys entry's pk, the only
// attribute of the item besides the keys that the index holds; any other pk is no
// voucher's.
func TestCodeOf(t *testing.T) {
	cases := []struct {
		pk, code string
		ok       bool
	}{
		{voucherPK("K7QM2XDR9HFA6TWP"), "K7QM2XDR9HFA6TWP", true},
		{"VOUCHER#", "", false},
		{issuePK(Source{Kind: SourceStaff, ID: "req-1"}, "c-1"), "", false},
		{catalogPK, "", false},
	}
	for _, c := range cases {
		if code, ok := codeOf(c.pk); code != c.code || ok != c.ok {
			t.Errorf("codeOf(%q) = %q, %v; want %q, %v", c.pk, code, ok, c.code, c.ok)
		}
	}
}
