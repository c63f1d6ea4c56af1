package id

import (
	"sort"
	"strings"
	"testing"
	"time"
)

func TestNewSortsByTimeAndRoundTrips(t *testing.T) {
	base := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 100 {
		ids = append(ids, New(base.Add(time.Duration(i)*time.Millisecond)))
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatalf("ids made in time order do not sort in time order: %v", ids[:3])
	}
	for i, s := range ids {
		if len(s) != 26 {
			t.Fatalf("id %q has length %d, want 26", s, len(s))
		}
		got, ok := Time(s)
		if want := base.Add(time.Duration(i) * time.Millisecond); !ok || !got.Equal(want) {
			t.Fatalf("Time(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
}

func TestNewIsUniqueWithinAMillisecond(t *testing.T) {
	now := time.Now()
	seen := map[string]bool{}
	for range 10000 {
		s := New(now)
		if seen[s] {
			t.Fatalf("duplicate id %q", s)
		}
		seen[s] = true
	}
}

func TestTimeRejectsOtherStrings(t *testing.T) {
	for _, s := range []string{"", "abc", "ZZZZZZZZZZZZZZZZZZZZZZZZZ!"} {
		if _, ok := Time(s); ok {
			t.Errorf("Time(%q) accepted", s)
		}
	}
}

// The text is this package's own, not a ULID's (see the package doc): a 2026 id starts
// 06, where a ULID of the same instant starts 01, and its last character carries the
// two spare bits as zeros.
func TestTextIsNotAULID(t *testing.T) {
	at := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	for range 100 {
		s := New(at)
		if !strings.HasPrefix(s, "06") {
			t.Fatalf("id %q made in 2026 does not start 06", s)
		}
		if !strings.ContainsRune("048CGMRW", rune(s[25])) {
			t.Fatalf("id %q ends in %q, not a character whose two low bits are zero", s, s[25])
		}
	}
	if lo := Lowest(at); lo > New(at) || New(at.Add(-time.Millisecond)) >= lo {
		t.Fatalf("Lowest(%v) = %q does not part the ids made from then on from earlier ones", at, lo)
	}
}
