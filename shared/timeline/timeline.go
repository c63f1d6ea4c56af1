// Package timeline is a customer's history across domains, newest first: visits,
// points, follow-ups, complaints and survey responses, each read through its own key
// range or index and merged a page at a time.
package timeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Profiles reads a customer's profile, following a merged duplicate to its survivor.
type Profiles interface {
	Profile(ctx context.Context, id string) (customer.Profile, error)
}

// Tables are the physical names of the tables the timeline reads.
type Tables struct {
	Customers  string
	Loyalty    string
	Followups  string
	Complaints string
	Surveys    string
}

// Service reads timelines.
type Service struct {
	DB       dynamo.API
	Profiles Profiles
	Tables   Tables
	// Cursors seals the pages' cursors.
	Cursors *curs.Codec
}

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Query is a page request: Limit items (1..MaxLimit) after Cursor ("" for the first).
type Query struct {
	Limit  int
	Cursor string
}

// Page is a page of a timeline. CustomerID is whose it is: the survivor when the
// customer asked for was merged into another.
type Page struct {
	CustomerID string  `json:"customerId"`
	Items      []Item  `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// Timeline is a page of a customer's history as the principal may see it. The
// timeline's access policy: a caller sees the customers the customer domain's policy
// lets it see (customer.Sees: home or served at one of its locations; others are not
// found) and, of their history, the items of its locations or of none (points); a
// customer without a profile, known only by its history, is for all-locations tokens.
func (s *Service) Timeline(ctx context.Context, p auth.Principal, customerID string, q Query) (Page, error) {
	if q.Limit < 1 || q.Limit > MaxLimit {
		return Page{}, problem.Field("limit", fmt.Sprintf("must be 1 to %d", MaxLimit))
	}
	cur, err := s.decodeCursor(ctx, q.Cursor)
	if err != nil {
		return Page{}, err
	}
	notFound := problem.New(problem.NotFound, "no such customer")
	prof, err := s.Profiles.Profile(ctx, customerID)
	switch {
	case errors.Is(err, customer.ErrNoProfile):
		if !p.All {
			return Page{}, notFound
		}
	case err != nil:
		return Page{}, err
	case !customer.Sees(p, prof):
		return Page{}, notFound
	default:
		customerID = prof.ID
	}
	page, err := s.page(ctx, p, customerID, cur, q.Limit)
	if err != nil {
		return Page{}, err
	}
	if prof.ID == "" && q.Cursor == "" && len(page.Items) == 0 && page.NextCursor == nil {
		return Page{}, notFound // neither a profile nor any history
	}
	return page, nil
}

// window is what one page read of one source: items below its position, newest first,
// with their sort keys; exhausted means there is nothing beyond them.
type window struct {
	items     []Item
	keys      []string
	exhausted bool
}

// page merges the sources' windows: it gives out items newest first until limit are
// out or a source that has more runs out of its window (what it holds beyond might be
// newer than the rest). Items of locations the principal may not see are passed over:
// read and left behind the cursor, never shown.
func (s *Service) page(ctx context.Context, p auth.Principal, customerID string, cur cursor, limit int) (Page, error) {
	srcs := s.sources(customerID)
	for _, src := range srcs {
		if after := cur[src.typ].After; after != "" && !strings.HasPrefix(after, src.prefix) {
			return Page{}, badCursor() // a position in another key range
		}
	}
	wins := make([]window, len(srcs))
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	for i, src := range srcs {
		if pos := cur[src.typ]; pos.Done {
			wins[i].exhausted = true
		} else {
			wg.Go(func() { wins[i], errs[i] = s.read(ctx, src, pos.After, limit+1) })
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Page{}, err
	}
	next := cursor{}
	for typ, pos := range cur {
		next[typ] = pos
	}
	heads := make([]int, len(srcs))
	page := Page{CustomerID: customerID, Items: []Item{}}
	for len(page.Items) < limit {
		best := pick(wins, heads)
		if best < 0 {
			break
		}
		it := wins[best].items[heads[best]]
		heads[best]++
		if it.LocationID == "" || p.All || p.Sees(it.LocationID) {
			page.Items = append(page.Items, it)
		}
	}
	for i, src := range srcs {
		w := wins[i]
		if heads[i] > 0 {
			next[src.typ] = position{After: w.keys[heads[i]-1]}
		}
		if w.exhausted && heads[i] == len(w.items) {
			next[src.typ] = position{Done: true}
		}
	}
	var err error
	page.NextCursor, err = s.encodeCursor(ctx, next)
	return page, err
}

// pick is the source whose next item is the newest, or -1 when the page must end:
// everything read is given out, or a source with more has run out of its window.
func pick(wins []window, heads []int) int {
	best := -1
	for i, w := range wins {
		switch {
		case heads[i] < len(w.items):
			if best < 0 || newer(w.items[heads[i]], wins[best].items[heads[best]]) {
				best = i
			}
		case !w.exhausted:
			return -1
		}
	}
	return best
}

// read is up to want items of a source below after ("" from the newest), newest first.
func (s *Service) read(ctx context.Context, src source, after string, want int) (window, error) {
	kc := expression.Key(src.pkName).Equal(expression.Value(src.pk))
	switch {
	case after != "" && src.prefix == "":
		kc = kc.And(expression.Key(src.skName).LessThan(expression.Value(after)))
	case after != "":
		kc = kc.And(expression.Key(src.skName).Between(expression.Value(src.prefix), expression.Value(after)))
	case src.prefix != "":
		kc = kc.And(expression.Key(src.skName).BeginsWith(src.prefix))
	}
	ex, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return window{}, err
	}
	in := &dynamodb.QueryInput{
		TableName: aws.String(src.table), KeyConditionExpression: ex.KeyCondition(),
		ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values(),
		ScanIndexForward: aws.Bool(false), Limit: aws.Int32(int32(want + 1)), // one more: after itself
	}
	if src.index != "" {
		in.IndexName = aws.String(src.index)
	}
	var db dynamo.Querier = s.DB
	if src.index != "" {
		db = dynamo.Backfilled(s.DB, src.wiringTable, src.index)
	}
	var w window
	for {
		out, err := db.Query(ctx, in)
		if err != nil {
			return window{}, dynamo.Unavailable(err, "read the "+src.typ+" history")
		}
		if src.byKey {
			if out.Items, err = s.byKey(ctx, src, out.Items); err != nil {
				return window{}, dynamo.Unavailable(err, "read the "+src.typ+" history")
			}
		}
		for _, raw := range out.Items {
			sk, _ := raw[src.skName].(*types.AttributeValueMemberS)
			if sk == nil || (after != "" && sk.Value >= after) {
				continue
			}
			it, err := decoders[src.typ](raw)
			if err != nil {
				return window{}, fmt.Errorf("decode %s %s: %w", src.typ, sk.Value, err)
			}
			it.Type, it.At = src.typ, it.At.UTC()
			w.items, w.keys = append(w.items, it), append(w.keys, sk.Value)
			if len(w.items) == want {
				return w, nil
			}
		}
		if out.LastEvaluatedKey == nil {
			w.exhausted = true
			return w, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// byKey reads the items a keys-only index named, in its order, eventually consistent as
// the index is, leaving out those that left the customer meanwhile (erased, or moved
// to the survivor of a merge): their index key no longer names the customer.
func (s *Service) byKey(ctx context.Context, src source, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	items, err := dynamo.GetMany(ctx, s.DB, src.table, dynamo.KeysOf(keys), false)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(items, func(it map[string]types.AttributeValue) bool {
		pk, _ := it[src.pkName].(*types.AttributeValueMemberS)
		return pk == nil || pk.Value != src.pk
	}), nil
}
