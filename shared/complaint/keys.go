package complaint

// Key design of the "complaints" table (pk, sk; TTL attribute expiresAt).
//
//	pk                        sk                     item
//	CASE#<complaintId>        BODY                   its description and the intake's events
//	                                                 (received; assigned with it), written
//	                                                 at intake (and by a redaction) only
//	CASE#<complaintId>        CASE                   the case: status, version, clocks
//	CASE#<complaintId>        EV#<000003>            timeline event 3 (its seq), one of those
//	                                                 after the intake's, never changed (a
//	                                                 case opened before bodies held events
//	                                                 has every event as an item)
//	REF#<reference>           REF                    a reference → case (unique), with the
//	                                                 SHA-256 of its tracking token's secret
//	TRACK#<sha256(token)>     TRACK                  a tracking token → case, for cases
//	                                                 opened before tokens named their
//	                                                 reference (none written now)
//	REFSEQ#<code>#<yyyymmdd>  SEQ                    the location's counter that day (TTL)
//	RR#<team>                 RR                     the team's round-robin counter
//	SETTINGS                  COMPLAINTS             the settings, versioned
//	AGG#<locationId>          <yyyymmdd>#<shard>     report counters of the cases opened
//	                                                 that local day, sharded
//	IDEM#<scope>#<key>        IDEM                   an idempotency record (24 h)
//	KPI#<locationId>          D#<day>#<shard>        KPI counters of a local day: cases
//	                                                 opened, resolutions (shared/kpi)
//	KPI#<locationId>          S#<day>#<staffId>#<shard>  a staff member's counters of a
//	                                                 local day (staff.go, shared/kpi)
//	JOB#<job>                 JOB                    the lease of complaint-sla and
//	                                                 privacy-retention (shared/job)
//
// Indexes (sparse, on the case item):
//
//	queue       queuePk = Q#<locationId>       queueSk = <status>#<createdAt>#<id>
//	byAssignee  assigneePk = A#<assignee>      assigneeSk = <status>#<createdAt>#<id>
//	slaKeys     slaPk = SLA#<shard>            slaSk = <next check time>#<id>, only while a
//	                                           clock runs toward a ladder step (keys only)
//	customerCases  customerPk = CUST#<customerId> customerSk = <createdAt>#<id>, cases
//	                                           linked to a customer (timeline, merge,
//	                                           erasure); copies what the timeline shows
//
// Access patterns:
//
//	a case with its timeline          Query CASE#<id> (body and case sort before EV#…)
//	a case with its body              Query CASE#<id>, sk <= CASE
//	the customer's view               GetItem REF#<the token's reference> (its secret's
//	                                  hash checked), then the case's query; a token of
//	                                  the earlier form: GetItem TRACK#<hash> instead
//	intake                            UpdateItem REFSEQ (ADD 1: the reference number,
//	                                  race-free), then TransactWriteItems: case, body
//	                                  (with the intake's events), reference (with the
//	                                  token's hash), aggregate, follow-ups, idempotency
//	an action                         TransactWriteItems: the case (condition: version),
//	                                  its event (condition: new), aggregate, KPI and staff
//	                                  counters, follow-ups
//	the queue of a location           Query queue Q#<loc>, begins_with(queueSk, <status>#)
//	an assignee's queue               Query byAssignee A#<assignee>
//	clocks due for a ladder step      Query slaKeys SLA#<shard>, slaSk <= now: never a
//	                                  scan; then each case by its pk
//	the report of a period            Query AGG#<loc>, sk BETWEEN <from># and <to>#~ per
//	                                  location: its cost grows with days, never with cases

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/id"
)

const (
	caseSK      = "CASE"
	bodySK      = "BODY"
	settingsPK  = "SETTINGS"
	settingsSK  = "COMPLAINTS"
	sortTime    = "2006-01-02T15:04:05.000Z"
	refDay      = "20060102"
	reportDay   = "2006-01-02"
	slaShards   = 4
	aggShards   = 4
	eventPrefix = "EV#"
)

func validID(s string) bool { return id.Valid(s) }

func casePK(id string) string    { return "CASE#" + id }
func eventSK(seq int) string     { return fmt.Sprintf("%s%06d", eventPrefix, seq) }
func refPK(ref string) string    { return "REF#" + ref }
func rrPK(team string) string    { return "RR#" + team }
func queuePK(loc string) string  { return "Q#" + loc }
func assigneePK(a string) string { return "A#" + a }
func aggPK(loc string) string    { return "AGG#" + loc }

// caseIDOf is the id of the case whose pk is pk.
func caseIDOf(pk string) string { return strings.TrimPrefix(pk, "CASE#") }

// slaIndex is the index of cases whose SLA clock runs (keys only).
const slaIndex = "slaKeys"

// CustomerIndex is the index of a customer's cases (what the timeline shows).
const CustomerIndex = "customerCases"

// customerPK is the customerCases index's partition key of a case linked to a customer.
// It is this table's own index key; its format (CUST#<customerId>) is the one every
// table's customer index uses, and stored cases carry it, so it does not change.
func customerPK(id string) string { return "CUST#" + id }

func refSeqPK(code string, day time.Time) string {
	return "REFSEQ#" + code + "#" + day.Format(refDay)
}

func trackPK(token string) string {
	return "TRACK#" + hashHex(token)
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// A tracking token is its case's reference and a secret, "<reference>.<secret>": the
// reference finds the REF item, which holds the secret's SHA-256 (no item of the
// token's own to write). A token without the separator is of the earlier form, a
// secret alone, found by its TRACK item. A secret holds no separator (id.Token's
// alphabet), so the last one ends the reference.
const tokenSeparator = "."

func trackingToken(reference, secret string) string { return reference + tokenSeparator + secret }

func statusSK(s Status, created time.Time, id string) string {
	return string(s) + "#" + created.UTC().Format(sortTime) + "#" + id
}

func slaPK(shard int) string { return fmt.Sprintf("SLA#%d", shard) }

func slaSK(at time.Time, id string) string { return at.UTC().Format(sortTime) + "#" + id }

// slaUpTo bounds a query for everything due at or before t.
func slaUpTo(t time.Time) string { return t.UTC().Format(sortTime) + "#~" }

func aggSK(day string, shard int) string { return fmt.Sprintf("%s#%d", day, shard) }

func shardOf(id string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}
