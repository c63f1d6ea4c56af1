package customer

import (
	"strconv"
)

// Key design of the "customers" table (pk, sk; TTL attribute expiresAt). Profiles,
// visits and segments join it with the customers feature; today it holds consent.
//
//	pk                    sk                          item
//	CUST#<customerId>     CONSENT#<channel>           the channel's current consent
//	CUST#<customerId>     CONSENTLOG#<at>#<channel>   every change, never rewritten
//	CUST#<customerId>     CAP#marketing               when the last marketing message went
//	CUST#<customerId>     UNSUB#<version>#<channel>   points at the link's lookup (for erasure)
//	UNSUB#<sha256(handle)>  UNSUB                     an unsubscribe link's customer and channel
//	LOC                   <locationId>                a location (store, branch, hotel)
//	KPI#<locationId>      D#<day>#<shard>             KPI counters of a local day: visits,
//	                                                  repeat visits (shared/kpi)
//	KPI#<locationId>      S#<day>#<staffId>#<shard>   a staff member's visits served that
//	                                                  local day (shared/kpi)
//	PHONE#<e164>          CONTACT                     the customer with this phone
//	EMAIL#<lower-case>    CONTACT                     the customer with this email
//	JOB#<job>             JOB                         the lease of visit-effects,
//	                                                  customer-value and win-back (shared/job)
//
// Indexes (sparse, on the profile item CUST#<id> / PROFILE):
//
//	home        homePk = HOME#<locationId>  homeSk = <customerId>        profiles of a home location
//	byNameKeys  namePk = NAME#<locationId>  nameSk = <folded name>#<id>  named profiles of a home
//	                                                                     location, by name (keys
//	                                                                     only)
//
// Both are kept by every write of the profile (create, PATCH) and left by a merged
// duplicate; an erased profile's item goes, and its index entries with it.
//
// Access patterns:
//
//	a customer's consents             Query CUST#<id>, sk begins_with CONSENT#
//	record a change                   TransactWriteItems: current + log entry
//	take the marketing slot           UpdateItem CAP#marketing if lastAt <= now − window
//	an unsubscribe link's customer    GetItem UNSUB#<hash> (see Signer; written once per
//	                                  customer, channel and key version)
//	a location; all locations         GetItem LOC / <id>; Query pk = LOC
//	a customer by phone or email      GetItem PHONE#<e164> or EMAIL#<address>
//	search by name at a location      Query byNameKeys namePk = NAME#<loc>, nameSk
//	                                  begins_with <folded prefix>; then BatchGetItem
//	                                  the page's profiles
//
// Signing keys are not kept here but in KMS and Secrets Manager (shared/keyring): the
// KEY#<purpose> items of earlier local releases are no longer read.

func customerPK(id string) string       { return "CUST#" + id }
func consentSK(channel string) string   { return "CONSENT#" + channel }
func consentLogSK(at, ch string) string { return "CONSENTLOG#" + at + "#" + ch }

// unsubscribePK keys a link's lookup by the hash of its handle (signedlink.Link.Lookup),
// never the handle.
func unsubscribePK(lookup string) string { return "UNSUB#" + lookup }

func unsubscribePointerSK(version int, channel string) string {
	return unsubscribePrefix + strconv.Itoa(version) + "#" + channel
}

func phonePK(e164 string) string { return "PHONE#" + e164 }
func emailPK(addr string) string { return "EMAIL#" + addr }

func homePK(loc string) string { return "HOME#" + loc }
func namePK(loc string) string { return "NAME#" + loc }

// nameIndex is the index of named profiles by name (keys only).
const nameIndex = "byNameKeys"

// nameSK sorts a profile by its folded name; the id keeps two namesakes apart.
func nameSK(name, id string) string { return FoldName(name) + "#" + id }

const (
	contactSK = "CONTACT"
	capSK     = "CAP#marketing"

	unsubscribeSK     = "UNSUB"
	unsubscribePrefix = "UNSUB#"
)
