package reward

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
//
// Indexes (sparse):
//
//	byCustomer  customerPk = CUST#<customerId>  customerSk = <issuedAt>#<code>: a
//	            customer's vouchers, newest first
//
// Access patterns:
//
//	the catalogue                 Query CATALOG: one partition, the catalogue is small
//	a voucher by its code         GetItem VOUCHER#<code>
//	a customer's vouchers         Query byCustomer CUST#<id>, descending
//	issue                         one TransactWriteItems: the voucher and its issue's
//	                              claim (both attribute_not_exists), with what the
//	                              flow joins (a points debit, the reward's stock)
//	redeem, reverse, cancel       one conditional UpdateItem of the voucher, its state
//	                              in the condition; a refusal returns the voucher as it
//	                              was (ALL_OLD), which says why
const (
	catalogPK  = "CATALOG"
	voucherSK  = "V"
	issueSK    = "ISSUE"
	customerPf = "CUST#"
)

func rewardSK(id string) string    { return "R#" + id }
func voucherPK(code string) string { return "VOUCHER#" + code }
func customerPK(cid string) string { return customerPf + cid }
func issuePK(s Source, cid string) string {
	return "ISSUE#" + s.Kind + "#" + s.ID + "#" + cid
}
