package loyalty_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/loyalty"
)

// Reconciliation reads every account of the table through its parallel Scan segments
// (loyalty-reconcile's Scan grant on the loyalty table): an account whose stored
// balance drifts from its ledger is reported with its numbers, and no other.
func TestReconcileFindsTheAccountThatDrifted(t *testing.T) {
	// GIVEN 30 accounts with three earns each, spread over the Scan's segments
	f := newFixture(t, nil)
	const accounts = 30
	for i := range accounts {
		cid := fmt.Sprintf("c-%02d", i)
		for j := range 3 {
			f.earn(t, cid, fmt.Sprintf("%s-src-%d", cid, j), 10+j)
		}
	}
	before := f.balance(t, "c-17")

	// AND one account whose balance is changed behind the ledger's back
	_, err := f.env.Clients.DynamoDB.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName:                 aws.String(f.svc.Store.Table),
		Key:                       map[string]types.AttributeValue{"pk": dynamo.S("ACCT#c-17"), "sk": dynamo.S("L")},
		UpdateExpression:          aws.String("ADD balance :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: "7"}},
	})
	if err != nil {
		t.Fatal(err)
	}

	// WHEN the table is reconciled
	rep, err := loyalty.Reconcile(context.Background(), f.env.Clients.DynamoDB, f.svc.Store.Table)
	if err != nil {
		t.Fatal(err)
	}

	// THEN every account and entry was read
	if rep.Accounts != accounts || rep.Entries != 3*accounts {
		t.Errorf("read %d accounts and %d entries, want %d and %d", rep.Accounts, rep.Entries, accounts, 3*accounts)
	}
	// AND only the drifted account differs, by the 7 points added behind the ledger
	if len(rep.Differences) != 1 {
		t.Fatalf("differences %+v, want c-17 alone", rep.Differences)
	}
	d := rep.Differences[0]
	want := loyalty.Difference{CustomerID: "c-17", Balance: before.Balance + 7, Pending: before.Pending,
		LedgerSum: before.Balance + before.Pending, LotsAvailable: before.Balance, LotsPending: before.Pending}
	if d != want || want.LedgerSum == 0 {
		t.Errorf("difference %+v, want %+v", d, want)
	}
}
