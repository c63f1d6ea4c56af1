package loyalty

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// Routes are the handlers of the loyalty routes, keyed by route pattern.
func Routes(s *Service) map[string]http.Handler {
	write := func(op func(*http.Request, auth.Principal, string) (Entry, bool, error)) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			if err := s.mayAct(r.Context(), p, r.PathValue("customerId")); err != nil {
				problem.Write(w, r, err)
				return
			}
			e, replayed, err := op(r, p, r.PathValue("customerId"))
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			if replayed {
				w.Header().Set(idempotency.ReplayedHeader, "true")
			}
			web.JSON(w, http.StatusCreated, e)
		})
	}
	points := func(f func(s *Service) func(r *http.Request, actor, cid string, req PointsRequest) (Entry, bool, error)) http.Handler {
		return write(func(r *http.Request, p auth.Principal, cid string) (Entry, bool, error) {
			var req PointsRequest
			if err := web.Decode(r, &req); err != nil {
				return Entry{}, false, err
			}
			return f(s)(r, p.Subject, cid, req)
		})
	}
	account := func(h func(*http.Request, auth.Principal) (int, any, error)) http.Handler {
		return app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			if err := s.mayAct(r.Context(), p, r.PathValue("customerId")); err != nil {
				return 0, nil, err
			}
			return h(r, p)
		})
	}
	return map[string]http.Handler{
		"POST /v1/loyalty/{customerId}/earn": write(func(r *http.Request, p auth.Principal, cid string) (Entry, bool, error) {
			var req EarnRequest
			if err := web.Decode(r, &req); err != nil {
				return Entry{}, false, err
			}
			if err := mayEarnAt(p, req.LocationID); err != nil {
				return Entry{}, false, err
			}
			return s.Earn(r.Context(), p.Subject, cid, req)
		}),
		"POST /v1/loyalty/{customerId}/redeem": points(func(s *Service) func(*http.Request, string, string, PointsRequest) (Entry, bool, error) {
			return func(r *http.Request, actor, cid string, req PointsRequest) (Entry, bool, error) {
				p, _ := auth.From(r.Context())
				if err := mayEarnAt(p, req.LocationID); err != nil {
					return Entry{}, false, err
				}
				return s.Redeem(r.Context(), actor, cid, req)
			}
		}),
		"POST /v1/loyalty/{customerId}/reverse": points(func(s *Service) func(*http.Request, string, string, PointsRequest) (Entry, bool, error) {
			return func(r *http.Request, actor, cid string, req PointsRequest) (Entry, bool, error) {
				return s.Reverse(r.Context(), actor, cid, req)
			}
		}),
		"POST /v1/loyalty/{customerId}/adjust": points(func(s *Service) func(*http.Request, string, string, PointsRequest) (Entry, bool, error) {
			return func(r *http.Request, actor, cid string, req PointsRequest) (Entry, bool, error) {
				return s.Adjust(r.Context(), actor, cid, req)
			}
		}),
		// ?fresh=true after the reader's own change (the counter after an earn): a
		// strongly consistent read. Otherwise an eventually consistent one, at half the
		// read units, which may miss a change made in the last second.
		"GET /v1/loyalty/{customerId}": account(func(r *http.Request, p auth.Principal) (int, any, error) {
			read := s.BalanceView
			switch r.URL.Query().Get("fresh") {
			case "", "false":
			case "true":
				read = s.Balance
			default:
				return 0, nil, problem.Field("fresh", "must be true or false")
			}
			b, err := read(r.Context(), r.PathValue("customerId"))
			return http.StatusOK, b, err
		}),
		"GET /v1/loyalty/{customerId}/ledger": account(func(r *http.Request, p auth.Principal) (int, any, error) {
			limit := 50
			if l := r.URL.Query().Get("limit"); l != "" {
				n, err := strconv.Atoi(l)
				if err != nil || n < 1 || n > 200 {
					return 0, nil, problem.Field("limit", "must be 1 to 200")
				}
				limit = n
			}
			page, err := s.Ledger(r.Context(), r.PathValue("customerId"), limit, r.URL.Query().Get("cursor"))
			return http.StatusOK, page, err
		}),
		"PUT /v1/loyalty/{customerId}/member": account(func(r *http.Request, p auth.Principal) (int, any, error) {
			var m Membership
			if err := web.Decode(r, &m); err != nil {
				return 0, nil, err
			}
			a, err := s.Enrol(r.Context(), r.PathValue("customerId"), m)
			return http.StatusOK, a, err
		}),
		"GET /v1/settings/loyalty": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			rules, err := s.Store.Rules(r.Context())
			return http.StatusOK, rules, err
		}),
		"PUT /v1/settings/loyalty": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var rules Rules
			if err := web.DecodeWhole(r, &rules, "updatedAt", "updatedBy"); err != nil {
				return 0, nil, err
			}
			if err := rules.Validate(); err != nil {
				return 0, nil, err
			}
			rules.UpdatedAt, rules.UpdatedBy = s.Clock.Now(), p.Subject
			saved, err := s.Store.PutRules(r.Context(), rules, rules.Version)
			if errors.Is(err, ErrRulesChanged) {
				return 0, nil, problem.New(problem.Conflict, "the rules changed meanwhile: send the version you read")
			}
			return http.StatusOK, saved, err
		}),
	}
}
