// Command followups-staff is the Lambda function where staff and systems schedule,
// list and cancel follow-ups.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/keyring/secrets"
	"github.com/rapport-crm/rapport/shared/outreach"
)

func main() { app.Start("followups-staff", outreach.StaffFunction, app.Keys{Secrets: secrets.New}) }
