package loyalty

import (
	"math"

	"github.com/rapport-crm/rapport/shared/problem"
)

// Member is one side of a referral, with its contact details already normalised
// (Phone in E.164, Email lower-case).
type Member struct {
	CustomerID string `dynamodbav:"customerId" json:"customerId"`
	Phone      string `dynamodbav:"phone,omitempty" json:"phone,omitempty"`
	Email      string `dynamodbav:"email,omitempty" json:"email,omitempty"`
}

// Referrals refused as abuse. They are problem errors of kind Invalid, so the HTTP
// edge answers 400 with the message; match them with errors.Is.
var (
	ErrSelfReferral error = problem.New(problem.Invalid, "a customer cannot refer themselves")
	ErrSameContact  error = problem.New(problem.Invalid, "the referred customer has the referrer's phone or email")
)

// CheckReferral refuses a customer referring themselves, directly or through a
// second account with the same phone or email. An empty phone or email matches
// nothing.
func CheckReferral(referrer, referee Member) error {
	switch {
	case referrer.CustomerID == referee.CustomerID:
		return ErrSelfReferral
	case referrer.Phone != "" && referrer.Phone == referee.Phone,
		referrer.Email != "" && referrer.Email == referee.Email:
		return ErrSameContact
	}
	return nil
}

// ReferralBonusAllowed tells whether a referrer who has had givenThisYear referrer
// bonuses this calendar year may have another.
func (r Rules) ReferralBonusAllowed(givenThisYear int) bool {
	return r.Referral.MaxPerYear <= 0 || givenThisYear < r.Referral.MaxPerYear
}

// Qualifies tells whether a referee's earn triggers the referral bonuses: their first
// earn, for at least the qualifying amount.
func Qualifies(amount float64, firstEarn bool, r Rules) bool {
	return firstEarn && !math.IsNaN(amount) && amount >= r.Referral.QualifyingAmount
}
