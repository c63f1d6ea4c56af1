package complaint

import (
	"fmt"
	"time"
)

// Hours is the location's business-hours arithmetic (place.Location).
type Hours interface {
	AddBusinessHours(start time.Time, d time.Duration) (time.Time, error)
	BusinessBetween(from, to time.Time) (time.Duration, error)
	Open(t time.Time) (bool, error)
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// startClock starts a clock at start with a target in business minutes.
func startClock(h Hours, start time.Time, target int) (Clock, error) {
	due, err := h.AddBusinessHours(start, minutes(target))
	return Clock{Start: start, TargetMinutes: target, Due: due}, err
}

// at is the moment a share of the target is used up, pauses not counted.
func (c Clock) at(h Hours, share float64) (time.Time, error) {
	d := time.Duration(share*float64(minutes(c.TargetMinutes))) + minutes(c.PausedMinutes)
	return h.AddBusinessHours(c.Start, d)
}

// retarget sets a new target and moves the deadline accordingly.
func (c *Clock) retarget(h Hours, target int) error {
	c.TargetMinutes = target
	due, err := c.at(h, 1)
	c.Due = due
	return err
}

// pause stops the clock while the case waits on the customer.
func (c *Clock) pause(now time.Time) {
	if c.Running() {
		c.PausedSince = &now
	}
}

// resume restarts a paused clock; the deadline moves by the business time paused.
func (c *Clock) resume(h Hours, now time.Time) error {
	if c.PausedSince == nil {
		return nil
	}
	paused, err := h.BusinessBetween(*c.PausedSince, now)
	if err != nil {
		return err
	}
	c.PausedMinutes += int(paused / time.Minute)
	c.PausedWallSeconds += int64(now.Sub(*c.PausedSince) / time.Second)
	c.PausedSince = nil
	return c.retarget(h, c.TargetMinutes)
}

// stop ends the clock at now and records whether it was met and the business time used.
func (c *Clock) stop(h Hours, now time.Time) error {
	if c.Stopped != nil {
		return nil
	}
	if err := c.resume(h, now); err != nil {
		return err
	}
	used, err := h.BusinessBetween(c.Start, now)
	if err != nil {
		return err
	}
	met := !now.After(c.Due)
	c.Stopped, c.Met = &now, &met
	c.BusinessMinutes = max(0, int(used/time.Minute)-c.PausedMinutes)
	return nil
}

// next is when the clock's next ladder step fires; ok is false when none will.
func (c Clock) next(h Hours, ladder []Step) (time.Time, bool, error) {
	if !c.Running() || c.Stage >= len(ladder) {
		return time.Time{}, false, nil
	}
	t, err := c.at(h, ladder[c.Stage].At)
	return t, err == nil, err
}

// Firing is one ladder step a clock reached.
type Firing struct {
	Clock string // "acknowledge" or "resolve"
	Step  int
	At    time.Time
	Due   time.Time
}

// Event type of a firing: a warning below the target, the breach at the first step
// past it, escalations after.
func (f Firing) eventType(ladder []Step) string {
	switch {
	case ladder[f.Step].At < 1:
		return EventSLAWarning
	case f.Step == 0 || ladder[f.Step-1].At < 1:
		return EventSLABreach
	default:
		return EventEscalated
	}
}

// fire advances both clocks through every ladder step due by now, each once, in order.
func (c *Complaint) fire(h Hours, ladder []Step, now time.Time) ([]Firing, error) {
	var out []Firing
	for _, k := range []struct {
		name  string
		clock *Clock
	}{{"acknowledge", &c.Acknowledge}, {"resolve", &c.Resolve}} {
		for {
			at, ok, err := k.clock.next(h, ladder)
			if err != nil {
				return nil, err
			}
			if !ok || at.After(now) {
				break
			}
			out = append(out, Firing{Clock: k.name, Step: k.clock.Stage, At: at, Due: k.clock.Due})
			if ladder[k.clock.Stage].At >= 1 {
				c.Breached = true
			}
			k.clock.Stage++
		}
	}
	return out, nil
}

// nextCheck is when the case next needs the SLA job, if ever.
func (c Complaint) nextCheck(h Hours, ladder []Step) (time.Time, bool, error) {
	var best time.Time
	found := false
	for _, k := range []Clock{c.Acknowledge, c.Resolve} {
		t, ok, err := k.next(h, ladder)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("case %s: %w", c.ID, err)
		}
		if ok && (!found || t.Before(best)) {
			best, found = t, true
		}
	}
	return best, found, nil
}
