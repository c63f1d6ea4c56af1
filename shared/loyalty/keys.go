package loyalty

// Key design of the "loyalty" table (pk, sk; TTL attribute expiresAt).
//
//	pk                    sk                          item
//	ACCT#<customerId>     L                           the account: balance, pending,
//	                                                  shortfall, tier, earned per month
//	ACCT#<customerId>     L#<expiresAt>#<lotId>       a live lot: what one earn or bonus left,
//	                                                  consumed soonest-expiring first
//	ACCT#<customerId>     X#<expiresAt>#<lotId>       an emptied lot (spent, expired, merged
//	                                                  away): moved out of the live range in
//	                                                  the write that emptied it, with every
//	                                                  field but its timer, so a reversal can
//	                                                  bring it back and an export lists it
//	ACCT#<customerId>     E#<entryId>                 a ledger entry, never changed
//	ACCT#<customerId>     S#<sourceId>                the source's claim: one entry per
//	                                                  sourceId and customer, ever
//	REFCODE#<code>        REFCODE                     a referral code → its member
//	CONTACT#<e164|email>  CONTACT                     the member enrolled with this contact
//	SETTINGS              LOYALTY                     the rules, versioned
//	IDEM#<scope>#<key>    IDEM                        an idempotency record (24 h)
//	KPI#<locationId>      D|W|M#<period>#<shard>      KPI counters of a local day, ISO week
//	                                                  or month: points, active members
//	                                                  (shared/kpi, kpi.go)
//	JOB#<job>             JOB                         the lease of loyalty-timers and
//	                                                  loyalty-birthdays (shared/job)
//
// Indexes (sparse):
//
//	dueKeys   duePk = DUE#<shard>   dueSk = <time>#<kind>#<customerId>#<lotId>: the next
//	          timer of a lot (release, reminder, expiry) or an account (tier review);
//	          keys only, the sort key names all the job needs
//	birthdayDates  bdayPk = BDAY#<MM-DD>  bdaySk = <customerId>: members with a
//	          birthday; copies customerId, birthday, timeZone and lastBirthdayYear
//
// Access patterns:
//
//	balance with its lots             Query ACCT#<id>, begins_with(sk, "L"): one round trip
//	                                  over the account and the live lots only, whatever
//	                                  the history (emptied lots sort under X#)
//	lots to give points back to       the live lots, else one BatchGetItem of the archived
//	                                  ACCT#<id> / X#<exp>#<lotId> a reversal names
//	every lot (export)                Query ACCT#<id>, begins_with(sk, "L"), then "X#"
//	earn, redeem, reverse, adjust     one TransactWriteItems: the account (ADD, with a
//	                                  condition), the lots, the entry, the source's claim;
//	                                  a lot it empties is deleted, only if still as
//	                                  read, and put under X#; past the transaction's
//	                                  item limit an emptied lot stays live until its
//	                                  timer (still set) archives it
//	the ledger, newest first          Query ACCT#<id>, begins_with(sk, "E#"), descending
//	a repeated sourceId               GetItem ACCT#<id> / S#<sourceId>: the first entry
//	timers due                        Query dueKeys DUE#<shard>, dueSk <= now: never a scan
//	birthdays today somewhere         Query birthdayDates BDAY#<MM-DD> for the dates alive now
//	reconciliation                    a parallel Scan: it must read every entry anyway

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/rapport-crm/rapport/shared/id"
)

const (
	accountSK  = "L"
	lotPrefix  = "L#"
	spentPref  = "X#"
	entryPref  = "E#"
	sourcePref = "S#"
	settingsPK = "SETTINGS"
	settingsSK = "LOYALTY"
	sortTime   = "2006-01-02T15:04:05.000Z"
	dueShards  = 4
)

// dueIndex is the index of timers (keys only).
const dueIndex = "dueKeys"

// birthdayIndex is the index of members by birthday (what the birthday job reads).
const birthdayIndex = "birthdayDates"

// Timer kinds in the due index.
const (
	timerRelease = "REL"
	timerRemind  = "REM"
	timerExpire  = "EXP"
	timerReview  = "TIER"
)

func validID(s string) bool { return id.ValidSource(s) }

func accountPK(cid string) string  { return "ACCT#" + cid }
func entrySK(id string) string     { return entryPref + id }
func sourceSK(src string) string   { return sourcePref + src }
func refCodePK(code string) string { return "REFCODE#" + code }
func contactPK(c string) string    { return "CONTACT#" + c }

func lotSK(expires time.Time, id string) string {
	return lotPrefix + expires.UTC().Format(sortTime) + "#" + id
}

// spentSK is where an emptied lot is kept: outside begins_with(sk, "L").
func spentSK(expires time.Time, id string) string {
	return spentPref + expires.UTC().Format(sortTime) + "#" + id
}

func duePK(cid string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(cid))
	return fmt.Sprintf("DUE#%d", h.Sum32()%dueShards)
}

func dueSK(at time.Time, kind, cid, lotID string) string {
	return at.UTC().Format(sortTime) + "#" + kind + "#" + cid + "#" + lotID
}

func dueUpTo(t time.Time) string { return t.UTC().Format(sortTime) + "#~" }

func birthdayPK(mmdd string) string { return "BDAY#" + mmdd }
