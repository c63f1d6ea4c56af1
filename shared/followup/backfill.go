package followup

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// locationKeys are a follow-up's byLocation keys: one from a location has them (ok).
func locationKeys(f Followup) (pk, sk string, ok bool) {
	if f.LocationID == "" {
		return "", "", false
	}
	return locationPK(f.LocationID), indexSK(f.DueAt, f.ID), true
}

// LocationIndexBackfill gives the byLocation keys to the follow-ups from a location
// that an earlier release wrote without them (shared/migrate), whatever their status:
// sent and cancelled ones are history the location's list shows. Each is updated only
// while its due time and location are still those read.
func LocationIndexBackfill(table string) dynamo.Backfill {
	return dynamo.Backfill{
		Table:  table,
		Filter: "sk = :fu AND attribute_exists(locationId) AND attribute_not_exists(locationPk)",
		Values: map[string]types.AttributeValue{":fu": dynamo.S(recordSK)},
		Keys: func(raw map[string]types.AttributeValue) (set, from map[string]types.AttributeValue, ok bool, err error) {
			var it item
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return nil, nil, false, err
			}
			pk, sk, ok := locationKeys(it.Followup)
			if !ok || it.PK != recordPK(it.ID) {
				return nil, nil, false, nil
			}
			return map[string]types.AttributeValue{"locationPk": dynamo.S(pk), "locationSk": dynamo.S(sk)},
				map[string]types.AttributeValue{"dueAt": raw["dueAt"], "locationId": raw["locationId"]}, true, nil
		},
	}
}
