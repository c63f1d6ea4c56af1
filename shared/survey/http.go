package survey

import (
	"errors"

	"github.com/rapport-crm/rapport/shared/auth"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// PublicRoutes are the handlers of the public survey routes, keyed by route pattern.
func PublicRoutes(svc *Service) map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/surveys/{surveyId}/responses": http.HandlerFunc(svc.handleSubmit),
	}
}

func (s *Service) handleSubmit(w http.ResponseWriter, r *http.Request) {
	var sub Submission
	if err := web.Decode(r, &sub); err != nil {
		problem.Write(w, r, err)
		return
	}
	var body []byte
	claim, hasKey := idempotency.FromContext(r.Context())
	// The reply is encoded before the transaction so the idempotency record holding
	// it commits together with the response.
	commit := func(rc Receipt) ([]types.TransactWriteItem, error) {
		var err error
		if body, err = web.Marshal(rc); err != nil || !hasKey {
			return nil, err
		}
		item, err := claim.CompleteItem(http.StatusCreated, "application/json", body)
		return []types.TransactWriteItem{item}, err
	}
	if _, err := s.Submit(r.Context(), r.PathValue("surveyId"), sub, commit); err != nil {
		if hasKey {
			claim.Abandon()
		}
		problem.Write(w, r, err)
		return
	}
	web.Raw(w, http.StatusCreated, "application/json", body)
}

// StaffRoutes are the handlers of the staff survey routes, keyed by route pattern.
func StaffRoutes(store *Store) map[string]http.Handler {
	return map[string]http.Handler{
		"GET /v1/surveys/{surveyId}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sv, err := store.Survey(r.Context(), r.PathValue("surveyId"))
			p, _ := auth.From(r.Context())
			// A survey of a location the caller may not see does not exist for them.
			if errors.Is(err, ErrNotFound) || (err == nil && sv.LocationID != "" && !p.CanSee(sv.LocationID)) {
				problem.Write(w, r, problem.Newf(problem.NotFound, "no survey %q", r.PathValue("surveyId")))
				return
			}
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			web.JSON(w, http.StatusOK, sv)
		}),
	}
}
