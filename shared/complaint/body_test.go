package complaint_test

import (
	"context"
	"fmt"
	"slices"
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
	// Its first event an item of its own, as the code before bodies held events wrote it.
	first := map[string]types.AttributeValue{"pk": dynamo.S("CASE#" + rc.ComplaintID), "sk": dynamo.S("EV#000001"), "seq": dynamo.N(1),
		"type": dynamo.S("received"), "at": dynamo.S("2026-11-23T02:00:00Z"), "actor": dynamo.S("customer"), "to": dynamo.S("received"),
		"internal": &types.AttributeValueMemberBOOL{Value: false}}
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: table, Item: first}); err != nil {
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
	c, err := f.svc.Get(context.Background(), agent, rc.ComplaintID)
	if err != nil || c.Description != "Stored the old way." || len(c.Timeline) != 2 || c.Timeline[0].Type != "received" || c.Timeline[1].Type != "acknowledge" {
		t.Fatalf("after the change: %q %+v %v", c.Description, c.Timeline, err)
	}
	if _, ok := f.raw(t, rc.ComplaintID, "BODY")["events"]; ok {
		t.Error("the moved body took events, which are items for this case")
	}
}

// events lists the event items a case has, by sort key.
func (f *fixture) events(t *testing.T, id string) []string {
	t.Helper()
	out, err := f.env.Clients.DynamoDB.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(f.env.Names("complaints")),
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :ev)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("CASE#" + id), ":ev": dynamo.S("EV#")}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var sks []string
	for _, it := range out.Items {
		sks = append(sks, it["sk"].(*types.AttributeValueMemberS).Value)
	}
	return sks
}

// The intake's events are written with the body, not as items of their own; later
// events are items numbered on from them, and a redaction, which rewrites the body,
// keeps them.
func TestTheIntakesEventsAreHeldByTheBody(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := f.submit(t, intake("high"))
	if evs := f.events(t, rc.ComplaintID); len(evs) != 0 {
		t.Fatalf("event items after intake: %v, want none", evs)
	}
	if l, _ := f.raw(t, rc.ComplaintID, "BODY")["events"].(*types.AttributeValueMemberL); l == nil || len(l.Value) == 0 {
		t.Fatal("the body holds no events")
	}
	c, err := f.svc.Get(ctx, agent, rc.ComplaintID)
	if err != nil || len(c.Timeline) != c.Version || c.Timeline[0].Type != "received" || c.Timeline[0].Seq != 1 {
		t.Fatalf("timeline after intake %+v (version %d) %v", c.Timeline, c.Version, err)
	}
	opened := c.Version
	f.act(t, agent, rc.ComplaintID, complaint.ActionRequest{Action: complaint.Acknowledge, Note: "Called the guest."})
	if evs := f.events(t, rc.ComplaintID); !slices.Equal(evs, []string{fmt.Sprintf("EV#%06d", opened+1)}) {
		t.Fatalf("event items after an action: %v", evs)
	}
	store := &complaint.Store{DB: f.env.Clients.DynamoDB, Table: f.env.Names("complaints")}
	r := complaint.Redaction{Reason: "erasure", Actor: "privacy", At: f.clk.Now(), CustomerID: c.CustomerID, Pseudonym: "anon-1"}
	if ok, err := store.RedactCase(ctx, rc.ComplaintID, r); !ok || err != nil {
		t.Fatalf("redact: %v %v", ok, err)
	}
	after, err := f.svc.Get(ctx, agent, rc.ComplaintID)
	if err != nil || after.Description != "" || len(after.Timeline) != opened+2 || after.Timeline[0].Type != "received" ||
		after.Timeline[opened].Note != "" || after.Timeline[opened+1].Type != complaint.EventPersonalDataRemoved {
		t.Fatalf("after the redaction: %q %+v %v", after.Description, after.Timeline, err)
	}
}
