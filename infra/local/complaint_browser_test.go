package local_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
	"github.com/chromedp/chromedp/kb"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/testenv"
)

var complaintReference = regexp.MustCompile(`^[A-Z0-9]+-\d{8}-\d{4}$`)

// A customer scans the QR code at a location with a phone, chooses a category, types
// what happened and how to reach them, sends the form and lands on the case's tracking
// page with a "received" banner, a reference and the reply deadline in the location's
// zone; exactly one case is opened. Reloading that page asks nothing and posts
// nothing (the post answered 303 See Other), and Back goes to the form. A second
// customer's phone runs no JavaScript at all; they leave no phone or email, tap the
// button twice and reload: one case, and a page telling them it is the only way to
// follow it.
func TestComplaintBrowserFormOnAPhone(t *testing.T) {
	ctx := browser(t)
	s := newStack(t, testenv.New(t), nil)
	// The browser goes through a proxy that notes each request's method and path.
	var (
		mu   sync.Mutex
		seen []string
	)
	target, _ := url.Parse(s.srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	// requests are the requests since the last call.
	requests := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := seen
		seen = nil
		return out
	}
	customers := &customer.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers"), Locations: &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}}
	loc := place.Location{ID: "gz-03", Name: "Guangzhou Tianhe Store", TimeZone: "Asia/Shanghai",
		WeeklyHours: map[string][]string{"mon": {"00:00-24:00"}, "tue": {"00:00-24:00"}, "wed": {"00:00-24:00"},
			"thu": {"00:00-24:00"}, "fri": {"00:00-24:00"}, "sat": {"00:00-24:00"}, "sun": {"00:00-24:00"}},
		Branding: place.Branding{Color: "#c8102e", FooterText: "Tianhe Road 208, Guangzhou"}}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.Locations.(*location.Store).PutLocation(context.Background(), loc, 0); err != nil {
		t.Fatal(err)
	}
	svc := &complaint.Service{Store: &complaint.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("complaints")},
		Locations: customers.Locations.(*location.Store), Customers: customers, Clock: s.cfg.Clock}
	// cases are the location's cases, each read whole (the queue lists them without
	// their description).
	cases := func(t *testing.T) []complaint.Case {
		t.Helper()
		manager := auth.Principal{Subject: "a1", Roles: []string{"manager"}, Locations: []string{loc.ID}}
		queue, err := svc.Queue(context.Background(), manager, complaint.QueueQuery{LocationID: loc.ID, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		whole := make([]complaint.Case, len(queue.Items))
		for i, c := range queue.Items {
			if whole[i], err = svc.Get(context.Background(), manager, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		return whole
	}
	form := front.URL + "/v1/c/" + loc.ID

	if err := chromedp.Do(ctx, chromedp.Emulate(device.IPhone12)); err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(form+"?lang=en"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("opening the form: status %d", resp.Status)
	}

	t.Run("fits a phone", func(t *testing.T) {
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("the page scrolls sideways on a 390 px wide phone (%v)", err)
		}
		smallest, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
			`Math.min(...[...document.querySelectorAll('select, textarea, input:not([type=hidden]):not(#website), button, a.lang')].map(e => e.getBoundingClientRect().height))`))
		if err != nil || smallest < 44 {
			t.Errorf("the smallest touch target is %.0f px high, want at least 44 (%v)", smallest, err)
		}
		hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('website').getBoundingClientRect().right < 0`))
		if err != nil || !hidden {
			t.Errorf("the honeypot is on screen (%v)", err)
		}
		name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".brand .name")))
		if err != nil || name != loc.Name {
			t.Errorf("the page shows %q as the location (%v)", name, err)
		}
	})

	// Choose "Billing and payment" with the keyboard, as a phone's picker does, then type.
	err = chromedp.Do(ctx, fillComplaint("Charged twice for one coffee.\nPlease refund.", "Chen Jing", "139 1234 5678", "chen.jing@example.com")...)
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "complaint-form-phone.png", shot)

	requests()
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
	if err != nil {
		t.Fatal(err)
	}
	landed, _ := url.Parse(resp.URL)
	if resp.Status != http.StatusOK || !strings.HasPrefix(landed.Path, "/v1/complaints/track/") || landed.Query().Get("received") != "1" {
		t.Fatalf("sending the form: status %d at %s; want 200 at the case's tracking page with its banner", resp.Status, resp.URL)
	}
	ref, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("reference")))
	if err != nil {
		t.Fatal(err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil {
		t.Fatal(err)
	}
	promise, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("promise")))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "Thank you, we have received your complaint" || !complaintReference.MatchString(ref) {
		t.Fatalf("the page after sending: heading %q, reference %q", heading, ref)
	}
	if !strings.HasPrefix(promise, "We will get back to you by ") || !strings.HasSuffix(promise, " (Asia/Shanghai, UTC+8).") {
		t.Errorf("the promise %q does not name the location's zone", promise)
	}
	if got := requests(); len(got) != 2 || got[0] != "POST /v1/complaints" || got[1] != "GET "+landed.Path {
		t.Errorf("sending the form made the requests %q, want the post and a GET of the tracking page", got)
	}
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	keep(t, "complaint-thanks-phone.png", shot)

	cs := cases(t)
	if len(cs) != 1 {
		t.Fatalf("%d cases, want exactly 1", len(cs))
	}
	c := cs[0]
	if c.Reference != ref || c.Category != "billing" || c.Severity != "normal" || c.Channel != "web" ||
		c.Description != "Charged twice for one coffee.\nPlease refund." ||
		c.Contact != (complaint.Contact{Name: "Chen Jing", Phone: "+8613912345678", Email: "chen.jing@example.com", Locale: "en"}) {
		t.Errorf("case %+v", c.Complaint)
	}

	t.Run("a reload shows the page again and posts nothing", func(t *testing.T) {
		resp, err := chromedp.RunResponse(ctx, chromedp.Reload())
		if err != nil {
			t.Fatal(err)
		}
		again, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("reference")))
		if err != nil {
			t.Fatal(err)
		}
		if got := requests(); len(got) != 1 || got[0] != "GET "+landed.Path {
			t.Errorf("the reload made the requests %q, want one GET of the tracking page", got)
		}
		if resp.Status != http.StatusOK || resp.Headers[idempotency.ReplayedHeader] != nil || again != ref {
			t.Errorf("reload: status %d, replayed %v, reference %q; want 200, no replay, %q", resp.Status, resp.Headers[idempotency.ReplayedHeader], again, ref)
		}
		if n := len(cases(t)); n != 1 {
			t.Errorf("%d cases after the reload, want 1", n)
		}
	})

	t.Run("Back goes to the form, not to the post", func(t *testing.T) {
		h, err := chromedp.Call(ctx, page.GetNavigationHistory, cdp.Empty{})
		if err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, e := range h.Entries {
			urls = append(urls, e.URL)
		}
		if h.CurrentIndex < 1 || h.Entries[h.CurrentIndex-1].URL != form+"?lang=en" || h.Entries[h.CurrentIndex].URL != resp.URL {
			t.Errorf("history %q at %d: want the form, then the tracking page", urls, h.CurrentIndex)
		}
		for _, u := range urls {
			if strings.HasSuffix(u, "/v1/complaints") {
				t.Errorf("the post is in the history: %q", urls)
			}
		}
	})

	t.Run("the tracking link shows the status", func(t *testing.T) {
		resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(front.URL+landed.Path))
		if err != nil {
			t.Fatal(err)
		}
		status, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status")))
		if err != nil {
			t.Fatal(err)
		}
		shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("reference")))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != http.StatusOK || status != "Received" || shown != ref {
			t.Fatalf("tracking page: status %d, case status %q, reference %q", resp.Status, status, shown)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		keep(t, "complaint-tracking-phone.png", shot)
	})

	t.Run("without JavaScript or a contact, a double tap and a reload make one case", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(form+"?lang=zh-CN")); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, fillComplaint("收银台排队四十分钟。", "王芳", "", "")...); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.DoubleClick(chromedp.CSS(`button[type="submit"]`)))
		if err != nil {
			t.Fatal(err)
		}
		heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
		if err != nil {
			t.Fatal(err)
		}
		ref2, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("reference")))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != http.StatusOK || heading != "感谢您的反馈，我们已收到您的投诉" || !complaintReference.MatchString(ref2) || ref2 == ref {
			t.Fatalf("status %d, heading %q, reference %q", resp.Status, heading, ref2)
		}
		keepIt, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("keep")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(keepIt, "我们没有您的手机号码或电子邮箱，因此无法就此投诉联系您。您只能在本页查看处理进度") {
			t.Errorf("a customer who left no contact is told %q", keepIt)
		}
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		keep(t, "complaint-received-no-contact-phone.png", shot)
		requests()
		// Reloading the page shows it again, and sends nothing.
		resp, err = chromedp.RunResponse(ctx, chromedp.Reload())
		if err != nil {
			t.Fatal(err)
		}
		again, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("reference")))
		if err != nil {
			t.Fatal(err)
		}
		if got := requests(); len(got) != 1 || !strings.HasPrefix(got[0], "GET /v1/complaints/track/") {
			t.Errorf("the reload made the requests %q, want one GET of the tracking page", got)
		}
		if resp.Status != http.StatusOK || resp.Headers[idempotency.ReplayedHeader] != nil || again != ref2 {
			t.Fatalf("reload: status %d, replayed %v, reference %q; want 200, no replay, %q", resp.Status, resp.Headers[idempotency.ReplayedHeader], again, ref2)
		}
		cs := cases(t)
		if len(cs) != 2 {
			t.Fatalf("%d cases after the second customer's double tap and reload, want 2", len(cs))
		}
		for _, c := range cs {
			if c.Reference == ref2 && (c.Description != "收银台排队四十分钟。" || c.Contact.Locale != "zh-CN" || c.Category != "billing") {
				t.Errorf("case %+v", c.Complaint)
			}
		}
	})
}

// fillComplaint chooses the third category (billing) with the keyboard and types the
// description and contact; empty fields are left alone.
func fillComplaint(description, name, phone, email string) []chromedp.Action[chromedp.Void] {
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Focus(chromedp.ID("category")),
		chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown),
		chromedp.SendKeys(chromedp.ID("description"), description),
		chromedp.SendKeys(chromedp.ID("name"), name),
	}
	if phone != "" {
		steps = append(steps, chromedp.SendKeys(chromedp.ID("phone"), phone))
	}
	if email != "" {
		steps = append(steps, chromedp.SendKeys(chromedp.ID("email"), email))
	}
	return steps
}
