package reward

import (
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// TimerIndexBackfill gives the vouchers a release before their delivery issued (no
// timer, so never delivered, reminded or counted expired) the keys of their next
// timer in dueKeys, as an issue writes them now: the voucher-timers job then runs
// them in order. A voucher no longer usable when its delivery or reminder runs gets
// no message (the job's rule); its expiry is still counted.
func TimerIndexBackfill(table string) dynamo.Backfill {
	return dynamo.Backfill{
		Table:  table,
		Filter: "sk = :v AND #state = :issued AND attribute_not_exists(duePk)",
		Names:  map[string]string{"#state": "state"},
		Values: map[string]types.AttributeValue{":v": dynamo.S(voucherSK), ":issued": dynamo.S(StatusIssued)},
		Keys: func(raw map[string]types.AttributeValue) (set, from map[string]types.AttributeValue, ok bool, err error) {
			var it voucherItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return nil, nil, false, err
			}
			pk, sk, ok := dueKeys(it.Voucher)
			if !ok || it.PK != voucherPK(it.Code) || raw["version"] == nil {
				return nil, nil, false, nil
			}
			return map[string]types.AttributeValue{"duePk": dynamo.S(pk), "dueSk": dynamo.S(sk)},
				map[string]types.AttributeValue{"version": raw["version"]}, true, nil
		},
	}
}
