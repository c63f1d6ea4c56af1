package cloud

import (
	"testing"
	"time"
)

func TestTripsCountCallsOneAfterAnother(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	at := func(from, to int) [2]time.Time {
		return [2]time.Time{t0.Add(time.Duration(from) * time.Millisecond), t0.Add(time.Duration(to) * time.Millisecond)}
	}
	for _, c := range []struct {
		name  string
		spans [][2]time.Time
		want  int
	}{
		{"none", nil, 0},
		{"one", [][2]time.Time{at(0, 5)}, 1},
		{"three in a row", [][2]time.Time{at(0, 5), at(5, 9), at(10, 12)}, 3},
		{"two at once, then one", [][2]time.Time{at(0, 5), at(1, 7), at(7, 9)}, 2},
		{"recorded out of order", [][2]time.Time{at(10, 12), at(0, 5), at(2, 11)}, 1},
		{"a long call covers two short ones", [][2]time.Time{at(0, 20), at(2, 4), at(6, 8), at(21, 22)}, 2},
	} {
		m := &Meter{spans: c.spans}
		if got := m.Trips(); got != c.want {
			t.Errorf("%s: %d trips, want %d", c.name, got, c.want)
		}
	}
}
