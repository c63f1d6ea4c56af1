package cost

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Size returns an item's size in bytes as DynamoDB meters it: for every attribute,
// the UTF-8 length of its name plus the size of its value (see ValueSize).
func Size(item map[string]types.AttributeValue) int {
	n := 0
	for name, v := range item {
		n += len(name) + ValueSize(v)
	}
	return n
}

// ValueSize returns the size in bytes of one attribute value, without its name:
//
//   - String: its UTF-8 bytes.
//   - Number: 1 byte plus 1 byte per two significant digits (see numberSize).
//   - Binary: its bytes.
//   - Null and Boolean: 1 byte.
//   - List: 3 bytes plus, per element, the element's size and 1 byte.
//   - Map: 3 bytes plus, per element, the UTF-8 length of its key, the element's
//     size and 1 byte.
//   - String, Number and Binary sets: the sum of their elements' sizes as scalars,
//     with no per-element overhead.
//
// A value of a type this package does not know counts 0 bytes.
func ValueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return numberSize(v.Value)
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberNULL, *types.AttributeValueMemberBOOL:
		return 1
	case *types.AttributeValueMemberL:
		n := containerOverhead
		for _, e := range v.Value {
			n += ValueSize(e) + elementOverhead
		}
		return n
	case *types.AttributeValueMemberM:
		n := containerOverhead
		for k, e := range v.Value {
			n += len(k) + ValueSize(e) + elementOverhead
		}
		return n
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range v.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 0
		for _, b := range v.Value {
			n += len(b)
		}
		return n
	}
	return 0
}

const (
	// containerOverhead is what a List or Map costs before its elements.
	containerOverhead = 3
	// elementOverhead is what each element of a List or Map adds to its own size.
	elementOverhead = 1
)

// numberSize returns a Number's size: 1 byte plus 1 byte per two significant digits,
// rounded up. The significant digits are the mantissa's digits once the sign, the
// decimal point and any exponent are dropped and the leading and trailing zeros are
// trimmed; zero itself counts as one digit. So "100" is 2 bytes ("1") and "0.00123"
// is 3 bytes ("123").
func numberSize(s string) int {
	digits := significantDigits(s)
	return 1 + (digits+1)/2
}

// significantDigits counts the significant digits of a Number's text, at least 1.
func significantDigits(s string) int {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	digits := strings.Trim(b.String(), "0")
	return max(len(digits), 1)
}
