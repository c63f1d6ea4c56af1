package privacy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/reward"
)

// issueVoucher issues cid a voucher of 30 CNY from src at sh-01, valid 30 days, and,
// with link, the lookup of its page's link as the delivery writes it; it returns the
// voucher and the link's token.
func (f *fixture) issueVoucher(code, cid string, src reward.Source, link bool) (reward.Voucher, string) {
	f.t.Helper()
	ctx := context.Background()
	now := f.clk.Now()
	v, replayed, err := f.svc.Rewards.Issue(ctx, reward.Voucher{Code: code, CustomerID: cid, Kind: reward.KindVoucher,
		Name: map[string]string{"en": "Spring treat", "zh-CN": "春季礼遇"}, Value: reward.Value{AmountOff: 30, Currency: "CNY"},
		Source: src, LocationIDs: []string{"sh-01"}, LocationID: "sh-01", IssuedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour),
		IssuedBy: "manager-1", Reason: "Sorry about the lift, " + cid})
	if err != nil || replayed {
		f.t.Fatalf("issue %s: %v (replayed %v)", code, err, replayed)
	}
	f.clk.Advance(time.Minute)
	if !link {
		return v, ""
	}
	token, puts, err := f.links().Token(ctx, reward.Link{Code: code, CustomerID: cid, Locale: "zh-CN", TimeZone: "Asia/Shanghai"})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.env.Clients.DynamoDB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
		f.t.Fatal(err)
	}
	return v, token
}

// rewardItems are the rewards table's items whose pk starts with one of prefixes,
// by pk and sk, as JSON.
func (f *fixture) rewardItems(prefixes ...string) map[string]string {
	f.t.Helper()
	out := map[string]string{}
	p := dynamodb.NewScanPaginator(f.env.Clients.DynamoDB, &dynamodb.ScanInput{TableName: aws.String(f.env.Names("rewards")), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		for _, raw := range page.Items {
			var item map[string]any
			if err := attributevalue.UnmarshalMap(raw, &item); err != nil {
				f.t.Fatal(err)
			}
			key := item["pk"].(string) + "/" + item["sk"].(string)
			if len(prefixes) == 0 || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(key, p) }) {
				text, _ := json.Marshal(item)
				out[key] = string(text)
			}
		}
	}
	return out
}

// counterItems are the rewards table's items that are neither a voucher, a claim, a
// link's lookup nor the catalogue: the report's counters.
func (f *fixture) counterItems() map[string]string {
	f.t.Helper()
	out := f.rewardItems()
	for k := range out {
		for _, p := range []string{"VOUCHER#", "ISSUE#", "LINK#", "LINKS#", "CATALOG/"} {
			if strings.HasPrefix(k, p) {
				delete(out, k)
			}
		}
	}
	return out
}

type exported struct {
	Vouchers []struct {
		Code        string             `json:"code"`
		CustomerID  string             `json:"customerId"`
		Status      string             `json:"status"`
		Name        map[string]string  `json:"name"`
		Value       reward.Value       `json:"value"`
		LocationIDs []string           `json:"locationIds"`
		IssuedAt    time.Time          `json:"issuedAt"`
		ExpiresAt   time.Time          `json:"expiresAt"`
		Redemption  *reward.Redemption `json:"redemption"`
	} `json:"vouchers"`
}

// Worked example: Han Meimei (cust-p) holds a campaign's voucher, still issued, and a
// staff voucher redeemed at the Bund's till; her duplicate (cust-d) holds this year's
// birthday voucher, whose delivery link was sent. The export lists her two vouchers
// with their statuses; the merge moves the birthday voucher, its claim and its link to
// her, so the birthday job cannot issue her a second one; the erasure leaves the three
// vouchers under a pseudonym with their states, deletes both links' lookups, and
// changes none of the report's counters; erasing again changes nothing.
func TestVouchersAreExportedMergedAndErased(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.seed("cust-p", "Han Meimei", "+86 139 1234 5678", "han.meimei@example.com")
	d := f.seed("cust-d", "Meimei Han", "", "meimei@work.example")
	f.seed("cust-q", "Zhang Wei", "+86 137 5555 6666", "zhang.wei@example.com")
	spring, springLink := f.issueVoucher("SPRING0000000001", p.id, reward.Source{Kind: reward.SourceCampaign, ID: "spring-26"}, true)
	apology, _ := f.issueVoucher("APOLOGY000000001", p.id, reward.Source{Kind: reward.SourceStaff, ID: "desk-1"}, false)
	birthday, birthdayLink := f.issueVoucher("BIRTHDAY00000001", d.id, reward.Source{Kind: reward.SourceBirthday, ID: "2026"}, true)
	other, otherLink := f.issueVoucher("OTHER00000000001", "cust-q", reward.Source{Kind: reward.SourceBirthday, ID: "2026"}, true)
	redeemedAt := f.clk.Now()
	if _, _, err := f.svc.Rewards.Redeem(ctx, apology, "bill-88", "sh-01", "till-3", redeemedAt); err != nil {
		t.Fatal(err)
	}

	// The export: her two vouchers, newest first, as the voucher routes show them.
	status, body := f.call(manager, "GET", "/v1/customers/cust-p/export", "")
	if status != http.StatusOK {
		t.Fatalf("export: %d %s", status, body)
	}
	var ex exported
	if err := json.Unmarshal([]byte(body), &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex.Vouchers) != 2 {
		t.Fatalf("exported vouchers: %s", body)
	}
	got := ex.Vouchers[0].Code + " " + ex.Vouchers[0].Status + ", " + ex.Vouchers[1].Code + " " + ex.Vouchers[1].Status
	if got != "APOLOGY000000001 redeemed, SPRING0000000001 issued" {
		t.Fatalf("exported %s", got)
	}
	a := ex.Vouchers[0]
	if a.CustomerID != p.id || a.Value != (reward.Value{AmountOff: 30, Currency: "CNY"}) || a.Name["zh-CN"] != "春季礼遇" ||
		!slices.Equal(a.LocationIDs, []string{"sh-01"}) || !a.IssuedAt.Equal(apology.IssuedAt) || !a.ExpiresAt.Equal(apology.ExpiresAt) ||
		a.Redemption == nil || a.Redemption.SourceID != "bill-88" || a.Redemption.LocationID != "sh-01" || !a.Redemption.At.Equal(redeemedAt) {
		t.Fatalf("exported voucher %+v", a)
	}

	// The merge moves the duplicate's voucher, its link and its claim; again, nothing.
	for i, want := range []int{1, 0} {
		rep, err := f.svc.Merge(ctx, manager, p.id, d.id)
		if err != nil || rep.Moved.Vouchers != want {
			t.Fatalf("merge %d: moved %d vouchers (%v), want %d", i+1, rep.Moved.Vouchers, err, want)
		}
	}
	held, err := f.svc.Rewards.CustomerVouchers(ctx, p.id)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, v := range held {
		codes = append(codes, v.Code)
	}
	if !slices.Equal(codes, []string{birthday.Code, apology.Code, spring.Code}) {
		t.Fatalf("after the merge cust-p holds %v", codes)
	}
	if l, err := f.links().Open(ctx, birthdayLink); err != nil || l.CustomerID != p.id || l.Code != birthday.Code {
		t.Fatalf("the duplicate's link after the merge: %+v %v", l, err)
	}
	// The birthday job's issue for the merged person gets the moved voucher back.
	again, replayed, err := f.svc.Rewards.Issue(ctx, reward.Voucher{Code: "BIRTHDAY00000002", CustomerID: p.id, Kind: reward.KindVoucher,
		Value: birthday.Value, Source: birthday.Source, LocationID: "sh-01", IssuedAt: f.clk.Now(), ExpiresAt: birthday.ExpiresAt, IssuedBy: "birthday"})
	if err != nil || !replayed || again.Code != birthday.Code {
		t.Fatalf("a second birthday voucher: %s replayed %v %v", again.Code, replayed, err)
	}

	// The erasure.
	counters := f.counterItems()
	if len(counters) == 0 {
		t.Fatal("no counters to compare")
	}
	e, err := f.svc.Erase(ctx, manager, p.id)
	if err != nil {
		t.Fatal(err)
	}
	if e.Counts["vouchers"] != 3 || e.Counts["voucherLinks"] != 2 {
		t.Fatalf("erasure counts %v", e.Counts)
	}
	for _, id := range []string{p.id, d.id} {
		if found := f.rewardItems(); slices.ContainsFunc(slices.Collect(maps.Values(found)), func(s string) bool { return strings.Contains(s, `"`+id+`"`) || strings.Contains(s, "#"+id) }) {
			t.Fatalf("the rewards table still names %s: %v", id, found)
		}
		if vs, err := f.svc.Rewards.CustomerVouchers(ctx, id); err != nil || len(vs) != 0 {
			t.Fatalf("%s still holds %d vouchers (%v)", id, len(vs), err)
		}
	}
	if links := f.rewardItems("LINK#"); len(links) != 1 {
		t.Fatalf("link lookups left: %v (want only cust-q's)", links)
	}
	for _, token := range []string{springLink, birthdayLink} {
		if _, err := f.links().Open(ctx, token); !errors.Is(err, reward.ErrBadLink) {
			t.Fatalf("an erased voucher's link opens: %v", err)
		}
	}
	if l, err := f.links().Open(ctx, otherLink); err != nil || l.CustomerID != "cust-q" {
		t.Fatalf("another customer's link: %+v %v", l, err)
	}
	states := map[string]string{}
	for _, code := range []string{spring.Code, apology.Code, birthday.Code, other.Code} {
		v, err := f.svc.Rewards.Voucher(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		states[code] = v.Status(f.clk.Now())
		if code != other.Code && (!strings.HasPrefix(v.CustomerID, "erased-") || v.Reason != "" || v.Value.AmountOff != 30) {
			t.Fatalf("erased voucher %+v", v)
		}
	}
	want := map[string]string{spring.Code: "issued", apology.Code: "redeemed", birthday.Code: "issued", other.Code: "issued"}
	if !maps.Equal(states, want) {
		t.Fatalf("states after the erasure %v, want %v", states, want)
	}
	if after := f.counterItems(); !maps.Equal(after, counters) {
		t.Fatalf("the report's counters changed:\nbefore %v\nafter  %v", counters, after)
	}

	// Erasing again finds no such customer and changes nothing.
	table := f.rewardItems()
	for _, id := range []string{p.id, d.id} {
		if status, body := f.call(manager, "DELETE", "/v1/customers/"+id, ""); status != http.StatusNotFound {
			t.Fatalf("erase %s again: %d %s", id, status, body)
		}
	}
	if again := f.rewardItems(); !maps.Equal(again, table) {
		t.Fatal("a second erasure changed the rewards table")
	}
}

// An erasure cut short after any number of writes is finished by running it again:
// the customer's two vouchers end under the pseudonym, their links open nothing, the
// report's counters are as before, and a third run finds no such customer.
func TestVoucherErasureCutShortIsFinishedByARerun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cuts := 0
	for cut := int32(1); cut <= 12; cut++ {
		id, name := fmt.Sprintf("v-%d", cut), "Li Lei"
		if _, _, err := f.customers.CreateProfile(ctx, customer.ProfileInput{ID: id, Name: &name, LocationID: aws.String("sh-01")}, "front-desk", f.clk.Now()); err != nil {
			t.Fatal(err)
		}
		var links []string
		for _, src := range []string{"spring-26", "autumn-26"} {
			_, link := f.issueVoucher(fmt.Sprintf("CUT%02d%s", cut, strings.ToUpper(src[:6])+"00000"), id, reward.Source{Kind: reward.SourceCampaign, ID: src}, true)
			links = append(links, link)
		}
		counters := f.counterItems()
		if _, err := f.cutAfter(cut).Erase(ctx, manager, id); err == nil {
			continue // it needed fewer writes than that
		} else if !errors.Is(err, errCut) {
			t.Fatalf("cut after %d: %v", cut, err)
		}
		cuts++
		if _, err := f.svc.Erase(ctx, manager, id); err != nil {
			t.Fatalf("rerun after %d writes: %v", cut, err)
		}
		if vs, err := f.svc.Rewards.CustomerVouchers(ctx, id); err != nil || len(vs) != 0 {
			t.Fatalf("cut after %d: %s holds %d vouchers (%v)", cut, id, len(vs), err)
		}
		for key, item := range f.rewardItems() {
			if strings.Contains(item, `"`+id+`"`) || strings.Contains(key, "#"+id+"/") {
				t.Fatalf("cut after %d: %s names %s: %s", cut, key, id, item)
			}
		}
		for _, link := range links {
			if _, err := f.links().Open(ctx, link); !errors.Is(err, reward.ErrBadLink) {
				t.Fatalf("cut after %d: a link opens: %v", cut, err)
			}
		}
		if after := f.counterItems(); !maps.Equal(after, counters) {
			t.Fatalf("cut after %d: the report's counters changed", cut)
		}
		if _, err := f.svc.Erase(ctx, manager, id); problemStatus(err) != 404 {
			t.Fatalf("erase again: %v", err)
		}
	}
	if cuts < 6 {
		t.Fatalf("only %d erasures were cut short", cuts)
	}
}

// A merge cut short after any number of writes is finished by running it again: the
// duplicate's two vouchers end with the survivor, each once, their links open with
// the survivor, and the campaign that issued one cannot issue the survivor another.
func TestVoucherMergeCutShortIsFinishedByARerun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cuts := 0
	for cut := int32(1); cut <= 14; cut++ {
		a, b := fmt.Sprintf("ma-%d", cut), fmt.Sprintf("mb-%d", cut)
		for _, id := range []string{a, b} {
			name := "Li Lei " + id
			if _, _, err := f.customers.CreateProfile(ctx, customer.ProfileInput{ID: id, Name: &name, LocationID: aws.String("sh-01")}, "front-desk", f.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var links []string
		var codes []string
		for _, src := range []string{"spring-26", "autumn-26"} {
			v, link := f.issueVoucher(fmt.Sprintf("MRG%02d%s", cut, strings.ToUpper(src[:6])+"00000"), b, reward.Source{Kind: reward.SourceCampaign, ID: src}, true)
			links, codes = append(links, link), append([]string{v.Code}, codes...)
		}
		if _, err := f.cutAfter(cut).Merge(ctx, manager, a, b); err == nil {
			continue
		} else if !errors.Is(err, errCut) {
			t.Fatalf("cut after %d: %v", cut, err)
		}
		cuts++
		if _, err := f.svc.Merge(ctx, manager, a, b); err != nil {
			t.Fatalf("rerun after %d writes: %v", cut, err)
		}
		held, err := f.svc.Rewards.CustomerVouchers(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range held {
			got = append(got, v.Code)
		}
		if !slices.Equal(got, codes) {
			t.Fatalf("cut after %d: the survivor holds %v, want %v", cut, got, codes)
		}
		for _, link := range links {
			if l, err := f.links().Open(ctx, link); err != nil || l.CustomerID != a {
				t.Fatalf("cut after %d: link %+v %v", cut, l, err)
			}
		}
		again, replayed, err := f.svc.Rewards.Issue(ctx, reward.Voucher{Code: fmt.Sprintf("MRG%02dAGAIN000000", cut), CustomerID: a, Kind: reward.KindGift,
			Source: reward.Source{Kind: reward.SourceCampaign, ID: "spring-26"}, IssuedAt: f.clk.Now(), ExpiresAt: f.clk.Now().Add(time.Hour), IssuedBy: "campaign"})
		if err != nil || !replayed || again.Code != codes[1] {
			t.Fatalf("cut after %d: the campaign again: %s replayed %v %v", cut, again.Code, replayed, err)
		}
	}
	if cuts < 5 {
		t.Fatalf("only %d merges were cut short", cuts)
	}
}
