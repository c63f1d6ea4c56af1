package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/survey"
)

// Item is one thing that happened with a customer. Summary is short text for a list;
// Details carry the figures, never a token, a contact address, a message body or a
// comment (the domain's own routes show those to whoever may see them).
type Item struct {
	At         time.Time `json:"at"`
	Type       string    `json:"type"`
	ID         string    `json:"id"`
	LocationID string    `json:"locationId,omitempty"`
	Summary    string    `json:"summary"`
	Details    any       `json:"details"`
}

// newer orders items newest first; ties (same instant) go by type, then id, both
// descending, which within one source is the order of its sort keys.
func newer(a, b Item) bool {
	if !a.At.Equal(b.At) {
		return a.At.After(b.At)
	}
	if a.Type != b.Type {
		return a.Type > b.Type
	}
	return a.ID > b.ID
}

// VisitDetails are a visit's figures.
type VisitDetails struct {
	SourceID string  `json:"sourceId"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency,omitempty"`
	// StaffID is the staff member who served, when the visit names one.
	StaffID string `json:"staffId,omitempty"`
}

// PointsDetails are a ledger entry's figures.
type PointsDetails struct {
	EntryType string `json:"entryType"`
	Points    int    `json:"points"`
	SourceID  string `json:"sourceId"`
	Amount    string `json:"amount,omitempty"`
	Currency  string `json:"currency,omitempty"`
	// Reverses is the sourceId a reversal undid.
	Reverses string `json:"reverses,omitempty"`
}

// FollowupDetails say what was scheduled and where it stands.
type FollowupDetails struct {
	Kind       string     `json:"kind"`
	Status     string     `json:"status"`
	Channel    string     `json:"channel,omitempty"`
	DueAt      time.Time  `json:"dueAt"`
	SentAt     *time.Time `json:"sentAt,omitempty"`
	SkipReason string     `json:"skipReason,omitempty"`
}

// ComplaintDetails are a case's reference and where it stands now.
type ComplaintDetails struct {
	Reference string `json:"reference"`
	Status    string `json:"status"`
	Category  string `json:"category"`
	Severity  string `json:"severity"`
	Channel   string `json:"channel"`
	Breached  bool   `json:"breached"`
}

// SurveyDetails are a response's scores.
type SurveyDetails struct {
	SurveyID      string   `json:"surveyId"`
	SurveyVersion int      `json:"surveyVersion"`
	NPS           *int     `json:"nps,omitempty"`
	NPSCategory   string   `json:"npsCategory,omitempty"`
	CSAT          *int     `json:"csat,omitempty"`
	Loop          []string `json:"loop,omitempty"`
	// StaffID is the staff member the response is about, when its invitation named one.
	StaffID string `json:"staffId,omitempty"`
}

// decoders turn a stored item of each source into a timeline item.
var decoders = map[string]func(map[string]types.AttributeValue) (Item, error){
	TypeVisit: func(raw map[string]types.AttributeValue) (Item, error) {
		var v customer.Visit
		if err := attributevalue.UnmarshalMap(raw, &v); err != nil {
			return Item{}, err
		}
		summary := fmt.Sprintf("Visit at %s: %.2f", v.LocationID, v.Amount)
		if v.Currency != "" {
			summary += " " + v.Currency
		}
		return Item{At: v.At, ID: v.ID, LocationID: v.LocationID, Summary: summary,
			Details: VisitDetails{SourceID: v.SourceID, Amount: v.Amount, Currency: v.Currency, StaffID: v.StaffID}}, nil
	},
	TypePoints: func(raw map[string]types.AttributeValue) (Item, error) {
		var e loyalty.Entry
		if err := attributevalue.UnmarshalMap(raw, &e); err != nil {
			return Item{}, err
		}
		return Item{At: e.At, ID: e.ID, LocationID: e.LocationID, Summary: fmt.Sprintf("%s: %+d", pointsLabel(e.Type), e.Points),
			Details: PointsDetails{EntryType: e.Type, Points: e.Points, SourceID: e.SourceID, Amount: e.Amount, Currency: e.Currency, Reverses: e.Reverses}}, nil
	},
	TypeFollowup: func(raw map[string]types.AttributeValue) (Item, error) {
		var f followup.Followup
		if err := attributevalue.UnmarshalMap(raw, &f); err != nil {
			return Item{}, err
		}
		summary := "Follow-up " + f.Kind
		if f.Recipient.Channel != "" {
			summary += " by " + f.Recipient.Channel
		}
		d := FollowupDetails{Kind: f.Kind, Status: string(f.Status), Channel: f.Recipient.Channel, DueAt: f.DueAt, SkipReason: f.SkipReason}
		if !f.SentAt.IsZero() {
			d.SentAt = &f.SentAt
		}
		return Item{At: f.CreatedAt, ID: f.ID, LocationID: f.LocationID, Summary: summary + ": " + string(f.Status), Details: d}, nil
	},
	TypeComplaint: func(raw map[string]types.AttributeValue) (Item, error) {
		var c complaint.Complaint
		if err := attributevalue.UnmarshalMap(raw, &c); err != nil {
			return Item{}, err
		}
		return Item{At: c.CreatedAt, ID: c.ID, LocationID: c.LocationID,
			Summary: fmt.Sprintf("Complaint %s (%s): %s", c.Reference, c.Category, c.Status),
			Details: ComplaintDetails{Reference: c.Reference, Status: string(c.Status), Category: c.Category,
				Severity: c.Severity, Channel: c.Channel, Breached: c.Breached}}, nil
	},
	TypeSurvey: func(raw map[string]types.AttributeValue) (Item, error) {
		// The surveys table keeps each value under "value" beside its keys.
		var it struct {
			Value survey.Response `dynamodbav:"value"`
		}
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return Item{}, err
		}
		r := it.Value
		var scores []string
		if r.Score.NPS != nil {
			scores = append(scores, fmt.Sprintf("NPS %d", *r.Score.NPS))
		}
		if r.Score.CSAT != nil {
			scores = append(scores, fmt.Sprintf("CSAT %d", *r.Score.CSAT))
		}
		summary := "Survey " + r.SurveyID + " answered"
		if len(scores) > 0 {
			summary += ": " + strings.Join(scores, ", ")
		}
		return Item{At: r.SubmittedAt, ID: r.ID, LocationID: r.LocationID, Summary: summary,
			Details: SurveyDetails{SurveyID: r.SurveyID, SurveyVersion: r.SurveyVersion, NPS: r.Score.NPS,
				NPSCategory: r.Score.NPSCategory, CSAT: r.Score.CSAT, Loop: r.Loop, StaffID: r.StaffID}}, nil
	},
}

func pointsLabel(typ string) string {
	switch typ {
	case loyalty.TypeEarn:
		return "Points earned"
	case loyalty.TypeRedeem:
		return "Points redeemed"
	case loyalty.TypeReverse:
		return "Points reversed"
	case loyalty.TypeExpire:
		return "Points expired"
	case loyalty.TypeAdjust:
		return "Points adjusted"
	case loyalty.TypeBonus:
		return "Bonus points"
	}
	return "Points " + typ
}
