package complaint_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/dynamo"
)

// A case linked to a customer is in the customerCases index (the customer's timeline)
// and stays there through its actions; a case of an unknown complainant is not.
func TestCasesOfKnownCustomersAreIndexedByCustomer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.customers.byContact["+8613800138000"] = "cust-7"
	linked := f.submit(t, intake("normal")) // matched by phone
	opened := f.clk.Now()
	f.clk.Advance(time.Minute)
	in := intake("normal")
	in.Contact.Phone, in.Contact.Email = "", "stranger@example.com"
	stranger := f.submit(t, in)
	f.act(t, agent, linked.ComplaintID, complaint.ActionRequest{Action: complaint.Acknowledge, Note: "Called back."})

	st := f.svc.Store
	out, err := st.DB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(st.Table), IndexName: aws.String(complaint.CustomerIndex),
		KeyConditionExpression:    aws.String("customerPk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S("CUST#cust-7")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 {
		t.Fatalf("%d cases indexed for cust-7, want 1", len(out.Items))
	}
	item := out.Items[0]
	want := opened.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + linked.ComplaintID
	if sk := item["customerSk"].(*types.AttributeValueMemberS).Value; sk != want {
		t.Fatalf("customerSk %q, want %q", sk, want)
	}
	if status := item["status"].(*types.AttributeValueMemberS).Value; status != string(complaint.Acknowledged) {
		t.Fatalf("the indexed case is %q, want it as it is now (acknowledged)", status)
	}

	raw, err := st.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(st.Table), Key: dynamo.Key("CASE#"+stranger.ComplaintID, "CASE")})
	if err != nil || raw.Item == nil {
		t.Fatalf("the stranger's case: %v", err)
	}
	for _, k := range []string{"customerPk", "customerSk"} {
		if _, ok := raw.Item[k]; ok {
			t.Fatalf("a case without a customer carries %s", k)
		}
	}
}
