package local

import (
	"context"
	"errors"
	"time"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/location/registry"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/survey"
)

// The demo that make run seeds, used by the README walk-through.
const (
	DemoSurveyID = "demo-stay"
	// DemoLinkToken is the demo survey's public link at loc-1. Public links are meant to
	// be printed and shared (a QR code at the front desk), so a readable token is fine.
	DemoLinkToken = "demo-stay-loc-1"
)

// DemoSurvey is a short post-stay survey at location loc-1, answered through a public
// link, whose detractors and unhappy CSAT answers alert the front desk by email.
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
		Dimensions: survey.DefaultDimensions,
		Loop: &survey.Loop{Detractor: true, LowCSAT: true, CallbackWithinHours: 4,
			// A hotel front desk is staffed around the clock: no quiet hours.
			Notify: survey.Contact{Channel: "email", Address: "frontdesk@loc-1.example", Locale: "en",
				TimeZone: "Asia/Shanghai", QuietHours: "00:00-00:00"}},
		CreatedAt: now,
	}
}

// Seed writes the demo survey and its public link unless they exist (an edited demo
// survey keeps its versions across restarts).
func Seed(ctx context.Context, store *survey.Store, now time.Time) error {
	if err := store.CreateSurvey(ctx, DemoSurvey(now)); err != nil && !errors.Is(err, survey.ErrVersionConflict) {
		return err
	}
	err := store.PutInvitation(ctx, survey.Invitation{
		Token: DemoLinkToken, Kind: survey.KindLink, SurveyID: DemoSurveyID, LocationID: "loc-1",
		DailyCap: 10000, ExpiresAt: now.AddDate(5, 0, 0), CreatedAt: now,
	})
	if errors.Is(err, survey.ErrVersionConflict) {
		return nil // seeded before
	}
	return err
}

// DemoLocation is the hotel of the demo: its front desk is open 08:00-22:00 every day,
// in Shanghai, and its duty manager hears of complaints running late.
func DemoLocation(now time.Time) place.Location {
	every := []string{"08:00-22:00"}
	return place.Location{ID: "loc-1", Code: "HB01", Name: "Harbour Hotel", TimeZone: "Asia/Shanghai", Currency: "CNY",
		WeeklyHours: map[string][]string{"mon": every, "tue": every, "wed": every, "thu": every, "fri": every, "sat": every, "sun": every},
		Managers:    []contact.Contact{{Name: "Duty manager", Channel: "email", Address: "manager@loc-1.example", Locale: "en"}},
		Branding:    place.Branding{Name: "Harbour Hotel", Color: "#0b5cad"},
		UpdatedAt:   now,
	}
}

// SeedLocation registers the demo location unless it exists (an edited one is kept).
func SeedLocation(ctx context.Context, store *location.Store, now time.Time) error {
	l := DemoLocation(now)
	if err := registry.Validate(&l); err != nil {
		return err
	}
	if _, err := store.PutLocation(ctx, l, 0); err != nil && !errors.Is(err, location.ErrLocationExists) {
		return err
	}
	return nil
}
