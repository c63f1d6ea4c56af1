// Command visit-effects is the scheduled Lambda function that finishes the effects of visits cut short (points, the survey invitation), every minute.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/visit"
)

func main() {
	app.Start("visit-effects", job.Function(visit.EffectsJob), app.Keys{})
}
