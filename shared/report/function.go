package report

import (
	"net/http"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Route is the KPI report's route pattern.
const Route = "GET /v1/reports/kpis"

// Routes are the report's handlers, keyed by route pattern.
func Routes(s *Service) map[string]http.Handler {
	return map[string]http.Handler{
		Route: app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			v := r.URL.Query()
			rep, err := s.Report(r.Context(), p, Query{LocationID: v.Get("locationId"), From: v.Get("from"), To: v.Get("to"), Interval: v.Get("interval")})
			return http.StatusOK, rep, err
		}),
		StaffRoute: app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			v := r.URL.Query()
			rep, err := s.StaffReport(r.Context(), p, StaffQuery{LocationID: v.Get("locationId"), From: v.Get("from"), To: v.Get("to")})
			return http.StatusOK, rep, err
		}),
	}
}

// Function builds reports: the KPI report and the staff report. It only reads; the idempotency
// store (on the customers table) is there because app.Mux wants one.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE")}
	customers := &customer.Store{DB: d.Clients.DynamoDB, Table: locs.Table, Locations: locs}
	svc := &Service{DB: d.Clients.DynamoDB, Registry: locs.LocationIDs, Clock: d.Clock, Tables: Tables{
		Surveys:    env.String("SURVEYS_TABLE"),
		Complaints: env.String("COMPLAINTS_TABLE"),
		Customers:  customers.Table,
		Loyalty:    env.String("LOYALTY_TABLE"),
	}, Directory: locs.StaffDirectory, MinResponses: env.Int("STAFF_REPORT_MIN_RESPONSES", DefaultMinResponses)}
	mux, err := app.Mux(row, Routes(svc), idempotency.NewStore(d.Clients.DynamoDB, customers.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}
