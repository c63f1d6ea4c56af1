// Command loyalty is the Lambda function of the points ledger: earn, redeem, reverse,
// adjust, balance, ledger, members and the rules.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/keyring/secrets"
	"github.com/rapport-crm/rapport/shared/membership"
)

func main() { app.Start("loyalty", membership.Function, app.Keys{Secrets: secrets.New}) }
