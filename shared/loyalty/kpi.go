package loyalty

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/place"
)

// The loyalty KPI counters (shared/kpi), at the location an earn or redeem names:
// pointsIssued are earns' gross points, pointsRedeemed redeems' points; a reversal
// takes its entry's points back off on the reversal's own day, so closed periods never
// change and a range holding both nets out. Bonuses, adjustments and expiries name no
// location and are not counted. activeMembers counts the members with an earn or a
// redeem there: each member once per day, ISO week and month, decided by the last
// active day the account keeps per location (Account.Active), written under the
// account's rev condition so two concurrent first activities cannot both count.

// Locations reads the locations registry: a location's time zone decides the local
// day its points and members count on.
type Locations interface {
	Location(ctx context.Context, id string) (place.Location, error)
}

// zone is a location's time zone; UTC ("") without a registry or for a location the
// registry does not know.
func (s *Service) zone(ctx context.Context, location string) (string, error) {
	if s.Locations == nil {
		return "", nil
	}
	switch l, err := s.Locations.Location(ctx, location); {
	case err == nil:
		return l.TimeZone, nil
	case errors.Is(err, place.ErrNotFound):
		return "", nil
	default:
		return "", err
	}
}

// counted are the items adding an entry's points (counts) at a location to its
// counters, and, when the entry is an activity, its member's firsts (marked on next).
func (s *Service) counted(location, zone string, e Entry, next *Account, counts map[string]int) ([]types.TransactWriteItem, error) {
	p, err := kpi.At(e.At, zone)
	if err != nil {
		return nil, err
	}
	var f firsts
	if next != nil {
		f = markActive(next, location, p)
	}
	return s.Store.kpiItems(location, e.CustomerID, p, counts, f)
}

// firsts says in which periods an activity is the member's first at the location.
type firsts struct{ day, week, month bool }

func (f firsts) any() bool { return f.day || f.week || f.month }

// markActive records on next (the account as it will be written) that the member was
// active at the location in p, and says in which periods that is a first. An activity
// dated before the last one recorded (clocks apart) is no first and changes nothing.
func markActive(next *Account, location string, p kpi.Periods) firsts {
	last := next.Active[location]
	if last >= p.Day {
		return firsts{}
	}
	f := firsts{day: true, week: true, month: true}
	if t, err := time.Parse(kpi.DayFormat, last); err == nil {
		lp := kpi.Of(t)
		f.week, f.month = lp.Week != p.Week, lp.Month != p.Month
	}
	next.Active = maps.Clone(next.Active)
	if next.Active == nil {
		next.Active = map[string]string{}
	}
	next.Active[location] = p.Day
	return f
}

// kpiItems add an entry's points (counts) and its member's firsts to the location's
// counters of p, on the member's shard.
func (s *Store) kpiItems(location, cid string, p kpi.Periods, counts map[string]int, f firsts) ([]types.TransactWriteItem, error) {
	shard := kpi.Shard(cid)
	day := maps.Clone(counts)
	if f.day {
		day[kpi.ActiveMembers] = 1
	}
	var items []types.TransactWriteItem
	for _, c := range []struct {
		kind   kpi.Kind
		counts map[string]int
	}{
		{kpi.Day, day},
		{kpi.Week, map[string]int{kpi.ActiveMembers: boolInt(f.week)}},
		{kpi.Month, map[string]int{kpi.ActiveMembers: boolInt(f.month)}},
	} {
		it, ok, err := kpi.Add(s.Table, location, kpi.SK(c.kind, p.Key(c.kind), shard), c.counts)
		if err != nil {
			return nil, err
		}
		if ok {
			items = append(items, it)
		}
	}
	return items, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
