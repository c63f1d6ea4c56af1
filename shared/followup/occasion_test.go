package followup_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
)

func TestOccasionIDIsTheKeysHashAsAnID(t *testing.T) {
	// SHA-256("visit-survey#bill-1") starts b3622842c97c8ff99f76765e8b86d7, which is
	// WNRCQQWJPSH7TH3WOZPIXBWX in base32.
	for key, want := range map[string]string{
		"visit-survey#bill-1":      "ownrcqqwjpsh7th3wozpixbwx",
		"complaint#c-1#received#0": "o7cyzfjmtp5sprrkflxoyl2gj",
	} {
		got := followup.OccasionID(key)
		if got != want || !id.Valid(got) {
			t.Errorf("OccasionID(%q) = %q (valid %v), want %q", key, got, id.Valid(got), want)
		}
	}
}

// occasionFollowup is a follow-up of the occasion key under the occasion's id.
func (f *fixture) occasionFollowup(key, address string) followup.Followup {
	return followup.Followup{ID: followup.OccasionID(key), Kind: followup.KindBirthday, DedupeKey: key,
		Recipient: followup.Recipient{Type: "customer", ID: "c-1", Channel: "email", Address: address},
		DueAt:     f.clk.Now(), CreatedAt: f.clk.Now(), Subject: "s", Body: "b"}
}

func (f *fixture) commit(puts []types.TransactWriteItem) error {
	_, err := f.env.Clients.DynamoDB.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: puts})
	return err
}

func TestAnOccasionsFollowupIsOnePutAndACheck(t *testing.T) {
	f := newFixture(t)
	puts, err := f.store.SchedulePuts(f.occasionFollowup("birthday#c-1#2026", "a@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if len(puts) != 2 || puts[0].Put == nil || puts[1].ConditionCheck == nil || puts[0].ConditionCheck != nil || puts[1].Put != nil {
		t.Fatalf("items %+v, want a put then a condition check", puts)
	}
	rec, check := puts[0].Put, puts[1].ConditionCheck
	if pk := rec.Item["pk"].(*types.AttributeValueMemberS).Value; pk != "FU#"+followup.OccasionID("birthday#c-1#2026") {
		t.Errorf("record pk %s", pk)
	}
	if aws.ToString(rec.ConditionExpression) != "attribute_not_exists(pk)" {
		t.Errorf("record condition %q", aws.ToString(rec.ConditionExpression))
	}
	if pk := check.Key["pk"].(*types.AttributeValueMemberS).Value; pk != "DEDUPE#birthday#c-1#2026" ||
		aws.ToString(check.ConditionExpression) != "attribute_not_exists(pk)" {
		t.Errorf("check %s if %q", pk, aws.ToString(check.ConditionExpression))
	}

	// A follow-up with an id of its own keeps its dedupe claim, written.
	own := f.occasionFollowup("birthday#c-1#2026", "a@example.com")
	own.ID = id.New(f.clk.Now())
	puts, err = f.store.SchedulePuts(own)
	if err != nil || len(puts) != 2 || puts[0].Put == nil || puts[1].Put == nil {
		t.Fatalf("own id: %+v %v; want two puts", puts, err)
	}
	if id := puts[1].Put.Item["followupId"].(*types.AttributeValueMemberS).Value; id != own.ID {
		t.Errorf("claim names %s, want %s", id, own.ID)
	}
}

func TestANewOccasionsFollowupIsItsRecordAlone(t *testing.T) {
	f := newFixture(t)
	key := "recovery#06H4WN9T0V8J434D42P1YGTS4W#0"
	puts, err := f.store.ScheduleNewPuts(f.occasionFollowup(key, "a@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if len(puts) != 1 || puts[0].Put == nil || aws.ToString(puts[0].Put.ConditionExpression) != "attribute_not_exists(pk)" {
		t.Fatalf("items %+v, want the record alone, new", puts)
	}
	if pk := puts[0].Put.Item["pk"].(*types.AttributeValueMemberS).Value; pk != "FU#"+followup.OccasionID(key) {
		t.Errorf("record pk %s", pk)
	}
	// The record still claims the occasion: a second schedule of it is refused.
	if err := f.commit(puts); err != nil {
		t.Fatal(err)
	}
	if err := f.commit(puts); !slices.Equal(dynamo.CancellationReasons(err), []string{"ConditionalCheckFailed"}) {
		t.Fatalf("second schedule: %v; want the record refused", err)
	}
	// A follow-up with an id of its own is no new occasion's.
	own := f.occasionFollowup(key, "a@example.com")
	own.ID = id.New(f.clk.Now())
	if puts, err := f.store.ScheduleNewPuts(own); err == nil {
		t.Fatalf("own id: %+v, want an error", puts)
	}
}

func TestAnOccasionScheduledTwiceKeepsItsFirstFollowup(t *testing.T) {
	f := newFixture(t)
	key := "tier#c-1#upgrade#gold#2026-11-23"
	puts, err := f.store.SchedulePuts(f.occasionFollowup(key, "first@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.commit(puts); err != nil {
		t.Fatal(err)
	}
	puts, err = f.store.SchedulePuts(f.occasionFollowup(key, "second@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.commit(puts)
	if reasons := dynamo.CancellationReasons(err); !slices.Equal(reasons, []string{"ConditionalCheckFailed", "None"}) {
		t.Fatalf("second schedule: %v, reasons %q; want the record refused", err, reasons)
	}
	if _, err := f.store.Schedule(context.Background(), f.occasionFollowup(key, "third@example.com")); !errors.Is(err, followup.ErrDuplicate) {
		t.Fatalf("Schedule: %v, want ErrDuplicate", err)
	}
	fs, err := f.store.CustomerFollowups(context.Background(), "c-1")
	if err != nil || len(fs) != 1 || fs[0].ID != followup.OccasionID(key) || fs[0].Recipient.Address != "first@example.com" {
		t.Fatalf("follow-ups %+v %v; want the first alone", fs, err)
	}
}

// legacyClaim schedules a follow-up of key as the code before occasion ids did: a
// random id, and a DEDUPE item naming it.
func (f *fixture) legacyClaim(t *testing.T, key string) string {
	t.Helper()
	fu := f.occasionFollowup(key, "old@example.com")
	fu.ID = id.New(f.clk.Now())
	rec, err := f.store.SchedulePuts(fu)
	if err != nil {
		t.Fatal(err)
	}
	claim := dynamo.Key("DEDUPE#"+key, "DEDUPE")
	claim["followupId"] = dynamo.S(fu.ID)
	if err := f.commit([]types.TransactWriteItem{rec[0], {Put: &types.Put{TableName: aws.String(f.env.Names("followups")), Item: claim}}}); err != nil {
		t.Fatal(err)
	}
	return fu.ID
}

func TestAnOccasionClaimedBeforeOccasionIDsIsNotScheduledAgain(t *testing.T) {
	f := newFixture(t)
	key := "points-expiry#lot-7"
	old := f.legacyClaim(t, key)
	puts, err := f.store.SchedulePuts(f.occasionFollowup(key, "new@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.commit(puts)
	if reasons := dynamo.CancellationReasons(err); !slices.Equal(reasons, []string{"None", "ConditionalCheckFailed"}) {
		t.Fatalf("schedule: %v, reasons %q; want the check refused", err, reasons)
	}
	if _, err := f.store.Schedule(context.Background(), f.occasionFollowup(key, "new@example.com")); !errors.Is(err, followup.ErrDuplicate) {
		t.Fatalf("Schedule: %v, want ErrDuplicate", err)
	}
	if _, err := f.store.Get(context.Background(), followup.OccasionID(key)); !errors.Is(err, followup.ErrNotFound) {
		t.Fatalf("occasion record: %v, want none", err)
	}
	if fu, ok, err := f.store.ByOccasion(context.Background(), key); err != nil || !ok || fu.ID != old {
		t.Fatalf("ByOccasion: %s %v %v; want %s", fu.ID, ok, err, old)
	}
}

func TestByOccasionFindsOldAndNewOccasions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := f.legacyClaim(t, "complaint#c-1#received#0")
	puts, err := f.store.SchedulePuts(f.occasionFollowup("complaint#c-1#outcome#0", "c1@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.commit(puts); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"complaint#c-1#received#0": old,
		"complaint#c-1#outcome#0":  followup.OccasionID("complaint#c-1#outcome#0"),
		"complaint#c-1#callback#0": "",
	} {
		fu, ok, err := f.store.ByOccasion(ctx, key)
		if err != nil || ok != (want != "") || fu.ID != want {
			t.Errorf("ByOccasion(%s): %q %v %v; want %q", key, fu.ID, ok, err, want)
		}
	}
	// Redaction finds them the same way.
	for key, want := range map[string]string{"complaint#c-1#received#0": old, "complaint#c-1#outcome#0": followup.OccasionID("complaint#c-1#outcome#0")} {
		got, err := f.store.RedactOccasion(ctx, key, false, f.clk.Now())
		if err != nil || got != want {
			t.Fatalf("RedactOccasion(%s): %q %v; want %q", key, got, err, want)
		}
		fu, err := f.store.Get(ctx, got)
		if err != nil || fu.Recipient.Address != "" || fu.Body != "" || fu.Status != followup.Cancelled {
			t.Errorf("%s after redaction: address %q, body %q, %s, %v", key, fu.Recipient.Address, fu.Body, fu.Status, err)
		}
	}
}

// reads counts the GetItem calls a store makes.
type reads struct {
	dynamo.API
	n atomic.Int32
}

func (r *reads) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	r.n.Add(1)
	return r.API.GetItem(ctx, in, opts...)
}

// The sender's claim returns the follow-up it takes: one that follows no predecessor
// is sent without a read, and so is a repeat delivery finding it sent. One that does
// is refused that first claim, checked against its predecessor (here none: two reads
// of the occasion) and claimed once.
func TestSendingAFollowupReadsOnlyItsPredecessor(t *testing.T) {
	f := newFixture(t)
	alone := f.schedule(t, f.clk.Now(), 1)[0]
	after := f.occasion(t, "complaint#c-1#outcome#0", "complaint#c-1#received#0", f.clk.Now())
	db := &reads{API: f.env.Clients.DynamoDB}
	f.sender.Store = &followup.Store{DB: db, Table: f.env.Names("followups")}
	for fid, want := range map[string]int32{alone: 0, after: 2} {
		db.n.Store(0)
		ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m", Body: `{"followupId":"` + fid + `"}`}}}
		for range 2 { // the second delivery finds it sent
			if resp, err := f.sender.Handle(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("send %s: %+v %v", fid, resp, err)
			}
		}
		if n := db.n.Load(); n != want {
			t.Errorf("%d reads to send %s twice, want %d", n, fid, want)
		}
		if fu := f.status(t, fid); fu.Status != followup.Sent || fu.Attempts != 1 || f.outboxCount(t)[fid] != 1 {
			t.Errorf("%s: status %s after %d attempts, %d in the outbox; want sent once", fid, fu.Status, fu.Attempts, f.outboxCount(t)[fid])
		}
	}
}
