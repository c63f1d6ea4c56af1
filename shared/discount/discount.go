// Package discount is what a voucher is worth, an amount or a percentage off a bill,
// and the limits every voucher keeps whichever domain grants it: the rewards
// catalogue, a complaint's compensation, the loyalty programme's birthday voucher. It
// imports no domain, so each of them holds its Value and checks it here.
package discount

import (
	"fmt"
	"math"
	"regexp"

	"github.com/rapport-crm/rapport/shared/problem"
)

// Limits of every voucher.
const (
	MaxAmountOff  = 1_000_000
	MaxPercentOff = 100
	MaxValidDays  = 3660
)

// Value is what a voucher is worth: AmountOff in Currency, or PercentOff of a bill;
// neither for a gift. Its JSON and DynamoDB names are those of every stored voucher.
type Value struct {
	AmountOff  float64 `json:"amountOff,omitempty" dynamodbav:"amountOff,omitempty"`
	Currency   string  `json:"currency,omitempty" dynamodbav:"currency,omitempty"`
	PercentOff int     `json:"percentOff,omitempty" dynamodbav:"percentOff,omitempty"`
}

// Currency says whether an amount off must name its currency.
type Currency int

const (
	// CurrencyRequired: an amount off names its currency.
	CurrencyRequired Currency = iota
	// CurrencyDefaulted: an amount off may leave its currency out, and the caller
	// fills one in before the voucher is issued (a complaint's: its location's).
	CurrencyDefaulted
)

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// Problems names what is wrong with v, each field under at, the value's path in the
// request body ("value", "birthdayVoucher.value"). A value with neither an amount nor
// a percentage is named at at.amountOff, asking for its currency too, where the
// currency is required, and at at itself where the caller defaults the currency.
func (v Value) Problems(at string, c Currency) []problem.FieldError {
	var fe []problem.FieldError
	bad := func(field, format string, args ...any) {
		fe = append(fe, problem.FieldError{Field: at + field, Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case v.AmountOff != 0 && v.PercentOff != 0:
		bad(".percentOff", "give an amount off or a percentage off, not both")
	case v.AmountOff != 0:
		if !validAmount(v.AmountOff) {
			bad(".amountOff", "must be an amount from 0.01 to %d with at most two decimals", MaxAmountOff)
		}
		if (c == CurrencyRequired || v.Currency != "") && !currencyCode.MatchString(v.Currency) {
			bad(".currency", "must be an ISO 4217 code such as CNY")
		}
	case v.PercentOff != 0:
		if v.PercentOff < 1 || v.PercentOff > MaxPercentOff {
			bad(".percentOff", "must be a whole percentage from 1 to %d", MaxPercentOff)
		}
		if v.Currency != "" {
			bad(".currency", "is only for an amount off")
		}
	case c == CurrencyRequired:
		bad(".amountOff", "a voucher needs an amount off (with its currency) or a percentage off")
	default:
		bad("", "a voucher needs an amount off or a percentage off")
	}
	return fe
}

// validAmount: a whole number of cents from 0.01 to MaxAmountOff. Cents are whole
// within a millionth, since float64 has no exact 0.07 (0.07 × 100 is
// 7.000000000000001); NaN and ±Inf never are.
func validAmount(a float64) bool {
	if math.IsNaN(a) || math.IsInf(a, 0) {
		return false
	}
	cents := a * 100
	whole := math.Round(cents)
	return whole >= 1 && a <= MaxAmountOff && math.Abs(cents-whole) <= 1e-6
}

// ValidDaysProblems names field when days is not how long a voucher may be valid:
// from 1 to MaxValidDays.
func ValidDaysProblems(field string, days int) []problem.FieldError {
	if days >= 1 && days <= MaxValidDays {
		return nil
	}
	return []problem.FieldError{{Field: field, Message: fmt.Sprintf("must be from 1 to %d", MaxValidDays)}}
}
