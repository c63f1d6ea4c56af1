// Package survey holds satisfaction surveys: definitions, invitations, responses and
// their scores, and the public route that takes a response.
package survey

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/shared/problem"
)

// Question types.
const (
	TypeNPS      = "nps"      // 0–10
	TypeCSAT     = "csat"     // 1–5
	TypeLikert5  = "likert5"  // 1–5
	TypeLikert10 = "likert10" // 1–10
	TypeChoice   = "choice"
	TypeText     = "text"
)

// Limits on free text.
const (
	MaxTextAnswer = 2000
	MaxComment    = 4000
)

// Survey is a definition at one version.
type Survey struct {
	ID   string `dynamodbav:"id" json:"surveyId"`
	Name string `dynamodbav:"name" json:"name"`
	// Title is the hosted form's heading per locale; Name where it has none.
	Title      map[string]string `dynamodbav:"title,omitempty" json:"title,omitempty"`
	Version    int               `dynamodbav:"version" json:"version"`
	LocationID string            `dynamodbav:"locationId,omitempty" json:"locationId,omitempty"`
	// Anonymous surveys are answered through public per-location links, not invitations.
	Anonymous bool       `dynamodbav:"anonymous" json:"anonymous"`
	Questions []Question `dynamodbav:"questions" json:"questions"`
	// Dimensions are the dimensions rating questions may name (DefaultDimensions if empty).
	Dimensions []string `dynamodbav:"dimensions,omitempty" json:"dimensions,omitempty"`
	// Loop is the closed loop: which responses call for a recovery callback, and to whom.
	Loop      *Loop     `dynamodbav:"loop,omitempty" json:"loop,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt" json:"createdAt"`
	CreatedBy string    `dynamodbav:"createdBy,omitempty" json:"createdBy,omitempty"`
}

// DefaultDimensions are the service dimensions a survey rates unless it names its own.
var DefaultDimensions = []string{"product quality", "service quality", "waiting/delivery time", "value for money", "cleanliness"}

// Contact is a staff address for alerts.
type Contact struct {
	Channel string `dynamodbav:"channel" json:"channel"`
	Address string `dynamodbav:"address" json:"address"`
	Locale  string `dynamodbav:"locale,omitempty" json:"locale,omitempty"`
	// TimeZone is where the contact's quiet hours are counted (IANA; UTC if empty).
	TimeZone string `dynamodbav:"timeZone,omitempty" json:"timeZone,omitempty"`
	// QuietHours overrides the default 21:00-09:00; "00:00-00:00" for a desk staffed
	// around the clock.
	QuietHours string `dynamodbav:"quietHours,omitempty" json:"quietHours,omitempty"`
}

// Question is one question of a survey.
type Question struct {
	ID        string            `dynamodbav:"id" json:"id"`
	Type      string            `dynamodbav:"type" json:"type"`
	Text      map[string]string `dynamodbav:"text" json:"text"`
	Dimension string            `dynamodbav:"dimension,omitempty" json:"dimension,omitempty"`
	Required  bool              `dynamodbav:"required" json:"required"`
	Options   []string          `dynamodbav:"options,omitempty" json:"options,omitempty"`
	Multiple  bool              `dynamodbav:"multiple,omitempty" json:"multiple,omitempty"`
}

// Token kinds: a single-use invitation to one customer, or a public link of an
// anonymous survey at one location.
const (
	KindInvitation = "invitation"
	KindLink       = "link"
)

// Invitation is a token to answer a survey: a single-use invitation, or a reusable
// public link with a daily cap.
type Invitation struct {
	Token      string    `dynamodbav:"token" json:"token"`
	Kind       string    `dynamodbav:"kind" json:"kind"`
	SurveyID   string    `dynamodbav:"surveyId" json:"surveyId"`
	CustomerID string    `dynamodbav:"customerId,omitempty" json:"customerId,omitempty"`
	LocationID string    `dynamodbav:"locationId" json:"locationId"`
	Locale     string    `dynamodbav:"locale,omitempty" json:"locale,omitempty"`
	ExpiresAt  time.Time `dynamodbav:"expiresAt,unixtime" json:"expiresAt"`
	Status     string    `dynamodbav:"status" json:"status"` // open, used
	ResponseID string    `dynamodbav:"responseId,omitempty" json:"responseId,omitempty"`
	// DailyCap limits a public link's responses per UTC day.
	DailyCap  int       `dynamodbav:"dailyCap,omitempty" json:"dailyCap,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt" json:"createdAt"`
	// StaffID is the staff member whose service the invitation asks about (a visit's,
	// or the one who invited); its response counts on their counters. Empty for a
	// public link and for an invitation that names nobody.
	StaffID string `dynamodbav:"staffId,omitempty" json:"staffId,omitempty"`
}

// Answer is one answer as submitted. Value is a number, a string or a list of strings.
type Answer struct {
	QuestionID string `json:"questionId" dynamodbav:"questionId"`
	Value      any    `json:"value" dynamodbav:"value"`
}

// Submission is a response as the form posts it.
type Submission struct {
	InvitationToken string   `json:"invitationToken"`
	Answers         []Answer `json:"answers"`
	Comment         string   `json:"comment"`
	// Version is the survey version the answers are for; 0 means the current one.
	Version int `json:"version,omitempty"`
	// Website is a honeypot: people never see the field, so whatever fills it is a bot.
	Website string `json:"website,omitempty"`
}

// Score is what a response says in numbers.
type Score struct {
	NPS         *int               `json:"nps,omitempty" dynamodbav:"nps,omitempty"`
	NPSCategory string             `json:"npsCategory,omitempty" dynamodbav:"npsCategory,omitempty"`
	CSAT        *int               `json:"csat,omitempty" dynamodbav:"csat,omitempty"`
	Dimensions  map[string]float64 `json:"dimensions,omitempty" dynamodbav:"dimensions,omitempty"`
}

// Low reports a detractor (NPS 0–6) or a dissatisfied customer (CSAT 1–2): the
// response opens the loop with a recovery follow-up.
func (s Score) Low() bool {
	return (s.NPS != nil && *s.NPS <= 6) || (s.CSAT != nil && *s.CSAT <= 2)
}

// Response is a stored response.
type Response struct {
	ID            string    `dynamodbav:"id" json:"responseId"`
	SurveyID      string    `dynamodbav:"surveyId" json:"surveyId"`
	SurveyVersion int       `dynamodbav:"surveyVersion" json:"surveyVersion"`
	LocationID    string    `dynamodbav:"locationId,omitempty" json:"locationId,omitempty"`
	CustomerID    string    `dynamodbav:"customerId,omitempty" json:"customerId,omitempty"`
	Invitation    string    `dynamodbav:"invitation,omitempty" json:"-"`
	Answers       []Answer  `dynamodbav:"answers" json:"answers"`
	Comment       string    `dynamodbav:"comment,omitempty" json:"comment,omitempty"`
	Score         Score     `dynamodbav:"score" json:"score"`
	SubmittedAt   time.Time `dynamodbav:"submittedAt" json:"submittedAt"`
	// Loop lists why the response opened the closed loop, if it did.
	Loop []string `dynamodbav:"loop,omitempty" json:"loop,omitempty"`
	// Case is the reference of the complaint case the response opened, if any.
	Case string `dynamodbav:"case,omitempty" json:"case,omitempty"`
	// StaffID is the staff member the response is about, from its invitation.
	StaffID string `dynamodbav:"staffId,omitempty" json:"staffId,omitempty"`
}

// Scale is the valid integer range of a rating type.
func Scale(typ string) (lo, hi int, ok bool) {
	switch typ {
	case TypeNPS:
		return 0, 10, true
	case TypeCSAT, TypeLikert5:
		return 1, 5, true
	case TypeLikert10:
		return 1, 10, true
	}
	return 0, 0, false
}

// Check validates a submission against a survey version, normalising values (ratings
// become ints, choices lists of strings), and scores it. Every bad field is named.
func Check(s Survey, sub *Submission) (Score, error) {
	var errs []problem.FieldError
	bad := func(field, msg string) { errs = append(errs, problem.FieldError{Field: field, Message: msg}) }
	byID := map[string]Question{}
	for _, q := range s.Questions {
		byID[q.ID] = q
	}
	seen := map[string]bool{}
	score := Score{}
	dims := map[string][2]float64{}
	for i, a := range sub.Answers {
		field := fmt.Sprintf("answers[%d]", i)
		q, ok := byID[a.QuestionID]
		switch {
		case a.QuestionID == "":
			bad(field+".questionId", "is required")
			continue
		case !ok:
			bad(field+".questionId", "is not a question of this survey")
			continue
		case seen[a.QuestionID]:
			bad(field+".questionId", "is answered twice")
			continue
		}
		seen[a.QuestionID] = true
		v, msg := normalise(q, a.Value)
		if msg != "" {
			bad(field+".value", msg)
			continue
		}
		sub.Answers[i].Value = v
		if n, ok := v.(int); ok {
			switch q.Type {
			case TypeNPS:
				score.NPS = &n
			case TypeCSAT:
				score.CSAT = &n
			}
			if q.Dimension != "" {
				d := dims[q.Dimension]
				dims[q.Dimension] = [2]float64{d[0] + float64(n), d[1] + 1}
			}
		}
	}
	for _, q := range s.Questions {
		if q.Required && !seen[q.ID] {
			bad("answers", "question "+q.ID+" is required")
		}
	}
	if utf8.RuneCountInString(sub.Comment) > MaxComment {
		bad("comment", "must be at most "+strconv.Itoa(MaxComment)+" characters")
	}
	if err := problem.Fields(errs); err != nil {
		return Score{}, err
	}
	if score.NPS != nil {
		score.NPSCategory = npsCategory(*score.NPS)
	}
	if len(dims) > 0 {
		score.Dimensions = map[string]float64{}
		for k, d := range dims {
			score.Dimensions[k] = math.Round(d[0]/d[1]*100) / 100
		}
	}
	return score, nil
}

func npsCategory(n int) string {
	switch {
	case n >= 9:
		return "promoter"
	case n >= 7:
		return "passive"
	default:
		return "detractor"
	}
}

// normalise checks one value against its question; msg is empty when it is valid.
func normalise(q Question, v any) (any, string) {
	if lo, hi, ok := Scale(q.Type); ok {
		f, isNum := v.(float64)
		if !isNum || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
			return nil, fmt.Sprintf("must be a whole number from %d to %d", lo, hi)
		}
		return int(f), ""
	}
	switch q.Type {
	case TypeText:
		s, ok := v.(string)
		if !ok || utf8.RuneCountInString(s) > MaxTextAnswer {
			return nil, fmt.Sprintf("must be text of at most %d characters", MaxTextAnswer)
		}
		return s, ""
	case TypeChoice:
		return choice(q, v)
	}
	return nil, "has a question type this version cannot take"
}

func choice(q Question, v any) (any, string) {
	var picked []string
	switch x := v.(type) {
	case string:
		picked = []string{x}
	case []any:
		if !q.Multiple && len(x) != 1 {
			return nil, "must be exactly one option"
		}
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, "must list options as strings"
			}
			picked = append(picked, s)
		}
	default:
		return nil, "must be an option or a list of options"
	}
	allowed := map[string]bool{}
	for _, o := range q.Options {
		allowed[o] = true
	}
	dup := map[string]bool{}
	for _, p := range picked {
		if !allowed[p] || dup[p] {
			return nil, "must be options of this question, each once"
		}
		dup[p] = true
	}
	if len(picked) == 0 {
		return nil, "must pick at least one option"
	}
	return picked, ""
}
