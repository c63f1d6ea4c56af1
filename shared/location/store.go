// Package location is the locations registry: the stores, branches and hotels a
// business has, kept in the customers table under one partition, read by every
// function that needs a location's zone, hours, managers or branding.
package location

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/cache"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/place"
)

// Store is the registry over the customers table.
type Store struct {
	DB    dynamo.API
	Table string
	// Keep is how long a location read is kept for the next requests (app.Deps.Keep);
	// 0 reads it every time.
	Keep time.Duration
	kept cache.Cache[place.Location]
}

// Locations are listed under one partition: a business has tens or hundreds of them.
const (
	locationsPK = "LOC"
)

type locationItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	place.Location
}

// ErrLocationExists and ErrLocationChanged are conflicts on writes.
var (
	ErrLocationExists  = errors.New("a location with this id exists")
	ErrLocationChanged = errors.New("the location changed meanwhile")
	ErrNoLocation      = place.ErrNotFound
)

// PutLocation creates (version 1, expectVersion 0) or replaces (expectVersion the
// current version) a location.
func (s *Store) PutLocation(ctx context.Context, l place.Location, expectVersion int) (place.Location, error) {
	l.Version = expectVersion + 1
	item, err := attributevalue.MarshalMap(locationItem{PK: locationsPK, SK: l.ID, Location: l})
	if err != nil {
		return place.Location{}, err
	}
	in := &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}
	if expectVersion == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": dynamo.N(int64(expectVersion))}
	}
	_, err = s.DB.PutItem(ctx, in)
	switch {
	case dynamo.ConditionFailed(err) && expectVersion == 0:
		return place.Location{}, ErrLocationExists
	case dynamo.ConditionFailed(err):
		return place.Location{}, ErrLocationChanged
	case err != nil:
		return place.Location{}, dynamo.Unavailable(err, "save location")
	}
	if s.Keep > 0 {
		s.kept.Put(time.Now(), l.ID, l)
	}
	return l, nil
}

// Location reads one location for the work that uses it (zone, hours, managers): kept
// for Keep, and read eventually consistent (half a read unit), since a location changes
// seldom and what a function holds of it may be up to Keep old anyway.
func (s *Store) Location(ctx context.Context, id string) (place.Location, error) {
	return s.kept.Get(ctx, s.Keep, time.Now(), id, func(ctx context.Context) (place.Location, error) { return s.read(ctx, id, false) })
}

// Current reads a location as it is now (strongly consistent, never kept): the
// registry's, whose edits are saved over the version read.
func (s *Store) Current(ctx context.Context, id string) (place.Location, error) {
	return s.read(ctx, id, true)
}

func (s *Store) read(ctx context.Context, id string, consistent bool) (place.Location, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(locationsPK, id), ConsistentRead: aws.Bool(consistent)})
	if err != nil {
		return place.Location{}, dynamo.Unavailable(err, "read location")
	}
	if out.Item == nil {
		return place.Location{}, ErrNoLocation
	}
	var it locationItem
	err = attributevalue.UnmarshalMap(out.Item, &it)
	return it.Location, err
}

// Locations lists every location, sorted by id.
func (s *Store) Locations(ctx context.Context) ([]place.Location, error) {
	var all []place.Location
	p := dynamodb.NewQueryPaginator(s.DB.(dynamodb.QueryAPIClient), &dynamodb.QueryInput{
		TableName: aws.String(s.Table), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(locationsPK)},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, dynamo.Unavailable(err, "list locations")
		}
		var items []locationItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			all = append(all, it.Location)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}

// LocationIDs lists the registered locations' ids: what "every location" means to an
// all-locations token.
func (s *Store) LocationIDs(ctx context.Context) ([]string, error) {
	all, err := s.Locations(ctx)
	ids := make([]string, 0, len(all))
	for _, l := range all {
		ids = append(ids, l.ID)
	}
	return ids, err
}
