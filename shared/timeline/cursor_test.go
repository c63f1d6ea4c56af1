package timeline

import (
	"context"
	"encoding/base64"
	"testing"

	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/problem"
)

var testService = &Service{Cursors: curs.New(curs.Static("timeline test key"))}

func TestCursorRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := cursor{TypeVisit: {After: "VISIT#2026-11-23T01:01:00.000Z#01KA"}, TypePoints: {Done: true}, TypeSurvey: {After: "2026-11-23T01:04:00.000Z#01KB"}}
	s, err := testService.encodeCursor(ctx, c)
	if s == nil || err != nil {
		t.Fatalf("a cursor with sources left encoded to none: %v", err)
	}
	got, err := testService.decodeCursor(ctx, *s)
	if err != nil || len(got) != len(c) || got[TypeVisit] != c[TypeVisit] || got[TypePoints] != c[TypePoints] || got[TypeSurvey] != c[TypeSurvey] {
		t.Fatalf("round trip %v %v, want %v", got, err, c)
	}
	all := cursor{}
	for _, typ := range Types {
		all[typ] = position{Done: true}
	}
	if s, err := testService.encodeCursor(ctx, all); s != nil || err != nil {
		t.Fatal("every source done: want no next cursor")
	}
}

// FuzzDecodeCursor: whatever a caller sends as ?cursor= is a cursor or a 400 naming it.
func FuzzDecodeCursor(f *testing.F) {
	for _, seed := range []string{"", "!!", `{"visit":{"after":"VISIT#x"}}`, `{"points":{"done":true}}`, `null`, `[]`, `{"visit":{}}`} {
		f.Add(base64.RawURLEncoding.EncodeToString([]byte(seed)))
	}
	f.Add("not base64 at all")
	if s, err := testService.encodeCursor(context.Background(), cursor{TypeVisit: {After: "VISIT#x"}}); err == nil {
		f.Add(*s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := testService.decodeCursor(context.Background(), s)
		if err != nil {
			if e := problem.KindOf(err); e != problem.Invalid {
				t.Fatalf("%q: %v, want invalid", s, err)
			}
			return
		}
		for typ, pos := range c {
			if pos.After == "" && !pos.Done {
				t.Fatalf("%q: %s has no position", s, typ)
			}
		}
	})
}
