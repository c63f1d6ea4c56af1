package timeline

// The timeline owns no table. It reads five domains' tables, each through a key range
// or a sparse index the domain keeps for it, newest first, and merges them page by
// page. Every source's sort key starts with a fixed-width UTC time (or is an id from
// shared/id, which sorts by time), so a position in a source is its last sort key read.
//
//	source     table       index        partition                     sort key
//	visit      customers   (the table)  pk = CUST#<customerId>        sk = VISIT#<at>#<visitId>
//	points     loyalty     (the table)  pk = ACCT#<customerId>        sk = E#<entryId, from id.New>
//	followup   followups   byCustomerKeys customerPk = CUST#<id>      customerSk = <createdAt>#<followupId>
//	complaint  complaints  customerCases customerPk = CUST#<id>       customerSk = <createdAt>#<complaintId>
//	survey     surveys     byCustomer   customerPk = CUST#<id>        customerSk = <submittedAt>#<responseId>
//
// Access patterns, per page, for each source not yet exhausted (five queries at once):
//
//	first page          Query the partition, begins_with(sort key, prefix), descending
//	after position p    Query the partition, sort key BETWEEN prefix AND p, descending,
//	                    p itself dropped (on an index, whose partition holds only this
//	                    source: sort key < p)
//
// each for at most limit+1 items: the page takes limit, the one more tells whether the
// source has anything left; from a keys-only index (followups), the items are then read
// by key (BatchGetItem), and one that left the customer meanwhile is left out. Never a
// scan.

import (
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
)

// Item types, which are also the cursor's keys.
const (
	TypeVisit     = "visit"
	TypePoints    = "points"
	TypeFollowup  = "followup"
	TypeComplaint = "complaint"
	TypeSurvey    = "survey"
)

// Types lists every source.
var Types = []string{TypeVisit, TypePoints, TypeFollowup, TypeComplaint, TypeSurvey}

// customerIndex is the sparse index of survey responses by customer; complaints have
// complaint.CustomerIndex, follow-ups followup.CustomerIndex.
const customerIndex = "byCustomer"

// source is where one type of item lives, for one customer.
type source struct {
	typ   string
	table string
	// wiringTable names table in the wiring, for an index that replaced another
	// (dynamo.Backfilled); "" for the table itself.
	wiringTable string
	index       string // "" for the table itself
	// byKey: the index holds keys only, and the items are read by key.
	byKey  bool
	pkName string
	skName string
	pk     string
	// prefix starts every sort key of this source in its partition ("" on an index,
	// whose partition holds nothing else).
	prefix string
}

// sources are the five places a customer's history is kept.
func (s *Service) sources(customerID string) []source {
	byCustomer := func(typ, table, wiringTable, index string) source {
		return source{typ: typ, table: table, wiringTable: wiringTable, index: index, pkName: "customerPk", skName: "customerSk",
			pk: customer.CustomerPK(customerID)}
	}
	return []source{
		{typ: TypeVisit, table: s.Tables.Customers, pkName: "pk", skName: "sk",
			pk: customer.CustomerPK(customerID), prefix: customer.VisitPrefix},
		{typ: TypePoints, table: s.Tables.Loyalty, pkName: "pk", skName: "sk",
			pk: "ACCT#" + customerID, prefix: "E#"},
		withKeysOnly(byCustomer(TypeFollowup, s.Tables.Followups, "followups", followup.CustomerIndex)),
		byCustomer(TypeComplaint, s.Tables.Complaints, "complaints", complaint.CustomerIndex),
		byCustomer(TypeSurvey, s.Tables.Surveys, "surveys", customerIndex),
	}
}

// withKeysOnly is src read from a keys-only index.
func withKeysOnly(src source) source {
	src.byKey = true
	return src
}
