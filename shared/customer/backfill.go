package customer

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// nameKeys are a profile's byName keys: a named profile of a home location that was
// not merged into another has them (ok), every other profile none.
func nameKeys(p Profile) (pk, sk string, ok bool) {
	if p.LocationID == "" || p.MergedInto != "" || FoldName(p.Name) == "" {
		return "", "", false
	}
	return namePK(p.LocationID), nameSK(p.Name, p.ID), true
}

// NameIndexBackfill gives the byName keys to the profiles an earlier release wrote
// without them (shared/migrate): named profiles of a home location, each only while
// its version, name and home are still those read. Erased profiles (no name) and
// merged duplicates stay out, as profile writes leave them.
func NameIndexBackfill(table string) dynamo.Backfill {
	return dynamo.Backfill{
		Table: table,
		Filter: "sk = :profile AND attribute_not_exists(namePk) AND attribute_exists(locationId) AND " +
			"attribute_exists(#name) AND attribute_not_exists(mergedInto)",
		Names:  map[string]string{"#name": "name"},
		Values: map[string]types.AttributeValue{":profile": dynamo.S(profileSK)},
		Keys: func(item map[string]types.AttributeValue) (set, from map[string]types.AttributeValue, ok bool, err error) {
			var it profileItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, nil, false, err
			}
			pk, sk, ok := nameKeys(it.Profile)
			if !ok || it.PK != customerPK(it.ID) {
				return nil, nil, false, nil
			}
			return map[string]types.AttributeValue{"namePk": dynamo.S(pk), "nameSk": dynamo.S(sk)},
				map[string]types.AttributeValue{"version": item["version"], "name": item["name"], "locationId": item["locationId"]}, true, nil
		},
	}
}
