package reward

import (
	"strings"
	"testing"
)

// TestCheckSymbolWorkedExample: the Luhn mod 32 check of "000000000000001" by hand:
// from the right, 1 is doubled (2), every other symbol is 0, so the sum is 2 and the
// check is 32 - 2 = 30, the symbol "Y".
func TestCheckSymbolWorkedExample(t *testing.T) {
	if got := checkSymbol("000000000000001"); got != 30 || alphabet[got] != 'Y' {
		t.Fatalf("check of 000000000000001 = %d, want 30 (Y)", got)
	}
	// Doubling past 32 folds: Z (31) doubled is 62 = 1×32 + 30, counted 1 + 30 = 31;
	// the check is 32 - 31 = 1.
	if got := checkSymbol("00000000000000Z"); got != 1 {
		t.Fatalf("check of 00000000000000Z = %d, want 1", got)
	}
}

// TestCodesParseAsPeopleWriteThem: a drawn code reads back from its printed form, in
// lower case, with spaces, and with O, I, L for 0, 1, 1.
func TestCodesParseAsPeopleWriteThem(t *testing.T) {
	code, err := NewCode()
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 16 || strings.Trim(code, alphabet) != "" {
		t.Fatalf("drawn code %q: want 16 symbols of the alphabet", code)
	}
	printed := FormatCode(code)
	if len(printed) != 19 || printed[4] != '-' || printed[9] != '-' || printed[14] != '-' {
		t.Fatalf("printed %q: want four groups of four", printed)
	}
	for _, typed := range []string{printed, strings.ToLower(printed), strings.ReplaceAll(printed, "-", " "), code} {
		if got, err := ParseCode(typed); err != nil || got != code {
			t.Errorf("ParseCode(%q) = %q, %v; want %q", typed, got, err, code)
		}
	}
	sloppy := strings.NewReplacer("0", "o", "1", "l").Replace(printed)
	if got, err := ParseCode(sloppy); err != nil || got != code {
		t.Errorf("ParseCode(%q) = %q, %v; want %q", sloppy, got, err, code)
	}
}

// TestCheckSymbolCatchesEverySingleMistakeAndNeighbourSwaps: every single changed
// symbol of a code is refused, and every swap of two different neighbours too.
func TestCheckSymbolCatchesEverySingleMistakeAndNeighbourSwaps(t *testing.T) {
	code, err := NewCode()
	if err != nil {
		t.Fatal(err)
	}
	for i := range code {
		for _, c := range alphabet {
			if byte(c) == code[i] {
				continue
			}
			typo := code[:i] + string(c) + code[i+1:]
			if _, err := ParseCode(typo); err == nil {
				t.Fatalf("%q (symbol %d changed) was taken as a code", typo, i)
			}
		}
	}
	swaps := 0
	for i := 0; i+1 < len(code); i++ {
		if code[i] == code[i+1] {
			continue
		}
		swapped := code[:i] + string(code[i+1]) + string(code[i]) + code[i+2:]
		if _, err := ParseCode(swapped); err == nil {
			// Luhn mod N misses the swap of two symbols whose values add to N-1.
			a, b := strings.IndexByte(alphabet, code[i]), strings.IndexByte(alphabet, code[i+1])
			if a+b != 31 {
				t.Errorf("%q (symbols %d and %d swapped) was taken as a code", swapped, i, i+1)
			}
			continue
		}
		swaps++
	}
	if swaps == 0 {
		t.Fatal("no swap was tried")
	}
}

// TestParseCodeRefusesWhatIsNotACode: wrong lengths and foreign symbols.
func TestParseCodeRefusesWhatIsNotACode(t *testing.T) {
	for _, s := range []string{"", "ABCD", "K7QM-2XDR-9HFA-6TWPX", "K7QM-2XDR-9HFA-6TW!", "优惠券K7QM2XDR9HFA6"} {
		if _, err := ParseCode(s); err == nil {
			t.Errorf("ParseCode(%q) took it as a code", s)
		}
	}
}
