package complaint

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/shared/problem"
)

// Every status × every action: allowed ones lead where the lifecycle says, the rest
// are conflicts.
func TestStateActionTable(t *testing.T) {
	const no = Status("409")
	same := Status("=")
	want := map[Status]map[Action]Status{
		Received: {Acknowledge: Acknowledged, Assign: same, Note: same, Start: InProgress, AwaitCustomer: no,
			Resume: no, Triage: same, Resolve: Resolved, Close: no, Reopen: no},
		Acknowledged: {Acknowledge: no, Assign: same, Note: same, Start: InProgress, AwaitCustomer: PendingCustomer,
			Resume: no, Triage: same, Resolve: Resolved, Close: no, Reopen: no},
		InProgress: {Acknowledge: no, Assign: same, Note: same, Start: no, AwaitCustomer: PendingCustomer,
			Resume: no, Triage: same, Resolve: Resolved, Close: no, Reopen: no},
		PendingCustomer: {Acknowledge: no, Assign: same, Note: same, Start: no, AwaitCustomer: no,
			Resume: InProgress, Triage: same, Resolve: Resolved, Close: no, Reopen: no},
		Resolved: {Acknowledge: no, Assign: no, Note: same, Start: no, AwaitCustomer: no,
			Resume: no, Triage: no, Resolve: no, Close: Closed, Reopen: InProgress},
		Closed: {Acknowledge: no, Assign: no, Note: same, Start: no, AwaitCustomer: no,
			Resume: no, Triage: no, Resolve: no, Close: no, Reopen: InProgress},
	}
	if len(want) != len(Statuses) {
		t.Fatalf("the table covers %d statuses of %d", len(want), len(Statuses))
	}
	for _, from := range Statuses {
		if len(want[from]) != len(Actions) {
			t.Fatalf("%s: the table covers %d actions of %d", from, len(want[from]), len(Actions))
		}
		for _, a := range Actions {
			t.Run(fmt.Sprintf("%s/%s", from, a), func(t *testing.T) {
				exp := want[from][a]
				if exp == same {
					exp = from
				}
				got, ok := Next(from, a)
				switch {
				case exp == no && ok:
					t.Fatalf("allowed (→ %s), want 409", got)
				case exp != no && !ok:
					t.Fatalf("refused, want → %s", exp)
				case exp != no && got != exp:
					t.Fatalf("→ %s, want → %s", got, exp)
				}
			})
		}
	}
	if _, ok := Next(Received, Action("dance")); ok {
		t.Fatal("an unknown action is allowed")
	}
}

func TestLadderEventTypes(t *testing.T) {
	ladder := DefaultSettings().Ladder
	for step, want := range []string{EventSLAWarning, EventSLABreach, EventEscalated} {
		if got := (Firing{Step: step}).eventType(ladder); got != want {
			t.Errorf("step %d: %s, want %s", step, got, want)
		}
	}
}

func TestSettingsValidateNamesFields(t *testing.T) {
	st := DefaultSettings()
	st.Policies["high"] = Policy{AcknowledgeMinutes: 0, ResolveMinutes: 10}
	st.Ladder = []Step{{At: 1, Notify: "boss"}, {At: 0.5, Notify: NotifyManagers}}
	st.Rules = []Rule{{Team: "nobody"}}
	err := st.Validate()
	for _, f := range []string{"policies.high.acknowledgeMinutes", "ladder[0].notify", "ladder[1].at", "rules[0].team"} {
		if !hasField(err, f) {
			t.Errorf("%v does not name %s", err, f)
		}
	}
	def := DefaultSettings()
	if err := def.Validate(); err != nil {
		t.Fatalf("the defaults are invalid: %v", err)
	}
}

// hasField tells whether a problem names a field.
func hasField(err error, field string) bool {
	var p *problem.Error
	return errors.As(err, &p) && slices.ContainsFunc(p.Fields, func(f problem.FieldError) bool { return f.Field == field })
}
