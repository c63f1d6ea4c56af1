package segment

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/config"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

func service(env *config.Env, d app.Deps) *Service {
	// Kept reads: each of a campaign's vouchers counts on the day in the zone of the
	// segment's location.
	zones := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Keep: d.Keep}
	return &Service{
		Customers: &customer.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Locations: &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}},
		Locations: &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")},
		Followups: &followup.Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")},
		Surveys:   &survey.Store{DB: d.Clients.DynamoDB, Table: env.String("SURVEYS_TABLE")},
		Rewards:   &reward.Store{DB: d.Clients.DynamoDB, Table: env.String("REWARDS_TABLE"), Locations: zones},
		Clock:     d.Clock,
	}
}

// Routes are the handlers of the segment and value routes.
func Routes(s *Service) map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/segments": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var seg Segment
			if err := web.Decode(r, &seg); err != nil {
				return 0, nil, err
			}
			seg, err := s.Create(r.Context(), p, seg)
			return http.StatusCreated, seg, err
		}),
		"GET /v1/segments": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			if r.URL.Query().Get("cursor") != "" { // one page: no cursor was ever given out
				return 0, nil, curs.Invalid()
			}
			segs, err := s.List(r.Context(), p)
			return http.StatusOK, map[string]any{"items": segs, "nextCursor": nil}, err
		}),
		"GET /v1/segments/{segmentId}/customers": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			if r.URL.Query().Get("cursor") != "" {
				return 0, nil, curs.Invalid()
			}
			seg, err := s.Get(r.Context(), p, r.PathValue("segmentId"))
			if err != nil {
				return 0, nil, err
			}
			members, err := s.Members(r.Context(), seg)
			return http.StatusOK, map[string]any{"segment": seg, "items": members, "nextCursor": nil}, err
		}),
		"POST /v1/segments/{segmentId}/campaigns": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var c Campaign
			if err := web.Decode(r, &c); err != nil {
				return 0, nil, err
			}
			c, err := s.Launch(r.Context(), p, r.PathValue("segmentId"), c)
			return http.StatusCreated, c, err
		}),
		"PUT /v1/settings/value/win-back/{locationId}": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var o WinBackOverride
			if err := web.DecodeWhole(r, &o); err != nil {
				return 0, nil, err
			}
			v, err := s.OverrideWinBack(r.Context(), p, r.PathValue("locationId"), o)
			return http.StatusOK, v, err
		}),
		"GET /v1/settings/value": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			v, err := s.Customers.ValueSettings(r.Context())
			return http.StatusOK, v, err
		}),
		"PUT /v1/settings/value": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			var v customer.ValueSettings
			if err := web.DecodeWhole(r, &v, "updatedAt", "updatedBy"); err != nil {
				return 0, nil, err
			}
			if err := v.Validate(); err != nil {
				return 0, nil, err
			}
			v.UpdatedAt, v.UpdatedBy = s.Clock.Now(), p.Subject
			saved, err := s.Customers.PutValueSettings(r.Context(), v)
			if errors.Is(err, customer.ErrValueSettingsChanged) {
				return 0, nil, problem.New(problem.Conflict, "the settings changed meanwhile: send the version you read")
			}
			return http.StatusOK, saved, err
		}),
	}
}

// Function builds segments: segments, campaigns (with their vouchers) and the value
// settings.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	svc := service(env, d)
	mux, err := app.Mux(row, Routes(svc), idempotency.NewStore(d.Clients.DynamoDB, svc.Customers.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// ValueJob recomputes customers' value daily: the customer-value function, leased in
// the customers table.
func ValueJob(env *config.Env, d app.Deps) (job.Job, error) {
	svc := &Service{
		Customers: &customer.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Locations: &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}},
		Locations: &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")},
		Surveys:   &survey.Store{DB: d.Clients.DynamoDB, Table: env.String("SURVEYS_TABLE")},
		Clock:     d.Clock,
	}
	return job.Job{Lease: &job.Lease{DB: d.Clients.DynamoDB, Table: svc.Customers.Table}, Run: func(ctx context.Context, now time.Time) error {
		_, err := svc.RecomputeValue(ctx, now)
		return err
	}}, nil
}

// WinBackJob reaches out daily to customers drifting away: the win-back function,
// leased in the customers table.
func WinBackJob(env *config.Env, d app.Deps) (job.Job, error) {
	svc := &Service{
		Customers: &customer.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Locations: &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}},
		Locations: &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")},
		Followups: &followup.Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")},
		Clock:     d.Clock,
	}
	return job.Job{Lease: &job.Lease{DB: d.Clients.DynamoDB, Table: svc.Customers.Table}, Run: func(ctx context.Context, now time.Time) error {
		_, err := svc.WinBack(ctx, now)
		return err
	}}, nil
}
