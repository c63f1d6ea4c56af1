package complaint

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/kpi"
)

// MaxReportDays bounds a report's period.
const MaxReportDays = 366

// Report is the complaints report of a period: cases opened in it, by their local day
// of intake at each location.
type Report struct {
	From       string         `json:"from"`
	To         string         `json:"to"`
	LocationID string         `json:"locationId,omitempty"`
	Total      int            `json:"total"`
	ByCategory map[string]int `json:"byCategory"`
	ByStatus   map[string]int `json:"byStatus"`
	ByLocation map[string]int `json:"byLocation"`
	BySeverity map[string]int `json:"bySeverity"`
	ByChannel  map[string]int `json:"byChannel"`
	SLA        struct {
		Acknowledge Compliance `json:"acknowledge"`
		Resolve     Compliance `json:"resolve"`
	} `json:"sla"`
	// Times are in business minutes of each case's location, pauses not counted.
	TimeToAcknowledge Times `json:"timeToAcknowledge"`
	TimeToResolve     Times `json:"timeToResolve"`
	// ReopenRate is the share of resolved cases reopened at least once.
	ReopenRate    float64     `json:"reopenRate"`
	Reopens       int         `json:"reopens"`
	TopRootCauses []RootCount `json:"topRootCauses"`
}

// Compliance counts deadlines met and missed; breached counts clocks that passed their
// deadline while still running (including open cases).
type Compliance struct {
	Met        int      `json:"met"`
	Missed     int      `json:"missed"`
	Breached   int      `json:"breached"`
	Compliance *float64 `json:"compliance"`
}

// Times summarises durations in business minutes.
type Times struct {
	Count         int      `json:"count"`
	MedianMinutes *float64 `json:"medianMinutes"`
	P90Minutes    *float64 `json:"p90Minutes"`
}

// RootCount is a root cause with how often it was given.
type RootCount struct {
	RootCause string `json:"rootCause"`
	Count     int    `json:"count"`
}

// Report builds the report from the aggregates of each visible location: a query per
// location, its cost growing with days and never with cases.
func (s *Service) Report(ctx context.Context, p auth.Principal, from, to, locationID string) (Report, error) {
	now := s.Clock.Now()
	f, t, err := period(from, to, now)
	if err != nil {
		return Report{}, err
	}
	locs, err := s.within(ctx, p, locationID)
	if err != nil {
		return Report{}, err
	}
	r := Report{From: f, To: t, LocationID: locationID, ByCategory: map[string]int{}, ByStatus: map[string]int{},
		ByLocation: map[string]int{}, BySeverity: map[string]int{}, ByChannel: map[string]int{}, TopRootCauses: []RootCount{}}
	var ackTimes, resTimes []float64
	roots := map[string]int{}
	var resolvedCases, reopenedCases int
	for _, loc := range locs {
		err := s.Store.eachAggregate(ctx, loc, f, t, func(item map[string]types.AttributeValue) {
			for name, v := range item {
				switch n := v.(type) {
				case *types.AttributeValueMemberN:
					var x int
					fmt.Sscan(n.Value, &x)
					key, sub, _ := strings.Cut(name, "#")
					switch key {
					case "n":
						r.Total += x
						r.ByLocation[loc] += x
					case "cat":
						r.ByCategory[sub] += x
					case "st":
						r.ByStatus[sub] += x
					case "sev":
						r.BySeverity[sub] += x
					case "ch":
						r.ByChannel[sub] += x
					case "rc":
						roots[sub] += x
					case "ackMet":
						r.SLA.Acknowledge.Met += x
					case "ackMissed":
						r.SLA.Acknowledge.Missed += x
					case "resMet":
						r.SLA.Resolve.Met += x
					case "resMissed":
						r.SLA.Resolve.Missed += x
					case "breached":
						if sub == "acknowledge" {
							r.SLA.Acknowledge.Breached += x
						} else {
							r.SLA.Resolve.Breached += x
						}
					case "resolvedCases":
						resolvedCases += x
					case "reopenedCases":
						reopenedCases += x
					case "reopens":
						r.Reopens += x
					}
				case *types.AttributeValueMemberL:
					for _, e := range n.Value {
						if num, ok := e.(*types.AttributeValueMemberN); ok {
							var x float64
							fmt.Sscan(num.Value, &x)
							if name == "ackMinutes" {
								ackTimes = append(ackTimes, x)
							} else if name == "resMinutes" {
								resTimes = append(resTimes, x)
							}
						}
					}
				}
			}
		})
		if err != nil {
			return Report{}, err
		}
	}
	for k, v := range r.ByStatus {
		if v == 0 {
			delete(r.ByStatus, k)
		}
	}
	r.SLA.Acknowledge.Compliance = ratio(r.SLA.Acknowledge.Met, r.SLA.Acknowledge.Met+r.SLA.Acknowledge.Missed)
	r.SLA.Resolve.Compliance = ratio(r.SLA.Resolve.Met, r.SLA.Resolve.Met+r.SLA.Resolve.Missed)
	r.TimeToAcknowledge, r.TimeToResolve = summarise(ackTimes), summarise(resTimes)
	if resolvedCases > 0 {
		r.ReopenRate = math.Round(float64(reopenedCases)/float64(resolvedCases)*1000) / 1000
	}
	for rc, n := range roots {
		if n > 0 {
			r.TopRootCauses = append(r.TopRootCauses, RootCount{rc, n})
		}
	}
	sort.Slice(r.TopRootCauses, func(i, j int) bool {
		a, b := r.TopRootCauses[i], r.TopRootCauses[j]
		return a.Count > b.Count || (a.Count == b.Count && a.RootCause < b.RootCause)
	})
	if len(r.TopRootCauses) > 5 {
		r.TopRootCauses = r.TopRootCauses[:5]
	}
	return r, nil
}

func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	v := math.Round(float64(a)/float64(b)*1000) / 1000
	return &v
}

// summarise gives the median and the 90th percentile (nearest rank).
func summarise(v []float64) Times {
	t := Times{Count: len(v)}
	if len(v) == 0 {
		return t
	}
	sort.Float64s(v)
	rank := func(q float64) *float64 {
		i := int(math.Ceil(q*float64(len(v)))) - 1
		x := v[max(0, i)]
		return &x
	}
	t.MedianMinutes, t.P90Minutes = rank(0.5), rank(0.9)
	return t
}

// period reads from and to as dates (YYYY-MM-DD); by default the last 30 days up to
// the latest local day anywhere.
func period(from, to string, now time.Time) (string, string, error) {
	return kpi.Days(from, to, now.Add(14*time.Hour), 30, MaxReportDays)
}

// eachAggregate calls fn with every aggregate item of a location in the period.
func (s *Store) eachAggregate(ctx context.Context, loc, from, to string, fn func(map[string]types.AttributeValue)) error {
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(aggPK(loc)), ":from": dynamo.S(from + "#"), ":to": dynamo.S(to + "#~"),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return dynamo.Unavailable(err, "read complaint report")
		}
		for _, it := range page.Items {
			fn(it)
		}
	}
	return nil
}
