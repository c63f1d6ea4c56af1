package timeline

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Route is the timeline's route pattern.
const Route = "GET /v1/customers/{customerId}/timeline"

// Routes are the timeline's handlers, keyed by route pattern.
func Routes(s *Service) map[string]http.Handler {
	return map[string]http.Handler{
		Route: app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			q, err := query(r)
			if err != nil {
				return 0, nil, err
			}
			page, err := s.Timeline(r.Context(), p, r.PathValue("customerId"), q)
			return http.StatusOK, page, err
		}),
	}
}

// query reads ?limit= (default 50, at most 200) and ?cursor=.
func query(r *http.Request) (Query, error) {
	v := r.URL.Query()
	q := Query{Limit: DefaultLimit, Cursor: v.Get("cursor")}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > MaxLimit {
			return q, problem.Field("limit", fmt.Sprintf("must be 1 to %d", MaxLimit))
		}
		q.Limit = n
	}
	return q, nil
}
