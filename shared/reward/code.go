package reward

import (
	"crypto/rand"
	"errors"
	"strings"
)

// A voucher's code is what a customer shows at the counter and a cashier types or
// scans: 15 random symbols of Crockford's base32 (75 bits, drawn from crypto/rand, so
// no code can be guessed from others) and a check symbol, written in four groups of
// four: "K7QM-2XDR-9HFA-6TWP". Base32 without I, L, O and U reads aloud and types
// without ambiguity; the check symbol (Luhn mod 32) catches every single mistyped
// symbol and most swaps of two neighbours before any lookup.
const (
	alphabet    = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	randomChars = 15
	codeLen     = randomChars + 1
	groupLen    = 4
)

// ErrBadCode means a string is not a voucher code: wrong length, a symbol outside the
// alphabet, or a check symbol that does not match (a typing mistake).
var ErrBadCode = errors.New("not a voucher code: check each symbol")

// NewCode draws a new code, in its canonical form (no dashes).
func NewCode() (string, error) {
	var b [randomChars]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, x := range b {
		sb.WriteByte(alphabet[x%32]) // 256 is a multiple of 32: every symbol equally likely
	}
	body := sb.String()
	return body + string(alphabet[checkSymbol(body)]), nil
}

// ParseCode reads a code as a person may write it (any case, with or without dashes
// and spaces, O for 0 and I or L for 1) into its canonical form.
func ParseCode(s string) (string, error) {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '-', ' ':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r > 127 || strings.IndexRune(alphabet, r) < 0 {
			return "", ErrBadCode
		}
		sb.WriteRune(r)
	}
	code := sb.String()
	if len(code) != codeLen || checkSymbol(code[:randomChars]) != strings.IndexByte(alphabet, code[randomChars]) {
		return "", ErrBadCode
	}
	return code, nil
}

// FormatCode writes a canonical code in its groups of four, as printed and shown.
func FormatCode(code string) string {
	var parts []string
	for i := 0; i < len(code); i += groupLen {
		parts = append(parts, code[i:min(i+groupLen, len(code))])
	}
	return strings.Join(parts, "-")
}

// checkSymbol is the Luhn mod 32 check of body: the index in alphabet of the symbol
// that makes the whole code's weighted sum a multiple of 32.
func checkSymbol(body string) int {
	const n = len(alphabet)
	sum, factor := 0, 2
	for i := len(body) - 1; i >= 0; i-- {
		addend := factor * strings.IndexByte(alphabet, body[i])
		sum += addend/n + addend%n
		factor = 3 - factor
	}
	return (n - sum%n) % n
}
