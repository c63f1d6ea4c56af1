package customer

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// Search limits: a page holds DefaultSearchLimit profiles unless ?limit= asks for
// 1 to MaxSearchLimit.
const (
	DefaultSearchLimit = 50
	MaxSearchLimit     = 200
)

// FoldName is a name as the name index keeps it: runs of spaces made one, case folded,
// so "  Li  LEI" and "li lei" are one key and "li" is a prefix of both.
func FoldName(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// SearchPage is a page of search results.
type SearchPage struct {
	Items      []Profile `json:"items"`
	NextCursor *string   `json:"nextCursor"`
}

// SearchQuery is a search as asked: Q is a phone, an email, a customer id or the start
// of a name; LocationID bounds the name search (and is required for it).
type SearchQuery struct {
	Q          string
	LocationID string
	Limit      int
	Cursor     string
}

// Search finds the customers a principal sees: a phone or an email by its normalised
// form exactly (the contact index), a customer id by that id, any other text by the
// start of a name among the customers whose home is the location asked for (the
// byName index). A phone, an email or an id finds at most a few customers in one
// page; a name search pages with sealed cursors. A customer the principal cannot see
// is left out, never reported.
func (s *Service) Search(ctx context.Context, p auth.Principal, q SearchQuery) (SearchPage, error) {
	page := SearchPage{Items: []Profile{}}
	text := strings.TrimSpace(q.Q)
	list := "customers?locationId=" + q.LocationID + "&q=" + FoldName(text)
	// The cursor is the byName index's last key.
	var c map[string]string
	if _, err := s.Cursors.Open(ctx, list, q.Cursor, &c); err != nil {
		return page, err
	}
	start := dynamo.StringKey(c)
	if q.LocationID != "" {
		if _, err := s.Store.visibleLocation(ctx, p, q.LocationID); err != nil {
			return page, err
		}
	}

	var exact []string
	byName := true
	switch phone, phoneErr := contact.NormalizePhone(text); {
	case strings.Contains(text, "@"):
		email, err := contact.NormalizeEmail(text)
		if err != nil {
			return page, problem.Field("q", "is not an email address (a search with @ is by email)")
		}
		found, err := s.Store.FindByContact(ctx, "", email)
		if err != nil {
			return page, err
		}
		exact, byName = append(exact, found), false
	case phoneErr == nil:
		found, err := s.Store.FindByContact(ctx, phone, "")
		if err != nil {
			return page, err
		}
		exact, byName = append(exact, found), false
	}
	if id.Valid(text) { // a customer id, which a system may have chosen
		exact = append(exact, text)
	}
	if start == nil { // an exact match leads the first page only
		for _, cid := range exact {
			if cid == "" {
				continue
			}
			prof, err := s.Store.Profile(ctx, cid)
			if errors.Is(err, ErrNoProfile) {
				continue
			}
			if err != nil {
				return page, err
			}
			if Sees(p, prof) && !slices.ContainsFunc(page.Items, func(o Profile) bool { return o.ID == prof.ID }) {
				page.Items = append(page.Items, prof)
			}
		}
	}
	if !byName {
		return page, nil
	}
	if q.LocationID == "" {
		if len(page.Items) > 0 {
			return page, nil // an id found its customer; a name needs a location
		}
		return page, problem.Field("locationId", "is required to search by name: one of your locations")
	}
	found, next, err := s.Store.SearchByName(ctx, q.LocationID, FoldName(text), q.Limit, start)
	if err != nil {
		return page, err
	}
	for _, prof := range found {
		if Sees(p, prof) && !slices.ContainsFunc(page.Items, func(o Profile) bool { return o.ID == prof.ID }) {
			page.Items = append(page.Items, prof)
		}
	}
	if next != nil {
		if page.NextCursor, err = s.Cursors.SealPtr(ctx, list, dynamo.KeyStrings(next)); err != nil {
			return page, err
		}
	}
	return page, nil
}

// SearchByName is a page of the named profiles whose home is a location and whose
// folded name starts with prefix (every named one for ""), by name, through the
// byNameKeys index; next is nil on the last page.
func (s *Store) SearchByName(ctx context.Context, locationID, prefix string, limit int, start map[string]types.AttributeValue) ([]Profile, map[string]types.AttributeValue, error) {
	in := &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String(nameIndex),
		KeyConditionExpression:    aws.String("namePk = :l"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":l": dynamo.S(namePK(locationID))},
		Limit:                     aws.Int32(int32(limit)), ExclusiveStartKey: start,
	}
	if prefix != "" {
		in.KeyConditionExpression = aws.String("namePk = :l AND begins_with(nameSk, :p)")
		in.ExpressionAttributeValues[":p"] = dynamo.S(prefix)
	}
	out, err := dynamo.Backfilled(s.DB, "customers", nameIndex).Query(ctx, in)
	if err != nil {
		return nil, nil, dynamo.Unavailable(err, "search customers by name")
	}
	// The index holds keys only: the page's profiles are read by key. One erased or
	// merged away meanwhile is left out.
	raws, err := dynamo.GetMany(ctx, s.DB, s.Table, dynamo.KeysOf(out.Items), false)
	if err != nil {
		return nil, nil, dynamo.Unavailable(err, "search customers by name")
	}
	var items []profileItem
	if err := attributevalue.UnmarshalListOfMaps(raws, &items); err != nil {
		return nil, nil, err
	}
	profs := make([]Profile, len(items))
	for i, it := range items {
		profs[i] = it.Profile
	}
	return profs, out.LastEvaluatedKey, nil
}

// search serves GET /v1/customers.
func (s *Service) search(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.From(r.Context())
	v := r.URL.Query()
	q := SearchQuery{Q: v.Get("q"), LocationID: v.Get("locationId"), Limit: DefaultSearchLimit, Cursor: v.Get("cursor")}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxSearchLimit {
			problem.Write(w, r, problem.Field("limit", "must be 1 to 200"))
			return
		}
		q.Limit = n
	}
	page, err := s.Search(r.Context(), p, q)
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, page)
}
