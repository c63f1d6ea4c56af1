package timeline

import (
	"context"
	"slices"
	"unicode/utf8"

	curs "github.com/rapport-crm/rapport/shared/cursor"
)

// position is how far the pages read one source: After is the sort key of the last
// item given out (the next page reads below it); Done means nothing is left.
type position struct {
	After string `json:"after,omitempty"`
	Done  bool   `json:"done,omitempty"`
}

// cursor holds each source's position by type; a source missing from it has not been
// read yet. On the wire it is sealed by the one cursor codec (shared/cursor).
type cursor map[string]position

// maxKey bounds a position's sort key (DynamoDB's limit for a sort key).
const maxKey = 1024

// list binds the timeline's cursors to it.
const list = "timeline"

func badCursor() error { return curs.Invalid() }

// decodeCursor opens a cursor from the query string; "" is the first page.
func (s *Service) decodeCursor(ctx context.Context, str string) (cursor, error) {
	c := cursor{}
	ok, err := s.Cursors.Open(ctx, list, str, &c)
	if err != nil || !ok {
		return cursor{}, err
	}
	if c == nil {
		return nil, badCursor()
	}
	for typ, pos := range c {
		if !slices.Contains(Types, typ) || len(pos.After) > maxKey || !utf8.ValidString(pos.After) || (pos.After == "" && !pos.Done) {
			return nil, badCursor()
		}
	}
	return c, nil
}

// encodeCursor is the cursor as it goes out; nil when every source is done.
func (s *Service) encodeCursor(ctx context.Context, c cursor) (*string, error) {
	done := true
	for _, typ := range Types {
		done = done && c[typ].Done
	}
	if done {
		return nil, nil
	}
	return s.Cursors.SealPtr(ctx, list, c)
}
