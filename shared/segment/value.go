// Package segment is what Rapport knows of customers as a group: their value (RFM,
// ABC classes, value tiers, lifetime value, word of mouth) recomputed on a schedule
// per location, saved segments over those figures, campaigns to a segment, and the
// win-back of customers drifting away. Campaigns and win-back go through the
// follow-up engine, which checks consent and the marketing cap; a campaign's vouchers
// are the rewards domain's, issued once per campaign and member.
package segment

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/survey"
)

// Service computes value and runs segments, campaigns and win-back.
type Service struct {
	Customers *customer.Store
	Locations *location.Store
	Followups *followup.Store
	// Surveys, when set, gives each customer's latest NPS category (word of mouth).
	Surveys *survey.Store
	// Rewards issue a campaign's vouchers (the rewards domain); without it a campaign
	// with a voucher is refused.
	Rewards *reward.Store
	Clock   clock.Clock
}

// ValueReport says what a value run did.
type ValueReport struct {
	Locations int `json:"locations"`
	Customers int `json:"customers"`
}

// RecomputeValue scores every registered location's customers (by their home
// location): RFM by quintiles over the location's customers (or by thresholds), ABC
// classes, value tiers, lifetime value and word of mouth, written onto each profile.
func (s *Service) RecomputeValue(ctx context.Context, now time.Time) (ValueReport, error) {
	var rep ValueReport
	cfg, err := s.Customers.ValueSettings(ctx)
	if err != nil {
		return rep, err
	}
	locs, err := s.Locations.Locations(ctx)
	if err != nil {
		return rep, err
	}
	for _, l := range locs {
		profiles, err := s.Customers.HomeProfiles(ctx, l.ID)
		if err != nil {
			return rep, err
		}
		stats := make([]customer.Stats, len(profiles))
		for i, p := range profiles {
			stats[i] = p.StatsOf()
		}
		rfm := customer.ScoreRFM(stats, cfg.RFM, now)
		abc := customer.ClassifyABC(stats, rfm, cfg.ABC)
		for i, p := range profiles {
			v := customer.Value{RFM: rfm[p.ID], ABC: abc[p.ID], CLV: customer.CLV(stats[i], cfg.CLV, now), ComputedAt: now}
			v.Tier = customer.ValueTier(v.RFM, v.ABC)
			if v.Satisfaction, err = s.satisfaction(ctx, p.ID); err != nil {
				return rep, err
			}
			v.WordOfMouth = customer.WordOfMouth(v.CLV.Value, v.Satisfaction, cfg.WordOfMouth)
			if err := s.Customers.SetValue(ctx, p.ID, v); err != nil {
				return rep, err
			}
			rep.Customers++
		}
		rep.Locations++
	}
	return rep, nil
}

// satisfaction is the customer's latest NPS category from their survey responses
// (the surveys table's byCustomer index), or "" if they answered none.
func (s *Service) satisfaction(ctx context.Context, cid string) (string, error) {
	if s.Surveys == nil {
		return "", nil
	}
	out, err := s.Surveys.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Surveys.Table), IndexName: aws.String("byCustomer"),
		KeyConditionExpression:    aws.String("customerPk = :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": dynamo.S(customer.CustomerPK(cid))},
		ScanIndexForward:          aws.Bool(false), Limit: aws.Int32(5),
	})
	if err != nil {
		return "", dynamo.Unavailable(err, "read survey responses")
	}
	for _, raw := range out.Items {
		var it struct {
			Value survey.Response `dynamodbav:"value"`
		}
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return "", err
		}
		if c := it.Value.Score.NPSCategory; c != "" {
			return c, nil
		}
	}
	return "", nil
}

// WinBackReport says what a win-back run did.
type WinBackReport struct {
	Scheduled int `json:"scheduled"`
}

// WinBack schedules one win-back message per period to each customer whose last
// visit is longer ago than the settings' days (per location where set): the period's number is in the
// follow-up's dedupe key, so a customer hears once per period however often this runs.
func (s *Service) WinBack(ctx context.Context, now time.Time) (WinBackReport, error) {
	var rep WinBackReport
	cfg, err := s.Customers.ValueSettings(ctx)
	if err != nil || cfg.WinBack.PeriodDays <= 0 {
		return rep, err
	}
	period := now.Unix() / int64(cfg.WinBack.PeriodDays*24*3600)
	locs, err := s.Locations.Locations(ctx)
	if err != nil {
		return rep, err
	}
	for _, l := range locs {
		days := cfg.WinBack.DaysAt(l.ID)
		if days <= 0 {
			continue
		}
		cutoff := now.AddDate(0, 0, -days)
		profiles, err := s.Customers.HomeProfiles(ctx, l.ID)
		if err != nil {
			return rep, err
		}
		for _, p := range profiles {
			if p.LastVisit == nil || !p.LastVisit.Before(cutoff) {
				continue
			}
			f, ok := message(p, l, followup.KindWinBack, fmt.Sprintf("win-back#%s#%d", p.ID, period), now)
			if !ok {
				continue
			}
			f.TemplateID = "win-back"
			scheduled, err := s.schedule(ctx, f)
			if err != nil {
				return rep, err
			}
			if scheduled {
				rep.Scheduled++
			}
		}
	}
	slog.InfoContext(ctx, "win-back", "scheduled", rep.Scheduled)
	return rep, nil
}
