package location

import (
	"context"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// The staff directory: display names for the opaque staff ids that records carry (a
// person's token subject, a point of sale's id), per location, beside the registry:
//
//	pk                  sk         item
//	STAFF#<location>    <staffId>  StaffMember
//
// A location's directory is one Query; it holds tens of people, not thousands.
func staffPK(location string) string { return "STAFF#" + location }

// StaffMember is a staff id's display name at a location.
type StaffMember struct {
	StaffID    string    `json:"staffId" dynamodbav:"staffId"`
	LocationID string    `json:"locationId" dynamodbav:"locationId"`
	Name       string    `json:"name" dynamodbav:"name"`
	UpdatedAt  time.Time `json:"updatedAt" dynamodbav:"updatedAt"`
	UpdatedBy  string    `json:"updatedBy" dynamodbav:"updatedBy"`
}

type staffItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	StaffMember
}

// PutStaffMember names a staff id at its location, replacing an earlier name.
func (s *Store) PutStaffMember(ctx context.Context, m StaffMember) error {
	item, err := attributevalue.MarshalMap(staffItem{PK: staffPK(m.LocationID), SK: m.StaffID, StaffMember: m})
	if err != nil {
		return err
	}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item}); err != nil {
		return dynamo.Unavailable(err, "save staff member")
	}
	return nil
}

// DeleteStaffMember takes a staff id's name out of a location's directory (the records
// that carry the id keep it; the reports show the bare id).
func (s *Store) DeleteStaffMember(ctx context.Context, location, staffID string) error {
	_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(staffPK(location), staffID)})
	if err != nil {
		return dynamo.Unavailable(err, "delete staff member")
	}
	return nil
}

// StaffDirectory lists a location's named staff, by name.
func (s *Store) StaffDirectory(ctx context.Context, location string) ([]StaffMember, error) {
	items, err := dynamo.QueryAll[staffItem](ctx, s.DB.(dynamodb.QueryAPIClient), &dynamodb.QueryInput{
		TableName: aws.String(s.Table), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(staffPK(location))},
	}, "list staff")
	out := make([]StaffMember, len(items))
	for i, it := range items {
		out[i] = it.StaffMember
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}
