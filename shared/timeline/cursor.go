package timeline

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/shared/problem"
)

// position is how far the pages read one source: After is the sort key of the last
// item given out (the next page reads below it); Done means nothing is left.
type position struct {
	After string `json:"after,omitempty"`
	Done  bool   `json:"done,omitempty"`
}

// cursor holds each source's position by type; a source missing from it has not been
// read yet. On the wire it is base64url (no padding) of its JSON.
type cursor map[string]position

// maxCursor bounds a cursor's length: five sort keys of at most maxKey bytes each.
const (
	maxKey    = 1024
	maxCursor = 8192
)

func badCursor() error {
	return problem.Field("cursor", "is not a cursor this route gave out; start again without it")
}

// decodeCursor reads a cursor from the query string; "" is the first page.
func decodeCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	if len(s) > maxCursor {
		return nil, badCursor()
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, badCursor()
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c cursor
	if err := dec.Decode(&c); err != nil || dec.More() || c == nil {
		return nil, badCursor()
	}
	for typ, pos := range c {
		if !slices.Contains(Types, typ) || len(pos.After) > maxKey || !utf8.ValidString(pos.After) || (pos.After == "" && !pos.Done) {
			return nil, badCursor()
		}
	}
	return c, nil
}

// encode is the cursor as it goes out; nil when every source is done.
func (c cursor) encode() *string {
	done := true
	for _, typ := range Types {
		done = done && c[typ].Done
	}
	if done {
		return nil
	}
	b, _ := json.Marshal(c) // a map of strings and booleans always marshals
	s := base64.RawURLEncoding.EncodeToString(b)
	return &s
}
