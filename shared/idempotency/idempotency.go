// Package idempotency makes a POST with the same Idempotency-Key and body return the
// first response, and refuses the key with another body (422).
//
// A request first claims its key with a conditional put (state in_progress, a lock that
// expires, the body's hash, a 24 h expiry). The handler may then commit the stored
// response in the same DynamoDB transaction as its own writes (Claim.CompleteItem), so a
// crash can never leave an effect without its replayable response; otherwise the stored
// response is written right after the handler succeeds. Failed requests release the key:
// they wrote nothing, so a retry may run again. A route whose whole effect is that one
// transaction (OneTransaction) claims nothing first: the completed record is put in the
// transaction on the condition that the key is free (Folded), one round trip less.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// Header is the request header carrying the key.
const Header = "Idempotency-Key"

// ReplayedHeader marks a replayed response.
const ReplayedHeader = "Idempotent-Replayed"

const (
	stateInProgress = "in_progress"
	stateCompleted  = "completed"
	maxKeyLength    = 255
)

// Store keeps idempotency records in a domain's table (keys IDEM#<scope>#<key>).
type Store struct {
	DB    dynamo.API
	Table string
	Clock clock.Clock
	// Expiry is how long a key is remembered (24 h).
	Expiry time.Duration
	// Lock is how long an in-progress claim blocks others before it may be taken over.
	Lock time.Duration
}

// NewStore makes a store with the API's 24 h expiry and a 30 s lock.
func NewStore(db dynamo.API, table string, clk clock.Clock) *Store {
	return &Store{DB: db, Table: table, Clock: clk, Expiry: 24 * time.Hour, Lock: 30 * time.Second}
}

type record struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	State       string `dynamodbav:"state"`
	Hash        string `dynamodbav:"hash"`
	Owner       string `dynamodbav:"owner"`
	LockedUntil int64  `dynamodbav:"lockedUntil"`
	ExpiresAt   int64  `dynamodbav:"expiresAt"`
	Status      int    `dynamodbav:"status,omitempty"`
	ContentType string `dynamodbav:"contentType,omitempty"`
	Location    string `dynamodbav:"location,omitempty"`
	Body        string `dynamodbav:"body,omitempty"`
}

// Claim is a request's hold on its key.
type Claim struct {
	store     *Store
	key       map[string]types.AttributeValue
	owner     string
	committed bool
	// folded: nothing was claimed; CompleteItem puts the whole record, on the
	// condition that the key is free (Folded).
	folded   bool
	pk, hash string
}

type claimKey struct{}

// FromContext is the claim of the current request, if it sent a key.
func FromContext(ctx context.Context) (*Claim, bool) {
	c, ok := ctx.Value(claimKey{}).(*Claim)
	return c, ok
}

// CompleteItem is the transaction item that stores the response, conditional on this
// request still holding the key. Include it in the handler's own transaction.
func (c *Claim) CompleteItem(status int, contentType string, body []byte) (types.TransactWriteItem, error) {
	if c.folded {
		put, err := c.store.completedPut(c, Outcome{Status: status, ContentType: contentType, Body: body})
		if err == nil {
			c.committed = true
		}
		return types.TransactWriteItem{Put: put}, err
	}
	upd, err := c.completion(status, contentType, "", body)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	c.committed = true
	return types.TransactWriteItem{Update: &types.Update{
		TableName: aws.String(c.store.Table), Key: c.key,
		UpdateExpression:          upd.Update(),
		ConditionExpression:       upd.Condition(),
		ExpressionAttributeNames:  upd.Names(),
		ExpressionAttributeValues: upd.Values(),
	}}, nil
}

// Abandon tells the claim that a transaction holding CompleteItem did not commit.
func (c *Claim) Abandon() { c.committed = false }

func (c *Claim) completion(status int, contentType, location string, body []byte) (expression.Expression, error) {
	u := expression.Set(expression.Name("state"), expression.Value(stateCompleted)).
		Set(expression.Name("status"), expression.Value(status)).
		Set(expression.Name("contentType"), expression.Value(contentType)).
		Set(expression.Name("body"), expression.Value(string(body)))
	if location != "" {
		u = u.Set(expression.Name("location"), expression.Value(location))
	}
	cond := expression.Name("owner").Equal(expression.Value(c.owner)).
		And(expression.Name("state").Equal(expression.Value(stateInProgress)))
	return expression.NewBuilder().WithUpdate(u).WithCondition(cond).Build()
}

// Outcome is what a keyed operation answered, kept to be answered again.
type Outcome struct {
	Status      int
	ContentType string
	Location    string
	Body        []byte
}

// Hash is the hash Do compares a repeated operation by, over what makes the request
// what it is (a route's method, path and body; a form's fields).
func Hash(request []byte) string {
	sum := sha256.Sum256(request)
	return hex.EncodeToString(sum[:])
}

// Do runs fn at most once for a key within scope: the one idempotency of JSON routes
// (through Middleware) and of the hosted forms' posts alike. The first call claims the
// key; fn runs with the claim in its context (FromContext), so it can store its
// outcome in its own transaction (Claim.CompleteItem, WithReply); a successful outcome
// (2xx, or a form's 3xx redirect) it did not store that way is stored after it
// returns. A failed call (an error, or a 4xx or 5xx status) releases the key: it wrote nothing, so a retry runs
// again. A repeat with the same hash returns the stored outcome with replayed true; a
// repeat with another hash is a KeyReused problem (422); one while the first is still
// running is a Conflict (409, Retry-After 1).
func (s *Store) Do(ctx context.Context, scope, key, hash string, fn func(context.Context) (Outcome, error)) (out Outcome, replayed bool, err error) {
	if len(key) > maxKeyLength {
		return Outcome{}, false, problem.Field(Header, "must be at most 255 characters")
	}
	c, prior, err := s.claim(ctx, scope+"#"+key, hash)
	switch {
	case err != nil:
		return Outcome{}, false, err
	case prior != nil:
		return Outcome{Status: prior.Status, ContentType: prior.ContentType, Location: prior.Location, Body: []byte(prior.Body)}, true, nil
	}
	out, err = fn(context.WithValue(ctx, claimKey{}, c))
	detached := context.WithoutCancel(ctx)
	switch ok := err == nil && out.Status >= 200 && out.Status < 400; {
	case ok && c.committed:
	case ok:
		if err := s.complete(detached, c, out); err != nil {
			// The effect happened; a retry of this key will wait for the lock and then
			// run again, which is why operations with effects commit in their transaction.
			return Outcome{}, false, dynamo.Unavailable(err, "idempotency completion")
		}
	default:
		s.release(detached, c)
	}
	return out, false, err
}

// Await is Do for a person's form post: when the same post is still running (a double
// tap on Send), it waits for that one's outcome, up to attempts tries at most wait
// apart, rather than refusing at once.
func (s *Store) Await(ctx context.Context, scope, key, hash string, attempts int, wait time.Duration, fn func(context.Context) (Outcome, error)) (Outcome, bool, error) {
	for attempt := 1; ; attempt++ {
		out, replayed, err := s.Do(ctx, scope, key, hash, fn)
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Kind != problem.Conflict || attempt >= attempts {
			return out, replayed, err
		}
		select {
		case <-ctx.Done():
			return Outcome{}, false, ctx.Err()
		case <-time.After(min(time.Duration(max(pe.RetryAfter, 1))*time.Second, wait)):
		}
	}
}

// Folded is Do for an operation whose whole effect is one transaction holding its
// outcome (WithReply, Claim.CompleteItem): nothing is claimed first, which saves a round
// trip. The outcome's record is put in that transaction on the condition that the key
// is free, so of two requests with one key only one commits. When fn fails or refuses
// (an error or a 4xx or 5xx status, among them the refused record), the key's record is
// read: a completed one with the same hash is answered again (the repeat of a spent
// survey invitation replays its 201, not a 410), one with another hash is KeyReused
// (422), one still claimed by Do is a Conflict (409); without one, fn's answer stands.
// A successful fn that did not commit the record (a honeypot's) has it put after.
func (s *Store) Folded(ctx context.Context, scope, key, hash string, fn func(context.Context) (Outcome, error)) (Outcome, bool, error) {
	if len(key) > maxKeyLength {
		return Outcome{}, false, problem.Field(Header, "must be at most 255 characters")
	}
	now := s.Clock.Now()
	c := &Claim{store: s, pk: recordPK(scope + "#" + key), owner: id.New(now), folded: true, hash: hash}
	c.key = dynamo.Key(c.pk, recordSK)
	out, err := fn(context.WithValue(ctx, claimKey{}, c))
	detached := context.WithoutCancel(ctx)
	if err == nil && out.Status >= 200 && out.Status < 400 {
		if c.committed {
			return out, false, nil
		}
		put, perr := s.completedPut(c, out)
		if perr == nil {
			_, perr = s.DB.PutItem(detached, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
				ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues})
		}
		switch {
		case perr == nil:
			return out, false, nil
		case !dynamo.ConditionFailed(perr):
			return Outcome{}, false, dynamo.Unavailable(perr, "idempotency completion")
		}
		// Another request with the key completed first: answer as it did.
	}
	prior, rerr := s.read(detached, c.key)
	switch {
	case rerr != nil:
		return Outcome{}, false, rerr
	case prior == nil:
		return out, false, err
	case prior.Hash != hash:
		return Outcome{}, false, problem.New(problem.KeyReused, "this Idempotency-Key was used with a different request body")
	case prior.State == stateCompleted:
		return Outcome{Status: prior.Status, ContentType: prior.ContentType, Location: prior.Location, Body: []byte(prior.Body)}, true, nil
	}
	e := problem.New(problem.Conflict, "a request with this Idempotency-Key is still in progress")
	e.RetryAfter = 1
	return Outcome{}, false, e
}

// OneTransaction marks a handler whose effect, under an Idempotency-Key, is one
// transaction that holds its reply (WithReply): Middleware folds the key's claim
// into that transaction (Folded) instead of claiming first.
func OneTransaction(h http.Handler) http.Handler { return oneTransaction{h} }

type oneTransaction struct{ http.Handler }

// Middleware applies Do to a POST route, keyed by the Idempotency-Key header and
// hashed over the method, path and body; scope separates key spaces (the route, and
// the caller for staff routes). Requests without a key pass through.
func (s *Store) Middleware(scope func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// As sent: through Lambda, r.Header holds only the part before a first comma.
		key := web.RawHeader(r, Header)
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := readBody(r)
		if err != nil {
			problem.Write(w, r, problem.New(problem.Invalid, "the body could not be read"))
			return
		}
		rec := NewRecorder()
		do := s.Do
		if _, ok := next.(oneTransaction); ok {
			do = s.Folded
		}
		out, replayed, err := do(r.Context(), scope(r), key, Hash(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...)),
			func(ctx context.Context) (Outcome, error) {
				next.ServeHTTP(rec, r.WithContext(ctx))
				return rec.Outcome(), nil
			})
		switch {
		case err != nil:
			problem.Write(w, r, err)
		case replayed:
			Replay(w, out)
		default:
			rec.Flush(w)
		}
	})
}

func readBody(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return nil, err
	}
	r.Body = http.NoBody
	if buf.Len() > 0 {
		r.Body = readCloser{bytes.NewReader(buf.Bytes())}
	}
	return buf.Bytes(), nil
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// claim takes the key, or returns the completed record to replay.
func (s *Store) claim(ctx context.Context, key, hash string) (*Claim, *record, error) {
	now := s.Clock.Now()
	rec := record{
		PK: recordPK(key), SK: recordSK, State: stateInProgress, Hash: hash, Owner: id.New(now),
		LockedUntil: now.Add(s.Lock).Unix(), ExpiresAt: now.Add(s.Expiry).Unix(),
	}
	item, err := attributevalue.MarshalMap(rec)
	if err != nil {
		return nil, nil, err
	}
	ex, err := free(now, hash)
	if err != nil {
		return nil, nil, err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table), Item: item,
		ConditionExpression:                 ex.Condition(),
		ExpressionAttributeNames:            ex.Names(),
		ExpressionAttributeValues:           ex.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return &Claim{store: s, key: dynamo.Key(rec.PK, rec.SK), owner: rec.Owner}, nil, nil
	case errors.As(err, &ccf):
		var old record
		if err := attributevalue.UnmarshalMap(ccf.Item, &old); err != nil {
			return nil, nil, err
		}
		if old.Hash != hash {
			return nil, nil, problem.New(problem.KeyReused, "this Idempotency-Key was used with a different request body")
		}
		if old.State == stateCompleted {
			return nil, &old, nil
		}
		e := problem.New(problem.Conflict, "a request with this Idempotency-Key is still in progress")
		e.RetryAfter = 1
		return nil, nil, e
	default:
		return nil, nil, dynamo.Unavailable(err, "idempotency claim")
	}
}

func recordPK(key string) string { return "IDEM#" + key }

const recordSK = "IDEM"

// free is the condition that a key may be taken: no record, an expired one (TTL
// deletes lazily), or a claim abandoned by a request with the same body.
func free(now time.Time, hash string) (expression.Expression, error) {
	nowV := expression.Value(now.Unix())
	cond := expression.AttributeNotExists(expression.Name("pk")).
		Or(expression.Name("expiresAt").LessThan(nowV)).
		Or(expression.And(
			expression.Name("state").Equal(expression.Value(stateInProgress)),
			expression.Name("lockedUntil").LessThan(nowV),
			expression.Name("hash").Equal(expression.Value(hash))))
	return expression.NewBuilder().WithCondition(cond).Build()
}

// completedPut is the completed record of a folded claim, on the condition that the
// key is free.
func (s *Store) completedPut(c *Claim, out Outcome) (*types.Put, error) {
	now := s.Clock.Now()
	item, err := attributevalue.MarshalMap(record{
		PK: c.pk, SK: recordSK, State: stateCompleted, Hash: c.hash, Owner: c.owner, ExpiresAt: now.Add(s.Expiry).Unix(),
		Status: out.Status, ContentType: out.ContentType, Location: out.Location, Body: string(out.Body),
	})
	if err != nil {
		return nil, err
	}
	ex, err := free(now, c.hash)
	if err != nil {
		return nil, err
	}
	return &types.Put{TableName: aws.String(s.Table), Item: item, ConditionExpression: ex.Condition(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values()}, nil
}

// read is the key's record, or nil.
func (s *Store) read(ctx context.Context, key map[string]types.AttributeValue) (*record, error) {
	got, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, dynamo.Unavailable(err, "idempotency record")
	}
	if got.Item == nil {
		return nil, nil
	}
	var rec record
	if err := attributevalue.UnmarshalMap(got.Item, &rec); err != nil {
		return nil, err
	}
	if rec.ExpiresAt < s.Clock.Now().Unix() {
		return nil, nil // expired, not yet deleted
	}
	return &rec, nil
}

func (s *Store) complete(ctx context.Context, c *Claim, out Outcome) error {
	ex, err := c.completion(out.Status, out.ContentType, out.Location, out.Body)
	if err != nil {
		return err
	}
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table), Key: c.key,
		UpdateExpression: ex.Update(), ConditionExpression: ex.Condition(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values(),
	})
	return err
}

// release deletes the claim so a retry can run; if it fails the lock simply expires.
func (s *Store) release(ctx context.Context, c *Claim) {
	ex, err := expression.NewBuilder().WithCondition(
		expression.Name("owner").Equal(expression.Value(c.owner)).
			And(expression.Name("state").Equal(expression.Value(stateInProgress)))).Build()
	if err != nil {
		return
	}
	_, _ = s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.Table), Key: c.key,
		ConditionExpression: ex.Condition(), ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values(),
	})
}

// Replay answers with a stored outcome, marked as replayed.
func Replay(w http.ResponseWriter, out Outcome) {
	if out.ContentType != "" {
		w.Header().Set("Content-Type", out.ContentType)
	}
	if out.Location != "" {
		w.Header().Set("Location", out.Location)
	}
	w.Header().Set(ReplayedHeader, "true")
	w.WriteHeader(out.Status)
	_, _ = w.Write(out.Body)
}

// NewRecorder is a ResponseWriter that holds what a handler writes, to be stored as
// its Outcome before it is sent (Flush).
func NewRecorder() *Recorder { return &Recorder{header: http.Header{}} }

// Recorder buffers a handler's response so it can be stored before it is sent.
type Recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *Recorder) Header() http.Header { return r.header }
func (r *Recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *Recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// Outcome is what the handler answered.
func (r *Recorder) Outcome() Outcome {
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	return Outcome{Status: status, ContentType: r.header.Get("Content-Type"), Location: r.header.Get("Location"), Body: r.body.Bytes()}
}

// Flush sends what the handler wrote.
func (r *Recorder) Flush(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}
