package privacy

import (
	"net/http"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Route patterns.
const (
	MergeRoute  = "POST /v1/customers/{customerId}/merge"
	ExportRoute = "GET /v1/customers/{customerId}/export"
	EraseRoute  = "DELETE /v1/customers/{customerId}"
)

// mergeRequest is the body of a merge.
type mergeRequest struct {
	DuplicateID string `json:"duplicateId"`
}

// Routes are the handlers of the privacy routes, keyed by route pattern. Each needs a
// manager or admin (the wiring row says so too; the handlers check again, as they act
// on every domain).
func Routes(s *Service) map[string]http.Handler {
	return map[string]http.Handler{
		MergeRoute: managers(app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var req mergeRequest
			if err := web.Decode(r, &req); err != nil {
				return 0, nil, err
			}
			rep, err := s.Merge(r.Context(), p, r.PathValue("customerId"), req.DuplicateID)
			return http.StatusOK, rep, err
		})),
		ExportRoute: managers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			out, err := s.Export(r.Context(), p, r.PathValue("customerId"))
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			w.Header().Set("Cache-Control", "no-store")
			web.JSON(w, http.StatusOK, out)
		})),
		EraseRoute: managers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			if _, err := s.Erase(r.Context(), p, r.PathValue("customerId")); err != nil {
				problem.Write(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})),
	}
}

// managers refuses callers who are neither manager nor admin.
func managers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, _ := auth.From(r.Context()); !p.Has(wiring.ManagerUp...) {
			problem.Write(w, r, problem.New(problem.Forbidden, "only a manager or admin may merge, export or erase customers"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
