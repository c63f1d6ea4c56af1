package dynamo

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A last evaluated key survives the trip through a cursor's strings; no key stays none.
func TestKeyStringsRoundTrip(t *testing.T) {
	key := map[string]types.AttributeValue{"pk": S("CUST#c-1"), "sk": S("PROFILE"), "namePk": S("NAME#loc-1"), "nameSk": S("li lei#c-1")}
	if got := StringKey(KeyStrings(key)); !reflect.DeepEqual(got, key) {
		t.Fatalf("round trip: %v, want %v", got, key)
	}
	if KeyStrings(nil) != nil || StringKey(nil) != nil || StringKey(map[string]string{}) != nil {
		t.Fatal("no key must stay none, so that a query starts at the beginning")
	}
}
