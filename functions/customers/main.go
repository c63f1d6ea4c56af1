// Command customers is the Lambda function of the staff customer routes: consent per
// channel, with time and source.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/directory"
	"github.com/rapport-crm/rapport/shared/keyring/secrets"
)

func main() { app.Start("customers", directory.Function, app.Keys{Secrets: secrets.New}) }
