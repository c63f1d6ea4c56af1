package survey

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Summary is a survey as the staff list shows it.
type Summary struct {
	ID string `json:"surveyId"`
	// Title is the survey's heading in every locale (its name where it has none).
	Title map[string]string `json:"title"`
	Name  string            `json:"name"`
	// LocationID is the survey's location; empty for a survey of every location.
	LocationID string    `json:"locationId,omitempty"`
	Version    int       `json:"version"`
	Anonymous  bool      `json:"anonymous"`
	Questions  int       `json:"questionCount"`
	CreatedAt  time.Time `json:"createdAt"`
}

// SummaryOf is the list's view of a survey.
func SummaryOf(sv Survey) Summary {
	title := map[string]string{}
	for _, l := range i18n.Locales() {
		title[l] = sv.Name
		if t := sv.Title[l]; t != "" {
			title[l] = t
		}
	}
	return Summary{ID: sv.ID, Title: title, Name: sv.Name, LocationID: sv.LocationID, Version: sv.Version,
		Anonymous: sv.Anonymous, Questions: len(sv.Questions), CreatedAt: sv.CreatedAt}
}

// CatalogPage is a page of the survey list.
type CatalogPage struct {
	Items      []Summary `json:"items"`
	NextCursor *string   `json:"nextCursor"`
}

// List is a page of the surveys a principal sees, newest first: with a location, those
// bound to it and those of every location. A page reads limit surveys and keeps the
// visible ones, so it may hold fewer and still have a next cursor.
func (s *Staff) List(ctx context.Context, p auth.Principal, location string, limit int, cursor string) (CatalogPage, error) {
	page := CatalogPage{Items: []Summary{}}
	list := "surveys?locationId=" + location
	// The cursor is the catalog index's last key.
	var c map[string]string
	if _, err := s.Cursors.Open(ctx, list, cursor, &c); err != nil {
		return page, err
	}
	if location != "" && !p.Sees(location) {
		return page, problem.New(problem.NotFound, "no such location")
	}
	svs, next, err := s.Store.Catalog(ctx, limit, dynamo.StringKey(c))
	if err != nil {
		return page, err
	}
	for _, sv := range svs {
		if sees(p, sv) && (location == "" || sv.LocationID == "" || sv.LocationID == location) {
			page.Items = append(page.Items, SummaryOf(sv))
		}
	}
	if next != nil {
		if page.NextCursor, err = s.Cursors.SealPtr(ctx, list, dynamo.KeyStrings(next)); err != nil {
			return page, err
		}
	}
	return page, nil
}

// Catalog is a page of every survey's current definition, newest survey first, through
// the catalog index; next is nil on the last page.
func (s *Store) Catalog(ctx context.Context, limit int, start map[string]types.AttributeValue) ([]Survey, map[string]types.AttributeValue, error) {
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String("catalog"),
		KeyConditionExpression:    aws.String("catalogPk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S(catalogPK)},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(int32(limit)), ExclusiveStartKey: start,
	})
	if err != nil {
		return nil, nil, dynamo.Unavailable(err, "list surveys")
	}
	var items []keyed[Survey]
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, nil, err
	}
	svs := make([]Survey, len(items))
	for i, it := range items {
		svs[i] = it.Value
	}
	return svs, out.LastEvaluatedKey, nil
}

// Survey list limits: DefaultListLimit a page unless ?limit= asks for 1 to MaxListLimit.
const (
	DefaultListLimit = 50
	MaxListLimit     = 200
)

// list serves GET /v1/surveys.
func (s *Staff) list(r *http.Request, p auth.Principal) (int, any, error) {
	v := r.URL.Query()
	limit := DefaultListLimit
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxListLimit {
			return 0, nil, problem.Field("limit", "must be 1 to 200")
		}
		limit = n
	}
	page, err := s.List(r.Context(), p, v.Get("locationId"), limit, v.Get("cursor"))
	return http.StatusOK, page, err
}
