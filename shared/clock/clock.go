// Package clock gives code an injectable notion of now, so tests can move time.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the real clock, in UTC.
type System struct{}

// Now is the current UTC time.
func (System) Now() time.Time { return time.Now().UTC() }

// Manual is a clock that only moves when told; safe for concurrent use.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual starts a manual clock at t.
func NewManual(t time.Time) *Manual { return &Manual{now: t.UTC()} }

// Now is the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Advance moves the clock forward by d.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = m.now.Add(d)
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = t.UTC()
}

// Offset is the real clock shifted by D: time passes as usual, at another time of day
// (tests that must not depend on when they run, e.g. around quiet hours).
type Offset struct{ D time.Duration }

// Now is the shifted current time, in UTC.
func (o Offset) Now() time.Time { return time.Now().UTC().Add(o.D) }

// AtHour is an Offset that makes now read as today's hour h, UTC.
func AtHour(h int) Offset {
	now := time.Now().UTC()
	y, m, d := now.Date()
	return Offset{D: time.Date(y, m, d, h, 0, 0, 0, time.UTC).Sub(now)}
}
