package customer_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/shared/auth"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

func ids(ps []customer.Profile) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func fieldOf(err error) string {
	var pe *problem.Error
	if errors.As(err, &pe) && len(pe.Fields) > 0 {
		return pe.Fields[0].Field
	}
	return ""
}

// Search over DynamoDB Local: a phone in any spelling and an email in any case find
// their one customer; other text is the start of a name among one home location's
// customers only, page by page; a customer the caller does not see is never returned;
// a renamed, merged or erased customer leaves the name index.
func TestSearch(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	svc := &customer.Service{Store: s, Cursors: curs.New(curs.Static("search-test-key"))}
	for _, l := range []string{"sh-01", "bj-01"} {
		if _, err := s.Locations.(*location.Store).PutLocation(ctx, place.Location{ID: l, Name: l, TimeZone: "Asia/Shanghai"}, 0); err != nil {
			t.Fatal(err)
		}
	}
	create := func(in customer.ProfileInput) customer.Profile {
		t.Helper()
		p, created, err := s.CreateProfile(ctx, in, "agent-1", t0)
		if err != nil || !created {
			t.Fatalf("create %+v: %v %v", in, created, err)
		}
		return p
	}
	li := create(customer.ProfileInput{Name: str("Li  Lei"), Phone: str("+86 138-0013-8000"), Email: str("Li.Lei@Example.com"), LocationID: str("sh-01")})
	lin := create(customer.ProfileInput{Name: str("lin fang"), LocationID: str("sh-01")})
	liBJ := create(customer.ProfileInput{Name: str("Li Na"), Phone: str("13900139000"), LocationID: str("bj-01")})
	create(customer.ProfileInput{Name: str("Wang Fang"), LocationID: str("sh-01")})
	create(customer.ProfileInput{Name: str("李雷"), LocationID: str("sh-01")})

	admin := auth.Principal{Subject: "admin", Roles: []string{"admin"}, All: true}
	sh := auth.Principal{Subject: "agent-sh", Roles: []string{"agent"}, Locations: []string{"sh-01"}}
	search := func(p auth.Principal, q customer.SearchQuery) []string {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = customer.DefaultSearchLimit
		}
		page, err := svc.Search(ctx, p, q)
		if err != nil {
			t.Fatalf("search %+v: %v", q, err)
		}
		return ids(page.Items)
	}

	for _, q := range []string{"13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "LI.LEI@example.COM", " li.lei@example.com "} {
		if got := search(sh, customer.SearchQuery{Q: q}); !slices.Equal(got, []string{li.ID}) {
			t.Errorf("q=%q: %v, want %s", q, got, li.ID)
		}
	}
	if got := search(sh, customer.SearchQuery{Q: li.ID}); !slices.Equal(got, []string{li.ID}) {
		t.Errorf("by id: %v", got)
	}
	// Another location's customer is not found by phone, id or name by a token of sh-01.
	for _, q := range []customer.SearchQuery{{Q: "139 0013 9000"}, {Q: "li na", LocationID: "sh-01"}} {
		if got := search(sh, q); len(got) != 0 {
			t.Errorf("%+v by sh-01: %v, want nothing", q, got)
		}
	}
	if _, err := svc.Search(ctx, sh, customer.SearchQuery{Q: liBJ.ID, Limit: 10}); fieldOf(err) != "locationId" {
		t.Errorf("bj-01's customer id by sh-01 without a location: %v, want 400 naming locationId (as for no customer)", err)
	}
	if got := search(admin, customer.SearchQuery{Q: "139 0013 9000"}); !slices.Equal(got, []string{liBJ.ID}) {
		t.Errorf("admin by phone: %v", got)
	}
	// Names: a case-folded prefix within the location asked for, by name.
	if got := search(sh, customer.SearchQuery{Q: "LI", LocationID: "sh-01"}); !slices.Equal(got, []string{li.ID, lin.ID}) {
		t.Errorf("name LI at sh-01: %v, want Li Lei then lin fang", got)
	}
	if got := search(sh, customer.SearchQuery{Q: "li   lei", LocationID: "sh-01"}); !slices.Equal(got, []string{li.ID}) {
		t.Errorf("name 'li   lei': %v", got)
	}
	if got := search(sh, customer.SearchQuery{Q: "李", LocationID: "sh-01"}); len(got) != 1 {
		t.Errorf("name 李: %v", got)
	}
	if got := search(admin, customer.SearchQuery{Q: "li", LocationID: "bj-01"}); !slices.Equal(got, []string{liBJ.ID}) {
		t.Errorf("name li at bj-01: %v", got)
	}
	// Bad input names its field; another location is 404.
	for _, tt := range []struct {
		q     customer.SearchQuery
		field string
	}{
		{customer.SearchQuery{Q: "li"}, "locationId"},
		{customer.SearchQuery{Q: ""}, "locationId"},
		{customer.SearchQuery{Q: "li@"}, "q"},
		{customer.SearchQuery{Q: "li", LocationID: "sh-01", Cursor: "e30.AAAA"}, "cursor"},
	} {
		if _, err := svc.Search(ctx, sh, tt.q); fieldOf(err) != tt.field {
			t.Errorf("%+v: %v, want 400 naming %s", tt.q, err, tt.field)
		}
	}
	if _, err := svc.Search(ctx, sh, customer.SearchQuery{Q: "li", LocationID: "bj-01", Limit: 10}); problem.KindOf(err) != problem.NotFound {
		t.Errorf("name at bj-01 by sh-01: %v, want 404", err)
	}

	// Pages: an empty q lists the location's named customers by name, two at a time;
	// a cursor is bound to its search.
	var all []string
	cursor := ""
	for range 10 {
		page, err := svc.Search(ctx, sh, customer.SearchQuery{LocationID: "sh-01", Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids(page.Items)...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
		if _, err := svc.Search(ctx, sh, customer.SearchQuery{Q: "w", LocationID: "sh-01", Limit: 2, Cursor: cursor}); fieldOf(err) != "cursor" {
			t.Errorf("a cursor of another search: %v, want 400 naming cursor", err)
		}
	}
	if len(all) != 4 || all[0] != li.ID || all[1] != lin.ID {
		t.Errorf("paged: %v, want the four sh-01 customers by name", all)
	}

	// A rename moves the name; an erased customer is gone from the index.
	if _, err := s.PatchProfile(ctx, lin.ID, customer.ProfileInput{Name: str("Zhou Fang")}, "agent-1", t0); err != nil {
		t.Fatal(err)
	}
	if got := search(sh, customer.SearchQuery{Q: "zhou", LocationID: "sh-01"}); !slices.Equal(got, []string{lin.ID}) {
		t.Errorf("renamed: %v", got)
	}
	if got := search(sh, customer.SearchQuery{Q: "lin", LocationID: "sh-01"}); len(got) != 0 {
		t.Errorf("the old name still finds: %v", got)
	}
	if _, err := s.EraseCustomer(ctx, li.ID, "erased-1", []string{li.ID}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []customer.SearchQuery{{Q: "li lei", LocationID: "sh-01"}, {Q: "13800138000"}, {Q: "li.lei@example.com"}} {
		if got := search(admin, q); len(got) != 0 {
			t.Errorf("%+v after erasure: %v, want nothing", q, got)
		}
	}
	if out, _, err := s.SearchByName(ctx, "sh-01", "li", 10, nil); err != nil || len(out) != 0 {
		t.Errorf("the name index after erasure: %v %v", ids(out), err)
	}
}

// A merged duplicate leaves the name index; its survivor stays.
func TestSearchAfterMerge(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var made []customer.Profile
	for i := range 2 {
		p, _, err := s.CreateProfile(ctx, customer.ProfileInput{Name: str(fmt.Sprintf("Chen Jing %d", i)), LocationID: str("sh-01")}, "agent-1", t0)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, p)
	}
	if _, err := s.StartMerge(ctx, made[0].ID, made[1].ID, "manager-1", t0); err != nil {
		t.Fatal(err)
	}
	out, _, err := s.SearchByName(ctx, "sh-01", "chen jing", 10, nil)
	if err != nil || !slices.Equal(ids(out), []string{made[0].ID}) {
		t.Errorf("after the merge: %v %v, want only the survivor %s", ids(out), err, made[0].ID)
	}
}
