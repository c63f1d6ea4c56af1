package local

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/shared/survey"
)

// DemoSurveyID is the survey make run seeds, used by the README walk-through.
const DemoSurveyID = "demo-stay"

// DemoSurvey is a short post-stay survey at location loc-1, open to anonymous answers,
// whose low scores alert the front desk by email.
func DemoSurvey(now time.Time) survey.Survey {
	return survey.Survey{
		ID: DemoSurveyID, Name: "After your stay", Version: 1, LocationID: "loc-1", Anonymous: true,
		Questions: []survey.Question{
			{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{
				"en": "How likely are you to recommend us to a friend?", "zh-CN": "您向朋友推荐我们的可能性有多大？"}},
			{ID: "service", Type: survey.TypeCSAT, Dimension: "service quality", Text: map[string]string{
				"en": "How satisfied were you with our service?", "zh-CN": "您对我们的服务满意吗？"}},
			{ID: "clean", Type: survey.TypeLikert5, Dimension: "cleanliness", Text: map[string]string{
				"en": "How clean was your room?", "zh-CN": "房间的清洁程度如何？"}},
		},
		Alert:     survey.Contact{Channel: "email", Address: "frontdesk@loc-1.example", Locale: "en"},
		CreatedAt: now,
	}
}

// Seed writes the demo survey (again, harmlessly, on every start).
func Seed(ctx context.Context, store *survey.Store, now time.Time) error {
	return store.PutSurvey(ctx, DemoSurvey(now))
}
