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

// Cache is a map of recent reads; the zero value is ready and keeps nothing until a
// Get with a positive keep.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	items map[K]entry[V]
}

type entry[V any] struct {
	v  V
	at time.Time
}

// Get returns the value read for k less than keep ago, or reads it with load and keeps
// it; a failed read is not kept. keep 0 reads every time (what tests and make run use,
// so that a change applies at once). now is the caller's clock.
func (c *Cache[K, V]) Get(ctx context.Context, keep time.Duration, now time.Time, k K, load func(context.Context) (V, error)) (V, error) {
	if keep <= 0 {
		return load(ctx)
	}
	if v, ok := c.Lookup(keep, now, k); ok {
		return v, nil
	}
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	c.Put(now, k, v)
	return v, nil
}

// Lookup returns the value kept for k if it was read less than keep ago.
func (c *Cache[K, V]) Lookup(keep time.Duration, now time.Time, k K) (V, bool) {
	c.mu.Lock()
	e, ok := c.items[k]
	c.mu.Unlock()
	if !ok || keep <= 0 || now.Sub(e.at) >= keep || now.Before(e.at) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put keeps v as read for k at now (a write's result, which the writer knows).
func (c *Cache[K, V]) Put(now time.Time, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[K]entry[V]{}
	}
	c.items[k] = entry[V]{v: v, at: now}
}

// Forget drops what was kept for k.
func (c *Cache[K, V]) Forget(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, k)
}
