// Package idempotency makes a POST with the same Idempotency-Key and body return the
// first response, and refuses the key with another body (422).
//
// A request first claims its key with a conditional put (state in_progress, a lock that
// expires, the body's hash, a 24 h expiry). The handler may then commit the stored
// response in the same DynamoDB transaction as its own writes (Claim.CompleteItem), so a
// crash can never leave an effect without its replayable response; otherwise the stored
// response is written right after the handler succeeds. Failed requests release the key:
// they wrote nothing, so a retry may run again.
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

// Middleware applies the key semantics to a POST route; scope separates key spaces
// (the route, and the caller for staff routes). Requests without a key pass through.
func (s *Store) Middleware(scope func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// As sent: through Lambda, r.Header holds only the part before a first comma.
		key := web.RawHeader(r, Header)
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > maxKeyLength {
			problem.Write(w, r, problem.Field(Header, "must be at most 255 characters"))
			return
		}
		body, err := readBody(r)
		if err != nil {
			problem.Write(w, r, problem.New(problem.Invalid, "the body could not be read"))
			return
		}
		sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
		claim, prior, err := s.claim(r.Context(), scope(r)+"#"+key, hex.EncodeToString(sum[:]))
		switch {
		case err != nil:
			problem.Write(w, r, err)
		case prior != nil:
			replay(w, prior)
		default:
			s.run(w, r, claim, next)
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
		PK: "IDEM#" + key, SK: "IDEM", State: stateInProgress, Hash: hash, Owner: id.New(now),
		LockedUntil: now.Add(s.Lock).Unix(), ExpiresAt: now.Add(s.Expiry).Unix(),
	}
	item, err := attributevalue.MarshalMap(rec)
	if err != nil {
		return nil, nil, err
	}
	nowV := expression.Value(now.Unix())
	// Free, expired (TTL deletes lazily), or abandoned by a request with the same body.
	cond := expression.AttributeNotExists(expression.Name("pk")).
		Or(expression.Name("expiresAt").LessThan(nowV)).
		Or(expression.And(
			expression.Name("state").Equal(expression.Value(stateInProgress)),
			expression.Name("lockedUntil").LessThan(nowV),
			expression.Name("hash").Equal(expression.Value(hash))))
	ex, err := expression.NewBuilder().WithCondition(cond).Build()
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

func (s *Store) run(w http.ResponseWriter, r *http.Request, c *Claim, next http.Handler) {
	rec := &recorder{header: http.Header{}}
	next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), claimKey{}, c)))
	ctx := context.WithoutCancel(r.Context())
	ok := rec.status >= 200 && rec.status < 300
	switch {
	case ok && c.committed:
	case ok:
		if err := s.complete(ctx, c, rec); err != nil {
			// The effect happened; a retry of this key will wait for the lock and then
			// run again, which is why handlers with effects commit in their transaction.
			problem.Write(w, r, dynamo.Unavailable(err, "idempotency completion"))
			return
		}
	default:
		s.release(ctx, c)
	}
	rec.flush(w)
}

func (s *Store) complete(ctx context.Context, c *Claim, rec *recorder) error {
	ex, err := c.completion(rec.status, rec.header.Get("Content-Type"), rec.header.Get("Location"), rec.body.Bytes())
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

func replay(w http.ResponseWriter, rec *record) {
	if rec.ContentType != "" {
		w.Header().Set("Content-Type", rec.ContentType)
	}
	if rec.Location != "" {
		w.Header().Set("Location", rec.Location)
	}
	w.Header().Set(ReplayedHeader, "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write([]byte(rec.Body))
}

// recorder buffers the handler's response so it can be stored before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) flush(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}
