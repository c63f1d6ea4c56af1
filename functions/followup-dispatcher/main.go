// Command followup-dispatcher is the scheduled Lambda function that finds due
// follow-ups through the sharded due index and enqueues them, then runs the other
// domains' periodic jobs: complaint SLA warnings and escalations, loyalty timers
// (release, expiry reminders, expiry, tier reviews), birthday bonuses and the ledger's
// reconciliation, the effects of visits cut short, customers' value, win-back and the retention of personal data.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/privacy"
	"github.com/rapport-crm/rapport/shared/segment"
	"github.com/rapport-crm/rapport/shared/visit"
)

func main() {
	app.Start("followup-dispatcher", followup.DispatcherWith(complaint.SLAJob, loyalty.TimersJob, loyalty.BirthdayJob, loyalty.ReconcileJob, visit.EffectsJob, segment.ValueJob, segment.WinBackJob, privacy.RetentionJob))
}
