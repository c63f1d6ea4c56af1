package migrate_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/migrate"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// forget removes attributes from an item, as the previous release wrote it.
func forget(t *testing.T, env *testenv.Env, table, pk, sk string, attrs string) {
	t.Helper()
	if _, err := env.Clients.DynamoDB.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(table), Key: dynamo.Key(pk, sk), UpdateExpression: aws.String("REMOVE " + attrs),
		ConditionExpression: aws.String("attribute_exists(pk)"),
	}); err != nil {
		t.Fatalf("remove %s from %s: %v", attrs, pk, err)
	}
}

func str(p string) *string { return &p }

// Items an earlier release wrote lack the new indexes' keys: search by name, the
// survey list and a location's follow-ups miss them until reindex runs; after it they
// are found, a second run finds nothing to do, and profiles without a name or a home
// stay out of the name index.
func TestReindexBackfillsTheNewIndexesOnce(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	clk := clock.NewManual(t0)
	db := env.Clients.DynamoDB
	customers := &customer.Store{DB: db, Table: env.Names("customers"), Locations: &location.Store{DB: db, Table: env.Names("customers")}}
	surveys := &survey.Store{DB: db, Table: env.Names("surveys")}
	followups := &followup.Store{DB: db, Table: env.Names("followups")}

	// GIVEN profiles written by the previous release: a named one with a home, one
	// without a name (as erasure leaves it) and a named one without a home
	named, _, err := customers.CreateProfile(ctx, customer.ProfileInput{Name: str("Zhang Wei"), LocationID: str("loc-1")}, "test", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	nameless, _, err := customers.CreateProfile(ctx, customer.ProfileInput{Phone: str("+8613800138000"), LocationID: str("loc-1")}, "test", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	homeless, _, err := customers.CreateProfile(ctx, customer.ProfileInput{Name: str("Zhang Homeless")}, "test", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	forget(t, env, customers.Table, "CUST#"+named.ID, "PROFILE", "namePk, nameSk")
	// AND a survey definition and two follow-ups from loc-1, one of them cancelled
	sv := survey.Survey{ID: id.New(clk.Now()), Name: "After your visit", Version: 1, CreatedAt: clk.Now()}
	if err := surveys.PutSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	forget(t, env, surveys.Table, "SURVEY#"+sv.ID, "DEF", "catalogPk, catalogSk")
	var fus []string
	for i := range 2 {
		clk.Advance(time.Millisecond)
		fu := followup.Followup{ID: id.New(clk.Now()), Kind: followup.KindRecoveryCallback, LocationID: "loc-1",
			Recipient: followup.Recipient{Type: "staff", Channel: "email", Address: "desk@example.com"},
			DueAt:     t0.Add(time.Hour), Subject: "s", Body: "b", CreatedAt: clk.Now()}
		fu.DedupeKey = "test#" + fu.ID
		puts, err := followups.SchedulePuts(fu)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
			t.Fatal(err)
		}
		// The first as one held for its predecessor since the upgrade is left: hold
		// sets the sort key alone.
		forget(t, env, followups.Table, "FU#"+fu.ID, "FU", []string{"locationPk", "locationPk, locationSk"}[i])
		fus = append(fus, fu.ID)
	}
	if err := followups.Cancel(ctx, fus[1], clk.Now()); err != nil {
		t.Fatal(err)
	}
	find := func() (names, catalog, located int) {
		t.Helper()
		found, _, err := customers.SearchByName(ctx, "loc-1", "zhang", 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := surveys.Catalog(ctx, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		at, _, err := followups.ForLocation(ctx, "loc-1", t0, t0.Add(2*time.Hour), 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		return len(found), len(list), len(at)
	}
	if n, c, l := find(); n+c+l != 0 {
		t.Fatalf("before the upgrade the indexes found %d, %d, %d: the old shape was not made", n, c, l)
	}

	// AND two vouchers issued before vouchers were delivered (no timer keys): one still
	// issued, one redeemed
	vouchers := env.Names("rewards")
	for code, state := range map[string]string{"OLDISSUED01": "issued", "OLDREDEEMED1": "redeemed"} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(vouchers), Item: map[string]types.AttributeValue{
			"pk": dynamo.S("VOUCHER#" + code), "sk": dynamo.S("V"), "code": dynamo.S(code), "customerId": dynamo.S(named.ID),
			"kind": dynamo.S("value"), "state": dynamo.S(state), "version": dynamo.N(1), "locationId": dynamo.S("loc-1"),
			"issuedAt": dynamo.S(t0.Format(time.RFC3339)), "expiresAt": dynamo.S(t0.AddDate(0, 3, 0).Format(time.RFC3339)),
			"customerPk": dynamo.S("CUST#" + named.ID), "customerSk": dynamo.S(t0.Format(time.RFC3339Nano) + "#" + code),
		}}); err != nil {
			t.Fatal(err)
		}
	}

	// WHEN reindex runs
	res, err := migrate.Reindex(ctx, db, customers.Table, surveys.Table, followups.Table, env.Names("rewards"))
	if err != nil {
		t.Fatal(err)
	}

	// THEN it gave the keys to the named profile, the survey and both follow-ups
	if want := (migrate.Result{Customers: 1, Surveys: 1, Followups: 2, Rewards: 1}); res != want {
		t.Errorf("first run %+v, want %+v", res, want)
	}
	// AND search by name, the survey list and the location's list find them
	if n, c, l := find(); n != 1 || c != 1 || l != 2 {
		t.Errorf("after the upgrade found %d by name, %d surveys, %d follow-ups; want 1, 1, 2", n, c, l)
	}
	// AND the profiles without a name or a home have no name keys
	for _, p := range []customer.Profile{nameless, homeless} {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(customers.Table), Key: dynamo.Key("CUST#"+p.ID, "PROFILE")})
		if err != nil {
			t.Fatal(err)
		}
		if _, has := out.Item["namePk"]; has {
			t.Errorf("profile %s (name %q, home %q) got name keys", p.ID, p.Name, p.LocationID)
		}
	}
	// AND the issued voucher's delivery is due, for the voucher-timers job; the redeemed
	// one has no timer left
	for code, want := range map[string]string{"OLDISSUED01": t0.UTC().Format("2006-01-02T15:04:05Z") + "#deliver#OLDISSUED01", "OLDREDEEMED1": ""} {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(vouchers), Key: dynamo.Key("VOUCHER#"+code, "V")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := out.Item["dueSk"].(*types.AttributeValueMemberS)
		if (want == "") != (got == nil) || got != nil && got.Value != want {
			t.Errorf("voucher %s: dueSk %v, want %q", code, got, want)
		}
	}
	// AND the cancelled follow-up stayed cancelled
	if got, err := followups.Get(ctx, fus[1]); err != nil || got.Status != followup.Cancelled {
		t.Errorf("cancelled follow-up after reindex: %+v, %v", got, err)
	}

	// WHEN it runs again THEN it finds nothing to do
	again, err := migrate.Reindex(ctx, db, customers.Table, surveys.Table, followups.Table, env.Names("rewards"))
	if err != nil {
		t.Fatal(err)
	}
	if again != (migrate.Result{}) {
		t.Errorf("second run %+v, want all zero", again)
	}
}

// A run within Reserve of its deadline starts no page and says to run again; the next
// run does the work.
func TestReindexStopsBeforeItsDeadline(t *testing.T) {
	env := testenv.New(t)
	clk := clock.NewManual(t0)
	db := env.Clients.DynamoDB
	customers := &customer.Store{DB: db, Table: env.Names("customers"), Locations: &location.Store{DB: db, Table: env.Names("customers")}}
	named, _, err := customers.CreateProfile(context.Background(), customer.ProfileInput{Name: str("Li Na"), LocationID: str("loc-1")}, "test", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	forget(t, env, customers.Table, "CUST#"+named.ID, "PROFILE", "namePk, nameSk")
	// Within the reserve of its deadline
	ctx, cancel := context.WithTimeout(context.Background(), migrate.Reserve/2)
	defer cancel()

	res, err := migrate.Reindex(ctx, db, customers.Table, env.Names("surveys"), env.Names("followups"), env.Names("rewards"))
	if err != nil {
		t.Fatal(err)
	}
	if res != (migrate.Result{More: true}) {
		t.Errorf("run near its deadline: %+v, want nothing done and more", res)
	}
	res, err = migrate.Reindex(context.Background(), db, customers.Table, env.Names("surveys"), env.Names("followups"), env.Names("rewards"))
	if err != nil {
		t.Fatal(err)
	}
	if res != (migrate.Result{Customers: 1}) {
		t.Errorf("next run: %+v, want the profile done", res)
	}
}

// changeAfterScan is DynamoDB with a write landing between the backfill's Scan and
// its update: the profile is renamed.
type changeAfterScan struct {
	dynamo.Scanner
	change func()
}

func (c changeAfterScan) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	out, err := c.Scanner.Scan(ctx, in, opts...)
	if err == nil && len(out.Items) > 0 {
		c.change()
	}
	return out, err
}

// A profile that changed after the Scan read it is left as the change wrote it: the
// keys computed from the old name never land on the new one.
func TestReindexLeavesAnItemThatChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	db := env.Clients.DynamoDB
	customers := &customer.Store{DB: db, Table: env.Names("customers"), Locations: &location.Store{DB: db, Table: env.Names("customers")}}
	p, _, err := customers.CreateProfile(ctx, customer.ProfileInput{Name: str("Chen Jie"), LocationID: str("loc-1")}, "test", t0)
	if err != nil {
		t.Fatal(err)
	}
	forget(t, env, customers.Table, "CUST#"+p.ID, "PROFILE", "namePk, nameSk")
	rename := func() {
		if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(customers.Table), Key: dynamo.Key("CUST#"+p.ID, "PROFILE"),
			UpdateExpression: aws.String("SET #n = :n"), ExpressionAttributeNames: map[string]string{"#n": "name"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": dynamo.S("Chen Min")}}); err != nil {
			t.Error(err)
		}
	}

	res, err := migrate.Reindex(ctx, changeAfterScan{Scanner: db, change: rename}, customers.Table, env.Names("surveys"), env.Names("followups"), env.Names("rewards"))
	if err != nil {
		t.Fatal(err)
	}
	if res != (migrate.Result{}) {
		t.Errorf("run over a changed profile: %+v, want nothing updated", res)
	}
	if found, _, err := customers.SearchByName(ctx, "loc-1", "chen", 10, nil); err != nil || len(found) != 0 {
		t.Errorf("the changed profile is under a name key: %d found, %v", len(found), err)
	}
}
