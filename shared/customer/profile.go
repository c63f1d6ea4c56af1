package customer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

// Profile is one person: how to reach them, where they belong, what they prefer, and
// what they are worth (figures kept by visits and the value job).
type Profile struct {
	ID         string `dynamodbav:"customerId" json:"customerId"`
	Name       string `dynamodbav:"name,omitempty" json:"name,omitempty"`
	Phone      string `dynamodbav:"phone,omitempty" json:"phone,omitempty"`
	Email      string `dynamodbav:"email,omitempty" json:"email,omitempty"`
	Birthday   string `dynamodbav:"birthday,omitempty" json:"birthday,omitempty"`
	Locale     string `dynamodbav:"locale,omitempty" json:"locale,omitempty"`
	TimeZone   string `dynamodbav:"timeZone,omitempty" json:"timeZone,omitempty"`
	LocationID string `dynamodbav:"locationId,omitempty" json:"locationId,omitempty"`
	// ServedAt are the other locations that served the customer (kept by visits); with
	// the home location they are where the customer belongs (policy.go).
	ServedAt    []string          `dynamodbav:"servedAt,omitempty" json:"servedAt,omitempty"`
	Tags        []string          `dynamodbav:"tags,omitempty" json:"tags,omitempty"`
	Preferences map[string]string `dynamodbav:"preferences,omitempty" json:"preferences,omitempty"`
	// Consent is each channel's current consent (read from its own records).
	Consent map[string]bool `dynamodbav:"-" json:"consent,omitempty"`
	// Visits, Monetary, FirstVisit and LastVisit are kept by reported visits.
	Visits     int        `dynamodbav:"visits" json:"visits"`
	Monetary   float64    `dynamodbav:"monetary" json:"monetary"`
	FirstVisit *time.Time `dynamodbav:"firstVisit,omitempty" json:"firstVisit,omitempty"`
	LastVisit  *time.Time `dynamodbav:"lastVisit,omitempty" json:"lastVisit,omitempty"`
	// VisitedAt are the locations with a reported visit: another visit to one of them
	// is a repeat visit there (the KPI report's repeatVisitRate).
	VisitedAt []string `dynamodbav:"visitedAt,omitempty" json:"-"`
	// Value is what the customer is worth, as the value job last computed it.
	Value *Value `dynamodbav:"value,omitempty" json:"value,omitempty"`
	// MergedInto names the profile this duplicate was merged into.
	MergedInto string    `dynamodbav:"mergedInto,omitempty" json:"mergedInto,omitempty"`
	Version    int       `dynamodbav:"version" json:"version"`
	CreatedAt  time.Time `dynamodbav:"createdAt" json:"createdAt"`
	UpdatedAt  time.Time `dynamodbav:"updatedAt" json:"updatedAt"`
}

// profileItem is a profile as stored, with its index keys: customers of a home
// location (for the value job and segments) and, when named, by name (search).
type profileItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	Profile
	HomePK string `dynamodbav:"homePk,omitempty"`
	HomeSK string `dynamodbav:"homeSk,omitempty"`
	NamePK string `dynamodbav:"namePk,omitempty"`
	NameSK string `dynamodbav:"nameSk,omitempty"`
}

const profileSK = "PROFILE"

// Errors of profiles.
var (
	ErrNoProfile      = errors.New("no such customer")
	ErrProfileChanged = errors.New("the profile changed meanwhile")
)

// ReasonProfileChanged is the reason (problem.Error.Reason) of a change refused because
// the profile is not as the caller read it: reload it and try again.
const ReasonProfileChanged = "profile-changed"

// ProfileInput is a profile as created or patched; nil fields are left as they are.
type ProfileInput struct {
	ID          string            `json:"customerId"`
	Name        *string           `json:"name"`
	Phone       *string           `json:"phone"`
	Email       *string           `json:"email"`
	Birthday    *string           `json:"birthday"`
	Locale      *string           `json:"locale"`
	TimeZone    *string           `json:"timeZone"`
	LocationID  *string           `json:"locationId"`
	Tags        []string          `json:"tags"`
	Preferences map[string]string `json:"preferences"`
	Consent     map[string]bool   `json:"consent"`
	// Version, on a patch, must be the profile's current version when given.
	Version int `json:"version"`
}

var birthdayRe = func(s string) bool {
	for _, layout := range []string{"2006-01-02", "01-02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return s == "02-29" // valid without a year
}

// apply validates an input and writes it over p, naming every bad field.
func (in ProfileInput) apply(p *Profile) error {
	var errs []problem.FieldError
	bad := func(f, m string) { errs = append(errs, problem.FieldError{Field: f, Message: m}) }
	if in.Name != nil {
		p.Name = strings.TrimSpace(*in.Name)
		if utf8.RuneCountInString(p.Name) > 200 {
			bad("name", "at most 200 characters")
		}
	}
	if in.Phone != nil {
		p.Phone = ""
		if *in.Phone != "" {
			v, err := contact.NormalizePhone(*in.Phone)
			if err != nil {
				bad("phone", "must be a phone number, e.g. +86 138 0013 8000")
			}
			p.Phone = v
		}
	}
	if in.Email != nil {
		p.Email = ""
		if *in.Email != "" {
			v, err := contact.NormalizeEmail(*in.Email)
			if err != nil {
				bad("email", "must be an email address")
			}
			p.Email = v
		}
	}
	if in.Birthday != nil {
		if p.Birthday = *in.Birthday; p.Birthday != "" && !birthdayRe(p.Birthday) {
			bad("birthday", "must be YYYY-MM-DD or MM-DD")
		}
	}
	if in.Locale != nil {
		if p.Locale = *in.Locale; p.Locale != "" && !i18n.Supported(p.Locale) {
			bad("locale", "must be zh-CN or en")
		}
	}
	if in.TimeZone != nil {
		if p.TimeZone = *in.TimeZone; p.TimeZone != "" {
			if _, err := place.Zone(p.TimeZone); err != nil {
				bad("timeZone", "must be an IANA time zone such as Asia/Shanghai")
			}
		}
	}
	if in.LocationID != nil {
		if p.LocationID = *in.LocationID; p.LocationID != "" && !id.Valid(p.LocationID) {
			bad("locationId", "must be letters, digits, '.', '_' or '-'")
		}
	}
	if in.Tags != nil {
		p.Tags = nil
		for i, t := range in.Tags {
			if t = strings.TrimSpace(t); t == "" || len(t) > 64 {
				bad(fmt.Sprintf("tags[%d]", i), "must be 1 to 64 characters")
			} else if !slices.Contains(p.Tags, t) {
				p.Tags = append(p.Tags, t)
			}
		}
	}
	if in.Preferences != nil {
		p.Preferences = in.Preferences
		if len(p.Preferences) > 50 {
			bad("preferences", "at most 50")
		}
	}
	for ch := range in.Consent {
		if !slices.Contains(contact.Channels, ch) {
			bad("consent."+ch, "channels are email, sms and webhook")
		}
	}
	return problem.Fields(errs)
}

func (s *Store) profilePut(p Profile, expect int) (types.TransactWriteItem, error) {
	it := profileItem{PK: customerPK(p.ID), SK: profileSK, Profile: p}
	if p.LocationID != "" && p.MergedInto == "" {
		it.HomePK, it.HomeSK = homePK(p.LocationID), p.ID
		it.NamePK, it.NameSK, _ = nameKeys(p)
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	put := &types.Put{TableName: aws.String(s.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if expect > 0 {
		put.ConditionExpression = aws.String("version = :v")
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":v": dynamo.N(int64(expect))}
	}
	return types.TransactWriteItem{Put: put}, nil
}

// claimContacts are the items that point a profile's phone and email at it, only if no
// other profile holds them, and free the ones it gave up.
func (s *Store) claimContacts(old, next Profile) []types.TransactWriteItem {
	var items []types.TransactWriteItem
	for _, pair := range [][2]string{{contactKey(old.Phone, phonePK), contactKey(next.Phone, phonePK)}, {contactKey(old.Email, emailPK), contactKey(next.Email, emailPK)}} {
		was, now := pair[0], pair[1]
		if was == now {
			continue
		}
		if now != "" {
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table),
				Item:                      map[string]types.AttributeValue{"pk": dynamo.S(now), "sk": dynamo.S(contactSK), "customerId": dynamo.S(next.ID)},
				ConditionExpression:       aws.String("attribute_not_exists(pk) OR customerId = :me"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":me": dynamo.S(next.ID)}}})
		}
		if was != "" {
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Table), Key: dynamo.Key(was, contactSK),
				ConditionExpression:       aws.String("attribute_not_exists(pk) OR customerId = :me"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":me": dynamo.S(old.ID)}}})
		}
	}
	return items
}

func contactKey(v string, pk func(string) string) string {
	if v == "" {
		return ""
	}
	return pk(v)
}

// Profile reads a profile; a merged duplicate leads to its survivor.
func (s *Store) Profile(ctx context.Context, cid string) (Profile, error) {
	for range 5 {
		p, err := s.profile(ctx, cid)
		if err != nil || p.MergedInto == "" {
			return p, err
		}
		cid = p.MergedInto
	}
	return Profile{}, errors.New("customer: merged too many times over")
}

func (s *Store) profile(ctx context.Context, cid string) (Profile, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(customerPK(cid), profileSK), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Profile{}, dynamo.Unavailable(err, "read customer")
	}
	if out.Item == nil {
		return Profile{}, ErrNoProfile
	}
	var p Profile
	err = attributevalue.UnmarshalMap(out.Item, &p)
	return p, err
}

// CreateProfile creates a profile, or returns the existing one that has the phone
// (first) or the email: one person, one profile. created tells which.
func (s *Store) CreateProfile(ctx context.Context, in ProfileInput, by string, now time.Time) (Profile, bool, error) {
	p := Profile{ID: in.ID, CreatedAt: now, UpdatedAt: now, Version: 1}
	if p.ID == "" {
		p.ID = id.New(now)
	} else if !id.Valid(p.ID) {
		return Profile{}, false, problem.Field("customerId", "must be letters, digits, '.', '_' or '-' (at most 64)")
	}
	if err := in.apply(&p); err != nil {
		return Profile{}, false, err
	}
	if p.Phone == "" && p.Email == "" && p.Name == "" {
		return Profile{}, false, problem.Field("name", "give at least a name, a phone or an email")
	}
	var found *Profile
	err := retry.Do(ctx, retry.Conflict, func() (bool, error) {
		if existing, err := s.FindByContact(ctx, p.Phone, p.Email); err != nil {
			return false, err
		} else if existing != "" {
			f, err := s.Profile(ctx, existing)
			found = &f
			return false, err
		}
		put, err := s.profilePut(p, 0)
		if err != nil {
			return false, err
		}
		items := append([]types.TransactWriteItem{put}, s.claimContacts(Profile{}, p)...)
		_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		switch {
		case err == nil:
			return false, nil
		case dynamo.CancellationReasons(err) != nil && dynamo.CancellationReasons(err)[0] == "ConditionalCheckFailed":
			return false, problem.Newf(problem.Conflict, "a customer %q exists", p.ID)
		case dynamo.ConditionFailed(err) || slices.Contains(dynamo.CancellationReasons(err), "TransactionConflict"):
			return true, nil // another create took the phone or email meanwhile: find it
		default:
			return false, dynamo.Unavailable(err, "create customer")
		}
	})
	switch {
	case errors.Is(err, retry.ErrExhausted):
		return Profile{}, false, problem.New(problem.Conflict, "the phone or email is being taken by another create; retry")
	case err != nil:
		return Profile{}, false, err
	case found != nil:
		return *found, false, nil
	}
	return p, true, s.consentFrom(ctx, p.ID, in.Consent, by, now)
}

// consentFrom records consent given with a profile (source "profile").
func (s *Store) consentFrom(ctx context.Context, cid string, consent map[string]bool, by string, now time.Time) error {
	for ch, granted := range consent {
		if err := s.SetConsent(ctx, cid, Consent{Channel: ch, Granted: granted, At: now, Source: "profile", By: by}); err != nil {
			return err
		}
	}
	return nil
}

// PatchProfile changes a profile's given fields. A phone or email another profile
// holds is a conflict naming it (merge them instead).
func (s *Store) PatchProfile(ctx context.Context, cid string, in ProfileInput, by string, now time.Time) (Profile, error) {
	cur, err := s.profile(ctx, cid)
	if err != nil {
		return Profile{}, err
	}
	if cur.MergedInto != "" {
		return Profile{}, problem.Newf(problem.Conflict, "customer %s was merged into %s: change that one", cid, cur.MergedInto)
	}
	if in.Version != 0 && in.Version != cur.Version {
		return Profile{}, problem.Newf(problem.Conflict, "the profile is at version %d, not %d", cur.Version, in.Version).
			Because(ReasonProfileChanged, map[string]any{"version": cur.Version})
	}
	next := cur
	if err := in.apply(&next); err != nil {
		return Profile{}, err
	}
	next.Version, next.UpdatedAt = cur.Version+1, now
	put, err := s.profilePut(next, cur.Version)
	if err != nil {
		return Profile{}, err
	}
	contacts := s.claimContacts(cur, next)
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append([]types.TransactWriteItem{put}, contacts...)})
	reasons := dynamo.CancellationReasons(err)
	switch {
	case err == nil:
		return next, s.consentFrom(ctx, cid, in.Consent, by, now)
	case len(reasons) > 0 && reasons[0] == "ConditionalCheckFailed":
		return Profile{}, ErrProfileChanged
	case dynamo.ConditionFailed(err):
		other, _ := s.FindByContact(ctx, next.Phone, next.Email)
		return Profile{}, problem.Newf(problem.Conflict, "that phone or email belongs to customer %s: merge the two instead", other)
	}
	return Profile{}, dynamo.Unavailable(err, "save customer")
}
