package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rapport-crm/rapport/infra/cost"
	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// asBefore is the table as deployed before its index got a narrower projection under
// a new name: that index projects every attribute.
func asBefore(t cost.Table, def wiring.Table) cost.Table {
	t.Indexes = append([]cost.Index(nil), t.Indexes...)
	for i, ix := range t.Indexes {
		if w, ok := def.Index(ix.Name); ok && w.Replaces != "" {
			t.Indexes[i] = cost.Index{Name: w.Replaces, Keys: ix.Keys, Projection: cost.ProjectAll}
		}
	}
	return t
}

// twoPrices prices each call twice by the published rules: on the tables as the
// wiring makes them now, and as they were with every index projecting everything
// (asBefore), from the same item images.
type twoPrices struct {
	now, before *pricer
}

func newTwoPrices(t *testing.T, clients cloud.Clients, names dynamo.Names) *twoPrices {
	t.Helper()
	p := &twoPrices{now: newPricer(clients.DynamoDB), before: newPricer(clients.DynamoDB)}
	for _, def := range wiring.Tables {
		shape, err := p.now.table(t.Context(), names(def.Name))
		if err != nil {
			t.Fatal(err)
		}
		p.before.tables[names(def.Name)] = asBefore(shape, def)
	}
	return p
}

// metered runs call with a meter whose calls both pricers price.
func (p *twoPrices) metered(t *testing.T, call func(ctx context.Context) error) (now, before cost.Units) {
	t.Helper()
	ctx, m := cloud.WithMeter(t.Context())
	bNow, bBefore := &bill{}, &bill{}
	probeNow, probeBefore := p.now.probe(bNow), p.before.probe(bBefore)
	m.Probe = func(ctx context.Context, op string, params any) func(any, error) {
		// Both read the images before the call, then after it.
		a, b := probeNow(ctx, op, params), probeBefore(ctx, op, params)
		return func(result any, err error) {
			if a != nil {
				a(result, err)
			}
			if b != nil {
				b(result, err)
			}
		}
	}
	if err := call(ctx); err != nil {
		t.Fatal(err)
	}
	if bNow.err != nil || bBefore.err != nil {
		t.Fatalf("pricing: %v %v", bNow.err, bBefore.err)
	}
	return bNow.units, bBefore.units
}

// indexReads is what reading one index partition costs now, a query of its keys-only
// entries and a BatchGetItem of the items, and what it cost when the index projected
// every attribute: one query whose entries were the whole items. Both eventually
// consistent; a query's sizes are summed before rounding, a batch's items rounded
// one by one.
func indexReads(t *testing.T, clients cloud.Clients, table, index, pkName, pk string) (now, before float64) {
	t.Helper()
	out, err := clients.DynamoDB.Query(t.Context(), &dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String(index),
		KeyConditionExpression: aws.String("#k = :v"), ExpressionAttributeNames: map[string]string{"#k": pkName},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": dynamo.S(pk)}})
	if err != nil {
		t.Fatal(err)
	}
	items, err := dynamo.GetMany(t.Context(), clients.DynamoDB, table, dynamo.KeysOf(out.Items), false)
	if err != nil {
		t.Fatal(err)
	}
	entries, whole := make([]int, len(out.Items)), make([]int, len(items))
	for i, it := range out.Items {
		entries[i] = cost.Size(it)
	}
	for i, it := range items {
		whole[i] = cost.Size(it)
	}
	now = cost.Read{Sizes: entries, Query: true}.Units().Read + cost.Read{Sizes: whole}.Units().Read
	return now, cost.Read{Sizes: whole, Query: true}.Units().Read
}

// The write units of each operation that touches an index whose projection this
// release narrows, priced by the pricer's rules on the same items with the index as
// it is now and as it was (ALL). Reads that the narrower index moves to BatchGetItem
// are priced too. The figures are logged for the README (go test -run
// TestProjectionSavings -v); every operation must cost no more write units than
// before, and the ones that move no index key must save.
func TestProjectionSavings(t *testing.T) {
	ddb, sqsURL := testenv.Endpoints(t)
	clients, err := cloud.Local(t.Context(), ddb, sqsURL, testenv.Region)
	if err != nil {
		t.Fatal(err)
	}
	names := dynamo.Prefixed("proj-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-")
	urls, err := local.Provision(t.Context(), clients, names, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := local.LoadIssuer(filepath.Join(t.TempDir(), "issuer.pem"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	r, err := local.New(local.Config{Clients: clients, Names: names, Queues: urls, Region: testenv.Region, Issuer: issuer,
		Clock: clock.System{}, Unthrottled: true, PublicURL: "http://" + srv.Listener.Addr().String(), KeyDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var current atomic.Pointer[context.Context]
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if ctx := current.Load(); ctx != nil {
			req = req.WithContext(*ctx)
		}
		r.Handler().ServeHTTP(w, req)
	})
	srv.Start()
	t.Cleanup(srv.Close)
	prices := newTwoPrices(t, clients, names)
	admin, err := issuer.Token("proj", []string{"admin"}, []string{"*"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	loc := local.DemoLocation(time.Now()).ID

	type row struct {
		index, op   string
		now, before cost.Units
		saves       bool // the operation moves no key of the index: its entry write must go
	}
	var rows []row
	// call sends one request through the runner, priced; out, if given, takes the reply.
	call := func(index, op string, saves bool, method, path, body string, want int, out any) {
		t.Helper()
		now, before := prices.metered(t, func(ctx context.Context) error {
			current.Store(&ctx)
			defer current.Store(nil)
			req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+admin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != want {
				return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
			}
			if out != nil {
				return json.Unmarshal(b, out)
			}
			return nil
		})
		rows = append(rows, row{index, op, now, before, saves})
	}
	direct := func(index, op string, saves bool, f func(ctx context.Context) error) {
		t.Helper()
		now, before := prices.metered(t, f)
		rows = append(rows, row{index, op, now, before, saves})
	}

	// complaints/slaKeys: a case's life, each action on its own.
	var c struct{ ComplaintID string }
	call("complaints/slaKeys", "intake (public)", false, "POST", "/v1/complaints",
		fmt.Sprintf(`{"category":"waiting_time","severity":"high","description":"Waited 40 minutes.","locationId":%q,"contact":{"name":"Guest","email":"guest@example.com","locale":"en"}}`, loc),
		http.StatusCreated, &c)
	for _, a := range []struct {
		body  string
		saves bool
	}{
		{`{"action":"note","note":"Called the guest."}`, true},
		{`{"action":"assign","assignee":"agent-1"}`, true},
		{`{"action":"acknowledge","note":"On it."}`, false},
		{`{"action":"start"}`, true},
		{`{"action":"resolve","resolution":"Moved the guest to a quiet room.","rootCause":"process"}`, false},
	} {
		var act struct{ Action string }
		_ = json.Unmarshal([]byte(a.body), &act)
		call("complaints/slaKeys", "action: "+act.Action, a.saves, "POST", "/v1/complaints/"+c.ComplaintID+"/actions", a.body, http.StatusOK, nil)
	}

	// loyalty/dueKeys: earns and a redeem on one account (each earn makes a lot
	// with its timer; the account keeps its tier review timer).
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	call("loyalty/dueKeys", "earn, new account", false, "POST", "/v1/loyalty/proj-"+run+"/earn", fmt.Sprintf(`{"sourceId":"e1-%s","points":10}`, run), http.StatusCreated, nil)
	call("loyalty/dueKeys", "earn, existing account", true, "POST", "/v1/loyalty/proj-"+run+"/earn", fmt.Sprintf(`{"sourceId":"e2-%s","points":10}`, run), http.StatusCreated, nil)
	call("loyalty/dueKeys", "redeem 1 point", true, "POST", "/v1/loyalty/proj-"+run+"/redeem", fmt.Sprintf(`{"sourceId":"r1-%s","points":1}`, run), http.StatusCreated, nil)

	// loyalty/birthdayDates: an earn of a member with a birthday, which changes the
	// account's balance and figures but none of what the index copies.
	call("loyalty/birthdayDates", "enrol with a birthday", false, "PUT", "/v1/loyalty/proj-bd-"+run+"/member", `{"birthday":"05-10","timeZone":"Asia/Shanghai"}`, http.StatusOK, nil)
	call("loyalty/birthdayDates", "earn, member with a birthday", true, "POST", "/v1/loyalty/proj-bd-"+run+"/earn", fmt.Sprintf(`{"sourceId":"e3-%s","points":10}`, run), http.StatusCreated, nil)

	// customers/byNameKeys: a named customer at home at the location, a visit, the
	// value job's figures, and the search that reads the index.
	var p struct{ CustomerID string }
	call("customers/byNameKeys", "create a named profile", false, "POST", "/v1/customers",
		fmt.Sprintf(`{"name":"Projection Li","phone":"+8613900001234","locationId":%q}`, loc), http.StatusCreated, &p)
	call("customers/byNameKeys", "visit", true, "POST", "/v1/visits",
		fmt.Sprintf(`{"sourceId":"proj-visit-%s","customerId":%q,"locationId":%q,"amount":120,"currency":"CNY"}`, run, p.CustomerID, loc), http.StatusCreated, nil)
	direct("customers/byNameKeys", "value job (all the location's profiles)", true, func(ctx context.Context) error {
		_, err := r.Invoke(ctx, "customer-value", local.ScheduledEvent(time.Now(), "customer-value"))
		return err
	})
	call("customers/byNameKeys", "search by name (read)", false, "GET", "/v1/customers?q=projection&locationId="+loc, "", http.StatusOK, nil)
	search, searchBefore := indexReads(t, clients, names("customers"), "byNameKeys", "namePk", "NAME#"+loc)
	rows[len(rows)-1].before.Read += searchBefore - search

	// rewards/dueKeys: vouchers issued by hand to the named customer, with a short
	// reason and with one of 200 Chinese characters (a staff reason may have 500), their
	// delivery by the timers job (each entry moves from the delivery to the expiry), a
	// merge that moves each to the survivor (its timer stays), and each redeem (it
	// leaves the index).
	vouchers := []struct{ name, reason, code string }{
		{name: "short reason", reason: "our apologies for the wait"},
		{name: "reason of 200 Chinese chars", reason: strings.Repeat("客人等位超过四十分钟，经理当面致歉并赠送", 10)},
	}
	for i := range vouchers {
		var v struct{ Code string }
		call("rewards/dueKeys", "issue by hand, "+vouchers[i].name, false, "POST", "/v1/vouchers",
			fmt.Sprintf(`{"customerId":%q,"name":{"zh-CN":"双人下午茶","en":"Afternoon tea for two"},"kind":"gift","locationIds":[%q],"validDays":30,"reason":%q,"locationId":%q}`, p.CustomerID, loc, vouchers[i].reason, loc),
			http.StatusCreated, &v)
		vouchers[i].code = v.Code
	}
	direct("rewards/dueKeys", "voucher-timers: deliver both", false, func(ctx context.Context) error {
		_, err := r.Invoke(ctx, "voucher-timers", local.ScheduledEvent(time.Now(), "voucher-timers"))
		return err
	})
	rstore := &reward.Store{DB: clients.DynamoDB, Table: names("rewards")}
	for _, v := range vouchers {
		direct("rewards/dueKeys", "merge, "+v.name, true, func(ctx context.Context) error {
			voucher, err := rstore.Voucher(ctx, v.code)
			if err != nil {
				return err
			}
			if moved, err := rstore.Reassign(ctx, voucher, p.CustomerID, "proj-survivor-"+run); err != nil || !moved {
				return fmt.Errorf("reassign %s: moved %v, %v", v.code, moved, err)
			}
			return nil
		})
	}
	for i, v := range vouchers {
		call("rewards/dueKeys", "redeem, "+v.name, false, "POST", "/v1/vouchers/"+v.code+"/redeem",
			fmt.Sprintf(`{"sourceId":"proj-bill-%s-%d","locationId":%q}`, run, i, loc), http.StatusCreated, nil)
	}

	// followups/byLocationKeys: a follow-up from the location, due to delivered; then
	// followups/byCustomerKeys: a service message to a customer, the same way.
	fstore := &followup.Store{DB: clients.DynamoDB, Table: names("followups")}
	deliver := func(index string, f followup.Followup) {
		t.Helper()
		f.DedupeKey = "proj#" + f.ID
		direct(index, "schedule", false, func(ctx context.Context) error {
			_, err := fstore.Schedule(ctx, f)
			return err
		})
		direct(index, "dispatcher: queue it", true, func(ctx context.Context) error {
			_, err := r.Invoke(ctx, "followup-dispatcher", []byte(`{}`))
			return err
		})
		out, err := clients.SQS.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(urls["followups"]), MaxNumberOfMessages: 10, WaitTimeSeconds: 2})
		if err != nil || len(out.Messages) == 0 {
			t.Fatalf("the follow-up was not queued: %v", err)
		}
		var ev events.SQSEvent
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body)})
		}
		payload, _ := json.Marshal(ev)
		direct(index, fmt.Sprintf("sender: claim, deliver, finish (%d)", len(ev.Records)), true, func(ctx context.Context) error {
			_, err := r.Invoke(ctx, "followup-sender", payload)
			return err
		})
	}
	deliver("followups/byLocationKeys", followup.Followup{ID: id.New(time.Now()), Kind: "alert", DueAt: time.Now().Add(-time.Minute), Urgent: true, LocationID: loc,
		Recipient: followup.Recipient{Type: "staff", Channel: "email", Address: "frontdesk@loc-1.example"},
		Subject:   "Service recovery", Body: "A guest answered 3."})
	call("followups/byLocationKeys", "list the location's (read)", false, "GET", "/v1/followups?locationId="+loc+"&limit=20", "", http.StatusOK, nil)
	list, listBefore := indexReads(t, clients, names("followups"), "byLocationKeys", "locationPk", "LOC#"+loc)
	rows[len(rows)-1].before.Read += listBefore - list

	guest := "proj-guest-" + run
	deliver("followups/byCustomerKeys", followup.Followup{ID: id.New(time.Now()), Kind: followup.KindMessage, DueAt: time.Now().Add(-time.Minute), QuietHours: "00:00-00:00",
		Recipient: followup.Recipient{Type: "customer", ID: guest, Channel: "email", Address: guest + "@guest.example"},
		Subject:   "Your scarf", Body: "We found it at the front desk."})
	list, listBefore = indexReads(t, clients, names("followups"), followup.CustomerIndex, "customerPk", "CUST#"+guest)
	rows = append(rows, row{index: "followups/byCustomerKeys", op: "list the customer's (read: the query, then by key)",
		now: cost.Units{Read: list}, before: cost.Units{Read: listBefore}})

	// surveys/commentKeys: responses with a short and a 500-character Chinese comment,
	// and the retention's redaction of the long one.
	long := strings.Repeat("房间空调坏了，前台说会派人来修，等了两个小时没人来", 20)
	for _, cm := range []struct{ name, text string }{{"short", "cold room"}, {"500 Chinese characters", long}} {
		body := fmt.Sprintf(`{"invitationToken":%q,"answers":[{"questionId":"nps","value":3}],"comment":%q}`, local.DemoLinkToken, cm.text)
		call("surveys/commentKeys", "submit, comment "+cm.name, false, "POST", "/v1/surveys/"+local.DemoSurveyID+"/responses", body, http.StatusCreated, nil)
	}
	sstore := &survey.Store{DB: clients.DynamoDB, Table: names("surveys")}
	rs, err := sstore.Responses(t.Context(), local.DemoSurveyID)
	if err != nil {
		t.Fatal(err)
	}
	for _, resp := range rs {
		if resp.Comment == long {
			direct("surveys/commentKeys", "retention: redact the long comment", false, func(ctx context.Context) error {
				return sstore.RedactText(ctx, resp, time.Now())
			})
		}
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "\n%-26s %-42s %8s %8s %8s %8s\n", "index", "operation", "WRU was", "WRU now", "RRU was", "RRU now")
	for _, x := range rows {
		fmt.Fprintf(&b, "%-26s %-42s %8.1f %8.1f %8.1f %8.1f\n", x.index, x.op, x.before.Write, x.now.Write, x.before.Read, x.now.Read)
		if x.now.Write > x.before.Write {
			t.Errorf("%s %s: %.1f write units, more than the %.1f before", x.index, x.op, x.now.Write, x.before.Write)
		}
		if x.saves && x.now.Write >= x.before.Write {
			t.Errorf("%s %s: %.1f write units, want fewer than the %.1f before (no key of the index moves)", x.index, x.op, x.now.Write, x.before.Write)
		}
	}
	t.Log(b.String())
}
