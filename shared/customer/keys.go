package customer

// Key design of the "customers" table (pk, sk; TTL attribute expiresAt). Profiles,
// visits and segments join it with the customers feature; today it holds consent.
//
//	pk                    sk                          item
//	CUST#<customerId>     CONSENT#<channel>           the channel's current consent
//	CUST#<customerId>     CONSENTLOG#<at>#<channel>   every change, never rewritten
//	CUST#<customerId>     CAP#marketing               when the last marketing message went
//	KEY#<purpose>         KEY                         a signing key (e.g. unsubscribe links)
//	LOC                   <locationId>                a location (store, branch, hotel)
//	PHONE#<e164>          CONTACT                     the customer with this phone
//	EMAIL#<lower-case>    CONTACT                     the customer with this email
//
// Access patterns:
//
//	a customer's consents             Query CUST#<id>, sk begins_with CONSENT#
//	record a change                   TransactWriteItems: current + log entry
//	take the marketing slot           UpdateItem CAP#marketing if lastAt <= now − window
//	the signing key                   GetItem KEY#<purpose> (created once, conditionally)
//	a location; all locations         GetItem LOC / <id>; Query pk = LOC
//	a customer by phone or email      GetItem PHONE#<e164> or EMAIL#<address>

func customerPK(id string) string       { return "CUST#" + id }
func consentSK(channel string) string   { return "CONSENT#" + channel }
func consentLogSK(at, ch string) string { return "CONSENTLOG#" + at + "#" + ch }
func keyPK(purpose string) string       { return "KEY#" + purpose }

func phonePK(e164 string) string { return "PHONE#" + e164 }
func emailPK(addr string) string { return "EMAIL#" + addr }

const (
	contactSK = "CONTACT"
	capSK     = "CAP#marketing"
	keySK     = "KEY"
)
