package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// builders has one entry per wiring row; a test keeps them in step.
var builders = map[string]Builder{
	"health":              health,
	"surveys-public":      surveysPublic,
	"surveys-staff":       surveysStaff,
	"followup-dispatcher": followupDispatcher,
	"followup-sender":     followupSender,
}

func health(row wiring.Function, _ *config.Env, _ Deps) (Function, error) {
	mux, err := Mux(row, map[string]http.Handler{"GET /v1/health": JSONHandler(map[string]string{"status": "ok"})}, nil)
	return Function{HTTP: mux}, err
}

func surveysPublic(row wiring.Function, env *config.Env, d Deps) (Function, error) {
	surveys := env.String("SURVEYS_TABLE")
	followups := env.String("FOLLOWUPS_TABLE")
	svc := &survey.Service{
		Store:     &survey.Store{DB: d.Clients.DynamoDB, Table: surveys},
		Followups: &followup.Store{DB: d.Clients.DynamoDB, Table: followups},
		Clock:     d.Clock,
	}
	mux, err := Mux(row, survey.PublicRoutes(svc, &survey.Pages{Service: svc}), idempotency.NewStore(d.Clients.DynamoDB, surveys, d.Clock))
	return Function{HTTP: mux}, err
}

func surveysStaff(row wiring.Function, env *config.Env, d Deps) (Function, error) {
	table := env.String("SURVEYS_TABLE")
	staff := &survey.Staff{
		Service:   &survey.Service{Store: &survey.Store{DB: d.Clients.DynamoDB, Table: table}, Clock: d.Clock},
		PublicURL: env.String("PUBLIC_BASE_URL"),
	}
	mux, err := Mux(row, survey.StaffRoutes(staff), idempotency.NewStore(d.Clients.DynamoDB, table, d.Clock))
	return Function{HTTP: mux}, err
}

func followupDispatcher(row wiring.Function, env *config.Env, d Deps) (Function, error) {
	disp := &followup.Dispatcher{
		Store:      &followup.Store{DB: d.Clients.DynamoDB, Table: env.String("FOLLOWUPS_TABLE")},
		Queue:      d.Clients.SQS,
		QueueURL:   env.String("FOLLOWUPS_QUEUE_URL"),
		Clock:      d.Clock,
		PageSize:   100,
		StuckAfter: 15 * time.Minute,
		Reserve:    5 * time.Second,
	}
	return Function{Schedule: scheduleLog(row.Name, disp.Run)}, nil
}

func followupSender(row wiring.Function, env *config.Env, d Deps) (Function, error) {
	table := env.String("FOLLOWUPS_TABLE")
	store := &followup.Store{DB: d.Clients.DynamoDB, Table: table}
	channels, err := notifyChannels(env.String("NOTIFY_CHANNEL"), d, table)
	if err != nil {
		return Function{}, err
	}
	s := &followup.Sender{Store: store, Channels: channels, Clock: d.Clock, Lease: 60 * time.Second}
	return Function{Queue: s.Handle}, nil
}

// notifyChannels maps each channel name to its adapter. "outbox" delivers email and
// SMS into the followups table (local and dev stages); SES, SNS and webhook adapters
// come with the follow-ups feature.
func notifyChannels(mode string, d Deps, table string) (map[string]followup.Channel, error) {
	switch mode {
	case "outbox", "":
		out := &followup.Outbox{DB: d.Clients.DynamoDB, Table: table, Keep: 30 * 24 * time.Hour}
		return map[string]followup.Channel{"email": out, "sms": out}, nil
	default:
		return nil, fmt.Errorf("NOTIFY_CHANNEL %q is not supported; use outbox", mode)
	}
}
