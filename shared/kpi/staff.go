package kpi

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// Staff counters: what a staff member did or was served by, per location and local
// day, kept by each domain in its own table's KPI partition of the location, in the
// transaction that records the event (like the location's counters):
//
//	pk              sk                              item
//	KPI#<location>  S#<yyyy-mm-dd>#<staffId>#0      a staff member's counts of the day
//
// One item per staff member and day, not spread over shards as a location's are: a
// person serves one guest at a time, so their events seldom meet in one item, and the
// staff report, reading a period's items with one Query per table, reads at most days
// × staff items however many events they count (the trailing 0 keeps the sort key's
// shape, should a busy till ever need shards).
const Staff Kind = "S"

// The staff counters beyond the location counters they share names with (Visits in
// customers; Responses, NPSCount, Promoters, Detractors, CSATCount, Satisfied in
// surveys; Resolved and ResolvedMet in complaints, by the staff member who resolved).
const (
	// surveys: a dimension's score sum and count, by the dimension's key
	// (DimSum+key, DimCount+key).
	DimSum   = "dimSum_"
	DimCount = "dimN_"
	// complaints: cases opened about the staff member's service (the complaint's
	// staffId); acknowledgements by the staff member and those within the SLA;
	// reopenings of a case the staff member had resolved; compensation the staff
	// member granted on resolving (points, and vouchers issued).
	Attributed     = "attributed"
	Acknowledged   = "acked"
	AcknowledgeMet = "ackedMet"
	Reopened       = "reopened"
	CompPoints     = "compPoints"
	CompVouchers   = "compVouchers"
	// complaints: business minutes to acknowledge and to resolve, as counts per
	// bucket (Bucket), so a median can be read from the sum of any days.
	AcknowledgeMinutes = "ackMin_"
	ResolveMinutes     = "resMin_"
)

// MinuteBuckets are the upper bounds (inclusive, in business minutes) of the buckets a
// duration is counted in; a duration above the last is counted in the "over" bucket.
var MinuteBuckets = []int{5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 960, 1440, 2880, 4320, 7200, 14400}

// Bucket is the counter name of a duration's bucket under a prefix
// (AcknowledgeMinutes or ResolveMinutes): "ackMin_60" counts durations in (45, 60].
func Bucket(prefix string, minutes int) string {
	for _, b := range MinuteBuckets {
		if minutes <= b {
			return prefix + strconv.Itoa(b)
		}
	}
	return prefix + "over"
}

// Median is the upper bound of the bucket holding the median of the durations counted
// under prefix (the lower median for an even count), and false when none are counted or
// it lies in the "over" bucket (then over is true).
func Median(c Counts, prefix string) (minutes int, ok, over bool) {
	n := c[prefix+"over"]
	for _, b := range MinuteBuckets {
		n += c[prefix+strconv.Itoa(b)]
	}
	if n == 0 {
		return 0, false, false
	}
	rank, seen := (n+1)/2, 0
	for _, b := range MinuteBuckets {
		if seen += c[prefix+strconv.Itoa(b)]; seen >= rank {
			return b, true, false
		}
	}
	return 0, false, true
}

// StaffSK is the sort key of a staff member's counter item of a day on a shard.
func StaffSK(day, staffID string, shard int) string {
	return SK(Staff, day+"#"+staffID, shard)
}

// StaffDay is one staff member's counts of one day (shards summed).
type StaffDay struct {
	Day, StaffID string
	Counts       Counts
}

// ReadStaff sums a location's staff counter items of the days from..to (inclusive day
// keys) by day and staff member. One Query, paged.
func ReadStaff(ctx context.Context, db dynamo.API, table, location, from, to string) ([]StaffDay, error) {
	var out []StaffDay
	at := map[[2]string]int{}
	err := query(ctx, db, table, location, Staff, from, to, func(rest string, item map[string]types.AttributeValue) {
		// <day>#<staffId>#<shard>: a staff id holds no '#' (auth.ServingStaff).
		parts := strings.Split(rest, "#")
		if len(parts) != 3 {
			return
		}
		k := [2]string{parts[0], parts[1]}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, StaffDay{Day: parts[0], StaffID: parts[1], Counts: Counts{}})
		}
		out[i].Counts.add(item)
	})
	return out, err
}

// AddStaff is the transaction item adding counts to a staff member's counter item of a
// day at a location; ok is false when there is nothing to add (or no staff member).
func AddStaff(table, location, day, staffID string, counts map[string]int) (types.TransactWriteItem, bool, error) {
	if staffID == "" {
		return types.TransactWriteItem{}, false, nil
	}
	if strings.Contains(staffID, "#") {
		return types.TransactWriteItem{}, false, fmt.Errorf("kpi: staff id %q holds '#'", staffID)
	}
	return Add(table, location, StaffSK(day, staffID, 0), counts)
}
