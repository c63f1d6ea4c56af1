package local_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A manager issues a voucher by hand; the voucher timers deliver it, once, as a
// message carrying the link to the customer's voucher page, which shows it with its
// code in the customer's language; an altered link is refused. Through the runner's
// real routes, job, dispatcher, sender and outbox.
func TestAVoucherReachesItsCustomerWithItsPage(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Clock = clk })
	s.start(t)
	locs := &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}
	if err := local.SeedLocation(t.Context(), locs, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/customers", `{"customerId":"c-9","name":"Li Lei","email":"li.lei@example.com","locale":"en","locationId":"loc-1"}`); r.status != http.StatusCreated {
		t.Fatalf("profile: %d %s", r.status, r.body)
	}
	issued := s.staffCall(t, "manager", "loc-1", "POST", "/v1/vouchers", `{"customerId":"c-9","name":{"zh-CN":"下午茶","en":"Afternoon tea"},"kind":"gift","locationIds":["loc-1"],"validDays":30,"reason":"our apologies","locationId":"loc-1"}`)
	if issued.status != http.StatusCreated {
		t.Fatalf("issue: %d %s", issued.status, issued.body)
	}
	v := decode[reward.VoucherView](t, issued)

	s.runJob(t, "voucher-timers")
	s.runJob(t, "voucher-timers") // a second run schedules nothing more
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	msg := s.waitOutbox(t, 1)[0]
	link := regexp.MustCompile(`https?://\S+/v1/v/\S+`).FindString(msg.Body)
	if msg.Kind != "voucher" || msg.To != "li.lei@example.com" || !strings.Contains(msg.Body, `"Afternoon tea"`) || !strings.HasPrefix(link, s.srv.URL+"/v1/v/") {
		t.Fatalf("the delivery: %+v", msg)
	}
	path := strings.TrimPrefix(link, s.srv.URL)
	page := s.do(t, http.MethodGet, path, "", nil, nil)
	for _, want := range []string{`<html lang="en">`, "<h2>Afternoon tea</h2>", v.Printed, "Harbour", `src="data:image/svg+xml;base64,`} {
		if page.status != http.StatusOK || !strings.Contains(page.body, want) {
			t.Fatalf("the voucher page (%d) lacks %q:\n%s", page.status, want, page.body)
		}
	}
	if r := s.do(t, http.MethodGet, path[:len(path)-3]+"AAA", "", nil, map[string]string{"Accept-Language": "en"}); r.status != http.StatusNotFound || !strings.Contains(r.body, "Link not valid") || strings.Contains(r.body, v.Printed) {
		t.Fatalf("an altered link: %d %s", r.status, r.body)
	}
}
