// Package reward is the rewards domain: the catalogue of what a loyal customer may
// take for points (vouchers for an amount or a percentage off, gifts of an item or a
// service), and the vouchers themselves, from their issue to their one redemption at a
// point of sale. Its items live in the "rewards" table (keys.go). It imports no other
// domain: taking a reward for points, a campaign's or a complaint's voucher are flows
// that join it to loyalty, segments and complaints.
package reward

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/discount"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Kinds of reward.
const (
	KindVoucher = "voucher" // an amount or a percentage off a bill
	KindGift    = "gift"    // an item or a service, named by the reward
)

// Limits of a catalogue entry.
const (
	MaxPointsCost = 10_000_000
	MaxValidDays  = discount.MaxValidDays
	MaxStock      = 10_000_000
	MaxAmountOff  = discount.MaxAmountOff
	MaxNameRunes  = 120
)

// Reward is one entry of the catalogue.
type Reward struct {
	ID string `json:"rewardId" dynamodbav:"rewardId"`
	// Name is what the customer and the cashier read, in every locale; a gift's name
	// is the gift ("Afternoon tea for two").
	Name       i18n.Texts[string] `json:"name" dynamodbav:"name"`
	PointsCost int                `json:"pointsCost" dynamodbav:"pointsCost"`
	Kind       string             `json:"kind" dynamodbav:"kind"`
	// Value is what each voucher it issues is worth: an amount or a percentage off
	// for a voucher; empty for a gift.
	Value Value `json:"value" dynamodbav:"value"`
	// Stock is how many are left to take; nil is no limit. Taking one decrements it
	// under the condition that it stays at or above zero: never oversold.
	Stock *int `json:"stock,omitempty" dynamodbav:"stock,omitempty"`
	// ValidDays is how long a voucher it issues may be used, from its issue.
	ValidDays int `json:"validDays" dynamodbav:"validDays"`
	// LocationIDs are where it may be taken and its vouchers used; none: everywhere.
	LocationIDs []string `json:"locations,omitempty" dynamodbav:"locations,omitempty"`
	// Tiers are the loyalty tiers whose members may take it; none: every member.
	Tiers []string `json:"tiers,omitempty" dynamodbav:"tiers,omitempty"`
	// Active rewards are offered; an inactive one stays for its vouchers' history.
	Active    bool      `json:"active" dynamodbav:"active"`
	Version   int       `json:"version" dynamodbav:"version"`
	UpdatedAt time.Time `json:"updatedAt" dynamodbav:"updatedAt"`
}

// Value is what a voucher is worth: AmountOff in Currency, or PercentOff of a bill;
// neither for a gift. Every voucher's value has the same shape and limits, whichever
// domain grants it.
type Value = discount.Value

// idChars is what a reward id is made of; its length is checked apart (validID), as a
// counted repeat would compile into a large program at every cold start.
var idChars = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// maxID is the longest reward id.
const maxID = 64

func validID(id string) bool { return len(id) <= maxID && idChars.MatchString(id) }

// Why is what stands in the way of taking a reward: in English for people reading the
// API (Text), and as a reason with its facts for a client that says it in its own
// language (problem.Error.Reason).
type Why struct {
	Text   string
	Reason string
	Facts  map[string]any
}

// Problem is the 409 that refuses a take for this reason.
func (w Why) Problem() *problem.Error {
	return problem.New(problem.Conflict, w.Text).Because(w.Reason, w.Facts)
}

// The reasons a reward is not offered (Why.Reason).
const (
	ReasonWithdrawn  = "reward-withdrawn"
	ReasonTier       = "reward-tier"
	ReasonLocation   = "reward-location"
	ReasonOutOfStock = "reward-out-of-stock"
	// ReasonPointsShort is shared with loyalty's refused spend: the same words in
	// every client.
	ReasonPointsShort = "points-short"
)

// Offered reports whether a member of tier may take r at location (empty: the
// member's home is not known, and r must be offered everywhere) with points
// available; why says what stands in the way, for the member's list and the 409.
func (r Reward) Offered(tier, location string, points int) (ok bool, why Why) {
	switch {
	case !r.Active:
		return false, Why{Text: "this reward is no longer offered", Reason: ReasonWithdrawn}
	case len(r.Tiers) > 0 && !slices.Contains(r.Tiers, tier):
		return false, Why{Text: fmt.Sprintf("only members of tier %s may take this reward", strings.Join(r.Tiers, ", ")),
			Reason: ReasonTier, Facts: map[string]any{"tiers": r.Tiers}}
	case len(r.LocationIDs) > 0 && !slices.Contains(r.LocationIDs, location):
		return false, Why{Text: "this reward is not offered at this location", Reason: ReasonLocation}
	case r.Stock != nil && *r.Stock <= 0:
		return false, Why{Text: "this reward is out of stock", Reason: ReasonOutOfStock}
	case points < r.PointsCost:
		return false, Why{Text: fmt.Sprintf("not enough points: %d available, %d needed", points, r.PointsCost),
			Reason: ReasonPointsShort, Facts: map[string]any{"available": points, "needed": r.PointsCost}}
	}
	return true, Why{}
}

// Validate names every field of r that is wrong, so an admin fixes them in one go.
func (r Reward) Validate() error {
	var fe []problem.FieldError
	bad := func(field, format string, args ...any) {
		fe = append(fe, problem.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !validID(r.ID) {
		bad("rewardId", "must be 1–64 letters, digits, - or _")
	}
	for _, l := range i18n.Locales() {
		switch n := strings.TrimSpace(r.Name[l]); {
		case n == "":
			bad("name."+l, "is required")
		case len([]rune(n)) > MaxNameRunes:
			bad("name."+l, "must be at most %d characters", MaxNameRunes)
		}
	}
	for _, l := range slices.Sorted(maps.Keys(r.Name)) {
		if !i18n.Supported(l) {
			bad("name."+l, "is not a supported locale (%s)", strings.Join(i18n.Locales(), ", "))
		}
	}
	if r.PointsCost <= 0 || r.PointsCost > MaxPointsCost {
		bad("pointsCost", "must be a whole number from 1 to %d", MaxPointsCost)
	}
	switch r.Kind {
	case KindVoucher:
		fe = append(fe, r.Value.Problems("value", discount.CurrencyRequired)...)
	case KindGift:
		if r.Value != (Value{}) {
			bad("value", "must be empty for a gift: the gift is the reward's name")
		}
	default:
		bad("kind", "must be %s or %s", KindVoucher, KindGift)
	}
	if r.Stock != nil && (*r.Stock < 0 || *r.Stock > MaxStock) {
		bad("stock", "must be from 0 to %d, or absent for no limit", MaxStock)
	}
	fe = append(fe, discount.ValidDaysProblems("validDays", r.ValidDays)...)
	fe = append(fe, idList("locations", r.LocationIDs)...)
	fe = append(fe, idList("tiers", r.Tiers)...)
	return problem.Fields(fe)
}

// idList names the entries of a list of ids that are malformed or repeated.
func idList(field string, ids []string) []problem.FieldError {
	var fe []problem.FieldError
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case !validID(id):
			fe = append(fe, problem.FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Message: "must be an id of 1–64 letters, digits, - or _"})
		case seen[id]:
			fe = append(fe, problem.FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Message: fmt.Sprintf("%q is listed twice", id)})
		}
		seen[id] = true
	}
	return fe
}
