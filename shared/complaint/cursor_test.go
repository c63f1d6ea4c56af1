package complaint

import (
	"context"
	"testing"

	curs "github.com/rapport-crm/rapport/shared/cursor"
)

// The queue's cursor comes from outside: any string is a cursor the queue sealed or a
// field error naming it, never a panic, and a cursor of other filters does not open.
func FuzzDecodeCursor(f *testing.F) {
	ctx := context.Background()
	s := &Store{Cursors: curs.New(curs.Static("complaint test key"))}
	list := queueList(QueueQuery{LocationID: "loc-1"})
	good, err := s.Cursors.Seal(ctx, list, cursor{Part: 2, Key: map[string]string{"pk": "CASE#1", "queuePk": "Q#loc-1"}})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.decodeCursor(ctx, queueList(QueueQuery{LocationID: "loc-2"}), good); !hasField(err, "cursor") {
		f.Fatalf("a cursor of loc-1's queue opened loc-2's: %v", err)
	}
	f.Add("")
	f.Add(good)
	f.Add("not base64!")
	f.Add("eyJwIjotMX0") // {"p":-1}
	f.Add("e30")
	f.Fuzz(func(t *testing.T, str string) {
		c, err := s.decodeCursor(ctx, list, str)
		if err != nil {
			if !hasField(err, "cursor") {
				t.Fatalf("%q: %v does not name the cursor", str, err)
			}
			return
		}
		if str != "" && str != good {
			t.Fatalf("%q opened: only sealed cursors may", str)
		}
		if c.Part < 0 {
			t.Fatalf("%q: negative part %d", str, c.Part)
		}
	})
}
