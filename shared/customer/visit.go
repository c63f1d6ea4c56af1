package customer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

// Visit is a visit or purchase a system reported: it moves the customer's recency,
// frequency and monetary figures, earns points and invites a survey.
type Visit struct {
	ID         string    `dynamodbav:"visitId" json:"visitId"`
	SourceID   string    `dynamodbav:"sourceId" json:"sourceId"`
	CustomerID string    `dynamodbav:"customerId" json:"customerId"`
	LocationID string    `dynamodbav:"locationId" json:"locationId"`
	Amount     float64   `dynamodbav:"amount" json:"amount"`
	Currency   string    `dynamodbav:"currency,omitempty" json:"currency,omitempty"`
	At         time.Time `dynamodbav:"at" json:"at"`
	ReceivedAt time.Time `dynamodbav:"receivedAt" json:"receivedAt"`
	By         string    `dynamodbav:"by,omitempty" json:"by,omitempty"`
	// StaffID is the staff member who served (auth.ServingStaff); empty when the
	// report named nobody. The visit counts on their counters and their survey
	// invitation carries it.
	StaffID string `dynamodbav:"staffId,omitempty" json:"staffId,omitempty"`
	// Effects are done once the points are earned and the survey invitation is
	// scheduled (or found not to apply); EntryID and InvitationID name what they made.
	EffectsDone  bool   `dynamodbav:"effectsDone" json:"effectsDone"`
	EntryID      string `dynamodbav:"entryId,omitempty" json:"entryId,omitempty"`
	FollowupID   string `dynamodbav:"followupId,omitempty" json:"followupId,omitempty"`
	EffectsError string `dynamodbav:"effectsError,omitempty" json:"-"`
	// InvitationToken is the survey invitation token the visit's effects use, drawn at
	// random when it is reported: every run of the effects (a repeat, the job's retry)
	// makes the same invitation. It is kept in the visit's sourceId claim only until the
	// effects are done (the invitation and its message then hold it), never in the
	// customer's visit history, never in an answer.
	InvitationToken string `dynamodbav:"-" json:"-"`
}

// VisitPrefix starts the sort keys of a customer's visits: CUST#<id> / VISIT#<at>#<id>,
// so they list newest first by time.
const VisitPrefix = "VISIT#"

// VisitSK is the sort key of a visit in its customer's partition.
func VisitSK(at time.Time, visitID string) string {
	return VisitPrefix + at.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + visitID
}

// CustomerPK is a customer's partition in the customers table.
func CustomerPK(id string) string { return customerPK(id) }

// visitClaim is a visit's sourceId, taken once, holding the visit; while its effects
// are not done it carries the visitEffects index keys.
type visitClaim struct {
	PK    string `dynamodbav:"pk"`
	SK    string `dynamodbav:"sk"`
	Visit Visit  `dynamodbav:"visit"`
	FxPK  string `dynamodbav:"fxPk,omitempty"`
	FxSK  string `dynamodbav:"fxSk,omitempty"`
	// Token is the visit's InvitationToken while its effects are not done.
	Token string `dynamodbav:"invitationToken,omitempty"`
}

// visit is the claim's visit with its invitation token.
func (c visitClaim) visit() Visit {
	v := c.Visit
	v.InvitationToken = c.Token
	return v
}

func visitClaimKey(src string) map[string]types.AttributeValue {
	return dynamo.Key("VISITSRC#"+src, "VISIT")
}

func visitFxPK(src string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(src))
	return fmt.Sprintf("VISITFX#%d", h.Sum32()%4)
}

// VisitBySource reads the visit a sourceId reported, if any.
func (s *Store) VisitBySource(ctx context.Context, src string) (Visit, bool, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: visitClaimKey(src), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Visit{}, false, dynamo.Unavailable(err, "read visit")
	}
	if out.Item == nil {
		return Visit{}, false, nil
	}
	var c visitClaim
	err = attributevalue.UnmarshalMap(out.Item, &c)
	return c.visit(), err == nil, err
}

// InvitationToken is the visit's invitation token: token, kept in its sourceId claim,
// unless the claim holds one already (then that one). For a visit reported before
// tokens were drawn at report time, whose effects are still to do: one conditional
// write makes every later run use the same token.
func (s *Store) InvitationToken(ctx context.Context, src, token string) (string, error) {
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       visitClaimKey(src),
		UpdateExpression:          aws.String("SET invitationToken = if_not_exists(invitationToken, :t)"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": dynamo.S(token)},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if dynamo.ConditionFailed(err) {
		return "", fmt.Errorf("visit %s: not recorded", src)
	}
	if err != nil {
		return "", dynamo.Unavailable(err, "keep the visit's invitation token")
	}
	var kept struct {
		Token string `dynamodbav:"invitationToken"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &kept); err != nil || kept.Token == "" {
		return "", cmp.Or(err, fmt.Errorf("visit %s: no invitation token kept", src))
	}
	return kept.Token, nil
}

// ErrVisitReported means the sourceId was reported before.
var ErrVisitReported = errors.New("visit reported before")

// RecordVisit stores a visit once per sourceId with the customer's recency, frequency
// and monetary figures, the location's KPI counters of the visit's local day (a
// repeat visit when the customer had visited the location before) and the serving
// staff member's counter of that day, in one transaction (the sourceId's claim keeps a
// repeat from counting twice); a customer without a profile gets one. Its effects are
// left to do (the visitEffects index lists it until they are).
func (s *Store) RecordVisit(ctx context.Context, v Visit) error {
	day, err := s.visitDay(ctx, v)
	if err != nil {
		return err
	}
	err = retry.Do(ctx, retry.Conflict, func() (bool, error) {
		p, err := s.profile(ctx, v.CustomerID)
		switch {
		case errors.Is(err, ErrNoProfile):
			p = Profile{ID: v.CustomerID, LocationID: v.LocationID, CreatedAt: v.ReceivedAt}
		case err != nil:
			return false, err
		case p.MergedInto != "":
			v.CustomerID = p.MergedInto
			return true, nil // the survivor's profile takes the visit
		}
		prev := p.Version
		p.Visits++
		counts := map[string]int{kpi.Visits: 1}
		if slices.Contains(p.VisitedAt, v.LocationID) {
			counts[kpi.RepeatVisits] = 1
		} else {
			p.VisitedAt = append(p.VisitedAt, v.LocationID)
		}
		if v.LocationID != p.LocationID && !slices.Contains(p.ServedAt, v.LocationID) {
			p.ServedAt = append(p.ServedAt, v.LocationID)
		}
		p.Monetary += v.Amount
		if p.FirstVisit == nil || v.At.Before(*p.FirstVisit) {
			p.FirstVisit = &v.At
		}
		if p.LastVisit == nil || v.At.After(*p.LastVisit) {
			p.LastVisit = &v.At
		}
		p.Version, p.UpdatedAt = prev+1, v.ReceivedAt
		profile, err := s.profilePut(p, prev)
		if err != nil {
			return false, err
		}
		claim, err := attributevalue.MarshalMap(visitClaim{PK: "VISITSRC#" + v.SourceID, SK: "VISIT", Visit: v,
			FxPK: visitFxPK(v.SourceID), FxSK: v.ReceivedAt.UTC().Format("2006-01-02T15:04:05.000Z") + "#" + v.SourceID,
			Token: v.InvitationToken})
		if err != nil {
			return false, err
		}
		entry, err := attributevalue.MarshalMap(struct {
			PK string `dynamodbav:"pk"`
			SK string `dynamodbav:"sk"`
			Visit
		}{customerPK(v.CustomerID), VisitSK(v.At, v.ID), v})
		if err != nil {
			return false, err
		}
		counters, _, err := kpi.Add(s.Table, v.LocationID, kpi.SK(kpi.Day, day, kpi.Shard(v.SourceID)), counts)
		if err != nil {
			return false, err
		}
		items := []types.TransactWriteItem{
			{Put: &types.Put{TableName: aws.String(s.Table), Item: claim, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			{Put: &types.Put{TableName: aws.String(s.Table), Item: entry}},
			profile,
			counters,
		}
		if staff, ok, err := kpi.AddStaff(s.Table, v.LocationID, day, v.StaffID, map[string]int{kpi.Visits: 1}); err != nil {
			return false, err
		} else if ok {
			items = append(items, staff)
		}
		_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		reasons := dynamo.CancellationReasons(err)
		switch {
		case err == nil:
			return false, nil
		case len(reasons) > 0 && reasons[0] == "ConditionalCheckFailed":
			return false, ErrVisitReported
		case slices.Contains(reasons, "ConditionalCheckFailed") || slices.Contains(reasons, "TransactionConflict"):
			return true, nil // the profile changed meanwhile: read it again
		default:
			return false, dynamo.Unavailable(err, "record visit")
		}
	})
	if errors.Is(err, retry.ErrExhausted) {
		return problem.New(problem.Unavailable, "too many concurrent changes to this customer; retry shortly")
	}
	return err
}

// visitDay is the visit's local day at its location (UTC for a location the registry
// does not know).
func (s *Store) visitDay(ctx context.Context, v Visit) (string, error) {
	zone := ""
	switch l, err := s.Locations.Location(ctx, v.LocationID); {
	case err == nil:
		zone = l.TimeZone
	case !errors.Is(err, place.ErrNotFound):
		return "", err
	}
	p, err := kpi.At(v.At, zone)
	return p.Day, err
}

// VisitEffectsDone marks a visit's effects done with what they made. The claim is
// written anew: the visitEffects index keys and the invitation token leave it.
func (s *Store) VisitEffectsDone(ctx context.Context, v Visit) error {
	item, err := attributevalue.MarshalMap(visitClaim{PK: "VISITSRC#" + v.SourceID, SK: "VISIT", Visit: v})
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: item})
	if err != nil {
		return dynamo.Unavailable(err, "mark visit done")
	}
	return nil
}

// PendingVisits are visits received before `before` whose effects are not done, from
// the sparse visitEffects index (never a scan).
func (s *Store) PendingVisits(ctx context.Context, before time.Time) ([]Visit, error) {
	var out []Visit
	for shard := range 4 {
		claims, err := dynamo.QueryAll[visitClaim](ctx, s.DB, &dynamodb.QueryInput{
			TableName: aws.String(s.Table), IndexName: aws.String("visitEffects"),
			KeyConditionExpression: aws.String("fxPk = :pk AND fxSk < :before"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": dynamo.S(fmt.Sprintf("VISITFX#%d", shard)), ":before": dynamo.S(before.UTC().Format("2006-01-02T15:04:05.000Z")),
			},
		}, "query pending visits")
		if err != nil {
			return nil, err
		}
		for _, c := range claims {
			out = append(out, c.visit())
		}
	}
	return out, nil
}
