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
