// Command loyalty-birthdays is the scheduled Lambda function that gives members their birthday bonus, hourly.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/membership"
)

func main() {
	app.Start("loyalty-birthdays", job.Function(membership.BirthdayJob), app.Keys{})
}
