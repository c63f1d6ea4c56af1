package dynamo

import (
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// S is a string attribute value.
func S(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// N is a number attribute value.
func N(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// Key is a pk/sk key.
func Key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": S(pk), "sk": S(sk)}
}

// KeyStrings is a query's last evaluated key as the strings a list's cursor keeps (every
// key attribute of the project's tables and indexes is a string); nil for none.
func KeyStrings(key map[string]types.AttributeValue) map[string]string {
	if key == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range key {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			out[k] = s.Value
		}
	}
	return out
}

// StringKey is the exclusive start key a cursor's strings (KeyStrings) stand for; nil
// for none, so that a query without a cursor starts at the beginning.
func StringKey(m map[string]string) map[string]types.AttributeValue {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		out[k] = S(v)
	}
	return out
}
