package cursor_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/problem"
)

type pos struct {
	Part  int               `json:"p"`
	Key   map[string]string `json:"k,omitempty"`
	After string            `json:"a,omitempty"`
}

func invalid(t *testing.T, err error) {
	t.Helper()
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Kind != problem.Invalid || len(pe.Fields) != 1 || pe.Fields[0].Field != "cursor" {
		t.Fatalf("%v: want a 400 naming cursor", err)
	}
}

func TestSealedCursorsOpenAndNothingElseDoes(t *testing.T) {
	ctx := context.Background()
	c := cursor.New(cursor.Static("k1-0123456789abcdef0123456789abcdef"))
	in := pos{Part: 2, Key: map[string]string{"pk": "CASE#1", "queuePk": "Q#loc-1"}}
	s, err := c.Seal(ctx, "complaints", in)
	if err != nil {
		t.Fatal(err)
	}
	var out pos
	if ok, err := c.Open(ctx, "complaints", s, &out); !ok || err != nil || out.Part != 2 || out.Key["queuePk"] != "Q#loc-1" {
		t.Fatalf("round trip: %v %v %+v", ok, err, out)
	}
	if ok, err := c.Open(ctx, "complaints", "", &out); ok || err != nil {
		t.Fatalf("empty cursor: %v %v", ok, err)
	}
	payload, sum, _ := strings.Cut(s, ".")
	tampered := base64.RawURLEncoding.EncodeToString([]byte(`{"p":3,"k":{"pk":"CASE#1","queuePk":"Q#loc-1"}}`)) + "." + sum
	made := []string{"e30", "e30.", "e30.AAAA", "not base64!", ".", tampered, payload, strings.Repeat("A", cursor.MaxLen+1),
		payload + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 32))}
	for _, m := range made {
		_, err := c.Open(ctx, "complaints", m, &out)
		invalid(t, err)
	}
	// Bound to its list: a timeline cursor does not open the complaints queue.
	_, err = c.Open(ctx, "timeline", s, &out)
	invalid(t, err)
	// Another deployment's key does not open it either.
	_, err = cursor.New(cursor.Static("another key entirely, 32 bytes!!")).Open(ctx, "complaints", s, &out)
	invalid(t, err)
}

type rotated struct{ current, previous []byte }

func (r rotated) Versions(context.Context) ([]byte, []byte, time.Time, error) {
	return r.current, r.previous, time.Time{}, nil
}

// After a rotation, cursors made with the previous key still open.
func TestCursorsOutliveARotation(t *testing.T) {
	ctx := context.Background()
	s, err := cursor.New(cursor.Static("old key")).Seal(ctx, "ledger", pos{After: "06H"})
	if err != nil {
		t.Fatal(err)
	}
	var out pos
	if ok, err := cursor.New(rotated{[]byte("new key"), []byte("old key")}).Open(ctx, "ledger", s, &out); !ok || err != nil || out.After != "06H" {
		t.Fatalf("%v %v %+v", ok, err, out)
	}
}

// A codec without keys refuses to work rather than sealing with none.
func TestCodecWithoutKeysFails(t *testing.T) {
	var c *cursor.Codec
	if _, err := c.Seal(context.Background(), "x", 1); err == nil {
		t.Fatal("sealed without a key")
	}
	var v int
	if _, err := c.Open(context.Background(), "x", "e30.AAAA", &v); err == nil || problem.KindOf(err) == problem.Invalid {
		t.Fatalf("opened without a key: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	c := cursor.New(cursor.Static("fuzz key"))
	good, _ := c.Seal(context.Background(), "l", pos{Part: 1})
	for _, s := range []string{"", "e30", good, "not base64!", "eyJwIjotMX0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var out pos
		ok, err := c.Open(context.Background(), "l", s, &out)
		if err != nil {
			invalid(t, err)
			return
		}
		if ok && s != good {
			// Only a sealed cursor opens; the fuzzer cannot forge the MAC.
			if _, err := c.Seal(context.Background(), "l", out); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// A key that does not open fails the builder, named as the cursor key; one that
// opens seals and opens cursors.
func TestFromKey(t *testing.T) {
	refused := errors.New(`secret reference "arn:aws:kms:x": want a Secrets Manager secret ARN or file:<path>`)
	if c, err := cursor.FromKey(nil, refused); c != nil || !errors.Is(err, refused) || !strings.Contains(err.Error(), "cursor key") {
		t.Fatalf("%v, %v: want the opener's error, named as the cursor key's", c, err)
	}
	c, err := cursor.FromKey(cursor.Static("a cursor key of 32 bytes........"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := c.Seal(ctx, "list", pos{Part: 2})
	var got pos
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Open(ctx, "list", s, &got); !ok || err != nil || got.Part != 2 {
		t.Fatalf("open: %v %v %+v", ok, err, got)
	}
}
