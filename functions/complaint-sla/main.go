// Command complaint-sla is the scheduled Lambda function that fires the complaint SLA ladder's warnings and escalations that fell due, every minute.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/job"
)

func main() {
	app.Start("complaint-sla", job.Function(casework.SLAJob), app.Keys{})
}
