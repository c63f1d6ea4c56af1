package stack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/wiring"
)

func TestValidateWiring(t *testing.T) {
	// GIVEN the real wiring table in each stage
	for _, stage := range Stages {
		// THEN it validates
		if err := stageProps(stage).withDefaults().Validate(); err != nil {
			t.Errorf("stage %s: %v", stage, err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	base := func() StackProps { return fixtureProps().withDefaults() }
	row := func(p *StackProps, name string) *wiring.Function {
		for i := range p.Functions {
			if p.Functions[i].Name == name {
				return &p.Functions[i]
			}
		}
		t.Fatalf("no fixture row %s", name)
		return nil
	}
	tests := []struct {
		name   string
		change func(p *StackProps)
		want   string
	}{
		{"unknown stage", func(p *StackProps) { p.Stage = "staging" }, `stage "staging"`},
		{"issuer without audience", func(p *StackProps) { p.JWTIssuer = "https://id.example.com" }, "go together"},
		{"plain http issuer", func(p *StackProps) {
			p.JWTIssuer, p.JWTAudience = "http://id.example.com", []string{"a"}
		}, "https://"},
		{"unknown table", func(p *StackProps) { row(p, "fixture-staff").Tables["nope"] = wiring.Read }, `table "nope" is not in the tables list`},
		{"queue access on a table", func(p *StackProps) { row(p, "fixture-staff").Tables["surveys"] = wiring.Send }, `access "send"`},
		{"scan on a request path", func(p *StackProps) {
			r := row(p, "fixture-staff")
			r.Scans = []string{"surveys"}
		}, "outside a scheduled or manual function"},
		{"scan of an ungranted table", func(p *StackProps) { row(p, "fixture-staff").Scans = []string{"loyalty"} }, `does not list in Tables`},
		{"env without grant", func(p *StackProps) {
			r := row(p, "fixture-staff")
			r.Env = append(r.Env, wiring.EnvVar{Name: "FOLLOWUPS_TABLE", Table: "followups"})
		}, "without access"},
		{"env with two sources", func(p *StackProps) {
			r := row(p, "fixture-staff")
			r.Env = append(r.Env, wiring.EnvVar{Name: "X", Table: "surveys", Value: "y"})
		}, "exactly one of"},
		{"reserved env", func(p *StackProps) {
			r := row(p, "fixture-public")
			r.Env = append(r.Env, wiring.EnvVar{Name: "AWS_REGION", Value: "x"})
		}, "reserved"},
		{"two triggers", func(p *StackProps) {
			row(p, "fixture-staff").Trigger.Schedule = &wiring.Schedule{Expression: "rate(1 minute)"}
		}, "exactly one trigger"},
		{"cron schedule", func(p *StackProps) {
			r := row(p, "fixture-consumer")
			r.Trigger.Queue, r.Trigger.Schedule = nil, &wiring.Schedule{Expression: "cron(0 3 * * ? *)"}
		}, "use rate("},
		{"run longer than its schedule's period", func(p *StackProps) {
			r := row(p, "fixture-consumer")
			r.Trigger.Queue, r.Trigger.Schedule = nil, &wiring.Schedule{Expression: "rate(1 minute)"}
			r.TimeoutSeconds = 60
		}, "not shorter than the schedule's period 1m0s"},
		{"duplicate route", func(p *StackProps) {
			r := row(p, "fixture-public")
			r.Trigger.Routes = append(r.Trigger.Routes, wiring.Route{Method: "POST", Path: "/v1/fixture", Auth: wiring.JWT})
		}, "already served"},
		{"greedy path", func(p *StackProps) {
			r := row(p, "fixture-public")
			r.Trigger.Routes[0].Path = "/v1/files/{path...}"
		}, "greedy"},
		{"consume without trigger", func(p *StackProps) {
			row(p, "fixture-public").Queues["followups"] = wiring.Consume
		}, "consume access without"},
		{"visibility shorter than timeout", func(p *StackProps) { row(p, "fixture-consumer").TimeoutSeconds = 300 }, "visibility timeout"},
		{"batch too large without window", func(p *StackProps) {
			row(p, "fixture-consumer").Trigger.Queue.BatchSize = 50
		}, "batch size 50"},
		{"batching window on a FIFO queue", func(p *StackProps) {
			fifoConsumer(row(p, "fixture-consumer")).Trigger.Queue.WindowSeconds = 1
		}, "trigger queue emails is FIFO: batching window 1 s, want 0"},
		{"batch over 10 from a FIFO queue", func(p *StackProps) {
			r := fifoConsumer(row(p, "fixture-consumer"))
			r.Trigger.Queue.BatchSize, r.Trigger.Queue.WindowSeconds = 50, 5
		}, "batch size 50: want 1..10"},
		{"queues sharing a DLQ disagree", func(p *StackProps) {
			queue(p, "texts").DLQRetentionDays = 7
		}, "queue texts: shares deliveries-dlq with emails, want the same FIFO and DLQRetentionDays"},
		{"a FIFO queue sharing a standard queue's DLQ", func(p *StackProps) {
			queue(p, "emails").DeadLetter = "followups-dlq"
		}, "queue emails: shares followups-dlq with followups"},
		{"a DLQ named as a queue", func(p *StackProps) {
			queue(p, "followups").DeadLetter = "emails"
		}, `queue "emails": name used twice`},
		{"bad key type", func(p *StackProps) {
			p.Tables = append([]wiring.Table{}, p.Tables...)
			p.Tables[0].PartitionKey.Type = "B"
		}, "type S or N"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN fixture props with one mistake
			p := base()
			p.Functions = cloneFunctions(p.Functions)
			p.Queues = append([]wiring.Queue{}, p.Queues...)
			tt.change(&p)

			// WHEN they are validated
			err := p.Validate()

			// THEN the mistake is named
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// queue is the fixture's queue of that name, to change.
func queue(p *StackProps, name string) *wiring.Queue {
	for i := range p.Queues {
		if p.Queues[i].Name == name {
			return &p.Queues[i]
		}
	}
	panic("no queue " + name)
}

// fifoConsumer turns a consumer row into one of the FIFO queue emails, within its
// visibility timeout, so that only what a case changes next is wrong.
func fifoConsumer(r *wiring.Function) *wiring.Function {
	r.Queues = map[string]wiring.Access{"emails": wiring.Consume}
	r.Trigger.Queue.Queue = "emails"
	r.TimeoutSeconds = 5
	return r
}

// cloneFunctions deep-copies the parts of rows that tests change.
func cloneFunctions(fns []wiring.Function) []wiring.Function {
	out := make([]wiring.Function, len(fns))
	for i, f := range fns {
		out[i] = f
		out[i].Tables = map[string]wiring.Access{}
		for k, v := range f.Tables {
			out[i].Tables[k] = v
		}
		out[i].Queues = map[string]wiring.Access{}
		for k, v := range f.Queues {
			out[i].Queues[k] = v
		}
		out[i].Env = append([]wiring.EnvVar{}, f.Env...)
		out[i].Trigger.Routes = append([]wiring.Route{}, f.Trigger.Routes...)
		if q := f.Trigger.Queue; q != nil {
			qq := *q
			out[i].Trigger.Queue = &qq
		}
	}
	return out
}

func TestCheckAssets(t *testing.T) {
	// GIVEN a build dir with one of two binaries
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a"), 0o755)
	os.WriteFile(filepath.Join(dir, "a", "bootstrap"), nil, 0o755)
	fns := []wiring.Function{{Name: "a"}, {Name: "b"}}

	// WHEN the assets are checked
	err := CheckAssets(dir, fns)

	// THEN the missing one is named, with what to do
	if err == nil || !strings.Contains(err.Error(), "for b:") || !strings.Contains(err.Error(), "make build") {
		t.Errorf("CheckAssets = %v, want b named and make build suggested", err)
	}
}
