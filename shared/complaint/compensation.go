package complaint

import (
	"math"
	"regexp"
)

// Compensation is what a resolution grants the case's customer: loyalty points, a
// voucher, or both. Each is granted once per case, however often it is resolved.
type Compensation struct {
	// Points are the same as the request's compensationPoints (either may be given;
	// both must then agree).
	Points  int           `json:"points"`
	Voucher *VoucherGrant `json:"voucher,omitempty"`
}

// VoucherGrant is a compensation voucher: worth Value, usable for ValidDays from the
// resolution, keyed by the case (the rewards domain issues one per case and customer).
type VoucherGrant struct {
	Value     VoucherValue `json:"value" dynamodbav:"value"`
	ValidDays int          `json:"validDays" dynamodbav:"validDays"`
	// Code is the voucher issued for the case (by this resolution or an earlier one).
	Code string `json:"code,omitempty" dynamodbav:"code,omitempty"`
}

// VoucherValue is a voucher's worth: AmountOff in Currency (the location's when not
// given), or PercentOff of a bill.
type VoucherValue struct {
	AmountOff  float64 `json:"amountOff,omitempty" dynamodbav:"amountOff,omitempty"`
	Currency   string  `json:"currency,omitempty" dynamodbav:"currency,omitempty"`
	PercentOff int     `json:"percentOff,omitempty" dynamodbav:"percentOff,omitempty"`
}

// Limits of a compensation voucher: those of the rewards catalogue's vouchers.
const (
	MaxVoucherAmount = 1_000_000
	MaxVoucherDays   = 3660
)

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// check names what is wrong with a voucher grant, under field (its path in the body).
func (g VoucherGrant) check(field string, bad func(string, string, ...any)) {
	v := g.Value
	switch {
	case v.AmountOff != 0 && v.PercentOff != 0:
		bad(field+".value.percentOff", "give an amount off or a percentage off, not both")
	case v.AmountOff != 0:
		cents := v.AmountOff * 100
		if math.IsNaN(v.AmountOff) || v.AmountOff < 0 || v.AmountOff > MaxVoucherAmount || math.Abs(cents-math.Round(cents)) > 1e-6 {
			bad(field+".value.amountOff", "must be an amount from 0.01 to %d with at most two decimals", MaxVoucherAmount)
		}
		if v.Currency != "" && !currencyCode.MatchString(v.Currency) {
			bad(field+".value.currency", "must be an ISO 4217 code such as CNY")
		}
	case v.PercentOff != 0:
		if v.PercentOff < 1 || v.PercentOff > 100 {
			bad(field+".value.percentOff", "must be a whole percentage from 1 to 100")
		}
		if v.Currency != "" {
			bad(field+".value.currency", "is only for an amount off")
		}
	default:
		bad(field+".value", "a voucher needs an amount off or a percentage off")
	}
	if g.ValidDays < 1 || g.ValidDays > MaxVoucherDays {
		bad(field+".validDays", "must be from 1 to %d", MaxVoucherDays)
	}
	if g.Code != "" {
		bad(field+".code", "is set when the voucher is issued: leave it out")
	}
}
