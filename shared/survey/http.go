package survey

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// Pages are the public routes' HTML side: the hosted form a link opens and its
// urlencoded post. They are served by shared/survey/form, apart from the domain, so that
// only the function serving them links the page templates.
type Pages interface {
	Open(w http.ResponseWriter, r *http.Request)
	Post(w http.ResponseWriter, r *http.Request)
}

// PublicRoutes are the handlers of the public survey routes, keyed by route pattern.
func PublicRoutes(svc *Service, pages Pages) map[string]http.Handler {
	return map[string]http.Handler{
		"GET /v1/s/{token}": http.HandlerFunc(pages.Open),
		// A response and its reply are one transaction: an Idempotency-Key's record is
		// put in it rather than claimed first.
		"POST /v1/surveys/{surveyId}/responses": idempotency.OneTransaction(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if web.IsForm(r) {
				pages.Post(w, r)
				return
			}
			svc.handleSubmit(w, r)
		})),
	}
}

func (s *Service) handleSubmit(w http.ResponseWriter, r *http.Request) {
	var sub Submission
	if err := web.Decode(r, &sub); err != nil {
		problem.Write(w, r, err)
		return
	}
	// The reply is encoded before the transaction so the idempotency record holding
	// it commits together with the response.
	rc, body, err := idempotency.WithReply(r.Context(), http.StatusCreated, func(commit idempotency.Commit[Receipt]) (Receipt, error) {
		return s.Submit(r.Context(), r.PathValue("surveyId"), sub, Commit(commit))
	})
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	if body == nil { // a honeypot submission never reached the transaction
		body, _ = web.Marshal(rc)
	}
	web.Raw(w, http.StatusCreated, "application/json", body)
}

// StaffRoutes are the handlers of the staff survey routes, keyed by route pattern.
func StaffRoutes(s *Staff) map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/surveys": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var d Definition
			if err := web.Decode(r, &d); err != nil {
				return 0, nil, err
			}
			sv, err := s.Define(r.Context(), p, d)
			return http.StatusCreated, sv, err
		}),
		"GET /v1/surveys": app.StaffJSON(s.list),
		"GET /v1/surveys/{surveyId}": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			v := 0
			if q := r.URL.Query().Get("version"); q != "" {
				var err error
				if v, err = strconv.Atoi(q); err != nil || v < 1 {
					return 0, nil, problem.Field("version", "must be a positive whole number")
				}
			}
			sv, err := s.Get(r.Context(), p, r.PathValue("surveyId"), v)
			return http.StatusOK, sv, err
		}),
		"PUT /v1/surveys/{surveyId}": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var d Definition
			if err := web.Decode(r, &d); err != nil {
				return 0, nil, err
			}
			sv, err := s.Edit(r.Context(), p, r.PathValue("surveyId"), d)
			return http.StatusOK, sv, err
		}),
		"POST /v1/surveys/{surveyId}/invitations": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var req InvitationRequest
			if err := web.Decode(r, &req); err != nil {
				return 0, nil, err
			}
			inv, err := s.Invite(r.Context(), p, r.PathValue("surveyId"), req)
			return http.StatusCreated, inv, err
		}),
		"POST /v1/surveys/{surveyId}/links": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var req LinkRequest
			if err := web.Decode(r, &req); err != nil {
				return 0, nil, err
			}
			link, err := s.Link(r.Context(), p, r.PathValue("surveyId"), req)
			return http.StatusCreated, link, err
		}),
		"GET /v1/surveys/{surveyId}/results": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			q := r.URL.Query()
			per, err := ParsePeriod(q.Get("from"), q.Get("to"), s.Clock.Now())
			if err != nil {
				return 0, nil, err
			}
			res, err := s.Results(r.Context(), p, r.PathValue("surveyId"), q.Get("locationId"), per)
			return http.StatusOK, res, err
		}),
		"GET /v1/surveys/{surveyId}/responses.csv": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			q := r.URL.Query()
			per, err := ParsePeriod(q.Get("from"), q.Get("to"), s.Clock.Now())
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			// Buffered, so an error midway is still a clean problem response.
			var buf bytes.Buffer
			if err := s.ExportCSV(r.Context(), p, r.PathValue("surveyId"), q.Get("locationId"), per, &buf); err != nil {
				problem.Write(w, r, err)
				return
			}
			w.Header().Set("Content-Disposition", `attachment; filename="`+r.PathValue("surveyId")+`-responses.csv"`)
			web.Raw(w, http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
		}),
	}
}
