package complaint

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Tracking is the customer's view of their complaint.
type Tracking struct {
	Reference  string         `json:"reference"`
	Status     Status         `json:"status"`
	Category   string         `json:"category"`
	LocationID string         `json:"locationId"`
	CreatedAt  time.Time      `json:"createdAt"`
	UpdatedAt  time.Time      `json:"updatedAt"`
	Resolution string         `json:"resolution,omitempty"`
	Timeline   []PublicEvent  `json:"timeline"`
	Location   place.Branding `json:"-"`
	Locale     string         `json:"-"`
	// For the tracking page only: whether the customer left a phone or an email to be
	// reached at, and when the case is to be acknowledged.
	Contactable   bool      `json:"-"`
	AcknowledgeBy time.Time `json:"-"`
}

// PublicEvent is a timeline entry as the customer sees it: no actor, no internal note.
type PublicEvent struct {
	At     time.Time `json:"at"`
	Type   string    `json:"type"`
	Status Status    `json:"status"`
	Note   string    `json:"note,omitempty"`
}

// Track is the customer's view by tracking token; an unknown token is not found and
// tells nothing else.
func (s *Service) Track(ctx context.Context, token string) (Tracking, error) {
	notFound := problem.New(problem.NotFound, "no complaint with this tracking link")
	if token == "" || len(token) > 100 {
		return Tracking{}, notFound
	}
	cid, err := s.Store.byToken(ctx, token)
	if errors.Is(err, ErrNotFound) {
		return Tracking{}, notFound
	}
	if err != nil {
		return Tracking{}, err
	}
	c, events, err := s.Store.Case(ctx, cid)
	if errors.Is(err, ErrNotFound) {
		return Tracking{}, notFound
	}
	if err != nil {
		return Tracking{}, err
	}
	t := Tracking{Reference: c.Reference, Status: c.Status, Category: c.Category, LocationID: c.LocationID,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Resolution: c.Resolution, Timeline: []PublicEvent{}, Locale: c.Contact.Locale,
		Contactable: c.Contact.Phone != "" || c.Contact.Email != "", AcknowledgeBy: c.AcknowledgeBy()}
	status := Received
	for _, e := range events {
		if e.To != "" {
			status = e.To
		}
		if e.Internal {
			continue
		}
		t.Timeline = append(t.Timeline, PublicEvent{At: e.At, Type: e.Type, Status: status, Note: e.Note})
	}
	slices.Reverse(t.Timeline) // newest first
	return t, nil
}
