// Package retry runs an operation again after it lost a race (a DynamoDB transaction
// cancelled for a conflict, a condition another writer broke), waiting longer each
// time, until it is done, refused for good, out of attempts, or its context ends.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// ErrExhausted means every attempt lost; callers turn it into their own 503.
var ErrExhausted = errors.New("still conflicting after every attempt")

// Policy is how often and how patiently an operation is tried.
type Policy struct {
	// Attempts is the number of tries in all, the first included.
	Attempts int
	// Base is the longest wait after the first lost try; each later wait may be twice
	// the one before, up to Max. A wait is at least half its bound (jitter keeps
	// writers that collided from colliding again in step).
	Base, Max time.Duration
	// Sleep waits d or until ctx is done (then returns ctx.Err()); nil is the real
	// clock. Tests give a fake.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Conflict is the one policy for writes that lost a transaction race: ten tries with
// at most 325 ms of waiting in all, enough for the handful of writers one item
// usually has. A caller whose item has many writers at once raises Attempts with
// WithAttempts and says why next to the call.
var Conflict = Policy{Attempts: 10, Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}

// WithAttempts is p with n tries in all.
func (p Policy) WithAttempts(n int) Policy {
	p.Attempts = n
	return p
}

// Do calls fn until it reports that another try will not help (again false), and
// returns fn's error then. After a try that asks for another, it waits (see Policy)
// and tries again; when none is left it returns ErrExhausted wrapping fn's last error
// if any, and when ctx ends during a wait it returns ctx.Err() at once.
func Do(ctx context.Context, p Policy, fn func() (again bool, err error)) error {
	sleep := p.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	for attempt := 1; ; attempt++ {
		again, err := fn()
		if !again {
			return err
		}
		if attempt >= p.Attempts {
			if err != nil {
				return fmt.Errorf("%w (%d attempts): %w", ErrExhausted, attempt, err)
			}
			return fmt.Errorf("%w (%d attempts)", ErrExhausted, attempt)
		}
		if err := sleep(ctx, p.wait(attempt)); err != nil {
			return err
		}
	}
}

// bound is the longest wait after the attempt-th try (1-based): Base doubled each try,
// capped at Max.
func (p Policy) bound(attempt int) time.Duration {
	d := p.Base
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

func (p Policy) wait(attempt int) time.Duration {
	d := p.bound(attempt)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
