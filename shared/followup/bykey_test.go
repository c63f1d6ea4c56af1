package followup_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A follow-up the index still lists under the customer but that left them before it
// was read by key (moved to a merge's survivor, or erased: its recipient is then the
// pseudonym) is not in the customer's list.
func TestACustomersListLeavesOutFollowupsThatLeftThem(t *testing.T) {
	record := func(id, recipient string) map[string]types.AttributeValue {
		it, err := attributevalue.MarshalMap(map[string]any{"pk": "FU#" + id, "sk": "FU", "id": id, "kind": followup.KindMessage,
			"recipient": map[string]any{"type": "customer", "id": recipient, "channel": "email", "address": "a@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	db := testenv.StaleIndex{
		Keys: []map[string]types.AttributeValue{dynamo.Key("FU#kept", "FU"), dynamo.Key("FU#moved", "FU"), dynamo.Key("FU#erased", "FU")},
		Records: []map[string]types.AttributeValue{
			record("kept", "c-1"), record("moved", "c-2"), record("erased", "erased-7f3a"),
		},
	}
	fs, _, err := (&followup.Store{DB: db, Table: "followups"}).ForCustomer(context.Background(), "c-1", 20, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.ID)
	}
	if !slices.Equal(got, []string{"kept"}) {
		t.Errorf("c-1's follow-ups %v, want [kept]", got)
	}
}
