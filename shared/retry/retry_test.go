package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeSleep records the waits asked for and ends ctx's wait at once, as a real timer
// would when ctx is done.
type fakeSleep struct{ waits []time.Duration }

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.waits = append(f.waits, d)
	return nil
}

func policy(f *fakeSleep) Policy {
	return Policy{Attempts: 6, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond, Sleep: f.sleep}
}

func TestDoReturnsFnResultWithoutWaiting(t *testing.T) {
	f := &fakeSleep{}
	refused := errors.New("refused")
	calls := 0
	err := Do(context.Background(), policy(f), func() (bool, error) { calls++; return false, refused })
	if !errors.Is(err, refused) || calls != 1 || len(f.waits) != 0 {
		t.Fatalf("err %v after %d calls and waits %v; want refused, 1 call, no wait", err, calls, f.waits)
	}
}

func TestDoTriesAgainUntilDone(t *testing.T) {
	f := &fakeSleep{}
	calls := 0
	err := Do(context.Background(), policy(f), func() (bool, error) { calls++; return calls < 3, nil })
	if err != nil || calls != 3 || len(f.waits) != 2 {
		t.Fatalf("err %v after %d calls and waits %v; want nil, 3 calls, 2 waits", err, calls, f.waits)
	}
}

func TestDoStopsAtTheAttemptLimit(t *testing.T) {
	f := &fakeSleep{}
	lost := errors.New("transaction conflict")
	calls := 0
	err := Do(context.Background(), policy(f), func() (bool, error) { calls++; return true, lost })
	if !errors.Is(err, ErrExhausted) || !errors.Is(err, lost) {
		t.Fatalf("err %v; want ErrExhausted wrapping the last error", err)
	}
	if calls != 6 || len(f.waits) != 5 {
		t.Fatalf("%d calls, %d waits; want 6 calls (the policy's attempts) and 5 waits between them", calls, len(f.waits))
	}
}

func TestDoBacksOffWithJitterUpToMax(t *testing.T) {
	for range 50 { // the jitter is random: check its bounds many times
		f := &fakeSleep{}
		p := policy(f)
		_ = Do(context.Background(), p, func() (bool, error) { return true, nil })
		bounds := []time.Duration{10, 20, 40, 50, 50}
		if len(f.waits) != len(bounds) {
			t.Fatalf("waits %v, want %d", f.waits, len(bounds))
		}
		for i, w := range f.waits {
			hi := bounds[i] * time.Millisecond
			if w < hi/2 || w > hi {
				t.Fatalf("wait %d is %v, want between %v and %v (waits %v)", i+1, w, hi/2, hi, f.waits)
			}
		}
	}
}

func TestDoStopsAtOnceWhenCtxIsCancelled(t *testing.T) {
	f := &fakeSleep{}
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := Do(ctx, policy(f), func() (bool, error) {
		calls++
		if calls == 2 {
			cancel()
		}
		return true, nil
	})
	if !errors.Is(err, context.Canceled) || calls != 2 {
		t.Fatalf("err %v after %d calls; want context.Canceled after 2", err, calls)
	}
}

// The real sleep ends with ctx, long before its wait would.
func TestRealSleepWatchesCtx(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	p := Policy{Attempts: 3, Base: time.Hour, Max: time.Hour}
	err := Do(ctx, p, func() (bool, error) { return true, nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want context.DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("took %v: the wait did not end with ctx", took)
	}
}

func TestConflictWaitsAreBounded(t *testing.T) {
	var total time.Duration
	for a := 1; a < Conflict.Attempts; a++ {
		total += Conflict.bound(a)
	}
	if total > time.Second {
		t.Fatalf("Conflict may wait %v in all; keep it under a second", total)
	}
	if p := Conflict.WithAttempts(60); p.Attempts != 60 || Conflict.Attempts != 10 || p.Base != Conflict.Base {
		t.Fatalf("WithAttempts changed the shared policy or lost its waits: %+v, %+v", p, Conflict)
	}
}
