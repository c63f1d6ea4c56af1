// Package catalog lists every function's builder by name, for the local runner and the
// drift tests; a Lambda binary imports only its own builder instead.
package catalog

import (
	"sort"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/casework/desk"
	complaints "github.com/rapport-crm/rapport/shared/casework/public"
	"github.com/rapport-crm/rapport/shared/customer/unsubscribe"
	"github.com/rapport-crm/rapport/shared/directory"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/followup/emailer"
	"github.com/rapport-crm/rapport/shared/followup/texter"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/mailfeedback"
	"github.com/rapport-crm/rapport/shared/membership"
	"github.com/rapport-crm/rapport/shared/migrate"
	"github.com/rapport-crm/rapport/shared/outreach"
	"github.com/rapport-crm/rapport/shared/outreach/sender"
	"github.com/rapport-crm/rapport/shared/privacy"
	"github.com/rapport-crm/rapport/shared/report"
	"github.com/rapport-crm/rapport/shared/rewarding"
	vouchers "github.com/rapport-crm/rapport/shared/rewarding/public"
	"github.com/rapport-crm/rapport/shared/segment"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/surveyloop"
	"github.com/rapport-crm/rapport/shared/timeline"
	"github.com/rapport-crm/rapport/shared/visit"
)

// Builders has one entry per wiring row; a test keeps them in step.
var Builders = map[string]app.Builder{
	"health":              app.Health,
	"surveys-public":      surveyloop.PublicFunction,
	"surveys-staff":       survey.StaffFunction,
	"followup-dispatcher": followup.DispatcherFunction,
	"complaint-sla":       job.Function(casework.SLAJob),
	"loyalty-timers":      job.Function(membership.TimersJob),
	"loyalty-birthdays":   job.Function(membership.BirthdayJob),
	"loyalty-reconcile":   job.Function(loyalty.ReconcileJob),
	"reindex":             migrate.Function,
	"visit-effects":       job.Function(visit.EffectsJob),
	"customer-value":      job.Function(segment.ValueJob),
	"win-back":            job.Function(segment.WinBackJob),
	"privacy-retention":   job.Function(privacy.RetentionJob),
	"customer-data":       privacy.Function,
	"segments":            segment.Function,
	"timeline":            timeline.Function,
	"reports":             report.Function,
	"visits":              visit.Function,
	"loyalty":             membership.Function,
	"rewards":             rewarding.Function,
	"voucher-timers":      job.Function(rewarding.TimersJob),
	"vouchers-public":     vouchers.Function,
	"complaints-public":   complaints.Function,
	"complaints-staff":    desk.StaffFunction,
	"followup-sender":     sender.Function,
	"followup-email":      emailer.Function,
	"followup-sms":        texter.Function,
	"followups-staff":     outreach.StaffFunction,
	"customers":           directory.Function,
	"customers-public":    unsubscribe.Function,
	"mail-feedback":       mailfeedback.Function,
}

// Names lists the functions, sorted.
func Names() []string {
	names := make([]string, 0, len(Builders))
	for n := range Builders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
