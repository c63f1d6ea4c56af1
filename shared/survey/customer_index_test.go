package survey_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/survey"
)

// A response of a known customer is in the byCustomer index (the customer's timeline),
// newest first; one without a customer is not.
func TestResponsesOfKnownCustomersAreIndexedByCustomer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := f.svc.Store
	var known []survey.Receipt
	for i, tok := range []string{"tok-a", "tok-b"} {
		f.invite(t, tok, "loc-1", f.clk.Now().Add(time.Hour)) // for customer c-1
		sub := nps(float64(7 + i))
		sub.InvitationToken = tok
		rc, err := f.svc.Submit(ctx, "s-1", sub, nil)
		if err != nil {
			t.Fatal(err)
		}
		known = append(known, rc)
		f.clk.Advance(time.Minute)
	}
	if err := st.PutInvitation(ctx, survey.Invitation{Token: "tok-anon", SurveyID: "s-1", LocationID: "loc-1", ExpiresAt: f.clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sub := nps(10)
	sub.InvitationToken = "tok-anon"
	anon, err := f.svc.Submit(ctx, "s-1", sub, nil)
	if err != nil {
		t.Fatal(err)
	}

	out, err := st.DB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(st.Table), IndexName: aws.String("byCustomer"),
		KeyConditionExpression:    aws.String("customerPk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S("CUST#c-1")},
		ScanIndexForward:          aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 2 {
		t.Fatalf("%d responses indexed for c-1, want 2", len(out.Items))
	}
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i, item := range out.Items {
		rc := known[len(known)-1-i] // newest first
		want := start.Add(time.Duration(len(known)-1-i)*time.Minute).Format("2006-01-02T15:04:05.000Z") + "#" + rc.ResponseID
		if sk := item["customerSk"].(*types.AttributeValueMemberS).Value; sk != want {
			t.Fatalf("response %d: customerSk %q, want %q", i, sk, want)
		}
	}

	raw, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: dynamo.Key("SURVEY#s-1", "RESP#"+anon.ResponseID)})
	if err != nil || raw.Item == nil {
		t.Fatalf("the anonymous response: %v", err)
	}
	if _, ok := raw.Item["customerPk"]; ok {
		t.Fatal("a response without a customer carries byCustomer keys")
	}
	if _, ok := raw.Item["customerSk"]; ok {
		t.Fatal("a response without a customer carries byCustomer keys")
	}
	// The stored response still reads back as before.
	rs, err := st.Responses(ctx, "s-1")
	if err != nil || len(rs) != 3 {
		t.Fatalf("%d responses, %v", len(rs), err)
	}
}
