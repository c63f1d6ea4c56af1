package loyalty_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/loyalty"
)

// recorder is the programme's effects in these tests: each event is an item written
// in the transaction that caused it (in a spare table of the test's), so a test sees
// the events of committed writes only, as a real effect's items would be.
type recorder struct {
	table string
	seq   atomic.Int64
	// fail, when set, is the error every effect answers with.
	fail error
}

func (r *recorder) TierChanged(ev loyalty.TierChanged) ([]types.TransactWriteItem, error) {
	return r.record(ev.Account.CustomerID, ev.At, ev.Change.Kind+":"+ev.Change.To)
}

func (r *recorder) PointsExpiring(ev loyalty.PointsExpiring) ([]types.TransactWriteItem, error) {
	return r.record(ev.Account.CustomerID, ev.At, fmt.Sprintf("expiring:%d:%s:%s", ev.Lot.Remaining, ev.Lot.ExpiresAt.Format(time.DateOnly), ev.Account.Email))
}

func (r *recorder) record(cid string, at time.Time, what string) ([]types.TransactWriteItem, error) {
	if r.fail != nil {
		return nil, r.fail
	}
	sk := fmt.Sprintf("%s#%06d", at.UTC().Format(time.RFC3339Nano), r.seq.Add(1))
	return []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(r.table),
		Item: map[string]types.AttributeValue{"pk": dynamo.S("EVENT#" + cid), "sk": dynamo.S(sk), "what": dynamo.S(what)}}}}, nil
}

// events are a customer's recorded events, oldest first.
func (f *fixture) events(t *testing.T, cid string) []string {
	t.Helper()
	out, err := f.env.Clients.DynamoDB.Query(context.Background(), &dynamodb.QueryInput{
		TableName: aws.String(f.env.Names("followups")), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S("EVENT#" + cid)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, it := range out.Items {
		got = append(got, it["what"].(*types.AttributeValueMemberS).Value)
	}
	return got
}

// An effect that fails fails the write that caused its event: the earn that would
// upgrade, and the timer that would remind, change nothing until their effects can be
// written with them.
func TestAFailingEffectFailsItsWrite(t *testing.T) {
	f := newFixture(t, func(r *loyalty.Rules) { r.ExpiryMonths = 12; r.ReminderDays = 30 })
	ctx := context.Background()
	rec := f.svc.Effects.(*recorder)
	f.enrol(t, "m-1", loyalty.Membership{Email: "m1@example.com"})
	f.earn(t, "m-1", "first", 100)
	broken := errors.New("no follow-ups today")
	rec.fail = broken
	if _, _, err := f.svc.Earn(ctx, "pos", "m-1", loyalty.EarnRequest{SourceID: "big", Points: 6000}); !errors.Is(err, broken) {
		t.Fatalf("earn across a threshold with a failing effect: %v", err)
	}
	if a := f.account(t, "m-1"); a.Tier != "member" || f.balance(t, "m-1").Balance != 100 {
		t.Fatalf("the failed earn left tier %s, balance %d", a.Tier, f.balance(t, "m-1").Balance)
	}
	remind := t0.AddDate(1, 0, -30)
	f.clk.Set(remind)
	if rep, err := f.svc.RunTimers(ctx, remind); !errors.Is(err, broken) || rep.Reminded != 0 || rep.Failed != 1 {
		t.Fatalf("reminder with a failing effect: %+v %v", rep, err)
	}
	if got := f.events(t, "m-1"); len(got) != 0 {
		t.Fatalf("events of failed writes: %v", got)
	}
	rec.fail = nil
	if rep := f.runTimers(t, remind); rep.Reminded != 1 {
		t.Fatalf("reminder once effects work: %+v", rep)
	}
	want := []string{"expiring:100:" + t0.AddDate(1, 0, 0).Format(time.DateOnly) + ":m1@example.com"}
	if got := f.events(t, "m-1"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	f.reconcile(t)
}
