package reward

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/place"
)

// The voucher report's counters, kept in the rewards table's KPI items (shared/kpi) of
// the location and local day where each thing happened, in the transaction that does
// it: a retried request, refused by that transaction's conditions, never counts twice.
// Each is also kept per reward ("<name>|r|<rewardId>") and per campaign
// ("<name>|c|<campaignId>") where the voucher has one.
const (
	Issued    = "vIssued"    // at the location it was issued at
	Redeemed  = "vRedeemed"  // at the till's location, net of reversals (on the reversal's day)
	Cancelled = "vCancelled" // at the location it was issued at
	Expired   = "vExpired"   // at the location it was issued at, when the timers job counts it
	// PointsSpent are the points members spent on rewards, where they took them.
	PointsSpent = "rewardPoints"
)

// Locations give the locations' time zones, for the local day an event counts on.
type Locations interface {
	Location(ctx context.Context, id string) (place.Location, error)
}

// counts are n of the counter name for v, in total and by its reward and campaign.
func counts(name string, v Voucher, n int) map[string]int {
	c := map[string]int{name: n}
	if v.Source.RewardID != "" {
		c[name+"|r|"+v.Source.RewardID] = n
	}
	if v.Source.Kind == SourceCampaign {
		c[name+"|c|"+v.Source.ID] = n
	}
	return c
}

// countItems are the items adding c at location on the local day of at, on the shard
// of id; none without a location (a voucher issued nowhere in particular counts in no
// location's report).
func (s *Store) countItems(ctx context.Context, location string, at time.Time, id string, c map[string]int) ([]types.TransactWriteItem, error) {
	if location == "" {
		return nil, nil
	}
	zone := ""
	if s.Locations != nil {
		switch l, err := s.Locations.Location(ctx, location); {
		case err == nil:
			zone = l.TimeZone
		case !errors.Is(err, place.ErrNotFound):
			return nil, err
		}
	}
	p, err := kpi.At(at, zone)
	if err != nil {
		return nil, err
	}
	item, ok, err := kpi.Add(s.Table, location, kpi.SK(kpi.Day, p.Day, kpi.Shard(id)), c)
	if err != nil || !ok {
		return nil, err
	}
	return []types.TransactWriteItem{item}, nil
}

// Spent are the counts of points spent on reward r (a take), for IssueItems to count
// with the voucher's issue.
func Spent(r Reward, points int) map[string]int {
	return map[string]int{PointsSpent: points, PointsSpent + "|r|" + r.ID: points}
}

// Figures are a report's sums: the counters in total, by reward, by campaign and by
// location.
type Figures struct {
	Issued      int `json:"issued"`
	Redeemed    int `json:"redeemed"`
	Cancelled   int `json:"cancelled"`
	Expired     int `json:"expired"`
	PointsSpent int `json:"pointsSpent"`
	// RedemptionRate is redeemed over issued; nil when none was issued.
	RedemptionRate *float64 `json:"redemptionRate"`
}

// Report is the voucher report of a period over some locations.
type Report struct {
	From       string             `json:"from"`
	To         string             `json:"to"`
	Locations  []string           `json:"locations"`
	Total      Figures            `json:"total"`
	ByReward   map[string]Figures `json:"byReward"`
	ByCampaign map[string]Figures `json:"byCampaign"`
	// ByLocation are each location's figures: issued, cancelled and expired where the
	// voucher was issued, redeemed at the till's location.
	ByLocation map[string]Figures `json:"byLocation"`
}

// Tally sums counter items into a report.
func Tally(from, to string, locations []string, counts []kpi.Counts) Report {
	rep := Report{From: from, To: to, Locations: locations, ByReward: map[string]Figures{}, ByCampaign: map[string]Figures{},
		ByLocation: map[string]Figures{}}
	for _, c := range counts {
		names := make([]string, 0, len(c))
		for name := range c {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			base, by, key := split(name)
			switch by {
			case "":
				rep.Total = rep.Total.add(base, c[name])
			case "r":
				rep.ByReward[key] = rep.ByReward[key].add(base, c[name])
			case "c":
				rep.ByCampaign[key] = rep.ByCampaign[key].add(base, c[name])
			}
		}
	}
	rep.Total = rep.Total.rated()
	for k, f := range rep.ByReward {
		rep.ByReward[k] = f.rated()
	}
	for k, f := range rep.ByCampaign {
		rep.ByCampaign[k] = f.rated()
	}
	return rep
}

// split reads a counter name: "vIssued|r|tea" is vIssued by reward tea.
func split(name string) (base, by, key string) {
	parts := strings.SplitN(name, "|", 3)
	if len(parts) == 3 {
		return parts[0], parts[1], parts[2]
	}
	return name, "", ""
}

func (f Figures) add(name string, n int) Figures {
	switch name {
	case Issued:
		f.Issued += n
	case Redeemed:
		f.Redeemed += n
	case Cancelled:
		f.Cancelled += n
	case Expired:
		f.Expired += n
	case PointsSpent:
		f.PointsSpent += n
	}
	return f
}

func (f Figures) rated() Figures {
	f.RedemptionRate = nil
	if f.Issued > 0 {
		r := float64(f.Redeemed) / float64(f.Issued)
		f.RedemptionRate = &r
	}
	return f
}
