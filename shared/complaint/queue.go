package complaint

import (
	"context"
	"net/url"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/problem"
)

// QueueQuery filters the staff queue.
type QueueQuery struct {
	Status     Status
	LocationID string
	Assignee   string
	// Breached, when set, keeps only cases whose SLA was (true) or was not (false) breached.
	Breached *bool
	Limit    int
	Cursor   string
}

// Page is a page of the queue.
type Page struct {
	Items      []Case  `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// cursor is where a queue page ended: which partition, and the key within it.
type cursor struct {
	Part int               `json:"p"`
	Key  map[string]string `json:"k,omitempty"`
}

// Queue lists cases by status, location, assignee and breach, oldest first within a
// status, through the queue indexes: by assignee, or location by location (the given
// one, the principal's, or every registered one).
func (s *Service) Queue(ctx context.Context, p auth.Principal, q QueueQuery) (Page, error) {
	if q.Status != "" && !slices.Contains(Statuses, q.Status) {
		return Page{}, problem.Field("status", "must be a status: received, acknowledged, in_progress, pending_customer, resolved, closed")
	}
	if q.LocationID != "" && !p.Sees(q.LocationID) {
		return Page{}, problem.New(problem.NotFound, "no such location")
	}
	list := queueList(q)
	cur, err := s.Store.decodeCursor(ctx, list, q.Cursor)
	if err != nil {
		return Page{}, err
	}
	type part struct{ index, pk, name string }
	var parts []part
	switch {
	case q.Assignee != "":
		parts = []part{{"byAssignee", assigneePK(q.Assignee), "assignee"}}
	default:
		locs, err := s.within(ctx, p, q.LocationID)
		if err != nil {
			return Page{}, err
		}
		for _, l := range locs {
			parts = append(parts, part{"queue", queuePK(l), "queue"})
		}
	}
	page := Page{Items: []Case{}}
	start := cur.key()
	for i := cur.Part; i < len(parts); i++ {
		pt := parts[i]
		in := &dynamodb.QueryInput{
			TableName: aws.String(s.Store.Table), IndexName: aws.String(pt.index),
			KeyConditionExpression:    aws.String(pt.name + "Pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(pt.pk)},
			ExclusiveStartKey:         start,
		}
		if q.Status != "" {
			in.KeyConditionExpression = aws.String(pt.name + "Pk = :pk AND begins_with(" + pt.name + "Sk, :st)")
			in.ExpressionAttributeValues[":st"] = dynamo.S(string(q.Status) + "#")
		}
		for {
			in.Limit = aws.Int32(int32(q.Limit - len(page.Items)))
			out, err := s.Store.DB.Query(ctx, in)
			if err != nil {
				return Page{}, dynamo.Unavailable(err, "list complaints")
			}
			var items []caseItem
			if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
				return Page{}, err
			}
			for _, it := range items {
				if !sees(p, it.Complaint) || (q.LocationID != "" && it.LocationID != q.LocationID) ||
					(q.Breached != nil && it.Breached != *q.Breached) {
					continue
				}
				page.Items = append(page.Items, caseOf(it.Complaint, nil))
			}
			if len(page.Items) >= q.Limit && out.LastEvaluatedKey != nil {
				page.NextCursor, err = s.Store.Cursors.SealPtr(ctx, list, cursor{Part: i, Key: dynamo.KeyStrings(out.LastEvaluatedKey)})
				return page, err
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
		start = nil
		if len(page.Items) >= q.Limit && i+1 < len(parts) {
			page.NextCursor, err = s.Store.Cursors.SealPtr(ctx, list, cursor{Part: i + 1})
			return page, err
		}
	}
	return page, nil
}

func (c cursor) key() map[string]types.AttributeValue { return dynamo.StringKey(c.Key) }

// queueList binds a queue cursor to the filters whose pages it walks: its Part counts
// the partitions those filters chose.
func queueList(q QueueQuery) string {
	return "complaints?" + url.Values{"status": {string(q.Status)}, "locationId": {q.LocationID}, "assignee": {q.Assignee}}.Encode()
}

// decodeCursor opens a queue cursor; "" is the first page.
func (s *Store) decodeCursor(ctx context.Context, list, str string) (cursor, error) {
	var c cursor
	ok, err := s.Cursors.Open(ctx, list, str, &c)
	if err != nil || !ok {
		return cursor{}, err
	}
	if c.Part < 0 {
		return cursor{}, curs.Invalid()
	}
	return c, nil
}
