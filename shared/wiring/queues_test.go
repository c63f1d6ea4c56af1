package wiring

import (
	"reflect"
	"testing"
)

// The email and SMS queues share one DLQ; every other queue has its own.
func TestDeadLetterQueues(t *testing.T) {
	// GIVEN the wiring's queues
	// WHEN their DLQs are listed
	got := map[string][]string{}
	var order []string
	for _, d := range DeadLetterQueues(Queues) {
		got[d.Name], order = d.SourceNames(), append(order, d.Name)
	}

	// THEN each appears once, with its sources in table order
	want := map[string][]string{
		"followups-dlq":     {"followups"},
		"deliveries-dlq":    {"emails", "texts"},
		"mail-feedback-dlq": {"mail-feedback"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DLQs %v, want %v", got, want)
	}
	if wantOrder := []string{"followups-dlq", "deliveries-dlq", "mail-feedback-dlq"}; !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("order %v, want %v", order, wantOrder)
	}
}

// The source a sender names is the queue's SQS name, as in AWS and in the emulator.
func TestQueueURLName(t *testing.T) {
	for url, want := range map[string]string{
		"https://sqs.us-east-1.amazonaws.com/123456789012/rapport-dev-emails.fifo": "rapport-dev-emails.fifo",
		"http://127.0.0.1:43781/000000000000/rapport-local-followups":              "rapport-local-followups",
	} {
		if got := QueueURLName(url); got != want {
			t.Errorf("QueueURLName(%q) = %q, want %q", url, got, want)
		}
	}
}
