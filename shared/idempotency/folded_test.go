package idempotency_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/web"
)

// transacting is a handler whose effect (one item per request, counted) and reply are
// one transaction, as a survey response's: it runs under OneTransaction. After spent
// is set it refuses with 410, as a spent invitation does.
type transacting struct {
	db      dynamo.API
	table   string
	n       atomic.Int32
	spent   atomic.Bool
	errLost error
}

func (h *transacting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.spent.Load() {
		problem.Write(w, r, problem.New(problem.Gone, "already answered"))
		return
	}
	n := h.n.Add(1)
	reply := map[string]int32{"effect": n}
	_, body, err := idempotency.WithReply(r.Context(), http.StatusCreated, func(commit idempotency.Commit[map[string]int32]) (map[string]int32, error) {
		tx := &dynamo.Tx{}
		items, err := commit(reply)
		if err != nil {
			return nil, err
		}
		tx.Add(h.errLost, items...)
		effect, _ := web.Marshal(n)
		tx.Add(nil, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(h.table),
			Item: map[string]types.AttributeValue{"pk": dynamo.S("EFFECT"), "sk": dynamo.S(string(effect))}}})
		// As the stores do, a race with another transaction on the same items is tried
		// again; the second try meets the winner's record.
		err = tx.Commit(r.Context(), h.db, "effect")
		for try := 0; errors.Is(err, dynamo.ErrTxConflict) && try < 5; try++ {
			err = tx.Commit(r.Context(), h.db, "effect")
		}
		return reply, err
	})
	if err != nil {
		if errors.Is(err, h.errLost) {
			err = problem.New(problem.Conflict, "a request with this Idempotency-Key is still in progress")
		}
		problem.Write(w, r, err)
		return
	}
	web.Raw(w, http.StatusCreated, "application/json", body)
}

// effects counts the effect items the handler committed.
func effects(t *testing.T, db dynamo.API, table string) int {
	t.Helper()
	out, err := db.Query(t.Context(), &dynamodb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S("EFFECT")}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Items)
}

func foldedSetup(t *testing.T) (*idempotency.Store, *transacting, http.Handler) {
	env := testenv.New(t)
	store, _ := setup(t)
	store.DB, store.Table = env.Clients.DynamoDB, env.Names("surveys")
	h := &transacting{db: env.Clients.DynamoDB, table: store.Table, errLost: errors.New("key taken")}
	return store, h, store.Middleware(scope, idempotency.OneTransaction(h))
}

// Under OneTransaction a keyed request's first run is one round trip (the effect's
// transaction, holding the key's record); a repeat answers the first reply, even once
// the operation itself would refuse (a spent invitation); another body is 422.
func TestFoldedKeyCostsNoClaimAndReplays(t *testing.T) {
	_, h, mw := foldedSetup(t)
	ctx, m := cloud.WithMeter(t.Context())
	r := httptest.NewRequest(http.MethodPost, "/v1/things", bytes.NewBufferString(`{"a":1}`)).WithContext(ctx)
	r.Header.Set(idempotency.Header, "k-fold")
	first := httptest.NewRecorder()
	mw.ServeHTTP(first, r)
	if first.Code != http.StatusCreated || m.Total() != 1 || m.Calls["TransactWriteItems"] != 1 {
		t.Fatalf("first: %d, calls %v; want 201 in one transaction and no other call", first.Code, m.Calls)
	}
	h.spent.Store(true)
	again := post(mw, "k-fold", `{"a":1}`)
	if again.Code != http.StatusCreated || again.Body.String() != first.Body.String() || again.Header().Get(idempotency.ReplayedHeader) != "true" {
		t.Fatalf("repeat: %d %q (replayed %q); want the first reply %q", again.Code, again.Body, again.Header().Get(idempotency.ReplayedHeader), first.Body)
	}
	if other := post(mw, "k-fold", `{"a":2}`); other.Code != http.StatusUnprocessableEntity {
		t.Fatalf("other body: %d, want 422", other.Code)
	}
	if fresh := post(mw, "k-other", `{"a":1}`); fresh.Code != http.StatusGone {
		t.Fatalf("a new key once refused: %d, want the operation's own 410", fresh.Code)
	}
	if n := effects(t, h.db, h.table); n != 1 {
		t.Fatalf("%d effects, want 1", n)
	}
}

// Twenty requests with one key at once: each runs (nothing is claimed first), one
// transaction commits, and every request answers its reply.
func TestFoldedConcurrentSameKeyHasOneEffect(t *testing.T) {
	_, h, mw := foldedSetup(t)
	const n = 20
	replies := make([]*httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { replies[i] = post(mw, "k-race", `{"a":1}`) })
	}
	wg.Wait()
	for i, w := range replies {
		if w.Code != http.StatusCreated || w.Body.String() != replies[0].Body.String() {
			t.Errorf("request %d: %d %q, want 201 %q", i, w.Code, w.Body, replies[0].Body)
		}
	}
	if got := effects(t, h.db, h.table); got != 1 {
		t.Fatalf("%d effects, want 1", got)
	}
}
