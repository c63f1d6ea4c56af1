package complaint

import "github.com/rapport-crm/rapport/shared/discount"

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
// given), or PercentOff of a bill; the limits are those of every voucher.
type VoucherValue = discount.Value

// check names what is wrong with a voucher grant, under field (its path in the body).
func (g VoucherGrant) check(field string, bad func(string, string, ...any)) {
	for _, f := range g.Value.Problems(field+".value", discount.CurrencyDefaulted) {
		bad(f.Field, "%s", f.Message)
	}
	for _, f := range discount.ValidDaysProblems(field+".validDays", g.ValidDays) {
		bad(f.Field, "%s", f.Message)
	}
	if g.Code != "" {
		bad(field+".code", "is set when the voucher is issued: leave it out")
	}
}
