// Package dynamo holds what every DynamoDB store shares: the client interface, error
// classification, and creating tables from the wiring table's definitions.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// API is the part of the DynamoDB client the stores use.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// ConditionFailed reports whether a write was refused by its condition, alone or as
// one of a transaction's items.
func ConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	for _, code := range CancellationReasons(err) {
		if code == "ConditionalCheckFailed" {
			return true
		}
	}
	return false
}

// CancellationReasons are the per-item codes of a cancelled transaction, in item
// order ("None" for items that were fine); nil for other errors.
func CancellationReasons(err error) []string {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil
	}
	codes := make([]string, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		codes[i] = aws.ToString(r.Code)
	}
	return codes
}

// Unavailable classifies a failed DynamoDB call by its error code and fault (the name
// is older than the classification): what says which call it was, for the log, and
// must name no key value. See Classify.
func Unavailable(err error, what string) error { return Classify(err, what) }

// Classify turns a failed DynamoDB call into a problem kind by the error's code and
// fault, never by whether it failed at all:
//
//   - throttling (ProvisionedThroughputExceeded, ThrottlingException,
//     RequestLimitExceeded), the service's 5xx faults, transaction conflicts,
//     timeouts and the network are an outage: 503 with Retry-After;
//   - a value DynamoDB refuses as the caller sent it (a key over 2048 bytes, or 1024
//     for a sort key; an empty key) is the caller's: 400 (the routes check lengths
//     before asking, so this is the backstop);
//   - anything else (AccessDenied, ResourceNotFound, a ValidationException we caused,
//     a missing credential) is our bug or our configuration's: 500, logged at ERROR,
//     which the stack's error alarm reports.
//
// The error kept for the log holds the operation, the code and, for a 500, the
// service's message (which names attributes, not values); never the request.
func Classify(err error, what string) error {
	if err == nil {
		return nil
	}
	var pe *problem.Error
	if errors.As(err, &pe) {
		return err
	}
	cause := sdkError{what: what, err: err}
	var ae smithy.APIError
	isAPI := errors.As(err, &ae)
	if isAPI {
		cause.code, cause.fault = ae.ErrorCode(), ae.ErrorFault()
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		throttles.IsErrorThrottle(err).Bool(), retryables.IsErrorRetryable(err).Bool(),
		isAPI && (cause.fault == smithy.FaultServer || outageCodes[cause.code]),
		// No reply from DynamoDB at all: the network, DNS, the endpoint (stores pass
		// only SDK call errors here; their own marshalling errors are returned as they are).
		!isAPI:
		return problem.Unavailablef(cause, "the database is unavailable (%s); retry shortly", what)
	case cause.code == "TransactionCanceledException":
		return cancelled(err, cause, what)
	case cause.code == "ValidationException" && callersValue(ae.ErrorMessage()):
		return &problem.Error{Kind: problem.Invalid, Detail: "an id or value in the request is longer than allowed or empty", Err: cause}
	default:
		cause.message = ae.ErrorMessage()
		return &problem.Error{Kind: problem.Internal, Detail: what + " failed", Err: cause}
	}
}

var (
	throttles  = retry.IsErrorThrottles(retry.DefaultThrottles)
	retryables = retry.IsErrorRetryables(retry.DefaultRetryables)
	// outageCodes are codes the SDK's retryer does not list that still mean "later".
	outageCodes = map[string]bool{
		"ProvisionedThroughputExceededException": true, "ThrottlingException": true, "RequestLimitExceeded": true,
		"InternalServerError": true, "ServiceUnavailable": true, "TransactionConflictException": true,
		"TransactionInProgressException": true, "LimitExceededException": true,
	}
)

// cancelled classifies a cancelled transaction by its items' reasons. (A refused
// condition is the caller's own business: stores test ConditionFailed first.)
func cancelled(err error, cause sdkError, what string) error {
	var tce *types.TransactionCanceledException
	errors.As(err, &tce)
	invalid := false
	for _, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "ThrottlingError", "TransactionConflict", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
			return problem.Unavailablef(cause, "the database is unavailable (%s); retry shortly", what)
		case "ValidationError":
			invalid = invalid || callersValue(aws.ToString(r.Message))
		}
	}
	if invalid {
		return &problem.Error{Kind: problem.Invalid, Detail: "an id or value in the request is longer than allowed or empty", Err: cause}
	}
	cause.message = fmt.Sprint(CancellationReasons(err))
	return &problem.Error{Kind: problem.Internal, Detail: what + " failed", Err: cause}
}

// callersValue tells a ValidationException about a value the caller chose (a key too
// long or empty) from one about a request we built wrong.
func callersValue(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "key") && (strings.Contains(m, "exceeded the maximum") || strings.Contains(m, "size limit") ||
		strings.Contains(m, "must be under") || strings.Contains(m, "empty string"))
}

// sdkError is what a classified failure logs: the operation, code and fault, and for
// a 500 the service's message. Its text never carries the request's values.
type sdkError struct {
	what, code, message string
	fault               smithy.ErrorFault
	err                 error
}

func (e sdkError) Error() string {
	switch {
	case e.code == "":
		return e.what + ": no reply from DynamoDB: " + transportText(e.err)
	case e.message != "":
		return fmt.Sprintf("%s: %s (%s fault): %s", e.what, e.code, e.fault, e.message)
	default:
		return fmt.Sprintf("%s: %s (%s fault)", e.what, e.code, e.fault)
	}
}

func (e sdkError) Unwrap() error { return e.err }

// transportText names a network failure without the request it carried.
func transportText(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "network timeout"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Op + ": " + oe.Err.Error()
	}
	return fmt.Sprintf("%T", errors.Unwrap(err))
}

// Names maps a wiring table name to its physical name.
type Names func(table string) string

// Prefixed names tables "<prefix><name>", as make run and the tests do.
func Prefixed(prefix string) Names {
	return func(table string) string { return prefix + table }
}

// CreateTables creates the tables (if missing) exactly as wiring defines them and waits
// until they are active. Local and test use only: the CDK stack creates them in AWS.
func CreateTables(ctx context.Context, db *dynamodb.Client, names Names, tables []wiring.Table) error {
	for _, t := range tables {
		in := createInput(names(t.Name), t)
		_, err := db.CreateTable(ctx, in)
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return fmt.Errorf("create table %s: %w", *in.TableName, err)
		}
		w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 100 * time.Millisecond })
		if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName}, time.Minute); err != nil {
			return fmt.Errorf("wait for table %s: %w", *in.TableName, err)
		}
		if err != nil { // the table was there: give it the indexes added since
			if err := addIndexes(ctx, db, in); err != nil {
				return err
			}
		}
		if t.TTLAttribute != "" && err == nil {
			_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
				TableName:               in.TableName,
				TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(t.TTLAttribute), Enabled: aws.Bool(true)},
			})
			if err != nil {
				return fmt.Errorf("ttl on %s: %w", *in.TableName, err)
			}
		}
	}
	return nil
}

// addIndexes brings an existing table's global secondary indexes to the wiring's, one
// change at a time as DynamoDB requires, waiting for each (local data kept across
// releases): it deletes the indexes the wiring no longer lists (those a renamed one
// replaces) and those whose projection differs, then creates the missing ones.
func addIndexes(ctx context.Context, db *dynamodb.Client, in *dynamodb.CreateTableInput) error {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
	if err != nil {
		return fmt.Errorf("describe table %s: %w", *in.TableName, err)
	}
	want := map[string]types.GlobalSecondaryIndex{}
	for _, ix := range in.GlobalSecondaryIndexes {
		want[aws.ToString(ix.IndexName)] = ix
	}
	have := map[string]bool{}
	for _, ix := range out.Table.GlobalSecondaryIndexes {
		name := aws.ToString(ix.IndexName)
		w, ok := want[name]
		if ok && sameProjection(ix.Projection, w.Projection) {
			have[name] = true
			continue
		}
		_, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: in.TableName,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: ix.IndexName}}}})
		if err != nil {
			return fmt.Errorf("delete index %s of %s: %w", name, *in.TableName, err)
		}
		if err := waitForIndex(ctx, db, aws.ToString(in.TableName), name, indexGone); err != nil {
			return err
		}
	}
	for _, ix := range in.GlobalSecondaryIndexes {
		if have[aws.ToString(ix.IndexName)] {
			continue
		}
		_, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: in.TableName, AttributeDefinitions: in.AttributeDefinitions,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName: ix.IndexName, KeySchema: ix.KeySchema, Projection: ix.Projection}}}})
		if err != nil {
			return fmt.Errorf("add index %s to %s: %w", aws.ToString(ix.IndexName), *in.TableName, err)
		}
		if err := waitForIndex(ctx, db, aws.ToString(in.TableName), aws.ToString(ix.IndexName), indexActive); err != nil {
			return err
		}
	}
	return nil
}

// sameProjection reports whether two projections copy the same attributes (the
// order of the listed ones aside).
func sameProjection(a, b *types.Projection) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.ProjectionType != b.ProjectionType {
		return false
	}
	x, y := slices.Clone(a.NonKeyAttributes), slices.Clone(b.NonKeyAttributes)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// waitForIndex polls until done says an index is as wanted (active, or gone), for at
// most five minutes or until ctx ends.
func waitForIndex(ctx context.Context, db *dynamodb.Client, table, index string, done func(*types.TableDescription, string) bool) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	for {
		d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("index %s of %s not ready: %w", index, table, ctx.Err())
		case err != nil:
			return fmt.Errorf("describe table %s: %w", table, err)
		case done(d.Table, index):
			return nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func indexActive(t *types.TableDescription, name string) bool {
	for _, ix := range t.GlobalSecondaryIndexes {
		if aws.ToString(ix.IndexName) == name {
			return ix.IndexStatus == types.IndexStatusActive
		}
	}
	return false
}

func indexGone(t *types.TableDescription, name string) bool {
	return !slices.ContainsFunc(t.GlobalSecondaryIndexes, func(ix types.GlobalSecondaryIndexDescription) bool {
		return aws.ToString(ix.IndexName) == name
	})
}

func createInput(name string, t wiring.Table) *dynamodb.CreateTableInput {
	attrs := map[string]wiring.KeyType{}
	keySchema := func(pk wiring.Key, sk *wiring.Key) []types.KeySchemaElement {
		attrs[pk.Name] = pk.Type
		ks := []types.KeySchemaElement{{AttributeName: aws.String(pk.Name), KeyType: types.KeyTypeHash}}
		if sk != nil {
			attrs[sk.Name] = sk.Type
			ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk.Name), KeyType: types.KeyTypeRange})
		}
		return ks
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(t.PartitionKey, t.SortKey),
	}
	for _, ix := range t.Indexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  keySchema(ix.PartitionKey, ix.SortKey),
			Projection: projection(ix.Projection),
		})
	}
	for n, typ := range attrs {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(n), AttributeType: types.ScalarAttributeType(typ),
		})
	}
	return in
}

// projection is an index's projection as DynamoDB takes it.
func projection(p wiring.Projection) *types.Projection {
	out := &types.Projection{ProjectionType: types.ProjectionType(p.ProjectionType())}
	if len(p.NonKey) > 0 {
		out.NonKeyAttributes = slices.Clone(p.NonKey)
	}
	return out
}

// KeyKind is what a key is, without which one: its prefix before the first "#"
// ("INV#<token>" → "INV"), for error texts and logs, which never carry key values.
func KeyKind(key string) string {
	kind, _, _ := strings.Cut(key, "#")
	return kind
}

// Indexes are a described table's global secondary indexes as wiring defines them
// (createInput's inverse): what a deploy reads to plan its next index change.
func Indexes(t *types.TableDescription) []wiring.Index {
	kinds := map[string]wiring.KeyType{}
	for _, a := range t.AttributeDefinitions {
		kinds[aws.ToString(a.AttributeName)] = wiring.KeyType(a.AttributeType)
	}
	var out []wiring.Index
	for _, ix := range t.GlobalSecondaryIndexes {
		w := wiring.Index{Name: aws.ToString(ix.IndexName)}
		for _, k := range ix.KeySchema {
			key := wiring.Key{Name: aws.ToString(k.AttributeName), Type: kinds[aws.ToString(k.AttributeName)]}
			if k.KeyType == types.KeyTypeHash {
				w.PartitionKey = key
			} else {
				w.SortKey = &key
			}
		}
		if p := ix.Projection; p != nil {
			w.Projection = wiring.Projection{Type: wiring.ProjectionType(p.ProjectionType), NonKey: slices.Clone(p.NonKeyAttributes)}
		}
		out = append(out, w)
	}
	return out
}
