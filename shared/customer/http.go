package customer

import (
	"context"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// Service is the customer domain's behaviour.
type Service struct {
	Store  *Store
	Signer *Signer
	Clock  clock.Clock
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
		"POST /v1/locations":           http.HandlerFunc(svc.createLocation),
		"GET /v1/locations":            http.HandlerFunc(svc.listLocations),
		"GET /v1/locations/{locationId}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			l, err := svc.Store.Location(r.Context(), r.PathValue("locationId"))
			if errors.Is(err, ErrNoLocation) || (err == nil && !p.CanSee(l.ID)) {
				problem.Write(w, r, problem.Newf(problem.NotFound, "no location %q", r.PathValue("locationId")))
				return
			}
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			web.JSON(w, http.StatusOK, l)
		}),
		"PUT /v1/locations/{locationId}": http.HandlerFunc(svc.updateLocation),
		"GET /v1/customers/{customerId}/consent": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			web.JSON(w, http.StatusOK, map[string]any{"customerId": r.PathValue("customerId"), "items": items})
		}),
		"PUT /v1/customers/{customerId}/consent/{channel}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			p, _ := auth.From(r.Context())
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

// webhookKeyPurpose names the key that signs webhooks (shared with the sender).
const webhookKeyPurpose = "webhook"

// webhookKey shows admins the key webhook receivers verify signatures with (created
// on first use), hex-encoded, never cached.
func (s *Service) webhookKey(w http.ResponseWriter, r *http.Request) {
	key, err := s.Store.Key(r.Context(), webhookKeyPurpose)
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, map[string]string{
		"key":       hex.EncodeToString(key),
		"algorithm": "HMAC-SHA256 over <X-Rapport-Timestamp>.<body>, sent as X-Rapport-Signature: v1=<hex>",
	})
}

// PublicRoutes are the unsubscribe link's handlers: GET (the link in a message, as the
// API promises) and POST (one-click unsubscribe from mail clients, RFC 8058).
func PublicRoutes(svc *Service) map[string]http.Handler {
	h := http.HandlerFunc(svc.unsubscribe)
	return map[string]http.Handler{"GET /v1/u/{token}": h, "POST /v1/u/{token}": h}
}

func (s *Service) unsubscribe(w http.ResponseWriter, r *http.Request) {
	zh := strings.Contains(strings.ToLower(r.Header.Get("Accept-Language")), "zh")
	now := s.Clock.Now()
	u, err := s.Signer.Verify(r.Context(), r.PathValue("token"), now)
	status, msg := http.StatusOK, ""
	switch {
	case errors.Is(err, ErrBadToken):
		status = http.StatusNotFound
	case errors.Is(err, ErrExpiredToken):
		status = http.StatusGone
	case err != nil:
		status = problem.KindOf(err).Status()
	default:
		err = s.Store.SetConsent(context.WithoutCancel(r.Context()), u.CustomerID,
			Consent{Channel: u.Channel, Granted: false, At: now, Source: "unsubscribe-link"})
		if err != nil {
			status = problem.KindOf(err).Status()
		}
		msg = u.Channel
	}
	if status >= 500 {
		w.Header().Set("Retry-After", "30")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = page.Execute(w, pageData{Zh: zh, Status: status, Channel: msg})
}

type pageData struct {
	Zh      bool
	Status  int
	Channel string
}

var page = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html lang="{{if .Zh}}zh-CN{{else}}en{{end}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{{if .Zh}}退订{{else}}Unsubscribe{{end}}</title>
<style>body{font:1.0625rem/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}</style></head>
<body><main><h1>{{if .Zh}}退订{{else}}Unsubscribe{{end}}</h1><p>
{{- if eq .Status 200}}{{if .Zh}}您将不再通过 {{.Channel}} 收到我们的营销信息。{{else}}You will no longer receive marketing messages by {{.Channel}}.{{end}}
{{- else if eq .Status 404}}{{if .Zh}}此退订链接无效。{{else}}This unsubscribe link is not valid.{{end}}
{{- else if eq .Status 410}}{{if .Zh}}此退订链接已过期，请联系我们。{{else}}This unsubscribe link has expired; please contact us.{{end}}
{{- else}}{{if .Zh}}暂时无法处理，请稍后再试。{{else}}We could not do this just now; please try again in a minute.{{end}}{{end}}</p></main></body></html>
`))

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
		if p.CanSee(l.ID) {
			items = append(items, l)
		}
	}
	web.JSON(w, http.StatusOK, map[string]any{"items": items})
}
