package survey

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// catalogKeys are the catalog index's keys of a survey's definition item.
func catalogKeys(surveyID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"catalogPk": dynamo.S(catalogPK), "catalogSk": dynamo.S(catalogSK(surveyID))}
}

// CatalogIndexBackfill gives the catalog keys to the definition items an earlier
// release wrote without them (shared/migrate); the keys come from the survey's id
// alone, so any version of the definition takes them.
func CatalogIndexBackfill(table string) dynamo.Backfill {
	return dynamo.Backfill{
		Table:  table,
		Filter: "begins_with(pk, :survey) AND sk = :def AND attribute_not_exists(catalogPk)",
		Values: map[string]types.AttributeValue{":survey": dynamo.S(surveyPK("")), ":def": dynamo.S(definitionSK)},
		Keys: func(item map[string]types.AttributeValue) (set, from map[string]types.AttributeValue, ok bool, err error) {
			pk, _ := item["pk"].(*types.AttributeValueMemberS)
			if pk == nil || !strings.HasPrefix(pk.Value, surveyPK("")) || pk.Value == surveyPK("") {
				return nil, nil, false, nil
			}
			return catalogKeys(strings.TrimPrefix(pk.Value, surveyPK(""))), nil, true, nil
		},
	}
}
