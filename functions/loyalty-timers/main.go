// Command loyalty-timers is the scheduled Lambda function that releases pending points, reminds before expiry, expires lots and reviews tiers, every minute.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/membership"
)

func main() {
	app.Start("loyalty-timers", job.Function(membership.TimersJob), app.Keys{})
}
