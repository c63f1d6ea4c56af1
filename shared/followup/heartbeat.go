package followup

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/dynamo"
)

// The dispatcher's heartbeat (followups table, pk HEARTBEAT, sk followup-dispatcher;
// the key is app.HeartbeatPK/SK, since the deep health check in shared/app reads it
// and this package builds on that one): one PutItem at the end of every run, with when
// the run ended and whether it succeeded. Deep health fails when it grows old, which
// is how a schedule that stopped, a function that cannot start, or runs that never end
// show up.

// beat records the end of a run. A write that fails is logged, not returned: the run's
// work stands, and a heartbeat that stops is exactly what deep health watches for.
// The condition keeps a slower concurrent run from moving the time backwards.
func (d *Dispatcher) beat(ctx context.Context, runErr error) {
	if d.Store == nil {
		return // a dispatcher built by a test without a table
	}
	now := d.Clock.Now().UTC().Format(app.HeartbeatTime)
	_, err := d.Store.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.Store.Table),
		Item: map[string]types.AttributeValue{
			"pk": dynamo.S(app.HeartbeatPK), "sk": dynamo.S(app.HeartbeatSK),
			app.HeartbeatAt: dynamo.S(now), app.HeartbeatOK: &types.AttributeValueMemberBOOL{Value: runErr == nil},
		},
		ConditionExpression:       aws.String("attribute_not_exists(#at) OR #at <= :now"),
		ExpressionAttributeNames:  map[string]string{"#at": app.HeartbeatAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": dynamo.S(now)},
	})
	if err != nil && !dynamo.ConditionFailed(err) {
		slog.WarnContext(ctx, "dispatcher heartbeat not recorded", "error", err.Error())
	}
}
