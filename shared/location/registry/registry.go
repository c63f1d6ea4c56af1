// Package registry is the locations registry's routes: admins register and change
// locations, checked in full (Validate), and staff read the ones their token names. It
// stands apart from the registry's store (shared/location), which every function that
// reads locations links, so that only the function serving these routes links the
// currency tables the check needs.
package registry

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
	"golang.org/x/text/currency"
)

// Registry is the locations registry's behaviour: admins register and change
// locations; staff read the ones their token names.
type Registry struct {
	Store *location.Store
	Clock clock.Clock
}

// Routes are the handlers of the /v1/locations routes (the staff directory's
// included), keyed by route pattern.
func Routes(s *Registry) map[string]http.Handler {
	routes := map[string]http.Handler{
		"POST /v1/locations": http.HandlerFunc(s.createLocation),
		"GET /v1/locations":  http.HandlerFunc(s.listLocations),
		"GET /v1/locations/{locationId}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			l, err := s.Visible(r.Context(), p, r.PathValue("locationId"))
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			web.JSON(w, http.StatusOK, l)
		}),
		"PUT /v1/locations/{locationId}": http.HandlerFunc(s.updateLocation),
	}
	maps.Copy(routes, staffRoutes(s))
	return routes
}

// Visible reads a registered location the principal may act on: another location's
// is not found. This is the registry's access policy.
func (s *Registry) Visible(ctx context.Context, p auth.Principal, id string) (place.Location, error) {
	l, err := s.Store.Current(ctx, id)
	if errors.Is(err, location.ErrNoLocation) || (err == nil && !p.Sees(l.ID)) {
		return place.Location{}, problem.New(problem.NotFound, "no such location")
	}
	return l, err
}

func (s *Registry) createLocation(w http.ResponseWriter, r *http.Request) {
	var l place.Location
	if err := web.Decode(r, &l); err != nil {
		problem.Write(w, r, err)
		return
	}
	if err := Validate(&l); err != nil {
		problem.Write(w, r, err)
		return
	}
	l.UpdatedAt = s.Clock.Now()
	l, err := s.Store.PutLocation(r.Context(), l, 0)
	if errors.Is(err, location.ErrLocationExists) {
		problem.Write(w, r, problem.Newf(problem.Conflict, "location %q exists; PUT to change it", l.ID))
		return
	}
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, l)
}

func (s *Registry) updateLocation(w http.ResponseWriter, r *http.Request) {
	var l place.Location
	if err := web.Decode(r, &l); err != nil {
		problem.Write(w, r, err)
		return
	}
	if l.ID == "" {
		l.ID = r.PathValue("locationId")
	}
	if l.ID != r.PathValue("locationId") {
		problem.Write(w, r, problem.Field("locationId", "must be the location in the path"))
		return
	}
	if err := Validate(&l); err != nil {
		problem.Write(w, r, err)
		return
	}
	if l.Version < 1 {
		problem.Write(w, r, problem.Field("version", "is required: the version being changed"))
		return
	}
	p, _ := auth.From(r.Context())
	if _, err := s.Visible(r.Context(), p, l.ID); err != nil {
		problem.Write(w, r, err)
		return
	}
	l.UpdatedAt = s.Clock.Now()
	l, err := s.Store.PutLocation(r.Context(), l, l.Version)
	if errors.Is(err, location.ErrLocationChanged) {
		problem.Write(w, r, problem.New(problem.Conflict, "the location is not at that version (or does not exist); reload it"))
		return
	}
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, l)
}

func (s *Registry) listLocations(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.From(r.Context())
	all, err := s.Store.Locations(r.Context())
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	items := []place.Location{}
	for _, l := range all {
		if p.Sees(l.ID) {
			items = append(items, l)
		}
	}
	web.JSON(w, http.StatusOK, map[string]any{"items": items})
}

// Validate checks a location in full: place's checks, and that its currency is one
// ISO 4217 knows (golang.org/x/text/currency), every bad field named at once.
func Validate(l *place.Location) error {
	err := l.Validate()
	if l.Currency == "" {
		return err
	}
	if unit, cerr := currency.ParseISO(l.Currency); cerr == nil && unit.String() == l.Currency {
		return err
	}
	var pe *problem.Error
	switch {
	case err == nil:
		return problem.Field("currency", place.CurrencyMessage)
	case errors.As(err, &pe):
		if !slices.ContainsFunc(pe.Fields, func(f problem.FieldError) bool { return f.Field == "currency" }) {
			return problem.Fields(append(pe.Fields, problem.FieldError{Field: "currency", Message: place.CurrencyMessage}))
		}
	}
	return err
}
