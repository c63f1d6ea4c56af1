package complaint

import (
	"testing"
)

// The queue's cursor comes from outside: any string is a cursor or a field error,
// never a panic, and a cursor the queue made reads back the same.
func FuzzDecodeCursor(f *testing.F) {
	f.Add("")
	f.Add(*encodeCursor(cursor{Part: 2, Key: map[string]string{"pk": "CASE#1", "queuePk": "Q#loc-1"}}))
	f.Add("not base64!")
	f.Add("eyJwIjotMX0") // {"p":-1}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			if !hasField(err, "cursor") {
				t.Fatalf("%q: %v does not name the cursor", s, err)
			}
			return
		}
		if c.Part < 0 {
			t.Fatalf("%q: negative part %d", s, c.Part)
		}
		again, err := decodeCursor(*encodeCursor(c))
		if err != nil || again.Part != c.Part || len(again.Key) != len(c.Key) {
			t.Fatalf("%q: round trip %+v → %+v, %v", s, c, again, err)
		}
	})
}
