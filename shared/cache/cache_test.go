package cache

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGetKeepsAReadForItsTime(t *testing.T) {
	var c Cache[int]
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	reads := 0
	load := func(v int, err error) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { reads++; return v, err }
	}
	get := func(keep time.Duration, at time.Duration, f func(context.Context) (int, error)) int {
		t.Helper()
		v, err := c.Get(t.Context(), keep, t0.Add(at), "k", f)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := get(30*time.Second, 0, load(1, nil)); v != 1 || reads != 1 {
		t.Fatalf("first read: %d after %d reads", v, reads)
	}
	if v := get(30*time.Second, 29*time.Second, load(2, nil)); v != 1 || reads != 1 {
		t.Errorf("within 30 s: %d after %d reads, want the kept 1 without a read", v, reads)
	}
	if v := get(30*time.Second, 30*time.Second, load(3, nil)); v != 3 || reads != 2 {
		t.Errorf("at 30 s: %d after %d reads, want a fresh read", v, reads)
	}
	if v := get(0, 31*time.Second, load(4, nil)); v != 4 || reads != 3 {
		t.Errorf("keep 0: %d after %d reads, want every call read", v, reads)
	}
	// A clock that went back does not serve a value "from the future".
	if v := get(30*time.Second, -time.Minute, load(5, nil)); v != 5 || reads != 4 {
		t.Errorf("clock back: %d after %d reads", v, reads)
	}
	c.Forget("k")
	if v := get(30*time.Second, -time.Minute, load(6, nil)); v != 6 || reads != 5 {
		t.Errorf("after Forget: %d after %d reads", v, reads)
	}
	c.Put(t0, "k", 7)
	if v := get(30*time.Second, time.Second, load(8, nil)); v != 7 || reads != 5 {
		t.Errorf("after Put: %d after %d reads", v, reads)
	}
}

func TestGetKeepsNoFailedRead(t *testing.T) {
	var c Cache[int]
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	boom := errors.New("throttled")
	if _, err := c.Get(t.Context(), time.Minute, now, "k", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	v, err := c.Get(t.Context(), time.Minute, now, "k", func(context.Context) (int, error) { return 9, nil })
	if err != nil || v != 9 {
		t.Errorf("after a failed read: %d, %v; want a fresh read of 9", v, err)
	}
}
