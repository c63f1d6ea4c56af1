package privacy

import (
	"context"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Function builds customer-data: merge, export and erasure of customers, for managers.
func Function(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
	db := d.Clients.DynamoDB
	svc := &Service{
		Customers:  &customer.Store{DB: db, Table: env.String("CUSTOMERS_TABLE"), Locations: &location.Store{DB: db, Table: env.String("CUSTOMERS_TABLE")}},
		Locations:  &location.Store{DB: db, Table: env.String("CUSTOMERS_TABLE")},
		Surveys:    &survey.Store{DB: db, Table: env.String("SURVEYS_TABLE")},
		Complaints: &complaint.Store{DB: db, Table: env.String("COMPLAINTS_TABLE")},
		Loyalty:    &loyalty.Store{DB: db, Table: env.String("LOYALTY_TABLE")},
		Followups:  &followup.Store{DB: db, Table: env.String("FOLLOWUPS_TABLE")},
		Rewards:    &reward.Store{DB: db, Table: env.String("REWARDS_TABLE")},
		Clock:      d.Clock,
	}
	mux, err := app.Mux(row, Routes(svc), idempotency.NewStore(db, svc.Customers.Table, d.Clock))
	return app.Function{HTTP: mux}, err
}

// RetentionJob removes daily the personal data of complaints closed more than
// COMPLAINT_RETENTION_DAYS ago (365 by default) and of survey comments older than
// SURVEY_COMMENT_RETENTION_DAYS (730): the privacy-retention function, leased in the
// complaints table.
func RetentionJob(env *config.Env, d app.Deps) (job.Job, error) {
	db := d.Clients.DynamoDB
	svc := &Service{
		Customers:  &customer.Store{DB: db, Table: env.String("CUSTOMERS_TABLE"), Locations: &location.Store{DB: db, Table: env.String("CUSTOMERS_TABLE")}},
		Locations:  &location.Store{DB: db, Table: env.String("CUSTOMERS_TABLE")},
		Surveys:    &survey.Store{DB: db, Table: env.String("SURVEYS_TABLE")},
		Complaints: &complaint.Store{DB: db, Table: env.String("COMPLAINTS_TABLE")},
		Followups:  &followup.Store{DB: db, Table: env.String("FOLLOWUPS_TABLE")},
		Clock:      d.Clock,
	}
	r := Retention{
		ComplaintDays:     env.Int("COMPLAINT_RETENTION_DAYS", DefaultRetention.ComplaintDays),
		SurveyCommentDays: env.Int("SURVEY_COMMENT_RETENTION_DAYS", DefaultRetention.SurveyCommentDays),
	}
	return job.Job{Lease: &job.Lease{DB: db, Table: svc.Complaints.Table}, Run: func(ctx context.Context, now time.Time) error {
		rep, err := svc.Retain(ctx, now, r)
		slog.InfoContext(ctx, "privacy retention", "complaints", rep.Complaints, "surveyResponses", rep.SurveyResponses,
			"followups", rep.Followups, "outboxMessages", rep.OutboxMessages)
		return err
	}}, nil
}
