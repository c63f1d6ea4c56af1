// Command win-back is the scheduled Lambda function that schedules the daily win-back messages to customers drifting away.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/segment"
)

func main() {
	app.Start("win-back", job.Function(segment.WinBackJob), app.Keys{})
}
