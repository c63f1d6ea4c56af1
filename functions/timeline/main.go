// Command timeline is the Lambda function of a customer's history: visits, points,
// follow-ups, complaints and survey responses, newest first.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/keyring/secrets"
	"github.com/rapport-crm/rapport/shared/timeline"
)

func main() { app.Start("timeline", timeline.Function, app.Keys{Secrets: secrets.New}) }
