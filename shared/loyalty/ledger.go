// Package loyalty is the points ledger: append-only entries keyed by a source unique
// per customer, lots that expire and are consumed soonest-expiring first, a balance
// that a DynamoDB condition keeps from going negative, tiers from points earned in a
// rolling year, referrals and birthday bonuses.
package loyalty

import "time"

// Entry types.
const (
	TypeEarn    = "earn"
	TypeRedeem  = "redeem"
	TypeReverse = "reverse"
	TypeExpire  = "expire"
	TypeAdjust  = "adjust"
	TypeBonus   = "bonus"
)

// Account is a customer's points: Balance is available now, Pending not yet; their sum
// always equals the sum of the ledger's entries. Shortfall is what a reversal could not
// take back (already spent): future earns pay it first. The balance never goes negative.
type Account struct {
	CustomerID string `dynamodbav:"customerId" json:"customerId"`
	Balance    int    `dynamodbav:"balance" json:"balance"`
	Pending    int    `dynamodbav:"pending" json:"pending"`
	Shortfall  int    `dynamodbav:"shortfall" json:"shortfall"`
	// Earned is the points earned per UTC month ("2006-01"), for tiers.
	Earned      map[string]int `dynamodbav:"earned" json:"-"`
	Tier        string         `dynamodbav:"tier" json:"tier"`
	TierSince   time.Time      `dynamodbav:"tierSince" json:"tierSince"`
	ReviewAt    time.Time      `dynamodbav:"reviewAt" json:"reviewAt"`
	DowngradeAt *time.Time     `dynamodbav:"downgradeAt,omitempty" json:"downgradeAt,omitempty"`
	// Rev counts the writes that read the account to compute (earns, reversals,
	// member changes): they are conditional on it. Redeems and releases only add.
	Rev int `dynamodbav:"rev" json:"-"`
	// Phone (E.164) and Email (lower-case) are the member's, unique among members.
	Phone            string         `dynamodbav:"phone,omitempty" json:"phone,omitempty"`
	Email            string         `dynamodbav:"email,omitempty" json:"email,omitempty"`
	Locale           string         `dynamodbav:"locale,omitempty" json:"locale,omitempty"`
	Birthday         string         `dynamodbav:"birthday,omitempty" json:"birthday,omitempty"`
	TimeZone         string         `dynamodbav:"timeZone,omitempty" json:"timeZone,omitempty"`
	Tags             []string       `dynamodbav:"tags,omitempty" json:"tags,omitempty"`
	ReferralCode     string         `dynamodbav:"referralCode,omitempty" json:"referralCode,omitempty"`
	ReferredBy       string         `dynamodbav:"referredBy,omitempty" json:"referredBy,omitempty"`
	ReferralRewarded bool           `dynamodbav:"referralRewarded,omitempty" json:"referralRewarded,omitempty"`
	ReferralBonuses  map[string]int `dynamodbav:"referralBonuses,omitempty" json:"-"`
	LastBirthdayYear int            `dynamodbav:"lastBirthdayYear,omitempty" json:"-"`
	Earns            int            `dynamodbav:"earns" json:"-"`
	CreatedAt        time.Time      `dynamodbav:"createdAt" json:"createdAt"`
	UpdatedAt        time.Time      `dynamodbav:"updatedAt" json:"updatedAt"`
	// Active is the member's last active day (an earn or redeem) per location, local
	// there: the KPI report counts each member once per day, week and month (kpi.go).
	Active map[string]string `dynamodbav:"active,omitempty" json:"-"`
}

func (a Account) member() Member {
	return Member{CustomerID: a.CustomerID, Phone: a.Phone, Email: a.Email}
}

// tierState is the account's tier as the tier rules see it.
func (a Account) tierState() TierState {
	return TierState{Tier: a.Tier, Since: a.TierSince, ReviewAt: a.ReviewAt, DowngradeAt: a.DowngradeAt}
}

func (a *Account) setTier(s TierState) {
	a.Tier, a.TierSince, a.ReviewAt, a.DowngradeAt = s.Tier, s.Since, s.ReviewAt, s.DowngradeAt
}

// Entry is one ledger line. Points is its effect on balance plus pending: an earn's
// points less what paid off a shortfall (Recovered), negative for redeems, expiries
// and reversals.
type Entry struct {
	ID         string    `dynamodbav:"id" json:"entryId"`
	CustomerID string    `dynamodbav:"customerId" json:"customerId"`
	Type       string    `dynamodbav:"type" json:"type"`
	SourceID   string    `dynamodbav:"sourceId" json:"sourceId"`
	Points     int       `dynamodbav:"points" json:"points"`
	At         time.Time `dynamodbav:"at" json:"at"`
	Actor      string    `dynamodbav:"actor" json:"actor"`
	// Gross is what an earn or bonus was worth before paying off a shortfall.
	Gross     int `dynamodbav:"gross,omitempty" json:"gross,omitempty"`
	Recovered int `dynamodbav:"recovered,omitempty" json:"recovered,omitempty"`
	// Shortfall is what a reversal could not take back (already spent).
	Shortfall  int    `dynamodbav:"shortfall,omitempty" json:"shortfall,omitempty"`
	LocationID string `dynamodbav:"locationId,omitempty" json:"locationId,omitempty"`
	Amount     string `dynamodbav:"amount,omitempty" json:"amount,omitempty"`
	Currency   string `dynamodbav:"currency,omitempty" json:"currency,omitempty"`
	// Rule is how an earn's points were computed.
	Rule *Applied `dynamodbav:"rule,omitempty" json:"rule,omitempty"`
	// Lot is the lot an earn, bonus or positive adjustment created.
	Lot *LotRef `dynamodbav:"lot,omitempty" json:"lot,omitempty"`
	// Taken are the lots a redeem, expiry, reversal or negative adjustment took from.
	Taken []Take `dynamodbav:"taken,omitempty" json:"taken,omitempty"`
	// Reverses is the sourceId of the entry a reversal undid.
	Reverses string `dynamodbav:"reverses,omitempty" json:"reverses,omitempty"`
	Reason   string `dynamodbav:"reason,omitempty" json:"reason,omitempty"`
	// Request fingerprints what was asked, so a repeated sourceId with other values is
	// told apart from a retry.
	Request string `dynamodbav:"request" json:"-"`
}

// LotRef names a lot and when its points become available and expire.
type LotRef struct {
	ID          string    `dynamodbav:"id" json:"lotId"`
	AvailableAt time.Time `dynamodbav:"availableAt" json:"availableAt"`
	ExpiresAt   time.Time `dynamodbav:"expiresAt" json:"expiresAt"`
}

// Take is points taken from one lot.
type Take struct {
	LotRef
	Points int `dynamodbav:"points" json:"points"`
	// Pending says the points were taken before they became available.
	Pending bool `dynamodbav:"pending,omitempty" json:"pending,omitempty"`
}

// Lot is what one earn, bonus or adjustment left, until spent or expired.
type Lot struct {
	LotRef
	CustomerID string `dynamodbav:"customerId" json:"customerId"`
	SourceID   string `dynamodbav:"sourceId" json:"sourceId"`
	Points     int    `dynamodbav:"points" json:"points"`
	Remaining  int    `dynamodbav:"remaining" json:"remaining"`
	Pending    bool   `dynamodbav:"pending" json:"pending"`
	Reminded   bool   `dynamodbav:"reminded" json:"reminded"`
	// Merges counts the merges that moved points out of the lot: points given back to
	// it afterwards move again under a new sourceId (merge.go).
	Merges int `dynamodbav:"merges,omitempty" json:"-"`
}
