package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// Errors are told apart by their code and fault: the caller's mistake is 400, ours
// is 500, an outage is 503 with Retry-After.
func TestClassifyByCodeAndFault(t *testing.T) {
	api := func(code string, fault smithy.ErrorFault, msg string) error {
		return fmt.Errorf("operation error DynamoDB: GetItem: %w", &smithy.GenericAPIError{Code: code, Message: msg, Fault: fault})
	}
	tce := &types.TransactionCanceledException{Message: aws.String("cancelled"), CancellationReasons: []types.CancellationReason{
		{Code: aws.String("None")}, {Code: aws.String("TransactionConflict")}}}
	tceBug := &types.TransactionCanceledException{Message: aws.String("cancelled"), CancellationReasons: []types.CancellationReason{
		{Code: aws.String("ValidationError"), Message: aws.String("Invalid UpdateExpression: syntax error")}}}
	tceLong := &types.TransactionCanceledException{Message: aws.String("cancelled"), CancellationReasons: []types.CancellationReason{
		{Code: aws.String("ValidationError"), Message: aws.String("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes")}}}
	cases := []struct {
		name string
		err  error
		want problem.Kind
	}{
		{"throughput exceeded", api("ProvisionedThroughputExceededException", smithy.FaultClient, "slow down"), problem.Unavailable},
		{"throttling", api("ThrottlingException", smithy.FaultClient, "slow down"), problem.Unavailable},
		{"request limit", api("RequestLimitExceeded", smithy.FaultClient, "slow down"), problem.Unavailable},
		{"server fault", api("InternalServerError", smithy.FaultServer, "oops"), problem.Unavailable},
		{"unknown server fault", api("SomethingNew", smithy.FaultServer, "oops"), problem.Unavailable},
		{"timeout", fmt.Errorf("get: %w", context.DeadlineExceeded), problem.Unavailable},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}, problem.Unavailable},
		{"transaction conflict", tce, problem.Unavailable},
		{"no reply at all", errors.New("lookup dynamodb.example: no such host"), problem.Unavailable},
		{"access denied", api("AccessDeniedException", smithy.FaultClient, "not authorized"), problem.Internal},
		{"no such table", api("ResourceNotFoundException", smithy.FaultClient, "Requested resource not found"), problem.Internal},
		{"our validation bug", api("ValidationException", smithy.FaultClient, "Invalid KeyConditionExpression"), problem.Internal},
		{"a transaction we built wrong", tceBug, problem.Internal},
		{"a key too long", api("ValidationException", smithy.FaultClient, "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes"), problem.Invalid},
		{"a key too long in a transaction", tceLong, problem.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := dynamo.Classify(c.err, "read thing")
			if got := problem.KindOf(err); got != c.want {
				t.Fatalf("kind %s, want %s (%v)", got, c.want, err)
			}
			status, h, _ := problem.Render(err)
			if (status == 503) != (h.Get("Retry-After") != "") {
				t.Fatalf("status %d with Retry-After %q", status, h.Get("Retry-After"))
			}
		})
	}
}

// Against the real DynamoDB Local: a key over DynamoDB's limit is the caller's 400, a
// table that does not exist is our 500, and neither log line carries the key.
func TestClassifyRealDynamoDBErrors(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	secret := "guest-" + strings.Repeat("x", 2100)
	_, err := env.Clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(env.Names("customers")), Key: dynamo.Key(secret, "PROFILE")})
	if err == nil {
		t.Fatal("DynamoDB Local took a 2,100-byte partition key")
	}
	got := dynamo.Classify(err, "read profile")
	if k := problem.KindOf(got); k != problem.Invalid {
		t.Fatalf("too long a key: kind %s, want invalid (%v)", k, got)
	}
	if strings.Contains(got.Error(), "xxxxxxxx") {
		t.Fatalf("the error text carries the key: %v", got)
	}
	_, err = env.Clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(env.Names("no-such-table")), Key: dynamo.Key("a", "b")})
	if k := problem.KindOf(dynamo.Classify(err, "read")); k != problem.Internal {
		t.Fatalf("missing table: kind %s, want internal (%v)", k, err)
	}
	_, err = env.Clients.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(env.Names("customers")), Key: dynamo.Key("", "b")})
	if k := problem.KindOf(dynamo.Classify(err, "read")); k != problem.Invalid {
		t.Fatalf("empty key: kind %s, want invalid (%v)", k, err)
	}
}
