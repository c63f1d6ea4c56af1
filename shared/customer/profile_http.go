package customer

import (
	"context"
	"errors"
	"net/http"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// profileRoutes are the handlers of the profile routes.
func profileRoutes(svc *Service) map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/customers": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			var in ProfileInput
			if err := web.Decode(r, &in); err != nil {
				problem.Write(w, r, err)
				return
			}
			if in.LocationID == nil && !p.All {
				problem.Write(w, r, problem.Field("locationId", "is required: one of your locations"))
				return
			}
			if in.LocationID != nil {
				if _, err := svc.Store.visibleLocation(r.Context(), p, *in.LocationID); err != nil {
					problem.Write(w, r, err)
					return
				}
			}
			prof, created, err := svc.Store.CreateProfile(r.Context(), in, p.Subject, svc.Clock.Now())
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			if !created && !Sees(p, prof) {
				// Someone else's customer: say it exists without showing it.
				problem.Write(w, r, problem.New(problem.Conflict, "a customer with this phone or email exists at another location"))
				return
			}
			status := http.StatusCreated
			if !created {
				status = http.StatusOK
			}
			svc.writeProfile(w, r, status, prof)
		}),
		"GET /v1/customers/{customerId}": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			prof, err := svc.Store.Visible(r.Context(), p, r.PathValue("customerId"))
			if err != nil {
				return 0, nil, err
			}
			prof.Consent, err = svc.consentFlags(r.Context(), prof.ID)
			return http.StatusOK, prof, err
		}),
		"PATCH /v1/customers/{customerId}": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var in ProfileInput
			if err := web.Decode(r, &in); err != nil {
				return 0, nil, err
			}
			if _, err := svc.Store.Visible(r.Context(), p, r.PathValue("customerId")); err != nil {
				return 0, nil, err
			}
			if in.LocationID != nil {
				if _, err := svc.Store.visibleLocation(r.Context(), p, *in.LocationID); err != nil {
					return 0, nil, err
				}
			}
			prof, err := svc.Store.PatchProfile(r.Context(), r.PathValue("customerId"), in, p.Subject, svc.Clock.Now())
			if errors.Is(err, ErrProfileChanged) {
				return 0, nil, problem.New(problem.Conflict, "the profile changed meanwhile: reload it and try again").Because(ReasonProfileChanged, nil)
			}
			if err != nil {
				return 0, nil, err
			}
			prof.Consent, err = svc.consentFlags(r.Context(), prof.ID)
			return http.StatusOK, prof, err
		}),
	}
}

// consentFlags are a customer's current consents as true or false per channel.
func (s *Service) consentFlags(ctx context.Context, cid string) (map[string]bool, error) {
	cs, err := s.Store.Consents(ctx, cid)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for ch, c := range cs {
		out[ch] = c.Granted
	}
	return out, nil
}

func (s *Service) writeProfile(w http.ResponseWriter, r *http.Request, status int, prof Profile) {
	var err error
	if prof.Consent, err = s.consentFlags(r.Context(), prof.ID); err != nil {
		problem.Write(w, r, err)
		return
	}
	web.JSON(w, status, prof)
}
