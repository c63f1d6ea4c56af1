package local_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/emulator"
	"github.com/rapport-crm/rapport/shared/queue"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// With the SQS emulator down, responses and their follow-ups are kept (they never
// touch SQS); once it is back, each follow-up reaches the outbox exactly once.
func TestSQSOutageLosesNothingAndSendsEachFollowupOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	em, err := emulator.Start(ctx, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = em.Stop() })
	env := testenv.NewAt(t, em.DynamoDBEndpoint, em.SQSEndpoint)
	s := newStack(t, env, nil)
	s.start(t) // the queue poller lives through the outage

	if err := em.StopSQS(); err != nil {
		t.Fatal(err)
	}
	const n = 5
	for i := range n {
		body := fmt.Sprintf(`{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":%d}],"comment":"outage %d"}`, i%7, i)
		if r := s.submit(t, body, fmt.Sprintf("outage-%d", i)); r.status != 201 {
			t.Fatalf("submission %d during the outage: %d %s", i, r.status, r.body)
		}
	}
	if _, err := s.dispatch(t); err == nil {
		t.Fatal("the dispatcher reported success with SQS down")
	}
	if got := len(s.responses(t)); got != n {
		t.Fatalf("%d responses kept, want %d", got, n)
	}
	if msgs := s.outbox(t); len(msgs) != 0 {
		t.Fatalf("%d messages sent during the outage", len(msgs))
	}

	if err := em.StartSQS(ctx); err != nil {
		t.Fatal(err)
	}
	// The emulator keeps queues in memory: make them again, as make run does on start.
	urls, err := queue.Create(ctx, env.Clients.SQS, env.Names, wiring.Queues)
	if err != nil {
		t.Fatal(err)
	}
	if urls["followups"] != env.Queues["followups"] {
		t.Fatalf("queue URL changed across the restart: %s vs %s", urls["followups"], env.Queues["followups"])
	}
	for range 3 { // extra ticks must not send anything twice
		if _, err := s.dispatch(t); err != nil {
			t.Fatal(err)
		}
	}
	msgs := s.waitOutbox(t, n)
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m.ID] {
			t.Fatalf("follow-up %s sent twice", m.ID)
		}
		seen[m.ID] = true
		if !strings.Contains(m.Body, "outage") {
			t.Fatalf("unexpected message %+v", m)
		}
	}
	time.Sleep(2 * time.Second)
	s.waitOutbox(t, n)
}
