// Command surveys-staff is the Lambda function that serves survey definitions and
// results to staff (JWT routes).
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/keyring/secrets"
	"github.com/rapport-crm/rapport/shared/survey"
)

func main() { app.Start("surveys-staff", survey.StaffFunction, app.Keys{Secrets: secrets.New}) }
