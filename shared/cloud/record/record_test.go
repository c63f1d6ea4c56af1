package record

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/rapport-crm/rapport/shared/cloud"
)

// TestRecordCalls checks what the grants test in infra/stack relies on: each call is
// recorded for the function whose clients made it, named after the wiring table's
// tables, indexes and queues, per kind of item in a transaction or a batch, and merged across processes' files.
func TestRecordCalls(t *testing.T) {
	// GIVEN clients against a server that answers every call with an empty JSON body
	// (what is recorded is the request, before it is sent)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base, err := cloud.Local(ctx, srv.URL, srv.URL, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := newRecorder(dir)
	a, b := recordTo(base, r, "fn-a"), recordTo(base, r, "fn-b")
	queue := srv.URL + "/000000000000/t01abc-followups"

	// WHEN two functions call DynamoDB and SQS, and the unwrapped clients call too
	_, _ = a.DynamoDB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("t01abc-loyalty"), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "x"}}}},
		{Update: &types.Update{TableName: aws.String("t01abc-loyalty"), Key: map[string]types.AttributeValue{}, UpdateExpression: aws.String("SET a = :a")}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("t01abc-customers"), Key: map[string]types.AttributeValue{}, ConditionExpression: aws.String("attribute_exists(pk)")}},
	}})
	_, _ = a.DynamoDB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("t01abc-loyalty"), IndexName: aws.String("due"),
		KeyConditionExpression: aws.String("duePk = :p")})
	_, _ = a.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("t01abc-loyalty")})
	_, _ = b.SQS.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queue),
		Entries: []sqstypes.SendMessageBatchRequestEntry{{Id: aws.String("1"), MessageBody: aws.String("{}")}}})
	_, _ = b.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queue + "-dlq"), ReceiptHandle: aws.String("h")})
	_, _ = b.DynamoDB.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"t01abc-followups": {{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{}}}},
	}})
	_, _ = base.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t01abc-surveys"), Key: map[string]types.AttributeValue{}})
	// Clients wrapped again record for the last function only.
	c := recordTo(a, r, "fn-c")
	_, _ = c.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t01abc-complaints"), Key: map[string]types.AttributeValue{}})
	// Another process's file is merged in.
	other := &recorder{path: dir + "/1.json", calls: map[string]map[string]bool{}}
	other.add("fn-b", []string{"sqs:ReceiveMessage queue:followups"})

	// THEN the merged recording names exactly those calls, per function
	got, err := ReadRecordings(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"fn-a": {
			"dynamodb:Query table:loyalty/index/due",
			"dynamodb:Scan table:loyalty",
			"dynamodb:TransactWriteItems/ConditionCheck table:customers",
			"dynamodb:TransactWriteItems/Put table:loyalty",
			"dynamodb:TransactWriteItems/Update table:loyalty",
		},
		"fn-b": {
			"dynamodb:BatchWriteItem/Delete table:followups",
			"sqs:DeleteMessage dlq:followups-dlq",
			"sqs:ReceiveMessage queue:followups",
			"sqs:SendMessageBatch queue:followups",
		},
		"fn-c": {"dynamodb:GetItem table:complaints"},
	}
	if !reflect.DeepEqual(got.Functions, want) {
		t.Errorf("recorded %v\nwant %v", got.Functions, want)
	}
}

func TestForWithoutRecording(t *testing.T) {
	// GIVEN no recorder (RAPPORT_RECORD_CALLS unset, as in AWS)
	base := cloud.NewClients(aws.Config{Region: "us-east-1"})
	// THEN the very same clients come back
	if got := recordTo(base, nil, "fn"); got.DynamoDB != base.DynamoDB || got.SQS != base.SQS || len(got.Config.APIOptions) != len(base.Config.APIOptions) {
		t.Error("clients wrapped without a recorder")
	}
}

// TestCallsNameTheResourcesOfClientsBuiltFromConfig: the services a function builds
// from Clients.Config are named by the resource their input names.
func TestCallsNameTheResourcesOfClientsBuiltFromConfig(t *testing.T) {
	for _, c := range []struct {
		service, op string
		params      any
		want        string
	}{
		{"kms", "GenerateMac", &kms.GenerateMacInput{KeyId: aws.String("arn:aws:kms:k")}, "kms:GenerateMac mac:arn:aws:kms:k"},
		{"secretsmanager", "GetSecretValue", &secretsmanager.GetSecretValueInput{SecretId: aws.String("arn:s")}, "secretsmanager:GetSecretValue secret:arn:s"},
		{"ses", "SendEmail", &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@b.example")}, "ses:SendEmail identity:a@b.example"},
		{"sns", "Publish", &sns.PublishInput{TopicArn: aws.String("arn:t")}, "sns:Publish topic:arn:t"},
		{"sns", "Publish", &sns.PublishInput{PhoneNumber: aws.String("+8613800138000")}, "sns:Publish phone"},
	} {
		if got := Calls(c.service, c.op, c.params); len(got) != 1 || got[0] != c.want {
			t.Errorf("%s %s: %v, want %s", c.service, c.op, got, c.want)
		}
	}
}

// TestForRecordsClientsBuiltFromConfig: a client a function builds from its
// Clients.Config records its calls under that function.
func TestForRecordsClientsBuiltFromConfig(t *testing.T) {
	r := newRecorder(t.TempDir())
	c := recordTo(cloud.NewClients(aws.Config{Region: "us-east-1"}), r, "fn-kms")
	if len(c.Config.APIOptions) != 1 {
		t.Fatalf("Config carries %d API options, want the recorder", len(c.Config.APIOptions))
	}
	client := kms.NewFromConfig(c.Config, func(o *kms.Options) {
		o.Credentials = aws.AnonymousCredentials{}
		o.BaseEndpoint = aws.String("http://127.0.0.1:9") // refused: the call is recorded before it is sent
	})
	_, _ = client.GenerateMac(t.Context(), &kms.GenerateMacInput{KeyId: aws.String("k1"), Message: []byte("m"), MacAlgorithm: "HMAC_SHA_256"},
		func(o *kms.Options) { o.RetryMaxAttempts = 1 })
	if got := r.calls["fn-kms"]; !got["kms:GenerateMac mac:k1"] {
		t.Fatalf("recorded %v", got)
	}
}
