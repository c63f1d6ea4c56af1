package cost

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func s(v string) types.AttributeValue     { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue     { return &types.AttributeValueMemberN{Value: v} }
func b(v []byte) types.AttributeValue     { return &types.AttributeValueMemberB{Value: v} }
func boolean(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }

type item = map[string]types.AttributeValue

// itemOfSize returns an item keyed "CUST#1" whose size is exactly size bytes
// (at least 10): "pk" (2) + "CUST#1" (6) + "d" (1) + size-9 bytes of padding.
func itemOfSize(size int) item {
	return item{"pk": s("CUST#1"), "d": s(strings.Repeat("x", size-9))}
}

func TestValueSize(t *testing.T) {
	tests := []struct {
		name string
		v    types.AttributeValue
		want int
	}{
		{"string is its UTF-8 bytes", s("CUST#1"), 6},
		{"empty string", s(""), 0},
		// 3 characters, 3 bytes each in UTF-8.
		{"Chinese string", s("你好吗"), 9},
		// 5 significant digits: 1 + ceil(5/2) = 1 + 3.
		{"number 12345", n("12345"), 4},
		// Trailing zeros trimmed: "1", 1 + ceil(1/2) = 2.
		{"number 100", n("100"), 2},
		// Leading zeros trimmed: "123", 1 + ceil(3/2) = 3.
		{"number 0.00123", n("0.00123"), 3},
		// Sign ignored: "7", 1 + 1 = 2.
		{"number -7", n("-7"), 2},
		// Zero counts one digit: 1 + 1 = 2.
		{"number 0", n("0"), 2},
		// "123456", 1 + 3 = 4.
		{"number 123456", n("123456"), 4},
		// Decimal point ignored, trailing zero trimmed: "15", 1 + 1 = 2.
		{"number 1.50", n("1.50"), 2},
		// Exponent dropped: "25", 1 + 1 = 2.
		{"number 2.5E10", n("2.5E10"), 2},
		{"binary is its bytes", b([]byte{1, 2, 3, 4, 5}), 5},
		{"boolean", boolean(true), 1},
		{"null", &types.AttributeValueMemberNULL{Value: true}, 1},
		// 3 overhead + ("a" 1 + "xy" 2) + 1 per element = 7.
		{"map of one string", &types.AttributeValueMemberM{Value: item{"a": s("xy")}}, 7},
		// 3 overhead + (N "1": 2) + 1 + (N "22": 2) + 1 = 9.
		{"list of two numbers", &types.AttributeValueMemberL{Value: []types.AttributeValue{n("1"), n("22")}}, 9},
		{"empty list", &types.AttributeValueMemberL{}, 3},
		// Outer list: 3 + (inner map: 3 + ("k" 1 + true 1 + 1) = 6) + 1 = 10.
		{"list of a map", &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberM{Value: item{"k": boolean(false)}},
		}}, 10},
		// "ab" 2 + "c" 1, no per-element overhead.
		{"string set", &types.AttributeValueMemberSS{Value: []string{"ab", "c"}}, 3},
		// "1" → 2, "100" → 2, "12345" → 4.
		{"number set", &types.AttributeValueMemberNS{Value: []string{"1", "100", "12345"}}, 8},
		// 2 + 3 bytes.
		{"binary set", &types.AttributeValueMemberBS{Value: [][]byte{{1, 2}, {3, 4, 5}}}, 5},
		{"nil", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValueSize(tt.v); got != tt.want {
				t.Errorf("ValueSize = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		name string
		item item
		want int
	}{
		// "pk" 2 + "CUST#1" 6.
		{"one string", item{"pk": s("CUST#1")}, 8},
		// "名" 3 + "你好" 6: names count their UTF-8 bytes too.
		{"Chinese name and value", item{"名": s("你好")}, 9},
		// "ok" 2 + true 1.
		{"boolean", item{"ok": boolean(true)}, 3},
		// 8 + "n" 1 + "12345" 4 + "m" 1 + {"a":"xy"} 7 + "tags" 4 + {"vip","new"} 6.
		{"mixed", item{
			"pk":   s("CUST#1"),
			"n":    n("12345"),
			"m":    &types.AttributeValueMemberM{Value: item{"a": s("xy")}},
			"tags": &types.AttributeValueMemberSS{Value: []string{"vip", "new"}},
		}, 31},
		{"nil item", nil, 0},
		{"itemOfSize helper", itemOfSize(1100), 1100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Size(tt.item); got != tt.want {
				t.Errorf("Size = %d, want %d", got, tt.want)
			}
		})
	}
}
