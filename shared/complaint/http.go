package complaint

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/i18n/accept"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// Pages are the public routes' HTML side: the hosted form, its urlencoded post and the
// tracking page a browser is shown. They are served by shared/complaint/form, apart from
// the domain, so that only the function serving them links the page templates.
type Pages interface {
	Form(w http.ResponseWriter, r *http.Request)
	Post(w http.ResponseWriter, r *http.Request)
	Track(w http.ResponseWriter, r *http.Request)
}

// PublicRoutes are the handlers of the public complaint routes, keyed by route pattern.
func PublicRoutes(s *Service, pages Pages) map[string]http.Handler {
	return map[string]http.Handler{
		// An intake and its reply are one transaction: an Idempotency-Key's record is put
		// in it rather than claimed first.
		"POST /v1/complaints": idempotency.OneTransaction(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if web.IsForm(r) {
				pages.Post(w, r)
				return
			}
			s.handleIntake(w, r, nil)
		})),
		"GET /v1/complaints/track/{trackingToken}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if wantsHTML(r) {
				pages.Track(w, r)
				return
			}
			t, err := s.Track(r.Context(), r.PathValue("trackingToken"))
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Referrer-Policy", "no-referrer")
			web.JSON(w, http.StatusOK, t)
		}),
		"GET /v1/c/{locationId}": http.HandlerFunc(pages.Form),
	}
}

// wantsHTML tells a browser following the tracking link from one asking for JSON.
func wantsHTML(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "text/html") && !strings.Contains(accept, "application/json")
}

// handleIntake takes a JSON complaint; staff is nil on the public route.
func (s *Service) handleIntake(w http.ResponseWriter, r *http.Request, staff *auth.Principal) {
	var in Intake
	if err := web.Decode(r, &in); err != nil {
		problem.Write(w, r, err)
		return
	}
	if in.Contact.Locale == "" {
		in.Contact.Locale = accept.Negotiate(r.Header.Get("Accept-Language"), i18n.Chinese)
	}
	rc, body, err := s.SubmitRequest(r, staff, in)
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	if body == nil { // a honeypot submission never reached the transaction
		body, _ = web.Marshal(rc)
	}
	web.Raw(w, http.StatusCreated, "application/json", body)
}

// SubmitRequest runs intake with the request's idempotency claim: the JSON reply is stored in
// the intake's own transaction, so a retry gets exactly the first reply.
func (s *Service) SubmitRequest(r *http.Request, staff *auth.Principal, in Intake) (Receipt, []byte, error) {
	return idempotency.WithReply(r.Context(), http.StatusCreated, func(commit idempotency.Commit[Receipt]) (Receipt, error) {
		return s.Submit(r.Context(), staff, in, Commit(commit))
	})
}

// StaffRoutes are the handlers of the staff complaint routes, keyed by route pattern.
func StaffRoutes(s *Service) map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/complaints/intake": idempotency.OneTransaction(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			s.handleIntake(w, r, &p)
		})),
		"GET /v1/complaints": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			q, err := queueQuery(r)
			if err != nil {
				return 0, nil, err
			}
			page, err := s.Queue(r.Context(), p, q)
			return http.StatusOK, page, err
		}),
		"GET /v1/complaints/{complaintId}": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			c, err := s.Get(r.Context(), p, r.PathValue("complaintId"))
			return http.StatusOK, c, err
		}),
		"POST /v1/complaints/{complaintId}/actions": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var req ActionRequest
			if err := web.Decode(r, &req); err != nil {
				return 0, nil, err
			}
			c, err := s.Act(r.Context(), p, r.PathValue("complaintId"), req)
			return http.StatusOK, c, err
		}),
		"GET /v1/reports/complaints": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			q := r.URL.Query()
			rep, err := s.Report(r.Context(), p, q.Get("from"), q.Get("to"), q.Get("locationId"))
			return http.StatusOK, rep, err
		}),
		"GET /v1/settings/complaints": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			st, err := s.Store.Settings(r.Context())
			return http.StatusOK, st, err
		}),
		"PUT /v1/settings/complaints": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var st Settings
			if err := web.DecodeWhole(r, &st, "updatedAt", "updatedBy"); err != nil {
				return 0, nil, err
			}
			if err := st.Validate(); err != nil {
				return 0, nil, err
			}
			st.UpdatedAt, st.UpdatedBy = s.Clock.Now(), p.Subject
			saved, err := s.Store.PutSettings(r.Context(), st, st.Version)
			if errors.Is(err, ErrSettingsChanged) {
				return 0, nil, problem.New(problem.Conflict, "the settings changed meanwhile: send the version you read")
			}
			return http.StatusOK, saved, err
		}),
	}
}

// queueQuery reads the queue's filters and paging.
func queueQuery(r *http.Request) (QueueQuery, error) {
	v := r.URL.Query()
	q := QueueQuery{Status: Status(v.Get("status")), LocationID: v.Get("locationId"), Assignee: v.Get("assignee"), Limit: 50, Cursor: v.Get("cursor")}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return q, problem.Field("limit", "must be 1 to 200")
		}
		q.Limit = n
	}
	if b := v.Get("breached"); b != "" {
		x, err := strconv.ParseBool(b)
		if err != nil {
			return q, problem.Field("breached", "must be true or false")
		}
		q.Breached = &x
	}
	return q, nil
}
