package customer

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// Service is the customer domain's behaviour.
type Service struct {
	Store *Store
	// Signer checks unsubscribe links (customers-public).
	Signer *Signer
	// WebhookKey is the key webhooks are signed with, for admins (customers).
	WebhookKey WebhookKey
	// Cursors seals the search's cursors (customers).
	Cursors *curs.Codec
	Clock   clock.Clock
}

// consentChange is the body of PUT .../consent/{channel}.
type consentChange struct {
	Granted *bool  `json:"granted"`
	Source  string `json:"source"`
	// At is when the customer said so (default now), e.g. the date of a paper form.
	At *time.Time `json:"at"`
}

// StaffRoutes are the handlers of the staff customer routes, keyed by route pattern.
func StaffRoutes(svc *Service) map[string]http.Handler {
	routes := map[string]http.Handler{
		"GET /v1/settings/webhook-key": http.HandlerFunc(svc.webhookKey),
		"GET /v1/customers":            http.HandlerFunc(svc.search),
		"POST /v1/locations":           http.HandlerFunc(svc.createLocation),
		"GET /v1/locations":            http.HandlerFunc(svc.listLocations),
		"GET /v1/locations/{locationId}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			l, err := svc.Store.visibleLocation(r.Context(), p, r.PathValue("locationId"))
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			web.JSON(w, http.StatusOK, l)
		}),
		"PUT /v1/locations/{locationId}": http.HandlerFunc(svc.updateLocation),
		"GET /v1/customers/{customerId}/consent": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			if err := svc.Store.Reachable(r.Context(), p, r.PathValue("customerId")); err != nil {
				problem.Write(w, r, err)
				return
			}
			cs, err := svc.Store.Consents(r.Context(), r.PathValue("customerId"))
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			items := make([]Consent, 0, len(cs))
			for _, ch := range Channels {
				if c, ok := cs[ch]; ok {
					items = append(items, c)
				}
			}
			out := map[string]any{"customerId": r.PathValue("customerId"), "items": items}
			switch r.URL.Query().Get("history") {
			case "", "false":
			case "true":
				// Every change, newest first: few per customer (a change is a person's act).
				log, err := svc.Store.ConsentLog(r.Context(), r.PathValue("customerId"))
				if err != nil {
					problem.Write(w, r, err)
					return
				}
				slices.Reverse(log)
				out["history"] = append([]Consent{}, log...)
			default:
				problem.Write(w, r, problem.Field("history", "must be true or false"))
				return
			}
			web.JSON(w, http.StatusOK, out)
		}),
		"PUT /v1/customers/{customerId}/consent/{channel}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			if err := svc.Store.Reachable(r.Context(), p, r.PathValue("customerId")); err != nil {
				problem.Write(w, r, err)
				return
			}
			var req consentChange
			if err := web.Decode(r, &req); err != nil {
				problem.Write(w, r, err)
				return
			}
			if req.Granted == nil {
				problem.Write(w, r, problem.Field("granted", "is required: true (opt in) or false (opt out)"))
				return
			}
			now := svc.Clock.Now()
			at := now
			if req.At != nil {
				if req.At.After(now) {
					problem.Write(w, r, problem.Field("at", "must not be in the future"))
					return
				}
				at = req.At.UTC()
			}
			c := Consent{Channel: r.PathValue("channel"), Granted: *req.Granted, At: at, Source: req.Source, By: p.Subject}
			if err := svc.Store.SetConsent(r.Context(), r.PathValue("customerId"), c); err != nil {
				problem.Write(w, r, err)
				return
			}
			web.JSON(w, http.StatusOK, c)
		}),
	}
	for k, h := range profileRoutes(svc) {
		routes[k] = h
	}
	return routes
}

func (s *Service) createLocation(w http.ResponseWriter, r *http.Request) {
	var l Location
	if err := web.Decode(r, &l); err != nil {
		problem.Write(w, r, err)
		return
	}
	if err := l.Validate(); err != nil {
		problem.Write(w, r, err)
		return
	}
	l.UpdatedAt = s.Clock.Now()
	l, err := s.Store.PutLocation(r.Context(), l, 0)
	if errors.Is(err, ErrLocationExists) {
		problem.Write(w, r, problem.Newf(problem.Conflict, "location %q exists; PUT to change it", l.ID))
		return
	}
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, l)
}

func (s *Service) updateLocation(w http.ResponseWriter, r *http.Request) {
	var l Location
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
	if err := l.Validate(); err != nil {
		problem.Write(w, r, err)
		return
	}
	if l.Version < 1 {
		problem.Write(w, r, problem.Field("version", "is required: the version being changed"))
		return
	}
	p, _ := auth.From(r.Context())
	if _, err := s.Store.visibleLocation(r.Context(), p, l.ID); err != nil {
		problem.Write(w, r, err)
		return
	}
	l.UpdatedAt = s.Clock.Now()
	l, err := s.Store.PutLocation(r.Context(), l, l.Version)
	if errors.Is(err, ErrLocationChanged) {
		problem.Write(w, r, problem.New(problem.Conflict, "the location is not at that version (or does not exist); reload it"))
		return
	}
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, l)
}

func (s *Service) listLocations(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.From(r.Context())
	all, err := s.Store.Locations(r.Context())
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	items := []Location{}
	for _, l := range all {
		if p.Sees(l.ID) {
			items = append(items, l)
		}
	}
	web.JSON(w, http.StatusOK, map[string]any{"items": items})
}
