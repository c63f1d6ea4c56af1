package complaint_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/dynamo"
)

// raw reads one item of a case as stored.
func (f *fixture) raw(t *testing.T, id, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := f.env.Clients.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(f.env.Names("complaints")),
		Key: dynamo.Key("CASE#"+id, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

// A case's description is written once, in its body item: the case item and its index
// entries, which every action rewrites, do not carry it; reading the case puts it back.
func TestActionsDoNotRewriteTheDescription(t *testing.T) {
	f := newFixture(t)
	in := intake("high")
	in.Description = strings.Repeat("房间太冷，空调坏了。", 50) // 500 characters, 1,500 bytes
	rc := f.submit(t, in)
	body := f.raw(t, rc.ComplaintID, "BODY")
	if d, _ := body["description"].(*types.AttributeValueMemberS); d == nil || d.Value != in.Description {
		t.Fatalf("body item %v", body)
	}
	if _, ok := f.raw(t, rc.ComplaintID, "CASE")["description"]; ok {
		t.Fatal("the case item carries the description")
	}
	f.act(t, agent, rc.ComplaintID, complaint.ActionRequest{Action: complaint.Acknowledge, Note: "Called the guest."})
	if _, ok := f.raw(t, rc.ComplaintID, "CASE")["description"]; ok {
		t.Fatal("an action wrote the description into the case item")
	}
	c, err := f.svc.Get(context.Background(), agent, rc.ComplaintID)
	if err != nil || c.Description != in.Description || c.Status != complaint.Acknowledged || c.Contact.Name != "Li Lei" {
		t.Fatalf("read back: %q %s %+v %v", c.Description, c.Status, c.Contact, err)
	}
}

// A case stored before bodies (its description on the case item) reads as before, and
// its next change moves the description into a body item.
func TestACaseStoredBeforeBodiesMovesItsDescriptionOnItsNextChange(t *testing.T) {
	f := newFixture(t)
	rc := f.submit(t, intake("high"))
	db, table := f.env.Clients.DynamoDB, aws.String(f.env.Names("complaints"))
	// Make it as the code before bodies stored it: the description on the case item.
	legacy := f.raw(t, rc.ComplaintID, "CASE")
	legacy["description"] = dynamo.S("Stored the old way.")
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: table, Item: legacy}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: table, Key: dynamo.Key("CASE#"+rc.ComplaintID, "BODY")}); err != nil {
		t.Fatal(err)
	}
	if c, err := f.svc.Get(context.Background(), agent, rc.ComplaintID); err != nil || c.Description != "Stored the old way." {
		t.Fatalf("legacy read: %q %v", c.Description, err)
	}
	f.act(t, agent, rc.ComplaintID, complaint.ActionRequest{Action: complaint.Acknowledge})
	if _, ok := f.raw(t, rc.ComplaintID, "CASE")["description"]; ok {
		t.Error("the description stayed on the case item")
	}
	if d, _ := f.raw(t, rc.ComplaintID, "BODY")["description"].(*types.AttributeValueMemberS); d == nil || d.Value != "Stored the old way." {
		t.Errorf("body after the change: %v", d)
	}
	if c, err := f.svc.Get(context.Background(), agent, rc.ComplaintID); err != nil || c.Description != "Stored the old way." {
		t.Fatalf("after the change: %q %v", c.Description, err)
	}
}
