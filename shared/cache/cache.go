// Package cache keeps, per warm function, what it read of items that change seldom and
// are read on every request (complaint settings, loyalty rules, survey definitions and
// public links, locations), for a short time: a change saved elsewhere applies within
// that time; the function that saved it applies it at once (the store forgets it).
//
// Values are handed out as stored, not copied: callers read them and never modify
// them (the stores return them to services that build new values from them).
package cache

import (
	"context"
	"sync"
	"time"
)

// Cache is a map of recent reads by key; the zero value is ready and keeps nothing
// until a Get with a positive keep. Its typed methods are thin over one untyped map, so
// each value type a binary caches adds little code to it.
type Cache[V any] struct{ kept kept }

// Get returns the value read for k less than keep ago, or reads it with load and keeps
// it; a failed read is not kept. keep 0 reads every time (what tests and make run use,
// so that a change applies at once). now is the caller's clock.
func (c *Cache[V]) Get(ctx context.Context, keep time.Duration, now time.Time, k string, load func(context.Context) (V, error)) (V, error) {
	if v, ok := c.Lookup(keep, now, k); ok {
		return v, nil
	}
	v, err := load(ctx)
	if err == nil && keep > 0 {
		c.kept.put(now, k, v)
	}
	return v, err
}

// Lookup returns the value kept for k if it was read less than keep ago.
func (c *Cache[V]) Lookup(keep time.Duration, now time.Time, k string) (V, bool) {
	if v, ok := c.kept.lookup(keep, now, k); ok {
		return v.(V), true
	}
	var zero V
	return zero, false
}

// Put keeps v as read for k at now (a write's result, which the writer knows).
func (c *Cache[V]) Put(now time.Time, k string, v V) { c.kept.put(now, k, v) }

// Forget drops what was kept for k.
func (c *Cache[V]) Forget(k string) { c.kept.forget(k) }

type kept struct {
	mu    sync.Mutex
	items map[string]entry
}

type entry struct {
	v  any
	at time.Time
}

func (c *kept) lookup(keep time.Duration, now time.Time, k string) (any, bool) {
	c.mu.Lock()
	e, ok := c.items[k]
	c.mu.Unlock()
	if !ok || keep <= 0 || now.Sub(e.at) >= keep || now.Before(e.at) {
		return nil, false
	}
	return e.v, true
}

func (c *kept) put(now time.Time, k string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[string]entry{}
	}
	c.items[k] = entry{v: v, at: now}
}

func (c *kept) forget(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, k)
}
