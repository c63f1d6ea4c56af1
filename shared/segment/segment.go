package segment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Segment is a saved filter over a location's customers and their value figures.
type Segment struct {
	ID        string    `dynamodbav:"segmentId" json:"segmentId"`
	Name      string    `dynamodbav:"name" json:"name"`
	Filter    Filter    `dynamodbav:"filter" json:"filter"`
	CreatedBy string    `dynamodbav:"createdBy" json:"createdBy"`
	CreatedAt time.Time `dynamodbav:"createdAt" json:"createdAt"`
}

// Filter selects customers of a home location; every given condition must hold.
type Filter struct {
	LocationID string   `dynamodbav:"locationId" json:"locationId"`
	ABC        []string `dynamodbav:"abc,omitempty" json:"abc,omitempty"`
	Tiers      []string `dynamodbav:"tiers,omitempty" json:"tiers,omitempty"`
	MinR       int      `dynamodbav:"minR,omitempty" json:"minR,omitempty"`
	MinF       int      `dynamodbav:"minF,omitempty" json:"minF,omitempty"`
	MinM       int      `dynamodbav:"minM,omitempty" json:"minM,omitempty"`
	// Tags: any of them.
	Tags []string `dynamodbav:"tags,omitempty" json:"tags,omitempty"`
	// InactiveDays: no visit for at least that many days; ActiveDays: a visit within.
	InactiveDays int `dynamodbav:"inactiveDays,omitempty" json:"inactiveDays,omitempty"`
	ActiveDays   int `dynamodbav:"activeDays,omitempty" json:"activeDays,omitempty"`
	MinVisits    int `dynamodbav:"minVisits,omitempty" json:"minVisits,omitempty"`
}

func (f Filter) validate() error {
	var errs []problem.FieldError
	bad := func(field, msg string) {
		errs = append(errs, problem.FieldError{Field: "filter." + field, Message: msg})
	}
	if f.LocationID == "" {
		bad("locationId", "is required")
	}
	for _, c := range f.ABC {
		if !slices.Contains([]string{customer.ClassA, customer.ClassB, customer.ClassC}, c) {
			bad("abc", "classes are A, B and C")
		}
	}
	for _, t := range f.Tiers {
		if !slices.Contains([]string{customer.TierVIP, customer.TierKey, customer.TierRegular, customer.TierPotential}, t) {
			bad("tiers", "tiers are vip, key, regular and potential")
		}
	}
	for name, v := range map[string]int{"minR": f.MinR, "minF": f.MinF, "minM": f.MinM} {
		if v < 0 || v > 5 {
			bad(name, "must be 0 to 5")
		}
	}
	if f.InactiveDays < 0 || f.ActiveDays < 0 || f.MinVisits < 0 {
		bad("inactiveDays", "days and visits must not be negative")
	}
	return problem.Fields(errs)
}

// Match tells whether a profile is in the filter at now.
func (f Filter) Match(p customer.Profile, now time.Time) bool {
	v := customer.Value{RFM: customer.RFM{R: 1, F: 1, M: 1}, ABC: customer.ClassC, Tier: customer.TierRegular}
	if p.Value != nil {
		v = *p.Value
	}
	switch {
	case len(f.ABC) > 0 && !slices.Contains(f.ABC, v.ABC),
		len(f.Tiers) > 0 && !slices.Contains(f.Tiers, v.Tier),
		v.RFM.R < f.MinR, v.RFM.F < f.MinF, v.RFM.M < f.MinM,
		p.Visits < f.MinVisits,
		len(f.Tags) > 0 && !slices.ContainsFunc(f.Tags, func(t string) bool { return slices.Contains(p.Tags, t) }):
		return false
	}
	if f.InactiveDays > 0 && p.LastVisit != nil && p.LastVisit.After(now.AddDate(0, 0, -f.InactiveDays)) {
		return false
	}
	if f.ActiveDays > 0 && (p.LastVisit == nil || p.LastVisit.Before(now.AddDate(0, 0, -f.ActiveDays))) {
		return false
	}
	return true
}

func segmentKey(id string) map[string]types.AttributeValue { return dynamo.Key("SEGMENT", id) }

// Create saves a segment for a location the principal may see.
func (s *Service) Create(ctx context.Context, p auth.Principal, seg Segment) (Segment, error) {
	seg.Name = strings.TrimSpace(seg.Name)
	if seg.Name == "" || len(seg.Name) > 200 {
		return Segment{}, problem.Field("name", "is required, at most 200 characters")
	}
	if err := seg.Filter.validate(); err != nil {
		return Segment{}, err
	}
	if !sees(p, seg) {
		return Segment{}, problem.New(problem.NotFound, "no such location")
	}
	now := s.Clock.Now()
	seg.ID, seg.CreatedBy, seg.CreatedAt = id.New(now), p.Subject, now
	item, err := attributevalue.MarshalMap(struct {
		PK string `dynamodbav:"pk"`
		SK string `dynamodbav:"sk"`
		Segment
	}{"SEGMENT", seg.ID, seg})
	if err != nil {
		return Segment{}, err
	}
	if _, err := s.Customers.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.Customers.Table), Item: item}); err != nil {
		return Segment{}, dynamo.Unavailable(err, "save segment")
	}
	return seg, nil
}

// Get reads a segment the principal may see.
func (s *Service) Get(ctx context.Context, p auth.Principal, segID string) (Segment, error) {
	out, err := s.Customers.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Customers.Table), Key: segmentKey(segID)})
	if err != nil {
		return Segment{}, dynamo.Unavailable(err, "read segment")
	}
	var seg Segment
	if out.Item != nil {
		if err := attributevalue.UnmarshalMap(out.Item, &seg); err != nil {
			return Segment{}, err
		}
	}
	if out.Item == nil || !sees(p, seg) {
		return Segment{}, problem.New(problem.NotFound, "no such segment")
	}
	return seg, nil
}

// List lists the segments the principal may see.
func (s *Service) List(ctx context.Context, p auth.Principal) ([]Segment, error) {
	out, err := s.Customers.DB.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(s.Customers.Table),
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": dynamo.S("SEGMENT")}})
	if err != nil {
		return nil, dynamo.Unavailable(err, "list segments")
	}
	var all []Segment
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &all); err != nil {
		return nil, err
	}
	visible := []Segment{}
	for _, seg := range all {
		if sees(p, seg) {
			visible = append(visible, seg)
		}
	}
	return visible, nil
}

// Members are the segment's customers now.
func (s *Service) Members(ctx context.Context, seg Segment) ([]customer.Profile, error) {
	profiles, err := s.Customers.HomeProfiles(ctx, seg.Filter.LocationID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	out := []customer.Profile{}
	for _, p := range profiles {
		if seg.Filter.Match(p, now) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Campaign is a marketing message to a segment's members, and the voucher it may give
// each of them.
type Campaign struct {
	ID         string            `json:"campaignId"`
	DueAt      time.Time         `json:"dueAt"`
	TemplateID string            `json:"templateId,omitempty"`
	Message    map[string]string `json:"message,omitempty"`
	Subject    map[string]string `json:"subject,omitempty"`
	Voucher    *CampaignVoucher  `json:"voucher,omitempty"`
	Scheduled  int               `json:"scheduled"`
	Skipped    int               `json:"skipped"`
	// VouchersIssued are the vouchers this launch issued; members who had the
	// campaign's voucher already are not counted again.
	VouchersIssued int `json:"vouchersIssued"`
}

// Launch schedules a campaign to each member once (the campaign id is in each
// follow-up's dedupe key) and issues each member its voucher, if it has one, once (the
// campaign id and the member claim the issue, and the voucher records the campaign for
// the voucher report). Consent, the marketing cap and unsubscribe links are the
// sender's; a member with no address is counted as skipped for the message and still
// gets the voucher. Every field is checked before anything is written.
func (s *Service) Launch(ctx context.Context, p auth.Principal, segID string, c Campaign) (Campaign, error) {
	seg, err := s.Get(ctx, p, segID)
	if err != nil {
		return Campaign{}, err
	}
	if c.TemplateID == "" && len(c.Message) == 0 {
		return Campaign{}, problem.Field("message", "give a templateId or a message per language (zh-CN, en)")
	}
	if _, ok := followup.Template(c.TemplateID); c.TemplateID != "" && !ok {
		return Campaign{}, problem.Field("templateId", "is not a built-in template")
	}
	if c.ID != "" && !validCampaignID(c.ID) {
		return Campaign{}, problem.Field("campaignId", "must be 1–64 letters, digits and _ . : -")
	}
	tpl, err := s.voucherTemplate(ctx, p, seg, c.Voucher)
	if err != nil {
		return Campaign{}, err
	}
	now := s.Clock.Now()
	if c.DueAt.IsZero() {
		c.DueAt = now
	}
	if c.ID == "" {
		c.ID = id.New(now)
	}
	loc, err := s.Customers.Locations.Location(ctx, seg.Filter.LocationID)
	if err != nil && !errors.Is(err, place.ErrNotFound) {
		return Campaign{}, err
	}
	members, err := s.Members(ctx, seg)
	if err != nil {
		return Campaign{}, err
	}
	for _, m := range members {
		if tpl != nil {
			issued, err := s.issue(ctx, *tpl, c, seg, m.ID, p.Subject, now)
			if err != nil {
				return Campaign{}, err
			}
			if issued {
				c.VouchersIssued++
			}
		}
		f, ok := message(m, loc, followup.KindCampaign, fmt.Sprintf("campaign#%s#%s", c.ID, m.ID), now)
		if !ok {
			c.Skipped++
			continue
		}
		f.DueAt, f.TemplateID = c.DueAt, c.TemplateID
		if c.TemplateID == "" {
			f.Body, f.Subject = followup.Pick(c.Message, f.Recipient.Locale), followup.Pick(c.Subject, f.Recipient.Locale)
		}
		scheduled, err := s.schedule(ctx, f)
		if err != nil {
			return Campaign{}, err
		}
		if scheduled {
			c.Scheduled++
		}
	}
	return c, nil
}

// message is a marketing follow-up to a customer by email, else SMS; false without
// an address.
func message(p customer.Profile, loc place.Location, kind, dedupe string, now time.Time) (followup.Followup, bool) {
	r, ok := followup.ToCustomer(p.ID, p.Email, p.Phone, p.Locale, cmp.Or(p.TimeZone, loc.TimeZone))
	if !ok {
		return followup.Followup{}, false
	}
	return followup.Followup{ID: followup.OccasionID(dedupe), Kind: kind, LocationID: loc.ID, Recipient: r, DueAt: now, DedupeKey: dedupe,
		QuietHours: loc.QuietHours, Source: followup.Source{Type: "segment", ID: dedupe}, CreatedAt: now}, true
}

// schedule writes a follow-up; false when its occasion was scheduled before.
func (s *Service) schedule(ctx context.Context, f followup.Followup) (bool, error) {
	_, err := s.Followups.Schedule(ctx, f)
	if errors.Is(err, followup.ErrDuplicate) {
		return false, nil
	}
	return err == nil, err
}
