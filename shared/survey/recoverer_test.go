package survey_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/survey"
)

// recorder is a Recoverer that keeps the recoveries it is handed and adds one item of
// its own per recovery (RECOVERY#<responseId> in the surveys table) to the response's
// transaction, so a test sees whether a recovery committed with its response.
type recorder struct {
	db    dynamo.API
	table string
	// caseRef is the case reference it answers with; err, when set, refuses.
	caseRef string
	err     error

	mu  sync.Mutex
	got []survey.Recovery
}

func (r *recorder) Recover(_ context.Context, rec survey.Recovery, tx *dynamo.Tx) (survey.Recovered, error) {
	if r.err != nil {
		return survey.Recovered{}, r.err
	}
	r.mu.Lock()
	r.got = append(r.got, rec)
	r.mu.Unlock()
	tx.Add(nil, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(r.table), Item: dynamo.Key("RECOVERY#"+rec.Response.ID, "RECOVERY")}})
	return survey.Recovered{Case: r.caseRef}, nil
}

// recoveries are the recoveries handed over so far.
func (r *recorder) recoveries() []survey.Recovery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]survey.Recovery(nil), r.got...)
}

// committed counts the recoveries whose item was stored, with their responses.
func (r *recorder) committed(t *testing.T) int {
	t.Helper()
	n := 0
	for _, rec := range r.recoveries() {
		out, err := r.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(r.table),
			Key: dynamo.Key("RECOVERY#"+rec.Response.ID, "RECOVERY"), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Item != nil {
			n++
		}
	}
	return n
}

// locations is the locations registry as a map.
type locations map[string]place.Location

func (l locations) Location(_ context.Context, id string) (place.Location, error) {
	loc, ok := l[id]
	if !ok {
		return place.Location{}, place.ErrNotFound
	}
	return loc, nil
}
