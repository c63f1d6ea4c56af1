package customer

import (
	"net/http"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/contact"
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
			for _, ch := range contact.Channels {
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
