package rewarding_test

import (
	"context"
	"encoding/base64"
	"image"
	"image/color"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	qr "github.com/piglig/go-qr"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/reward/voucherpage"
	"github.com/rapport-crm/rapport/shared/rewarding"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// lead is the reminder's lead in these tests: the default, three days.
const lead = 3 * 24 * time.Hour

type deliveryFixture struct {
	rewards   *reward.Store
	followups *followup.Store
	notices   *rewarding.Notices
	key       *keyring.MAC
}

func newDeliveryFixture(t *testing.T) *deliveryFixture {
	t.Helper()
	env := testenv.New(t)
	db := env.Clients.DynamoDB
	rewards := &reward.Store{DB: db, Table: env.Names("rewards")}
	followups := &followup.Store{DB: db, Table: env.Names("followups")}
	customers := &customer.Store{DB: db, Table: env.Names("customers")}
	key := keyring.NewMAC(1, []byte("0123456789abcdef0123456789abcdef"))
	f := &deliveryFixture{rewards: rewards, followups: followups, key: key,
		notices: &rewarding.Notices{Customers: customers, Links: &reward.Links{Store: rewards, Keys: []reward.MAC{key}},
			Followups: followups, PublicURL: "https://api.example/"}}
	str := func(s string) *string { return &s }
	for _, in := range []customer.ProfileInput{
		{ID: "c-en", Email: str("li.lei@example.com"), Locale: str("en"), TimeZone: str("Asia/Shanghai")},
		{ID: "c-none", Name: str("Wang Fang"), Locale: str("zh-CN")}, // no address: nobody to tell
	} {
		if _, _, err := customers.CreateProfile(context.Background(), in, "test", t0); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// issue issues cid a 10-yuan voucher by hand at t0, valid for days.
func (f *deliveryFixture) issue(t *testing.T, cid, src string, days int) reward.Voucher {
	t.Helper()
	code, _ := reward.NewCode()
	v, _, err := f.rewards.Issue(context.Background(), reward.Voucher{Code: code, CustomerID: cid, Kind: reward.KindVoucher,
		Name: i18n.Texts[string]{"zh-CN": "满减十元", "en": "10 off"}, Value: reward.Value{AmountOff: 10, Currency: "CNY"},
		Source: reward.Source{Kind: reward.SourceStaff, ID: src}, LocationID: "loc-1", IssuedAt: t0,
		ExpiresAt: t0.Add(time.Duration(days) * 24 * time.Hour), IssuedBy: "mgr-1"})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *deliveryFixture) run(t *testing.T, at time.Time) reward.Timers {
	t.Helper()
	n, err := f.rewards.RunTimers(context.Background(), at, f.notices, lead)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// messages are a customer's follow-ups.
func (f *deliveryFixture) messages(t *testing.T, cid string) []followup.Followup {
	t.Helper()
	fs, _, err := f.followups.ForCustomer(context.Background(), cid, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// TestAnIssuedVoucherIsDeliveredOnceAndRemindedOnce: a voucher issued at t0 for 30
// days is delivered by the next run, even two runs at once (one follow-up, in the
// customer's language, carrying the link to its page); a run again schedules nothing.
// Its reminder falls due 3 days before its expiry, not a minute earlier, once. A
// second voucher redeemed by then gets no reminder; one valid for 2 days (shorter
// than the lead) never has one; a customer without an address gets no message, and
// their voucher's timers are spent all the same.
func TestAnIssuedVoucherIsDeliveredOnceAndRemindedOnce(t *testing.T) {
	f, ctx := newDeliveryFixture(t), context.Background()
	v := f.issue(t, "c-en", "req-1", 30)
	used := f.issue(t, "c-en", "req-2", 30)
	short := f.issue(t, "c-en", "req-3", 2)
	f.issue(t, "c-none", "req-4", 30)

	// Two runs at once: each voucher's delivery is run by one of them.
	var wg sync.WaitGroup
	var mu sync.Mutex
	delivered := 0
	for range 2 {
		wg.Go(func() {
			n, err := f.rewards.RunTimers(ctx, t0.Add(time.Minute), f.notices, lead)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			delivered += n.Delivered
			mu.Unlock()
		})
	}
	wg.Wait()
	if delivered != 4 {
		t.Fatalf("two runs at once delivered %d vouchers, want 4", delivered)
	}
	if n := f.run(t, t0.Add(2*time.Minute)); n != (reward.Timers{}) {
		t.Fatalf("a run again: %+v; want nothing", n)
	}
	msgs := f.messages(t, "c-en")
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3 (one per voucher)", len(msgs))
	}
	fu, err := f.followups.Get(ctx, followup.OccasionID("voucher#"+v.Code))
	if err != nil {
		t.Fatal(err)
	}
	link := fu.Vars["link"]
	if fu.Kind != followup.KindVoucher || fu.TemplateID != "voucher" || followup.Marketing(fu.Kind) ||
		fu.Recipient != (followup.Recipient{Type: "customer", ID: "c-en", Channel: "email", Address: "li.lei@example.com", Locale: "en", TimeZone: "Asia/Shanghai"}) ||
		fu.Vars["name"] != "10 off" || fu.Vars["expiresOn"] != "2027-01-05" || !regexp.MustCompile(`^https://api\.example/v1/v/1\.[A-Za-z0-9_-]{43}$`).MatchString(link) ||
		fu.Source != (followup.Source{Type: "voucher", ID: v.Code}) {
		t.Fatalf("the delivery: %+v", fu)
	}
	if silent := f.messages(t, "c-none"); len(silent) != 0 {
		t.Fatalf("a customer without an address got %d messages", len(silent))
	}

	if _, _, err := f.rewards.Redeem(ctx, used, "bill-1", "loc-1", "pos-1", t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	remind := v.ExpiresAt.Add(-lead)
	// By now the 2-day voucher has expired: counted, never reminded.
	if n := f.run(t, remind.Add(-time.Minute)); n != (reward.Timers{Expired: 1}) {
		t.Fatalf("a minute before the reminder: %+v; want only the 2-day voucher's expiry", n)
	}
	// The silent customer's reminder is spent without a message.
	if n := f.run(t, remind); n != (reward.Timers{Reminded: 2}) {
		t.Fatalf("at the reminder: %+v; want 2 reminders (one sent)", n)
	}
	if n := f.run(t, remind.Add(time.Minute)); n != (reward.Timers{}) {
		t.Fatalf("a run after the reminder: %+v", n)
	}
	r, err := f.followups.Get(ctx, followup.OccasionID("voucher-expiry#"+v.Code))
	if err != nil || r.Kind != followup.KindVoucherExpiry || r.Vars["link"] != link || r.Vars["expiresOn"] != "2027-01-05" {
		t.Fatalf("the reminder: %+v, %v; want the delivery's link", r, err)
	}
	for _, other := range []reward.Voucher{used, short} {
		if _, err := f.followups.Get(ctx, followup.OccasionID("voucher-expiry#"+other.Code)); err == nil {
			t.Errorf("voucher %s was reminded", other.Code)
		}
	}
	if msgs := f.messages(t, "c-en"); len(msgs) != 4 {
		t.Fatalf("%d messages in all, want 4 (3 deliveries, 1 reminder)", len(msgs))
	}
	if n := f.run(t, v.ExpiresAt); n != (reward.Timers{Expired: 2}) {
		t.Fatalf("at the expiry: %+v; want the two unused vouchers counted", n)
	}
}

// TestTheVoucherPage: the delivered link opens the customer's voucher page in their
// language (English), with the other language a link away; it shows the voucher's
// name, value, status, expiry in their zone, where it is valid, its code in groups and
// a QR image that decodes back to the code, then their other usable vouchers. A link
// altered by one character, made up, or of a retired key version is refused with the
// customers' pages' refusal.
func TestTheVoucherPage(t *testing.T) {
	f, ctx := newDeliveryFixture(t), context.Background()
	v := f.issue(t, "c-en", "req-1", 30)
	other := f.issue(t, "c-en", "req-2", 30)
	f.run(t, t0.Add(time.Minute))
	fu, err := f.followups.Get(ctx, followup.OccasionID("voucher#"+v.Code))
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(fu.Vars["link"], "https://api.example/v1/v/")
	pg := &voucherpage.Page{Links: f.notices.Links, Clock: clock.NewManual(t0.Add(time.Hour)),
		Places: func(_ context.Context, id string) (string, error) {
			return map[string]string{"loc-1": "Lakeside"}[id], nil
		}}
	srv := httptest.NewServer(routes(voucherpage.Routes(pg)))
	defer srv.Close()

	status, body := get(t, srv.URL+"/v1/v/"+token, "")
	for _, want := range []string{`<html lang="en">`, "<h1>Your voucher</h1>", "<h2>10 off</h2>", `<p class="value">¥10 off</p>`,
		"<dt>Status</dt><dd>Ready to use</dd>", "<dt>Valid until</dt><dd>2027-01-05 17:30</dd>", "<dt>Where</dt><dd>All our locations</dd>",
		reward.FormatCode(v.Code), reward.FormatCode(other.Code), "<h2 class=\"others\">Your other vouchers</h2>",
		`<a href="?lang=zh-CN" lang="zh-CN" hreflang="zh-CN">中文</a>`} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("English page (%d) lacks %q:\n%s", status, want, body)
		}
	}
	codes := qrCodes(t, body)
	if len(codes) != 2 || codes[0] != v.Code || codes[1] != other.Code {
		t.Fatalf("the QR images decode to %v; want %s then %s", codes, v.Code, other.Code)
	}

	status, body = get(t, srv.URL+"/v1/v/"+token+"?lang=zh-CN", "")
	for _, want := range []string{`<html lang="zh-CN">`, "<h1>您的优惠券</h1>", "<h2>满减十元</h2>", `<p class="value">立减 10 元</p>`,
		"<dd>可使用</dd>", "<dd>所有门店</dd>", reward.FormatCode(v.Code)} {
		if status != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("Chinese page (%d) lacks %q", status, want)
		}
	}

	flip := []byte(token)
	flip[5] ^= 'A' ^ 'B'
	if flip[5] == token[5] {
		flip[5] = 'C'
	}
	for name, c := range map[string]struct {
		token     string
		lang      string
		status    int
		heading   string
		keys      []reward.MAC
		noVoucher bool
	}{
		"one character altered": {token: string(flip), lang: "en", status: http.StatusNotFound, heading: "Link not valid"},
		"made up":               {token: "1.abc", lang: "zh-CN", status: http.StatusNotFound, heading: "链接无效"},
		"a retired key's link":  {token: token, lang: "en", status: http.StatusGone, heading: "Link expired", keys: []reward.MAC{keyring.NewMAC(2, []byte("another key of thirty-two bytes!"))}},
		"another key's handle":  {token: token, lang: "en", status: http.StatusNotFound, heading: "Link not valid", keys: []reward.MAC{keyring.NewMAC(1, []byte("another key of thirty-two bytes!"))}},
	} {
		t.Run(name, func(t *testing.T) {
			p := *pg
			if c.keys != nil {
				p.Links = &reward.Links{Store: f.rewards, Keys: c.keys}
			}
			s := httptest.NewServer(routes(voucherpage.Routes(&p)))
			defer s.Close()
			status, body := get(t, s.URL+"/v1/v/"+c.token, c.lang)
			if status != c.status || !strings.Contains(body, "<h1>"+c.heading+"</h1>") || strings.Contains(body, reward.FormatCode(v.Code)) {
				t.Fatalf("%d, want %d %q:\n%s", status, c.status, c.heading, body)
			}
		})
	}
}

func routes(hs map[string]http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	for p, h := range hs {
		mux.Handle(p, h)
	}
	return mux
}

func get(t *testing.T, url, lang string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src data:") || strings.Contains(csp, "script") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	return res.StatusCode, string(b)
}

var (
	qrImg  = regexp.MustCompile(`<img class="qr" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"`)
	qrRect = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`)
)

// qrCodes decodes the page's QR images, in order: each SVG's rectangles are painted
// on a bitmap, 4 pixels a module, which the library's decoder reads.
func qrCodes(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, m := range qrImg.FindAllStringSubmatch(body, -1) {
		svg, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		side, _ := strconv.Atoi(regexp.MustCompile(`viewBox="0 0 (\d+) `).FindStringSubmatch(string(svg))[1])
		const px = 4
		img := image.NewGray(image.Rect(0, 0, side*px, side*px))
		for i := range img.Pix {
			img.Pix[i] = 255
		}
		for _, r := range qrRect.FindAllStringSubmatch(string(svg), -1) {
			x, _ := strconv.Atoi(r[1])
			y, _ := strconv.Atoi(r[2])
			w, _ := strconv.Atoi(r[3])
			for dx := range w * px {
				for dy := range px {
					img.SetGray(x*px+dx, y*px+dy, color.Gray{})
				}
			}
		}
		text, err := qr.Decode(img)
		if err != nil {
			t.Fatalf("decode a QR image: %v", err)
		}
		out = append(out, text)
	}
	return out
}
