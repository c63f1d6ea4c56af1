package visit

import (
	"context"
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/membership"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func service(env *config.Env, d app.Deps) (*Service, error) {
	followups := &followup.Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")}
	customers := &customer.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Locations: &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}}
	return &Service{
		Customers: customers,
		Loyalty: &loyalty.Service{Store: &loyalty.Store{DB: d.Clients.DynamoDB, Table: env.String("LOYALTY_TABLE")},
			Clock: d.Clock, Effects: membership.Messages{Followups: followups}, Locations: customers.Locations},
		Surveys:   &survey.Store{DB: d.Clients.DynamoDB, Table: env.String("SURVEYS_TABLE")},
		Followups: followups,
		Clock:     d.Clock,
		PublicURL: env.String("PUBLIC_BASE_URL"),
	}, nil
}

// Routes are the handlers of the visit route.
func Routes(s *Service) map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/visits": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := auth.From(r.Context())
			var req Request
			if err := web.Decode(r, &req); err != nil {
				problem.Write(w, r, err)
				return
			}
			v, replayed, err := s.Report(r.Context(), p, req)
			if err != nil {
				problem.Write(w, r, err)
				return
			}
			if replayed {
				w.Header().Set(idempotency.ReplayedHeader, "true")
			}
			web.JSON(w, http.StatusCreated, v)
		}),
	}
}

// Function builds visits: systems report visits and purchases.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc, err := service(env, d)
	if err != nil {
		return app.Function{}, err
	}
	mux, err := app.Mux(row, Routes(svc), idempotency.NewStore(d.Clients.DynamoDB, svc.Customers.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// EffectsJob finishes the effects of visits cut short (points, the survey
// invitation): the visit-effects function, every minute, leased in the customers
// table.
func EffectsJob(env *config.Env, d app.Deps) (job.Job, error) {
	svc, err := service(env, d)
	if err != nil {
		return job.Job{}, err
	}
	return job.Job{Lease: &job.Lease{DB: d.Clients.DynamoDB, Table: svc.Customers.Table}, Run: func(ctx context.Context, now time.Time) error {
		_, err := svc.RetryEffects(ctx, now)
		return err
	}}, nil
}
