// Package job runs a periodic job as its own scheduled function: the domain that owns
// the job builds it (its work and, when two runs must not overlap, its lease), and
// Function makes it the function of its wiring row, run by that row's schedule alone.
// One job's failure or slowness delays no other, and the follow-up dispatcher only
// dispatches.
package job

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Job is one periodic job's work.
type Job struct {
	// Run does one run's work at now, within the invocation's deadline (ctx).
	Run func(ctx context.Context, now time.Time) error
	// Lease, when set, keeps two runs of the job from both doing the work: a
	// schedule's event delivered twice, or a run started while one is under way.
	// A job whose second run would only read again needs none.
	Lease *Lease
}

// Builder makes a job from its row's environment; the job's domain provides it.
type Builder func(env *config.Env, d app.Deps) (Job, error)

// Function builds the row's scheduled function from the job: each run takes the
// job's turn (when it has a lease), runs it, reports a failure (app.Failures) and
// returns the job's error, so a failed run is the function's failed invocation.
func Function(b Builder) app.Builder {
	return func(row wiring.Function, env *config.Env, d app.Deps) (app.Function, error) {
		if row.Trigger.Schedule == nil {
			return app.Function{}, fmt.Errorf("%s is a job but its row has no schedule", row.Name)
		}
		every, err := row.Trigger.Schedule.Every()
		if err != nil {
			return app.Function{}, err
		}
		j, err := b(env, d)
		if err != nil {
			return app.Function{}, err
		}
		r := &Runner{Name: row.Name, Every: every, Job: j, Clock: d.Clock, Failures: d.Failures}
		return app.Function{Schedule: func(ctx context.Context, _ events.EventBridgeEvent) error { return r.Run(ctx) }}, nil
	}
}

// Runner runs one job on its schedule.
type Runner struct {
	// Name is the job's, its wiring row's.
	Name string
	// Every is the row's schedule period.
	Every time.Duration
	Job   Job
	Clock clock.Clock
	// Failures receives a failed run: one line of the stage's Rapport/Failures
	// metric, the job's name a plain property (its function is named after it).
	// A good run writes none.
	Failures app.Failures
}

// Run takes the job's turn and runs it. A run that finds the turn taken does nothing
// and succeeds.
func (r *Runner) Run(ctx context.Context) error {
	now := r.Clock.Now()
	if l := r.Job.Lease; l != nil {
		turn, err := l.take(ctx, r.Name, now, r.Every/2)
		if err != nil {
			r.failed(ctx, now, err)
			return err
		}
		if !turn {
			slog.InfoContext(ctx, "job turn already taken", "job", r.Name)
			return nil
		}
	}
	if err := r.Job.Run(ctx, now); err != nil {
		r.failed(ctx, now, err)
		return err
	}
	slog.InfoContext(ctx, "job done", "job", r.Name, "took", r.Clock.Now().Sub(now).String())
	return nil
}

// failed logs a failed run and reports it.
func (r *Runner) failed(ctx context.Context, at time.Time, err error) {
	r.Failures.Report(at, r.Name, app.FailedRun, 1)
	slog.ErrorContext(ctx, "job failed", "job", r.Name, "error", err.Error())
}

// Lease is where a job's runs take their turn: one item (pk JOB#<name>, sk JOB) in a
// table of the job's domain, holding when the last turn was taken.
type Lease struct {
	DB    dynamo.API
	Table string
}

// take claims the job's turn at now unless one was taken less than window ago. The
// window is half the schedule's period: it refuses a duplicate event or an
// overlapping run, never the next scheduled run, however late the last one came.
func (l *Lease) take(ctx context.Context, job string, now time.Time, window time.Duration) (bool, error) {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(l.Table), Key: dynamo.Key("JOB#"+job, "JOB"),
		UpdateExpression:    aws.String("SET lastRun = :now ADD runs :one"),
		ConditionExpression: aws.String("attribute_not_exists(lastRun) OR lastRun <= :since"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": dynamo.N(now.UnixMilli()), ":since": dynamo.N(now.Add(-window).UnixMilli()), ":one": dynamo.N(1),
		},
	})
	if dynamo.ConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("job %s: take its turn: %w", job, err)
	}
	return true, nil
}
