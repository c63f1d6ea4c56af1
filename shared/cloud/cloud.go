// Package cloud loads the AWS configuration once per process and meters AWS calls and
// DynamoDB capacity per request, for the benchmarks.
package cloud

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"
	"github.com/rapport-crm/rapport/shared/config"
)

// Clients are the SDK clients every function may use, built once at cold start, and
// the configuration any other client is built from by the function that needs it
// (kms.NewFromConfig(c.Config), sesv2.NewFromConfig(c.Config), ...), so that a binary
// links only the AWS services it calls.
type Clients struct {
	// Config carries the call meter and, when tests record calls, the function's
	// recorder: a client built from it is metered and recorded like these.
	Config   aws.Config
	DynamoDB *dynamodb.Client
	// SQS is the one client the functions of the local runner and the tests share.
	// In Lambda it is nil, and Queues builds the client of the function that asks, so
	// that a function that sends to, inspects or backs off no queue links no SQS
	// client (about 0.2 MB of a bootstrap).
	SQS *sqs.Client
}

// Queues is the SQS client: the shared one where there is one, else one built from
// Config (call it once, in a builder).
func (c Clients) Queues() *sqs.Client {
	if c.SQS != nil {
		return c.SQS
	}
	return sqs.NewFromConfig(c.Config)
}

// FromEnvironment is a Lambda function's configuration: the region and its execution
// role's credentials, which Lambda gives every function as environment variables
// (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), with the
// call meter. It reads nothing else, so a function links none of the credential
// providers it never uses in Lambda (SSO, STS web identity, instance metadata,
// processes), which the SDK's default chain would bring: about 1.8 MB of each binary.
func FromEnvironment(env *config.Env) (aws.Config, error) {
	region := env.Optional("AWS_REGION", env.Optional("AWS_DEFAULT_REGION", ""))
	key, secret := env.Optional("AWS_ACCESS_KEY_ID", ""), env.Optional("AWS_SECRET_ACCESS_KEY", "")
	if region == "" || key == "" || secret == "" {
		return aws.Config{}, errors.New("AWS configuration: AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required (Lambda sets them)")
	}
	return metered(region, credentials.NewStaticCredentialsProvider(key, secret, env.Optional("AWS_SESSION_TOKEN", ""))), nil
}

// metered is a configuration for region and credentials that counts its calls.
func metered(region string, creds aws.CredentialsProvider) aws.Config {
	return aws.Config{Region: region, Credentials: creds, APIOptions: []func(*middleware.Stack) error{addMeter}}
}

// recorder wraps a function's clients to record its calls (shared/cloud/record, which
// test binaries and the local runner import); nil in the Lambda functions.
var recorder func(c Clients, function string) Clients

// SetRecorder is how shared/cloud/record registers itself.
func SetRecorder(r func(c Clients, function string) Clients) { recorder = r }

// For returns the clients with every call attributed to the named function and
// recorded, where a recorder is registered and RAPPORT_RECORD_CALLS is set; otherwise
// the clients unchanged. app.Build calls it, so each function's calls are its own even
// when functions share clients.
func (c Clients) For(function string) Clients {
	if recorder == nil {
		return c
	}
	return recorder(c, function)
}

// NewClients builds the clients of a Lambda function from one configuration.
func NewClients(cfg aws.Config) Clients {
	return Clients{Config: cfg, DynamoDB: dynamodb.NewFromConfig(cfg)}
}

// Meter counts the AWS calls made under a context and the DynamoDB capacity they used.
type Meter struct {
	mu    sync.Mutex
	Calls map[string]int
	// CapacityUnits is DynamoDB's consumed capacity, reads and writes together, as the
	// endpoint reports it (DynamoDB Local misreports transactions: infra/cost prices
	// requests by the published rules instead).
	CapacityUnits float64
	// Probe, when set, observes every metered call (the benchmark prices each one).
	Probe Probe
	spans [][2]time.Time
}

// Probe observes one call: it runs before the call with the operation's name and
// input, and returns what runs after it with the output (nil on failure) and the error.
type Probe func(ctx context.Context, operation string, params any) (after func(result any, err error))

type meterKey struct{}

// WithMeter attaches a fresh meter to ctx; calls made with the returned context count.
func WithMeter(ctx context.Context) (context.Context, *Meter) {
	m := &Meter{Calls: map[string]int{}}
	return context.WithValue(ctx, meterKey{}, m), m
}

// Total is the number of calls counted.
func (m *Meter) Total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.Calls {
		n += c
	}
	return n
}

// Trips is the number of round trips the calls took one after another: calls that
// overlap in time (made concurrently) are one trip, a call that starts after every
// earlier one has ended begins the next.
func (m *Meter) Trips() int {
	m.mu.Lock()
	spans := slices.Clone(m.spans)
	m.mu.Unlock()
	slices.SortFunc(spans, func(a, b [2]time.Time) int { return a[0].Compare(b[0]) })
	trips := 0
	var end time.Time
	for _, s := range spans {
		if trips == 0 || !s[0].Before(end) {
			trips++
		}
		if s[1].After(end) {
			end = s[1]
		}
	}
	return trips
}

// StandIn counts, on the meter in ctx, a call that a local stand-in answered in place of
// the AWS operation op (a key file in place of KMS's GenerateMac), as the meter counts
// the call itself in AWS, so that what AWS would bill is seen on a laptop too: its
// probe sees op with no input and no result, and it is a round trip of its own.
func StandIn(ctx context.Context, op string) {
	m, ok := ctx.Value(meterKey{}).(*Meter)
	if !ok {
		return
	}
	if m.Probe != nil {
		if after := m.Probe(ctx, op, nil); after != nil {
			after(nil, nil)
		}
	}
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Calls[op]++
	m.spans = append(m.spans, [2]time.Time{now, now})
}

func addMeter(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("RapportMeter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			m, ok := ctx.Value(meterKey{}).(*Meter)
			if !ok {
				return next.HandleInitialize(ctx, in)
			}
			op := middleware.GetOperationName(ctx)
			var after func(any, error)
			if m.Probe != nil {
				after = m.Probe(ctx, op, in.Parameters)
			}
			askCapacity(in.Parameters)
			start := time.Now()
			out, md, err := next.HandleInitialize(ctx, in)
			end := time.Now()
			if after != nil {
				after(out.Result, err)
			}
			m.mu.Lock()
			defer m.mu.Unlock()
			m.Calls[op]++
			m.spans = append(m.spans, [2]time.Time{start, end})
			for _, c := range consumed(out.Result) {
				m.CapacityUnits += aws.ToFloat64(c.CapacityUnits)
			}
			return out, md, err
		}), middleware.After)
}

// askCapacity asks DynamoDB to report consumed capacity on the metered calls.
func askCapacity(params any) {
	const total = types.ReturnConsumedCapacityTotal
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.BatchGetItemInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.PutItemInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.UpdateItemInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.DeleteItemInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.QueryInput:
		in.ReturnConsumedCapacity = total
	case *dynamodb.TransactWriteItemsInput:
		in.ReturnConsumedCapacity = total
	}
}

func consumed(result any) []types.ConsumedCapacity {
	one := func(c *types.ConsumedCapacity) []types.ConsumedCapacity {
		if c == nil {
			return nil
		}
		return []types.ConsumedCapacity{*c}
	}
	switch out := result.(type) {
	case *dynamodb.GetItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.BatchGetItemOutput:
		return out.ConsumedCapacity
	case *dynamodb.PutItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.QueryOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.TransactWriteItemsOutput:
		return out.ConsumedCapacity
	}
	return nil
}

// Local builds clients for the emulators: DynamoDB Local and the SQS emulator at the
// given endpoints, with fixed credentials and one region (emulated queues are kept per
// signing region, as in AWS).
func Local(_ context.Context, dynamoDBEndpoint, sqsEndpoint, region string) (Clients, error) {
	cfg := metered(region, credentials.NewStaticCredentialsProvider("local", "local", ""))
	// Locally messages go to the outbox and signing keys are key files (there is no
	// KMS or Secrets Manager emulator): clients built from Config exist but are never
	// called.
	return Clients{
		Config: cfg,
		DynamoDB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			o.BaseEndpoint = aws.String(dynamoDBEndpoint)
			// DynamoDB Local sends no X-Amz-Crc32 on error responses (a failed condition);
			// the SDK then checks the body against 0 and logs a failed close for each
			// (aws/aws-sdk-go-v2#3545). A checksum over loopback guards nothing here.
			o.DisableValidateResponseChecksum = true
		}),
		SQS: sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(sqsEndpoint) }),
	}, nil
}
