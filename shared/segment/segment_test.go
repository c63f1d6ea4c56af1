package segment_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/segment"
	"github.com/rapport-crm/rapport/shared/testenv"
)

var (
	t0      = time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	manager = auth.Principal{Subject: "mgr", Roles: []string{"manager"}, Locations: []string{"loc-1"}}
)

// newFixture has five customers at loc-1: c-1 spends most and comes often and lately,
// c-5 came once, long ago, and has no address.
func newFixture(t *testing.T) *segment.Service {
	t.Helper()
	env := testenv.New(t)
	ctx := context.Background()
	clk := clock.NewManual(t0)
	customers := &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers"), Locations: &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}}
	loc := place.Location{ID: "loc-1", Name: "Harbour Hotel", TimeZone: "Asia/Shanghai"}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.Locations.(*location.Store).PutLocation(ctx, loc, 0); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		visits  int
		spend   float64
		daysAgo int
	}{{12, 9000, 2}, {6, 3000, 10}, {3, 800, 40}, {2, 150, 100}, {1, 50, 200}} {
		cid := fmt.Sprintf("c-%d", i+1)
		email := fmt.Sprintf("c%d@example.com", i+1)
		in := customer.ProfileInput{ID: cid, Email: &email, LocationID: ptr("loc-1")}
		if i == 4 {
			in.Email = nil
			in.Name = ptr("No Address")
		}
		if _, _, err := customers.CreateProfile(ctx, in, "t", t0.AddDate(-1, 0, 0)); err != nil {
			t.Fatal(err)
		}
		for v := range c.visits {
			at := t0.AddDate(0, 0, -c.daysAgo-v*7)
			err := customers.RecordVisit(ctx, customer.Visit{ID: fmt.Sprintf("%s-v%d", cid, v), SourceID: fmt.Sprintf("%s-%d", cid, v),
				CustomerID: cid, LocationID: "loc-1", Amount: c.spend / float64(c.visits), Currency: "CNY", At: at, ReceivedAt: at})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return &segment.Service{Customers: customers, Locations: customers.Locations.(*location.Store), Followups: &followup.Store{DB: env.Clients.DynamoDB, Table: env.Names("followups")},
		Rewards: &reward.Store{DB: env.Clients.DynamoDB, Table: env.Names("rewards"), Locations: customers.Locations.(*location.Store)}, Clock: clk}
}

func ptr[T any](v T) *T { return &v }

func TestValueJobSegmentsAndCampaigns(t *testing.T) {
	s := newFixture(t)
	ctx := context.Background()
	rep, err := s.RecomputeValue(ctx, t0)
	if err != nil || rep.Customers != 5 {
		t.Fatalf("value run: %+v %v", rep, err)
	}
	top, _ := s.Customers.Profile(ctx, "c-1")
	last, _ := s.Customers.Profile(ctx, "c-5")
	// Quintiles over five customers: the best in every figure scores 5, the worst 1.
	if top.Value == nil || top.Value.RFM != (customer.RFM{R: 5, F: 5, M: 5}) || top.Value.ABC != customer.ClassA || top.Value.Tier != customer.TierVIP || top.Value.CLV.Value <= 0 {
		t.Fatalf("top customer %+v", top.Value)
	}
	if last.Value == nil || last.Value.RFM != (customer.RFM{R: 1, F: 1, M: 1}) || last.Value.ABC != customer.ClassC {
		t.Fatalf("last customer %+v", last.Value)
	}
	seg, err := s.Create(ctx, manager, segment.Segment{Name: "Best guests", Filter: segment.Filter{LocationID: "loc-1", ABC: []string{"A", "B"}}})
	if err != nil {
		t.Fatal(err)
	}
	// ABC by spend (13,000 in all): c-1 starts at 0% and c-2 at 69% (A, under 80%),
	// c-3 at 92% (B, under 95%), c-4 and c-5 after (C).
	members, _ := s.Members(ctx, seg)
	if len(members) != 3 {
		t.Fatalf("%d members of A and B, want c-1, c-2 and c-3", len(members))
	}
	// Another location does not exist for the manager.
	if _, err := s.Create(ctx, manager, segment.Segment{Name: "x", Filter: segment.Filter{LocationID: "loc-9"}}); problem.KindOf(err) != problem.NotFound || err.Error() != `not-found: no such location` {
		t.Fatalf("another location's segment: %v", err)
	}
	if _, err := s.Get(ctx, auth.Principal{Roles: []string{"agent"}, Locations: []string{"loc-9"}}, seg.ID); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("read by another location: %v", err)
	}
	// Staff with no location see no segment.
	nowhere := auth.Principal{Subject: "agent-0", Roles: []string{"agent"}}
	if _, err := s.Get(ctx, nowhere, seg.ID); problem.KindOf(err) != problem.NotFound {
		t.Fatalf("read by staff with no location: %v", err)
	}
	if list, err := s.List(ctx, nowhere); err != nil || len(list) != 0 {
		t.Fatalf("the list of staff with no location: %+v %v", list, err)
	}
	if list, err := s.List(ctx, manager); err != nil || len(list) != 1 || list[0].ID != seg.ID {
		t.Fatalf("the manager's list: %+v %v", list, err)
	}
	c, err := s.Launch(ctx, manager, seg.ID, segment.Campaign{ID: "spring", Message: map[string]string{"en": "Spring offer", "zh-CN": "春季优惠"}})
	if err != nil || c.Scheduled != 3 {
		t.Fatalf("campaign %+v %v", c, err)
	}
	if again, _ := s.Launch(ctx, manager, seg.ID, segment.Campaign{ID: "spring", Message: map[string]string{"en": "Spring offer"}}); again.Scheduled != 0 {
		t.Fatalf("the campaign again scheduled %d", again.Scheduled)
	}
	fs, _, _ := s.Followups.ForCustomer(ctx, "c-1", 10, nil)
	if len(fs) != 1 || fs[0].Kind != followup.KindCampaign || fs[0].Body != "春季优惠" {
		t.Fatalf("c-1's follow-ups %+v", fs)
	}
}

// Customers whose last visit is older than the win-back days hear once per period.
func TestWinBackOncePerPeriod(t *testing.T) {
	s := newFixture(t)
	ctx := context.Background()
	rep, err := s.WinBack(ctx, t0)
	// c-4 (100 days) and c-5 (200 days, no address: nothing to send) are past 90 days.
	if err != nil || rep.Scheduled != 1 {
		t.Fatalf("win-back %+v %v", rep, err)
	}
	if rep, _ := s.WinBack(ctx, t0.Add(24*time.Hour)); rep.Scheduled != 0 {
		t.Fatalf("the next day: %+v", rep)
	}
	if rep, _ := s.WinBack(ctx, t0.AddDate(0, 0, 91)); rep.Scheduled < 1 {
		t.Fatalf("the next period: %+v", rep)
	}
	fs, _, _ := s.Followups.ForCustomer(ctx, "c-4", 10, nil)
	if len(fs) != 2 || fs[0].Kind != followup.KindWinBack || fs[0].TemplateID != "win-back" {
		t.Fatalf("c-4's follow-ups %+v", fs)
	}
	// A location may set its own days, or turn win-back off.
	cfg := customer.DefaultValueSettings()
	cfg.WinBack.Locations = map[string]int{"loc-1": 0}
	if _, err := s.Customers.PutValueSettings(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.WinBack(ctx, t0.AddDate(0, 0, 200)); rep.Scheduled != 0 {
		t.Fatalf("win-back turned off at loc-1 scheduled %d", rep.Scheduled)
	}
}
