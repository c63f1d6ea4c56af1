package outreach_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/outreach"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// fixture is the follow-up pipeline (store, dispatcher, queue, sender into the outbox)
// over the test's emulators, with the customers' table beside it.
type fixture struct {
	env       *testenv.Env
	clk       *clock.Manual
	store     *followup.Store
	outbox    *followup.Outbox
	disp      *followup.Dispatcher
	sender    *followup.Sender
	customers *customer.Store
}

func newFixture(t *testing.T) *fixture {
	env := testenv.New(t)
	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	table := env.Names("followups")
	store := &followup.Store{DB: env.Clients.DynamoDB, Table: table}
	out := &followup.Outbox{DB: env.Clients.DynamoDB, Table: table, Keep: time.Hour}
	return &fixture{
		env: env, clk: clk, store: store, outbox: out,
		disp: &followup.Dispatcher{Store: store, Queue: env.Clients.SQS, QueueURL: env.Queues["followups"], Clock: clk,
			PageSize: 25, StuckAfter: 15 * time.Minute, Reserve: time.Second},
		sender:    &followup.Sender{Store: store, Channels: map[string]followup.Channel{"email": out}, Clock: clk, Lease: time.Minute},
		customers: &customer.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers"), Locations: &location.Store{DB: env.Clients.DynamoDB, Table: env.Names("customers")}},
	}
}

// receive drains the follow-up queue into an SQS event (without deleting).
func (f *fixture) receive(t *testing.T) events.SQSEvent {
	t.Helper()
	return f.env.Receive(t, "followups")
}

func (f *fixture) outboxCount(t *testing.T) map[string]int {
	t.Helper()
	msgs, err := f.outbox.List(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, m := range msgs {
		counts[m.ID]++
	}
	return counts
}

// testKeys are a per-test unsubscribe key, as keyring makes them from a key file.
func testKeys() []customer.MAC {
	return []customer.MAC{keyring.NewMAC(1, []byte("a per-test unsubscribe key, 32 b"))}
}

// The consent and cap rules, message by message.
func TestGateAppliesConsentAndTheMarketingCap(t *testing.T) {
	f := newFixture(t)
	customers := f.customers
	gate := &outreach.Gate{Customers: customers, Signer: &customer.Signer{Store: customers, Keys: testKeys()},
		PublicURL: "https://api.example", CapWindow: 7 * 24 * time.Hour}
	ctx := context.Background()
	now := f.clk.Now()
	set := func(id, ch string, granted bool) {
		if err := customers.SetConsent(ctx, id, customer.Consent{Channel: ch, Granted: granted, At: now.Add(-time.Hour), Source: "front-desk"}); err != nil {
			t.Fatal(err)
		}
	}
	set("opted-in", "email", true)
	set("opted-out", "email", false)
	set("sms-only", "sms", true)
	cases := []struct {
		name, customerID, kind, channel, typ string
		skip                                 string // "" means admitted
		unsubscribe                          bool
	}{
		{"service to a customer never asked", "never-asked", followup.KindPostServiceSurvey, "email", "customer", "", false},
		{"service to an opted-out customer", "opted-out", followup.KindPostServiceSurvey, "email", "customer", "opted out of email", false},
		{"marketing without an opt-in", "never-asked", followup.KindCampaign, "email", "customer", "no opt-in", false},
		{"marketing to an opted-out customer", "opted-out", followup.KindWinBack, "email", "customer", "opted out of email", false},
		{"marketing by another channel than the opt-in", "sms-only", followup.KindBirthday, "email", "customer", "no opt-in", false},
		{"marketing with an opt-in", "opted-in", followup.KindCampaign, "email", "customer", "", true},
		{"the next marketing within the week", "opted-in", followup.KindBirthday, "email", "customer", "frequency cap", false},
		{"service is never capped", "opted-in", followup.KindPointsExpiry, "email", "customer", "", false},
		{"a staff-written message needs no opt-in", "never-asked", followup.KindMessage, "email", "customer", "", false},
		{"a staff-written message is never capped", "opted-in", followup.KindMessage, "email", "customer", "", false},
		{"a staff-written message to an opted-out customer", "opted-out", followup.KindMessage, "email", "customer", "opted out of email", false},
		{"staff pass", "", followup.KindEscalation, "email", "staff", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fu := followup.Followup{ID: "f", Kind: c.kind, Recipient: followup.Recipient{Type: c.typ, ID: c.customerID, Channel: c.channel, Address: "x@example.com"}}
			adm, err := gate.Admit(ctx, fu, now)
			if err != nil {
				t.Fatal(err)
			}
			if (c.skip == "") != (adm.Skip == "") || !strings.Contains(adm.Skip, c.skip) {
				t.Fatalf("skip %q, want %q", adm.Skip, c.skip)
			}
			if got := strings.HasPrefix(adm.UnsubscribeURL, "https://api.example/v1/u/"); got != c.unsubscribe {
				t.Fatalf("unsubscribe link %q, want one: %v", adm.UnsubscribeURL, c.unsubscribe)
			}
		})
	}
}

// A follow-up to a customer who opted out is skipped with the reason and never sent.
func TestOptedOutRecipientIsSkippedNeverSent(t *testing.T) {
	f := newFixture(t)
	customers := f.customers
	if err := customers.SetConsent(context.Background(), "c-9", customer.Consent{Channel: "email", Granted: false, At: f.clk.Now(), Source: "unsubscribe-link"}); err != nil {
		t.Fatal(err)
	}
	f.sender.Gate = &outreach.Gate{Customers: customers, Signer: &customer.Signer{Store: customers, Keys: testKeys()}, CapWindow: time.Hour}
	fu := followup.Followup{ID: "fu-opted-out", DedupeKey: "d-opted-out", Kind: followup.KindPostServiceSurvey, DueAt: f.clk.Now(),
		Recipient: followup.Recipient{Type: "customer", ID: "c-9", Channel: "email", Address: "c9@example.com"}}
	puts, err := f.store.SchedulePuts(fu)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.Clients.DynamoDB.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.disp.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp, err := f.sender.Handle(context.Background(), f.receive(t))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	got, _ := f.store.Get(context.Background(), fu.ID)
	if got.Status != followup.Skipped || !strings.Contains(got.SkipReason, "opted out of email") {
		t.Fatalf("status %s, reason %q", got.Status, got.SkipReason)
	}
	if n := f.outboxCount(t)[fu.ID]; n != 0 {
		t.Fatal("a follow-up to an opted-out customer was sent")
	}
}
