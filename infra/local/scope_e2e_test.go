package local_test

import (
	"net/http"
	"testing"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A customer known only at loc-2 does not exist for a loc-1 manager on any loyalty or
// consent route, nothing of theirs changes, and a token with no locations sees no
// customer at all; once loc-1 serves the guest (a visit), its staff see them.
func TestAnotherLocationsCustomerIsNotFound(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	customers := &customer.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers"), Locations: &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}}
	if err := local.SeedLocation(t.Context(), customers.Locations.(*location.Store), s.cfg.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	west := local.DemoLocation(s.cfg.Clock.Now())
	west.ID, west.Code = "loc-2", "HB02"
	if _, err := customers.Locations.(*location.Store).PutLocation(t.Context(), west, 0); err != nil {
		t.Fatal(err)
	}
	if r := s.staffCall(t, "manager", "loc-2", "POST", "/v1/customers", `{"customerId":"c-west","name":"Sun Li","email":"sun.li@example.com","locationId":"loc-2"}`); r.status != http.StatusCreated {
		t.Fatalf("profile: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "system", "loc-2", "POST", "/v1/loyalty/c-west/earn", `{"sourceId":"till-9","points":300}`); r.status != http.StatusCreated {
		t.Fatalf("earn at loc-2: %d %s", r.status, r.body)
	}
	before := s.staffCall(t, "manager", "loc-2", "GET", "/v1/loyalty/c-west/ledger", "").body
	consentBefore := s.staffCall(t, "manager", "loc-2", "GET", "/v1/customers/c-west/consent", "").body

	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v1/loyalty/c-west", ""},
		{"GET", "/v1/loyalty/c-west/ledger", ""},
		{"PUT", "/v1/loyalty/c-west/member", `{"email":"attacker@example.com"}`},
		{"POST", "/v1/loyalty/c-west/adjust", `{"sourceId":"steal-1","points":-300,"reason":"moving points"}`},
		{"POST", "/v1/loyalty/c-west/reverse", `{"sourceId":"till-9"}`},
		{"GET", "/v1/customers/c-west", ""},
		{"GET", "/v1/customers/c-west/consent", ""},
		{"PUT", "/v1/customers/c-west/consent/email", `{"granted":false,"source":"front desk"}`},
		{"GET", "/v1/customers/c-west/timeline", ""},
	} {
		r := s.staffCall(t, "manager", "loc-1", c.method, c.path, c.body)
		if r.status != http.StatusNotFound {
			t.Errorf("a loc-1 manager %s %s: %d %s, want 404", c.method, c.path, r.status, r.body)
		}
	}
	if r := s.staffCall(t, "system", "loc-1", "POST", "/v1/loyalty/c-west/redeem", `{"sourceId":"gift-x","points":1}`); r.status != http.StatusNotFound {
		t.Errorf("loc-1's point of sale redeems loc-2's points: %d", r.status)
	}
	if after := s.staffCall(t, "manager", "loc-2", "GET", "/v1/loyalty/c-west/ledger", "").body; after != before {
		t.Errorf("the ledger changed:\n%s\n%s", before, after)
	}
	if after := s.staffCall(t, "manager", "loc-2", "GET", "/v1/customers/c-west/consent", "").body; after != consentBefore {
		t.Errorf("consent changed:\n%s\n%s", consentBefore, after)
	}
	for _, locations := range []string{"", "[]", "*"} {
		if r := s.staffCall(t, "manager", locations, "GET", "/v1/customers/c-west", ""); r.status != http.StatusNotFound {
			t.Errorf("a manager with locations %q sees the customer: %d", locations, r.status)
		}
	}

	// loc-1's till serves the guest: now they belong to loc-1 too.
	if r := s.staffCall(t, "system", "loc-1", "POST", "/v1/visits", `{"sourceId":"pos-1-77","customerId":"c-west","locationId":"loc-1"}`); r.status != http.StatusCreated {
		t.Fatalf("visit at loc-1: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "manager", "loc-1", "GET", "/v1/loyalty/c-west", ""); r.status != http.StatusOK {
		t.Errorf("after a visit at loc-1, its manager reads the account: %d %s", r.status, r.body)
	}
}
