// Package kpi keeps the counters behind the KPI report: each domain adds to its own
// location's counter items, in its own table, inside the transaction that records the
// event (so a retried request, guarded by that transaction's conditions, never counts
// twice), and the report reads them back a period at a time, so its cost grows with
// days and locations, never with records.
package kpi

// Key design, the same in each table that keeps KPI counters (surveys, complaints,
// customers, loyalty):
//
//	pk              sk                        item
//	KPI#<location>  D#<yyyy-mm-dd>#<shard>    counters of the location's local day
//	KPI#<location>  W#<yyyy>-W<ww>#<shard>    distinct counts of its ISO week (loyalty)
//	KPI#<location>  M#<yyyy-mm>#<shard>       distinct counts of its month (loyalty)
//
// Access patterns:
//
//	count an event          UpdateItem ADD in the event's own transaction, on the
//	                        shard of the event's id
//	a period's counters     Query KPI#<location>, sk BETWEEN D#<from># and D#<to>#~
//	                        (W#, M# alike): every shard of every day in the period

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// The counters, by the table that keeps them. Rates are computed by the report from
// these parts, never stored.
const (
	// surveys: responses at the location, and the NPS and CSAT parts as survey
	// results count them (promoters 9–10, detractors 0–6; satisfied 4–5 of 1–5).
	Responses  = "responses"
	NPSCount   = "npsN"
	Promoters  = "npsPro"
	Detractors = "npsDet"
	CSATCount  = "csatN"
	Satisfied  = "csatSat"
	// complaints: cases opened, resolutions, and resolutions within the resolve SLA.
	Opened      = "opened"
	Resolved    = "resolved"
	ResolvedMet = "resolvedMet"
	// customers: visits, and visits by a customer who had visited the location before.
	Visits       = "visits"
	RepeatVisits = "repeatVisits"
	// loyalty: points earned and redeemed at the location (net of reversals, on the
	// reversal's day), and members active there (day, week and month items each).
	PointsIssued   = "pointsIssued"
	PointsRedeemed = "pointsRedeemed"
	ActiveMembers  = "activeMembers"
)

// Kind is a counter item's period: a day, an ISO week or a month.
type Kind string

// The kinds of counter items.
const (
	Day   Kind = "D"
	Week  Kind = "W"
	Month Kind = "M"
)

// Shards spreads a period's counters over items, so concurrent events at one
// location rarely contend for one item in their transactions.
const Shards = 4

// PK is a location's counter partition.
func PK(location string) string { return "KPI#" + location }

// SK is the sort key of a period's counter item on a shard.
func SK(kind Kind, period string, shard int) string {
	return fmt.Sprintf("%s#%s#%d", kind, period, shard)
}

// Shard is the shard of an event (or a member) by its id.
func Shard(id string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	return int(h.Sum32() % Shards)
}

// Periods are the day, ISO week and month of an instant at a location.
type Periods struct {
	Day   string // 2026-12-06
	Week  string // 2026-W49
	Month string // 2026-12
}

// Key is the period key of a kind.
func (p Periods) Key(k Kind) string {
	switch k {
	case Week:
		return p.Week
	case Month:
		return p.Month
	}
	return p.Day
}

// DayFormat is a day's period key.
const DayFormat = "2006-01-02"

// At are the periods of t in the location's time zone (an IANA name; UTC when empty).
func At(t time.Time, zone string) (Periods, error) {
	z := time.UTC
	if zone != "" {
		var err error
		if z, err = time.LoadLocation(zone); err != nil {
			return Periods{}, fmt.Errorf("kpi: time zone %q: %w", zone, err)
		}
	}
	return Of(t.In(z)), nil
}

// Of are the periods of a local time (its own zone).
func Of(local time.Time) Periods {
	y, w := local.ISOWeek()
	return Periods{Day: local.Format(DayFormat), Week: fmt.Sprintf("%04d-W%02d", y, w), Month: local.Format("2006-01")}
}

// Add is the transaction item adding counts (zeros left out) to a location's counter
// item; ok is false when there is nothing to add.
func Add(table, location, sk string, counts map[string]int) (item types.TransactWriteItem, ok bool, err error) {
	u := expression.Set(expression.Name("locationId"), expression.Value(location))
	for _, name := range sortedNames(counts) {
		if counts[name] != 0 {
			u, ok = u.Add(expression.Name(name), expression.Value(counts[name])), true
		}
	}
	if !ok {
		return types.TransactWriteItem{}, false, nil
	}
	expr, err := expression.NewBuilder().WithUpdate(u).Build()
	if err != nil {
		return types.TransactWriteItem{}, false, err
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(table), Key: dynamo.Key(PK(location), sk),
		UpdateExpression: expr.Update(), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}}, true, nil
}

func sortedNames(m map[string]int) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names) // the same expression on every retry
	return names
}

// Counts are counters by name.
type Counts map[string]int

// Read sums a location's counter items of one kind whose periods lie from..to
// (inclusive period keys), by period: the shards of a period add up. One Query,
// paged; its size grows with the periods, never with the events counted.
func Read(ctx context.Context, db dynamo.API, table, location string, kind Kind, from, to string) (map[string]Counts, error) {
	out := map[string]Counts{}
	err := query(ctx, db, table, location, kind, from, to, func(period string, item map[string]types.AttributeValue) {
		if i := strings.LastIndexByte(period, '#'); i >= 0 {
			period = period[:i]
		}
		if out[period] == nil {
			out[period] = Counts{}
		}
		out[period].add(item)
	})
	return out, err
}

// query runs f on each of a location's counter items of a kind whose periods lie
// from..to, with the item's sort key after the kind's prefix.
func query(ctx context.Context, db dynamo.API, table, location string, kind Kind, from, to string, f func(rest string, item map[string]types.AttributeValue)) error {
	prefix := string(kind) + "#"
	p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:              aws.String(table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(PK(location)), ":from": dynamo.S(prefix + from + "#"), ":to": dynamo.S(prefix + to + "#~"),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return dynamo.Unavailable(err, "read KPI counters")
		}
		for _, item := range page.Items {
			if sk, _ := item["sk"].(*types.AttributeValueMemberS); sk != nil {
				f(strings.TrimPrefix(sk.Value, prefix), item)
			}
		}
	}
	return nil
}

// add adds an item's numeric attributes to the counts.
func (c Counts) add(item map[string]types.AttributeValue) {
	for name, av := range item {
		if n, ok := av.(*types.AttributeValueMemberN); ok {
			if v, err := strconv.Atoi(n.Value); err == nil {
				c[name] += v
			}
		}
	}
}
