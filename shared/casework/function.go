package casework

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/location"
)

// The customer directory finds a new case's customer by its contact, and tells whom
// staff may link a case to.
var _ complaint.Customers = (*customer.Store)(nil)

// Service is the complaints domain over the function's tables, joined to the
// locations registry, the customer directory (a new case's customer, found by its
// contact) and the follow-up engine.
func Service(env *config.Env, d app.Deps) (*complaint.Service, *Effects) {
	locs := &location.Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Keep: d.Keep}
	customers := &customer.Store{DB: d.Clients.DynamoDB, Table: locs.Table, Locations: locs}
	effects := &Effects{Followups: &followup.Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")}}
	return &complaint.Service{
		Store:     &complaint.Store{DB: d.Clients.DynamoDB, Table: env.String("COMPLAINTS_TABLE"), Keep: d.Keep},
		Locations: locs, Customers: customers, Effects: effects,
		Clock: d.Clock,
	}, effects
}

// SLAJob fires SLA warnings and escalations: the complaint-sla function, every
// minute. Its lease is in the complaints table, so a duplicate tick never fires a
// step twice.
func SLAJob(env *config.Env, d app.Deps) (job.Job, error) {
	svc, _ := Service(env, d)
	return job.Job{Lease: &job.Lease{DB: d.Clients.DynamoDB, Table: svc.Store.Table}, Run: func(ctx context.Context, now time.Time) error {
		_, err := svc.CheckSLAs(ctx, now)
		return err
	}}, nil
}
