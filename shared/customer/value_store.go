package customer

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Value is what a customer is worth, as the value job last computed it.
type Value struct {
	RFM  RFM       `dynamodbav:"rfm" json:"rfm"`
	ABC  string    `dynamodbav:"abc" json:"abc"`
	Tier string    `dynamodbav:"tier" json:"tier"`
	CLV  CLVResult `dynamodbav:"clv" json:"clv"`
	// Satisfaction is the customer's latest NPS category (promoter, passive,
	// detractor), and WordOfMouth the value it brings or costs through others.
	Satisfaction string    `dynamodbav:"satisfaction,omitempty" json:"satisfaction,omitempty"`
	WordOfMouth  float64   `dynamodbav:"wordOfMouth" json:"wordOfMouth"`
	ComputedAt   time.Time `dynamodbav:"computedAt" json:"computedAt"`
}

// ValueSettings configure the value figures and win-back.
type ValueSettings struct {
	RFM         RFMConfig         `dynamodbav:"rfm" json:"rfm"`
	ABC         ABCConfig         `dynamodbav:"abc" json:"abc"`
	CLV         CLVConfig         `dynamodbav:"clv" json:"clv"`
	WordOfMouth WordOfMouthConfig `dynamodbav:"wordOfMouth" json:"wordOfMouth"`
	WinBack     WinBack           `dynamodbav:"winBack" json:"winBack"`
	Version     int               `dynamodbav:"version" json:"version"`
	UpdatedAt   time.Time         `dynamodbav:"updatedAt" json:"updatedAt"`
	UpdatedBy   string            `dynamodbav:"updatedBy,omitempty" json:"updatedBy,omitempty"`
}

// WinBack sends one message per period to customers who have not visited for Days.
type WinBack struct {
	// Days without a visit after which a customer is drifting away (0: off).
	Days int `dynamodbav:"days" json:"days"`
	// PeriodDays is how often at most a customer gets a win-back message.
	PeriodDays int `dynamodbav:"periodDays" json:"periodDays"`
	// Locations override Days for some locations (0 turns win-back off there).
	Locations map[string]int `dynamodbav:"locations,omitempty" json:"locations,omitempty"`
}

// DaysAt is the win-back days of a location.
func (w WinBack) DaysAt(locationID string) int {
	if d, ok := w.Locations[locationID]; ok {
		return d
	}
	return w.Days
}

// DefaultValueSettings are used until a manager saves others.
func DefaultValueSettings() ValueSettings {
	r, a, c, w := DefaultValueConfig()
	return ValueSettings{RFM: r, ABC: a, CLV: c, WordOfMouth: w, WinBack: WinBack{Days: 90, PeriodDays: 90}}
}

// Validate names every bad field.
func (v *ValueSettings) Validate() error {
	var errs []problem.FieldError
	for prefix, err := range map[string]error{"rfm.": v.RFM.Validate(), "abc.": v.ABC.Validate(), "clv.": v.CLV.Validate(), "wordOfMouth.": v.WordOfMouth.Validate()} {
		var p *problem.Error
		if errors.As(err, &p) {
			for _, f := range p.Fields {
				errs = append(errs, problem.FieldError{Field: prefix + f.Field, Message: f.Message})
			}
		}
	}
	if v.WinBack.Days < 0 || v.WinBack.Days > 3650 {
		errs = append(errs, problem.FieldError{Field: "winBack.days", Message: "must be 0 (off) to 3650"})
	}
	for loc, d := range v.WinBack.Locations {
		if d < 0 || d > 3650 {
			errs = append(errs, problem.FieldError{Field: "winBack.locations." + loc, Message: "must be 0 (off) to 3650"})
		}
	}
	if (v.WinBack.Days > 0 || len(v.WinBack.Locations) > 0) && (v.WinBack.PeriodDays < 7 || v.WinBack.PeriodDays > 3650) {
		errs = append(errs, problem.FieldError{Field: "winBack.periodDays", Message: "must be 7 to 3650"})
	}
	return problem.Fields(errs)
}

const valueSettingsSK = "VALUE"

type valueSettingsItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	ValueSettings
}

// ValueSettings reads the settings, or the defaults (version 0).
func (s *Store) ValueSettings(ctx context.Context) (ValueSettings, error) {
	var it valueSettingsItem
	found, err := dynamo.GetVersioned(ctx, s.DB, s.Table, "SETTINGS", valueSettingsSK, &it, "value settings")
	if err != nil || !found {
		return DefaultValueSettings(), err
	}
	return it.ValueSettings, nil
}

// ErrValueSettingsChanged means another save came first.
var ErrValueSettingsChanged = errors.New("the value settings changed meanwhile")

// PutValueSettings saves settings over the version read.
func (s *Store) PutValueSettings(ctx context.Context, v ValueSettings) (ValueSettings, error) {
	expect := v.Version
	v.Version++
	err := dynamo.PutVersioned(ctx, s.DB, s.Table, valueSettingsItem{PK: "SETTINGS", SK: valueSettingsSK, ValueSettings: v}, expect, "value settings")
	if errors.Is(err, dynamo.ErrVersion) {
		return ValueSettings{}, ErrValueSettingsChanged
	}
	return v, err
}

// HomeProfiles are the profiles whose home is a location, through the home index.
func (s *Store) HomeProfiles(ctx context.Context, locationID string) ([]Profile, error) {
	items, err := dynamo.QueryAll[profileItem](ctx, s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), IndexName: aws.String("home"),
		KeyConditionExpression:    aws.String("homePk = :h"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": dynamo.S(homePK(locationID))},
	}, "list a location's customers")
	if err != nil {
		return nil, err
	}
	out := make([]Profile, len(items))
	for i, it := range items {
		out[i] = it.Profile
	}
	return out, nil
}

// SetValue writes a profile's value figures (a profile's other fields stay as they are).
func (s *Store) SetValue(ctx context.Context, cid string, v Value) error {
	av, err := attributevalue.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(s.Table), Key: dynamo.Key(customerPK(cid), profileSK),
		UpdateExpression: aws.String("SET #v = :v"), ConditionExpression: aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames: map[string]string{"#v": "value"}, ExpressionAttributeValues: map[string]types.AttributeValue{":v": av}})
	if dynamo.ConditionFailed(err) {
		return nil // erased or merged meanwhile
	}
	if err != nil {
		return dynamo.Unavailable(err, "save value")
	}
	return nil
}

// StatsOf are a profile's figures for the value functions.
func (p Profile) StatsOf() Stats {
	st := Stats{CustomerID: p.ID, Visits: p.Visits, Monetary: p.Monetary}
	if p.FirstVisit != nil {
		st.FirstVisit = *p.FirstVisit
	}
	if p.LastVisit != nil {
		st.LastVisit = *p.LastVisit
	}
	return st
}
