package reward

import "strings"

// Key design of the "rewards" table (pk, sk; TTL attribute expiresAt, which only
// idempotency records carry as a number: a voucher's expiresAt is a date string, and
// its expiry for conditions is validUntil, so no voucher is ever deleted by TTL).
//
//	pk                             sk             item
//	CATALOG                        R#<rewardId>   a reward, versioned; its stock is
//	                                              decremented by each take
//	VOUCHER#<code>                 V              a voucher; customerPk, customerSk
//	                                              put it in byCustomer
//	ISSUE#<kind>#<id>#<customerId> ISSUE          the claim of an issue: one voucher per
//	                                              source and customer, ever; names the code
//	IDEM#<scope>#<key>             IDEM           an idempotency record (24 h)
//	LINK#<hash of the handle>      LINK           the lookup of a voucher page's link
//	                                              (link.go): the code it shows, the
//	                                              customer's locale and time zone
//
// Indexes (sparse):
//
//	byCustomer  customerPk = CUST#<customerId>  customerSk = <issuedAt>#<code>: a
//	            customer's vouchers, newest first
//	dueKeys     duePk = DUE#<shard>  dueSk = <at>#<timer>#<code>: an issued voucher's
//	            next timer (the timers job's way to it), one at a time, in order:
//	            deliver at its issue (the message with the link to its page),
//	            remind at its RemindAt (the reminder before its expiry), expire at
//	            its expiresAt (the report's count of it expired unused). Each write
//	            of the voucher puts its next timer (Store.item), so every issuer's
//	            voucher is delivered, and a redeemed or cancelled one leaves the index.
//	            Keys only (it replaces due, which projected every attribute): the job
//	            reads the code from the entry's pk (VOUCHER#<code>), then the voucher
//	            by key
//
// Access patterns:
//
//	the catalogue                 Query CATALOG: one partition, the catalogue is small
//	a voucher by its code         GetItem VOUCHER#<code>
//	a customer's vouchers         Query byCustomer CUST#<id>, descending
//	issue                         one TransactWriteItems: the voucher and its issue's
//	                              claim (both attribute_not_exists), with what the
//	                              flow joins (a points debit, the reward's stock)
//	redeem, reverse, cancel       one TransactWriteItems: the voucher put at the
//	                              version it was decided on, and its day counter; a
//	                              refusal returns the voucher as it is (ALL_OLD),
//	                              decided again
//	timers due                    Query dueKeys DUE#<shard>, dueSk <= now: never a
//	                              scan; then GetItem VOUCHER#<code> for each
//	a voucher page's link         GetItem LINK#<hash>, then the voucher and the
//	                              customer's other vouchers (byCustomer)
const (
	catalogPK  = "CATALOG"
	voucherSK  = "V"
	issueSK    = "ISSUE"
	customerPf = "CUST#"
	voucherPf  = "VOUCHER#"
)

// dueIndex is the index of the vouchers' timers (keys only).
const dueIndex = "dueKeys"

// dueShards spread the dueKeys index's timers over partitions.
const dueShards = 4

// dueFormat writes a timer's time so that its keys sort by it.
const dueFormat = "2006-01-02T15:04:05Z"

func rewardSK(id string) string    { return "R#" + id }
func voucherPK(code string) string { return voucherPf + code }
func customerPK(cid string) string { return customerPf + cid }
func issuePK(s Source, cid string) string {
	return "ISSUE#" + s.Kind + "#" + s.ID + "#" + cid
}

// codeOf is the code of the voucher whose pk is pk; false for any other item.
func codeOf(pk string) (string, bool) {
	code, ok := strings.CutPrefix(pk, voucherPf)
	if !ok || code == "" {
		return "", false
	}
	return code, true
}
