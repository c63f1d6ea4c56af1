package local_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/migrate"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// After an upgrade, make invoke FN=reindex (aws lambda invoke in AWS) gives the items
// of the previous release the new indexes' keys, through the built function and its
// grants: a profile, a survey, a follow-up and a voucher each, then nothing on a
// second run.
func TestReindexUpgradesItemsOfThePreviousRelease(t *testing.T) {
	ctx := context.Background()
	env := testenv.New(t)
	s := newStack(t, env, nil)
	db := env.Clients.DynamoDB
	now := time.Now()
	forget := func(table, pk, sk, attrs string) {
		t.Helper()
		if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(env.Names(table)), Key: dynamo.Key(pk, sk),
			UpdateExpression: aws.String("REMOVE " + attrs), ConditionExpression: aws.String("attribute_exists(pk)")}); err != nil {
			t.Fatal(err)
		}
	}
	customers := &customer.Store{DB: db, Table: env.Names("customers"), Locations: &location.Store{DB: db, Table: env.Names("customers")}}
	name, loc := "Wang Fang", "loc-1"
	p, _, err := customers.CreateProfile(ctx, customer.ProfileInput{Name: &name, LocationID: &loc}, "test", now)
	if err != nil {
		t.Fatal(err)
	}
	forget("customers", "CUST#"+p.ID, "PROFILE", "namePk, nameSk")
	sv := survey.Survey{ID: id.New(now), Name: "Old survey", Version: 1, CreatedAt: now}
	if err := (&survey.Store{DB: db, Table: env.Names("surveys")}).PutSurvey(ctx, sv); err != nil {
		t.Fatal(err)
	}
	forget("surveys", "SURVEY#"+sv.ID, "DEF", "catalogPk, catalogSk")
	followups := &followup.Store{DB: db, Table: env.Names("followups")}
	fu := followup.Followup{ID: id.New(now), Kind: followup.KindRecoveryCallback, LocationID: loc,
		Recipient: followup.Recipient{Type: "staff", Channel: "email", Address: "desk@example.com"},
		DueAt:     now.Add(time.Hour), Subject: "s", Body: "b", CreatedAt: now}
	fu.DedupeKey = "test#" + fu.ID
	puts, err := followups.SchedulePuts(fu)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
		t.Fatal(err)
	}
	forget("followups", "FU#"+fu.ID, "FU", "locationPk, locationSk")
	// A voucher issued before vouchers were delivered: no timer keys.
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(env.Names("rewards")), Item: map[string]types.AttributeValue{
		"pk": dynamo.S("VOUCHER#OLDVOUCHER01"), "sk": dynamo.S("V"), "code": dynamo.S("OLDVOUCHER01"), "customerId": dynamo.S(p.ID),
		"kind": dynamo.S("value"), "state": dynamo.S("issued"), "version": dynamo.N(1), "locationId": dynamo.S(loc),
		"issuedAt": dynamo.S(now.UTC().Format(time.RFC3339)), "expiresAt": dynamo.S(now.AddDate(0, 3, 0).UTC().Format(time.RFC3339)),
	}}); err != nil {
		t.Fatal(err)
	}

	invoke := func() migrate.Result {
		t.Helper()
		out, err := s.runner.Invoke(ctx, "reindex", []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		var res migrate.Result
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("answer %s: %v", out, err)
		}
		return res
	}
	if res, want := invoke(), (migrate.Result{Customers: 1, Surveys: 1, Followups: 1, Rewards: 1}); res != want {
		t.Errorf("first run %+v, want %+v", res, want)
	}
	if found, _, err := customers.SearchByName(ctx, loc, "wang", 10, nil); err != nil || len(found) != 1 {
		t.Errorf("search by name after reindex: %d found, %v", len(found), err)
	}
	// Any time: the location's list is by send time, which quiet hours may move to
	// the next morning.
	if at, _, err := followups.ForLocation(ctx, loc, time.Time{}, time.Time{}, 10, nil); err != nil || len(at) != 1 {
		t.Errorf("the location's follow-ups after reindex: %d, %v", len(at), err)
	}
	if out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(env.Names("rewards")), Key: dynamo.Key("VOUCHER#OLDVOUCHER01", "V")}); err != nil || out.Item["duePk"] == nil {
		t.Errorf("the voucher after reindex: %v, %v; want its delivery's timer keys", out.Item, err)
	}
	if res := invoke(); res != (migrate.Result{}) {
		t.Errorf("second run %+v, want nothing to do", res)
	}
}
