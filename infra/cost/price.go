package cost

import "time"

// Prices are what AWS charges per unit of usage, in dollars.
type Prices struct {
	// ReadUnit and WriteUnit are DynamoDB on-demand prices per request unit.
	ReadUnit, WriteUnit float64
	// APIRequest is the API Gateway HTTP API price per request (of up to 512 KB).
	APIRequest float64
	// LambdaGBSecond and LambdaRequest are Lambda's arm64 prices per GB-second of
	// billed duration and per invocation.
	LambdaGBSecond, LambdaRequest float64
	// SQSRequest is the SQS standard queue price per request, each 64 KB chunk of a
	// payload counting as one request; SQSFIFORequest a FIFO queue's.
	SQSRequest, SQSFIFORequest float64
	// KMSRequest is KMS's price per request to a customer-managed key (GenerateMac,
	// VerifyMac, Decrypt alike).
	KMSRequest float64
}

// USEast1 holds the us-east-1 list prices as of 2026, taken from the AWS pricing
// page of each service:
//
//   - DynamoDB on-demand: $0.125 per million read request units and $0.625 per
//     million write request units (since the November 2024 price cut);
//   - API Gateway HTTP API: $1.00 per million requests (first 300 million a month);
//   - Lambda arm64: $0.0000133334 per GB-second and $0.20 per million requests;
//   - SQS: $0.40 per million requests to standard queues, $0.50 to FIFO queues;
//   - KMS: $0.03 per 10,000 requests ($3 per million), HMAC keys' GenerateMac and
//     VerifyMac included.
//
// They ignore free tiers and volume discounts.
var USEast1 = Prices{
	ReadUnit:       0.125e-6,
	WriteUnit:      0.625e-6,
	APIRequest:     1.00e-6,
	LambdaGBSecond: 0.0000133334,
	LambdaRequest:  0.20e-6,
	SQSRequest:     0.40e-6,
	SQSFIFORequest: 0.50e-6,
	KMSRequest:     0.03 / 10000,
}

// Usage is what some work consumed, in the units AWS bills.
type Usage struct {
	// Units are the DynamoDB request units consumed.
	Units Units
	// LambdaMB is the memory configured for the function.
	LambdaMB int
	// LambdaDuration is the billed duration of all Invocations together. Lambda rounds
	// each invocation up to the next millisecond, so a caller summing several should
	// round each with BilledDuration first; Price rounds the total up likewise.
	LambdaDuration time.Duration
	Invocations    int
	// APIRequests counts HTTP API requests, a payload over 512 KB counting once per
	// started 512 KB (see APIRequests).
	APIRequests int
	// SQSRequests counts SQS requests to standard queues, a payload counting once per
	// started 64 KB (see SQSRequests); SQSFIFORequests those to FIFO queues.
	SQSRequests, SQSFIFORequests int
	// KMSRequests counts requests to KMS keys (a signing key's GenerateMac, say).
	KMSRequests int
}

// Bill is what a Usage costs, in dollars, per service.
type Bill struct {
	DynamoDB, Lambda, API, SQS, KMS float64
}

// Total is the whole bill in dollars.
func (b Bill) Total() float64 {
	return b.DynamoDB + b.Lambda + b.API + b.SQS + b.KMS
}

// Price returns what u costs at prices p. Lambda is billed per GB-second of
// configured memory (MB / 1024) times billed duration, plus each invocation.
func (p Prices) Price(u Usage) Bill {
	gb := float64(u.LambdaMB) / 1024
	seconds := BilledDuration(u.LambdaDuration).Seconds()
	return Bill{
		DynamoDB: u.Units.Read*p.ReadUnit + u.Units.Write*p.WriteUnit,
		Lambda:   gb*seconds*p.LambdaGBSecond + float64(u.Invocations)*p.LambdaRequest,
		API:      float64(u.APIRequests) * p.APIRequest,
		SQS:      float64(u.SQSRequests)*p.SQSRequest + float64(u.SQSFIFORequests)*p.SQSFIFORequest,
		KMS:      float64(u.KMSRequests) * p.KMSRequest,
	}
}

// BilledDuration is a Lambda run time as billed: rounded up to the next millisecond.
func BilledDuration(d time.Duration) time.Duration {
	if r := d % time.Millisecond; r > 0 {
		d += time.Millisecond - r
	}
	return d
}

const (
	// apiRequestBytes is the payload an HTTP API meters as one request.
	apiRequestBytes = 512 * 1024
	// sqsRequestBytes is the payload SQS meters as one request.
	sqsRequestBytes = 64 * 1024
)

// APIRequests is how many requests an HTTP API bills for one request carrying
// payload bytes: one per started 512 KB, at least one.
func APIRequests(payload int) int {
	return max(ceilDiv(payload, apiRequestBytes), 1)
}

// SQSRequests is how many requests SQS bills for one API action carrying payload
// bytes: one per started 64 KB, at least one.
func SQSRequests(payload int) int {
	return max(ceilDiv(payload, sqsRequestBytes), 1)
}
