package reward

import (
	"slices"
	"time"

	"github.com/rapport-crm/rapport/shared/i18n"
)

// Voucher states. A voucher is in exactly one: Status derives "expired" from the
// stored state and the time, so no job has to run for a voucher to stop being usable,
// and no reader sees an expired voucher as issued.
const (
	StatusIssued    = "issued"    // may be redeemed, until it expires
	StatusRedeemed  = "redeemed"  // used once at a point of sale
	StatusExpired   = "expired"   // issued and never redeemed before its expiry
	StatusCancelled = "cancelled" // withdrawn by staff before it was used
)

// Issuers: what a voucher was issued for. Each issue is claimed once per source and
// customer (keys.go), so a repeated issue gets the first voucher back.
const (
	SourceReward    = "reward"    // taken for points; ID is the take's sourceId
	SourceCampaign  = "campaign"  // a campaign to a segment; ID is the campaign
	SourceBirthday  = "birthday"  // the birthday job; ID is the year
	SourceComplaint = "complaint" // a complaint's compensation; ID is the case
	SourceStaff     = "staff"     // issued by hand; ID is the request's key
)

// Source is what issued a voucher.
type Source struct {
	Kind string `json:"kind" dynamodbav:"kind"`
	ID   string `json:"id" dynamodbav:"id"`
	// RewardID is the catalogue entry the voucher was taken from, if any (reports
	// count by reward).
	RewardID string `json:"rewardId,omitempty" dynamodbav:"rewardId,omitempty"`
}

// Voucher is a single-use code worth Value (or the gift its Name says).
type Voucher struct {
	Code       string             `json:"code" dynamodbav:"code"`
	CustomerID string             `json:"customerId" dynamodbav:"customerId"`
	Name       i18n.Texts[string] `json:"name,omitempty" dynamodbav:"name,omitempty"`
	Kind       string             `json:"kind" dynamodbav:"kind"`
	Value      Value              `json:"value" dynamodbav:"value"`
	Source     Source             `json:"source" dynamodbav:"source"`
	// LocationIDs are where it may be redeemed; none: every location.
	LocationIDs []string `json:"locationIds,omitempty" dynamodbav:"locationIds,omitempty"`
	// LocationID is where it was issued (the counter, the customer's home, the case's
	// location), for the reports; empty when none applies.
	LocationID string    `json:"locationId,omitempty" dynamodbav:"locationId,omitempty"`
	IssuedAt   time.Time `json:"issuedAt" dynamodbav:"issuedAt"`
	ExpiresAt  time.Time `json:"expiresAt" dynamodbav:"expiresAt"`
	IssuedBy   string    `json:"issuedBy" dynamodbav:"issuedBy"`
	Reason     string    `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
	// State is the stored state: issued, redeemed or cancelled (see Status).
	State      string      `json:"-" dynamodbav:"state"`
	Redemption *Redemption `json:"redemption,omitempty" dynamodbav:"redemption,omitempty"`
	// Reversal is the one reversal of a redemption (its bill refunded): the voucher
	// was issued again then, and may be redeemed again but not reversed again.
	Reversal  *Reversal   `json:"reversal,omitempty" dynamodbav:"reversal,omitempty"`
	Cancelled *Redemption `json:"cancelled,omitempty" dynamodbav:"cancelled,omitempty"`
	// ExpiryCounted marks an issued voucher whose expiry the report counted (the
	// timers job), so that it is counted once.
	ExpiryCounted bool `json:"-" dynamodbav:"expiryCounted,omitempty"`
	// Delivered marks a voucher whose message to the customer, with the link to its
	// page, is scheduled (or was found to need none: no longer usable when its turn
	// came). RemindAt is when the reminder before its expiry falls due, set at
	// delivery from the reminder lead (nil: none, its validity being shorter than the
	// lead); Reminded marks the reminder scheduled (or found needless). The timers job
	// sets them, each in the transaction that schedules its message (keys.go).
	Delivered bool       `json:"-" dynamodbav:"delivered,omitempty"`
	RemindAt  *time.Time `json:"-" dynamodbav:"remindAt,omitempty"`
	Reminded  bool       `json:"-" dynamodbav:"reminded,omitempty"`
	Version   int        `json:"version" dynamodbav:"version"`
}

// Redemption is who did what to a voucher, when, where, and for which bill.
type Redemption struct {
	At         time.Time `json:"at" dynamodbav:"at"`
	SourceID   string    `json:"sourceId,omitempty" dynamodbav:"sourceId,omitempty"`
	LocationID string    `json:"locationId,omitempty" dynamodbav:"locationId,omitempty"`
	By         string    `json:"by" dynamodbav:"by"`
	Reason     string    `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
}

// Reversal is a redemption undone because its bill was refunded.
type Reversal struct {
	At time.Time `json:"at" dynamodbav:"at"`
	By string    `json:"by" dynamodbav:"by"`
	// Redemption is the redemption it undid.
	Redemption Redemption `json:"redemption" dynamodbav:"redemption"`
}

// Status is the voucher's one state at now.
func (v Voucher) Status(now time.Time) string {
	if v.State == StatusIssued && !now.Before(v.ExpiresAt) {
		return StatusExpired
	}
	return v.State
}

// ValidAt reports whether the voucher may be redeemed at location.
func (v Voucher) ValidAt(location string) bool {
	return len(v.LocationIDs) == 0 || slices.Contains(v.LocationIDs, location)
}
