// Command surveys-public is the Lambda function that takes survey responses from
// customers; a low score schedules a recovery follow-up (and, by rule, a case) in the
// same transaction.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/surveyloop"
)

func main() { app.Start("surveys-public", surveyloop.PublicFunction, app.Keys{}) }
