package survey

// Key design of the "surveys" table (pk, sk; TTL attribute expiresAt).
//
//	pk                    sk                                item
//	SURVEY#<surveyId>     DEF                               the current definition
//	SURVEY#<surveyId>     VER#<000001>                      each version, never changed
//	SURVEY#<surveyId>     RESP#<responseId>                 a response (ids sort by time)
//	SURVEY#<surveyId>     SUBM#<submissionId>               (older releases: a form's submission
//	                                                        id; expires by TTL, no longer written)
//	SURVEY#<surveyId>     AGG#<location|*>#<day>#<shard>    counters per location (and *
//	                                                        for all) per UTC day, sharded
//	INV#<token>           INV                               an invitation or public link
//	INV#<token>           DAY#<day>                         a public link's count that day
//	IDEM#<scope>#<key>    IDEM                              an idempotency record (24 h)
//	KPI#<locationId>      D#<day>#<shard>                   the location's KPI counters of a
//	                                                        local day, every survey (shared/kpi)
//	KPI#<locationId>      S#<day>#<staffId>#<shard>         a staff member's counters of a local
//	                                                        day: the responses about them
//	                                                        (shared/kpi)
//
// Index (sparse): byCustomer  customerPk = CUST#<customerId>  customerSk =
// <submittedAt>#<responseId>, on responses of known customers.
//
// Index (sparse): catalog  catalogPk = SURVEYS  catalogSk = <created>#<surveyId>, on each
// survey's DEF item, where created is the time in the survey's id (server ids are made
// at definition): an edit keeps the survey's place, and a survey whose id was chosen
// (a seeded one) sorts before every other. Surveys are defined by hand, a few hundred
// at most, so one partition holds them all.
//
// Access patterns:
//
//	a survey's definition, or one version     GetItem DEF, or VER#<v>
//	an invitation by its token                GetItem INV#<token> / INV
//	results for a period and location         Query SURVEY#<id>, sk BETWEEN
//	                                          AGG#<loc>#<from># and AGG#<loc>#<to>#~ : its
//	                                          cost grows with days, never with responses
//	a survey's responses in a period          Query SURVEY#<id>, sk BETWEEN RESP#<id at
//	                                          from> and RESP#<id at to> (the CSV export)
//	a customer's responses, newest        Query byCustomer, descending
//	the surveys, newest first                 Query catalog SURVEYS, descending (the
//	                                          policy filters the page)
//	submit a response                         TransactWriteItems: the token (invitation
//	                                          open → used, or the link's daily count), the
//	                                          response, two aggregate shards, the KPI
//	                                          counters (the location's and the staff
//	                                          member's), what the loop's Recoverer adds
//	                                          (shared/surveyloop: the callback alerts, a
//	                                          case), the idempotency record

import (
	"fmt"
	"hash/fnv"

	"github.com/rapport-crm/rapport/shared/id"
)

// aggShards spreads each day's counters over items, so concurrent responses rarely
// contend for one item in their transactions.
const aggShards = 4

// allLocations is the aggregate key of the survey's totals over every location.
const allLocations = "*"

// dayFormat is the aggregate's day (UTC).
const dayFormat = "2006-01-02"

func surveyPK(id string) string      { return "SURVEY#" + id }
func versionSK(v int) string         { return fmt.Sprintf("VER#%06d", v) }
func responseSK(id string) string    { return "RESP#" + id }
func invitationPK(tok string) string { return "INV#" + tok }
func linkDaySK(day string) string    { return "DAY#" + day }

// customerPK is a response's key in this table's byCustomer index. It is the survey
// table's own index key; its value reads as the customers table's key of the customer
// (CUST#<customerId>) and must keep that stored format.
func customerPK(customerID string) string { return "CUST#" + customerID }

func catalogSK(surveyID string) string {
	created := ""
	if t, ok := id.Time(surveyID); ok {
		created = t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return created + "#" + surveyID
}

func aggregateSK(location, day string, shard int) string {
	return fmt.Sprintf("AGG#%s#%s#%d", location, day, shard)
}

func aggregateRange(location, from, to string) (string, string) {
	return "AGG#" + location + "#" + from + "#", "AGG#" + location + "#" + to + "#~"
}

func shardOf(id string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % aggShards)
}

const (
	definitionSK = "DEF"
	invitationSK = "INV"
	catalogPK    = "SURVEYS"
)
