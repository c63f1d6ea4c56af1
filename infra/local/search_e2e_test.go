package local_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// The console's search and survey list through the runner's real routes and tokens,
// over DynamoDB Local: the front desk finds a guest by phone in any spelling, by email
// in any case or by the start of a name at its location, never another location's
// guest; the survey list shows a token its own surveys.
func TestSearchOverHTTP(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	now := s.cfg.Clock.Now()
	for _, id := range []string{"loc-1", "loc-2"} {
		l := local.DemoLocation(now)
		l.ID = id
		if r := s.staffCall(t, "admin", "*", "POST", "/v1/locations", jsonOf(l)); r.status != http.StatusCreated {
			t.Fatalf("location %s: %d %s", id, r.status, r.body)
		}
	}
	guests := map[string]string{
		"g-1": `{"customerId":"g-1","name":"Zhang Wei","phone":"+86 138 0013 8000","email":"Zhang.Wei@Example.com","locationId":"loc-1"}`,
		"g-2": `{"customerId":"g-2","name":"zhang min","locationId":"loc-1"}`,
		"g-3": `{"customerId":"g-3","name":"Zhang Li","phone":"13900139000","locationId":"loc-2"}`,
	}
	for id, body := range guests {
		if r := s.staffCall(t, "admin", "*", "POST", "/v1/customers", body); r.status != http.StatusCreated {
			t.Fatalf("guest %s: %d %s", id, r.status, r.body)
		}
	}
	search := func(locations string, query url.Values) (int, []string, *string) {
		t.Helper()
		r := s.staffCall(t, "agent", locations, "GET", "/v1/customers?"+query.Encode(), "")
		if r.status != http.StatusOK {
			return r.status, nil, nil
		}
		page := decode[customer.SearchPage](t, r)
		var ids []string
		for _, p := range page.Items {
			ids = append(ids, p.ID)
		}
		return r.status, ids, page.NextCursor
	}
	for _, tt := range []struct {
		name      string
		locations string
		query     url.Values
		status    int
		want      []string
	}{
		{"a phone as typed", "loc-1", url.Values{"q": {"138-0013-8000"}}, 200, []string{"g-1"}},
		{"the phone in E.164", "loc-1", url.Values{"q": {"+8613800138000"}}, 200, []string{"g-1"}},
		{"an email in other case", "loc-1", url.Values{"q": {"ZHANG.WEI@example.com"}}, 200, []string{"g-1"}},
		{"a customer id", "loc-1", url.Values{"q": {"g-2"}}, 200, []string{"g-2"}},
		{"a name at loc-1, by name", "loc-1", url.Values{"q": {"ZHANG"}, "locationId": {"loc-1"}}, 200, []string{"g-2", "g-1"}},
		{"loc-2's guest by phone, at loc-1", "loc-1", url.Values{"q": {"13900139000"}}, 200, nil},
		{"loc-2's guest by name, at loc-1", "loc-1", url.Values{"q": {"zhang li"}, "locationId": {"loc-1"}}, 200, nil},
		{"loc-2's name search, by loc-1", "loc-1", url.Values{"q": {"zhang"}, "locationId": {"loc-2"}}, 404, nil},
		{"loc-2's guest at loc-2", "loc-2", url.Values{"q": {"zhang"}, "locationId": {"loc-2"}}, 200, []string{"g-3"}},
		{"a name without a location", "loc-1", url.Values{"q": {"zhang"}}, 400, nil},
		{"a bad email", "loc-1", url.Values{"q": {"zhang@"}}, 400, nil},
		{"a bad limit", "loc-1", url.Values{"q": {"zhang"}, "locationId": {"loc-1"}, "limit": {"201"}}, 400, nil},
	} {
		status, got, _ := search(tt.locations, tt.query)
		if status != tt.status || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %d %v, want %d %v", tt.name, status, got, tt.status, tt.want)
		}
	}
	for field, query := range map[string]url.Values{
		"locationId": {"q": {"zhang"}},
		"q":          {"q": {"zhang@"}},
		"limit":      {"q": {"zhang"}, "locationId": {"loc-1"}, "limit": {"0"}},
		"cursor":     {"q": {"zhang"}, "locationId": {"loc-1"}, "cursor": {"e30.AAAA"}},
	} {
		r := s.staffCall(t, "agent", "loc-1", "GET", "/v1/customers?"+query.Encode(), "")
		if got := fieldsNamed(t, r); r.status != http.StatusBadRequest || !slices.Equal(got, []string{field}) {
			t.Errorf("%v: %d %v, want 400 naming %s", query, r.status, got, field)
		}
	}
	// Page by page with the cursor the API gave.
	var paged []string
	query := url.Values{"q": {"zhang"}, "locationId": {"loc-1"}, "limit": {"1"}}
	for range 5 {
		_, got, next := search("loc-1", query)
		paged = append(paged, got...)
		if next == nil {
			break
		}
		query.Set("cursor", *next)
	}
	if !slices.Equal(paged, []string{"g-2", "g-1"}) {
		t.Errorf("paged: %v", paged)
	}
	// An erased guest is found no more, by name or by phone.
	if r := s.staffCall(t, "manager", "loc-1", "DELETE", "/v1/customers/g-1", ""); r.status != http.StatusNoContent {
		t.Fatalf("erase: %d %s", r.status, r.body)
	}
	for _, q := range []url.Values{{"q": {"zhang wei"}, "locationId": {"loc-1"}}, {"q": {"13800138000"}, "locationId": {"loc-1"}}} {
		if status, got, _ := search("loc-1", q); status != http.StatusOK || len(got) != 0 {
			t.Errorf("%v after erasure: %d %v", q, status, got)
		}
	}

	// The survey list: loc-1's and every location's surveys for loc-1's agent, newest
	// first; not loc-2's.
	def := func(name, loc string) string {
		time.Sleep(2 * time.Millisecond) // ids sort by the millisecond they were made in
		body := `{"name":"` + name + `","questions":[{"id":"nps","type":"nps","text":{"en":"Recommend us?","zh-CN":"推荐我们吗？"}}]`
		if loc != "" {
			body += `,"locationId":"` + loc + `"`
		}
		r := s.staffCall(t, "admin", "*", "POST", "/v1/surveys", body+"}")
		if r.status != http.StatusCreated {
			t.Fatalf("define %s: %d %s", name, r.status, r.body)
		}
		return decode[survey.Survey](t, r).ID
	}
	everywhere, at1, at2 := def("Everywhere", ""), def("Lobby", "loc-1"), def("Spa", "loc-2")
	list := func(role, locations, query string) (int, []string) {
		t.Helper()
		r := s.staffCall(t, role, locations, "GET", "/v1/surveys"+query, "")
		if r.status != http.StatusOK {
			return r.status, nil
		}
		var ids []string
		for _, sv := range decode[survey.CatalogPage](t, r).Items {
			ids = append(ids, sv.ID)
		}
		return r.status, ids
	}
	for _, tt := range []struct {
		name, role, locations, query string
		status                       int
		want                         []string
	}{
		{"an agent of loc-1", "agent", "loc-1", "", 200, []string{at1, everywhere}},
		{"an agent of loc-1 at loc-1", "agent", "loc-1", "?locationId=loc-1", 200, []string{at1, everywhere}},
		{"an agent of loc-1 at loc-2", "agent", "loc-1", "?locationId=loc-2", 404, nil},
		{"head office", "admin", "*", "", 200, []string{at2, at1, everywhere}},
		{"head office at loc-2", "admin", "*", "?locationId=loc-2", 200, []string{at2, everywhere}},
		{"a system", "system", "*", "", 403, nil},
	} {
		status, got := list(tt.role, tt.locations, tt.query)
		// Surveys the stack seeded (chosen ids) come after those defined here.
		if status != tt.status || len(got) < len(tt.want) || !slices.Equal(got[:len(tt.want)], tt.want) {
			t.Errorf("%s: %d %v, want %d %v first", tt.name, status, got, tt.status, tt.want)
		}
	}
}
