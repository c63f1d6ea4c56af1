package followup_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
)

// A location's list goes through an index that holds keys only, so a follow-up's
// changes (here a cancellation) write no index entry; the list still shows each
// follow-up whole and as it is now, latest due first, a page at a time.
func TestLocationListShowsWholeFollowupsFromAKeysOnlyIndex(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	start := f.clk.Now()
	var ids []string
	for i, loc := range []string{"sh-01", "sh-01", "bj-01", "sh-01"} {
		fu := followup.Followup{
			ID: id.New(start.Add(time.Duration(i) * time.Millisecond)), Kind: followup.KindRecoveryCallback, LocationID: loc,
			Recipient: followup.Recipient{Type: "staff", Channel: "email", Address: "desk@example.com"},
			DueAt:     start.Add(time.Duration(i+1) * time.Hour), Subject: "Call back " + loc, Body: "b", CreatedAt: start,
		}
		fu.DedupeKey = "test#" + fu.ID
		puts, err := f.store.SchedulePuts(fu)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.env.Clients.DynamoDB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, fu.ID)
	}
	if err := f.store.Cancel(ctx, ids[1], start); err != nil {
		t.Fatal(err)
	}

	// The index entry holds the keys, not the status the cancellation changed.
	out, err := f.env.Clients.DynamoDB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(f.env.Names("followups")),
		IndexName: aws.String("byLocationKeys"), KeyConditionExpression: aws.String("locationPk = :l"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":l": dynamo.S("LOC#sh-01")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.Items {
		if _, ok := it["status"]; ok || len(it) != 4 {
			t.Errorf("index entry %v, want pk, sk, locationPk and locationSk only", it)
		}
	}

	first, next, err := f.store.ForLocation(ctx, "sh-01", time.Time{}, time.Time{}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if next == nil {
		t.Fatal("no cursor after the first page of two")
	}
	second, _, err := f.store.ForLocation(ctx, "sh-01", time.Time{}, time.Time{}, 2, next)
	if err != nil {
		t.Fatal(err)
	}
	got := append(first, second...)
	gotIDs := make([]string, len(got))
	for i, fu := range got {
		gotIDs[i] = fu.ID
	}
	if want := []string{ids[3], ids[1], ids[0]}; !slices.Equal(gotIDs, want) {
		t.Fatalf("listed %v, want %v (latest due first)", gotIDs, want)
	}
	for i, fu := range got {
		wantStatus := followup.Scheduled
		if fu.ID == ids[1] {
			wantStatus = followup.Cancelled
		}
		if fu.Subject != "Call back sh-01" || fu.Recipient.Address != "desk@example.com" || fu.LocationID != "sh-01" ||
			fu.Status != wantStatus || !fu.DueAt.Equal(start.Add(time.Duration(slices.Index(ids, fu.ID)+1)*time.Hour)) {
			t.Errorf("item %d = %+v, want the whole follow-up, status %s", i, fu, wantStatus)
		}
	}
}
