package followup

// Key design of the "followups" table (pk, sk; TTL attribute expiresAt).
//
//	pk                    sk        item
//	FU#<followupId>       FU        the follow-up record
//	DEDUPE#<dedupeKey>    DEDUPE    claims one occasion for a follow-up with an id of its
//	                                own (the API's, and every one scheduled before
//	                                occasion ids), so it yields one follow-up
//	OUTBOX                <id>      a message the outbox channel delivered (local, dev)
//
// A follow-up of a named occasion has the occasion's id (OccasionID of its dedupe
// key): its record is its own claim, one item to write instead of two. Its
// schedule checks that no DEDUPE item claimed the occasion before occasion ids.
//
// Index "dueIds" is sparse and sharded over Shards partitions, and copies id and
// queuedAt (all the dispatcher reads); only follow-ups that are waiting carry its keys:
//
//	duePk = DUE#<shard>     dueSk = <dueAt>#<id>      while scheduled, queued or being
//	                                                  sent (queuedAt, set when queued,
//	                                                  tells which: queuing rewrites the
//	                                                  entry in place instead of moving it)
//	duePk = QUEUED#<shard>  dueSk = <queuedAt>#<id>   queued by an earlier release, until sent
//
// Index "byCustomerKeys" (sparse: only follow-ups to customers; keys only) lists a
// customer's:
//
//	customerPk = CUST#<customerId>   customerSk = <createdAt>#<id>
//
// Index "byLocationKeys" (sparse: only follow-ups from a location; keys only) lists a
// location's by due time:
//
//	locationPk = LOC#<locationId>    locationSk = <dueAt>#<id>
//
// Access patterns:
//
//	a follow-up by id                   GetItem FU#<id>
//	the follow-up of an occasion        GetItem FU#<OccasionID(key)>; when absent, GetItem
//	                                    DEDUPE#<key>, then FU#<followupId> (the
//	                                    predecessor a follow-up waits for, After)
//	due at time t, and stuck in queued  Query dueIds: duePk = DUE#s, dueSk <= t, for each s;
//	since before t'                     the scheduled ones, and those queued at or before t'
//	queued earlier, stuck since t'      Query dueIds: duePk = QUEUED#s, dueSk <= t'
//	outbox, latest sent first           Query pk = OUTBOX, every page, sorted by sentAt
//	                                    (ids are in no time order; local and dev only)
//	a customer's follow-ups, newest     Query byCustomerKeys: customerPk = CUST#<id>,
//	                                    descending; then BatchGetItem the page's records
//	a location's, latest due first      Query byLocationKeys: locationPk = LOC#<id>,
//	                                    locationSk between the asked due times,
//	                                    descending; then BatchGetItem the page's records

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// Shards spreads due follow-ups over index partitions so a backlog has no hot key.
const Shards = 8

// sortTime is a fixed-width UTC time that sorts as a string in time order.
const sortTime = "2006-01-02T15:04:05.000Z"

func recordPK(id string) string { return "FU#" + id }

// CustomerIndex is the index of a customer's follow-ups (keys only).
const CustomerIndex = "byCustomerKeys"

// locationIndex is the index of a location's follow-ups (keys only).
const locationIndex = "byLocationKeys"

// dueIndex is the index of waiting follow-ups (id and queuedAt copied).
const dueIndex = "dueIds"

const recordSK = "FU"

func dedupePK(key string) string { return "DEDUPE#" + key }

// OccasionID is the id of the follow-up an occasion (its dedupe key) yields: "o" and
// 120 bits of the key's SHA-256 in lowercase base32, 25 characters. Scheduled under
// it, the follow-up's record claims the occasion itself. It never equals an id.New
// (26 characters, upper case), so a follow-up with an id of its own is told apart.
func OccasionID(dedupeKey string) string {
	sum := sha256.Sum256([]byte(dedupeKey))
	return "o" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15]))
}

const dedupeSK = "DEDUPE"

const outboxPK = "OUTBOX"

func shard(id string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % Shards)
}

func duePK(s int) string          { return fmt.Sprintf("DUE#%d", s) }
func locationPK(id string) string { return "LOC#" + id }
func queuedPK(s int) string       { return fmt.Sprintf("QUEUED#%d", s) }

func indexSK(t time.Time, id string) string { return t.UTC().Format(sortTime) + "#" + id }

// upTo is the largest sort key for times at or before t.
func upTo(t time.Time) string { return t.UTC().Format(sortTime) + "#~" }
