package discount

import (
	"math"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/shared/problem"
)

const (
	amountMsg   = "must be an amount from 0.01 to 1000000 with at most two decimals"
	currencyMsg = "must be an ISO 4217 code such as CNY"
	percentMsg  = "must be a whole percentage from 1 to 100"
)

// TestProblemsAtTheBoundaries: each limit of a voucher's value, on both sides, with
// the exact field and message a caller reads.
func TestProblemsAtTheBoundaries(t *testing.T) {
	for _, c := range []struct {
		name string
		v    Value
		c    Currency
		want []problem.FieldError
	}{
		{"the smallest amount", Value{AmountOff: 0.01, Currency: "CNY"}, CurrencyRequired, nil},
		{"the largest amount", Value{AmountOff: 1_000_000, Currency: "CNY"}, CurrencyRequired, nil},
		{"cents that float64 holds inexactly", Value{AmountOff: 0.07, Currency: "CNY"}, CurrencyRequired, nil},
		{"one cent over the largest", Value{AmountOff: 1_000_000.01, Currency: "CNY"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: amountMsg}}},
		{"a tenth of a cent", Value{AmountOff: 0.001, Currency: "CNY"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: amountMsg}}},
		{"half a cent", Value{AmountOff: 10.005, Currency: "CNY"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: amountMsg}}},
		{"an amount that rounds to no cent", Value{AmountOff: 1e-9, Currency: "CNY"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: amountMsg}}},
		{"a negative amount", Value{AmountOff: -5, Currency: "CNY"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: amountMsg}}},
		{"NaN", Value{AmountOff: math.NaN(), Currency: "CNY"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: amountMsg}}},
		{"+Inf", Value{AmountOff: math.Inf(1), Currency: "CNY"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: amountMsg}}},
		{"-Inf", Value{AmountOff: math.Inf(-1), Currency: "CNY"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: amountMsg}}},
		{"an amount with no currency, required", Value{AmountOff: 5}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.currency", Message: currencyMsg}}},
		{"an amount with no currency, defaulted", Value{AmountOff: 5}, CurrencyDefaulted, nil},
		{"a currency in lower case, defaulted", Value{AmountOff: 5, Currency: "cny"}, CurrencyDefaulted,
			[]problem.FieldError{{Field: "value.currency", Message: currencyMsg}}},
		{"a currency by name", Value{AmountOff: 5, Currency: "yuan"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.currency", Message: currencyMsg}}},
		{"a bad amount and a bad currency", Value{AmountOff: 0.001, Currency: "CN"}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: amountMsg}, {Field: "value.currency", Message: currencyMsg}}},
		{"1 percent", Value{PercentOff: 1}, CurrencyRequired, nil},
		{"100 percent", Value{PercentOff: 100}, CurrencyRequired, nil},
		{"101 percent", Value{PercentOff: 101}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.percentOff", Message: percentMsg}}},
		{"a negative percentage", Value{PercentOff: -1}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.percentOff", Message: percentMsg}}},
		{"a percentage with a currency", Value{PercentOff: 10, Currency: "CNY"}, CurrencyDefaulted,
			[]problem.FieldError{{Field: "value.currency", Message: "is only for an amount off"}}},
		{"both an amount and a percentage", Value{AmountOff: 5, Currency: "CNY", PercentOff: 5}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.percentOff", Message: "give an amount off or a percentage off, not both"}}},
		{"neither, currency required", Value{}, CurrencyRequired,
			[]problem.FieldError{{Field: "value.amountOff", Message: "a voucher needs an amount off (with its currency) or a percentage off"}}},
		{"neither, currency defaulted", Value{}, CurrencyDefaulted,
			[]problem.FieldError{{Field: "value", Message: "a voucher needs an amount off or a percentage off"}}},
	} {
		if got := c.v.Problems("value", c.c); !slices.Equal(got, c.want) {
			t.Errorf("%s: %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

// TestProblemsUnderTheCallersPath: fields are named under the path the caller gives.
func TestProblemsUnderTheCallersPath(t *testing.T) {
	got := Value{PercentOff: 101}.Problems("compensation.voucher.value", CurrencyDefaulted)
	want := []problem.FieldError{{Field: "compensation.voucher.value.percentOff", Message: percentMsg}}
	if !slices.Equal(got, want) {
		t.Fatalf("%+v, want %+v", got, want)
	}
}

// TestValidDaysProblems: from 1 to 3660 days, both sides of each bound.
func TestValidDaysProblems(t *testing.T) {
	refused := []problem.FieldError{{Field: "birthdayVoucher.validDays", Message: "must be from 1 to 3660"}}
	for _, c := range []struct {
		days int
		want []problem.FieldError
	}{
		{-1, refused}, {0, refused}, {1, nil}, {3660, nil}, {3661, refused},
	} {
		if got := ValidDaysProblems("birthdayVoucher.validDays", c.days); !slices.Equal(got, c.want) {
			t.Errorf("%d days: %+v, want %+v", c.days, got, c.want)
		}
	}
}
