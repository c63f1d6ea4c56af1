package followup

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func TestBackoffDoublesUpToFifteenMinutes(t *testing.T) {
	for n, want := range map[int]time.Duration{0: 30 * time.Second, 1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute,
		5: 8 * time.Minute, 6: 15 * time.Minute, 60: 15 * time.Minute, -1: 30 * time.Second} {
		if got := Backoff(30*time.Second, n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

type visibilityCall struct {
	handle  string
	seconds int32
}

type fakeVisibility struct{ calls []visibilityCall }

func (f *fakeVisibility) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	f.calls = append(f.calls, visibilityCall{aws.ToString(in.ReceiptHandle), in.VisibilityTimeout})
	return &sqs.ChangeMessageVisibilityOutput{}, nil
}

// A failed message is shown again later the more often it was received; a message
// that succeeds is left alone.
func TestFailedMessagesAreBackedOff(t *testing.T) {
	vis := &fakeVisibility{}
	s := &Sender{Retry: vis, QueueURL: "q", RetryBase: 30 * time.Second}
	backOff(context.Background(), s.Retry, s.QueueURL, s.RetryBase, events.SQSMessage{MessageId: "m1", ReceiptHandle: "h1", Attributes: map[string]string{"ApproximateReceiveCount": "3"}})
	backOff(context.Background(), s.Retry, s.QueueURL, s.RetryBase, events.SQSMessage{MessageId: "m2", ReceiptHandle: "h2"})
	want := []visibilityCall{{"h1", 120}, {"h2", 30}}
	if len(vis.calls) != 2 || vis.calls[0] != want[0] || vis.calls[1] != want[1] {
		t.Fatalf("calls %+v, want %+v", vis.calls, want)
	}
	resp, err := s.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m3", ReceiptHandle: "h3", Body: "not json"}}})
	if err != nil || len(resp.BatchItemFailures) != 1 || len(vis.calls) != 3 || vis.calls[2].handle != "h3" {
		t.Fatalf("a poison message: %+v %v, calls %+v", resp, err, vis.calls)
	}
}
