// Command complaints-staff is the Lambda function staff handle cases with: intake from
// other channels, the queue, actions, reports and settings.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/casework/desk"
	"github.com/rapport-crm/rapport/shared/keyring/secrets"
)

func main() { app.Start("complaints-staff", desk.StaffFunction, app.Keys{Secrets: secrets.New}) }
