// Command followup-sender is the SQS-triggered Lambda function that delivers each
// queued follow-up once, reporting partial batch failures.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/keyring/kms"
	"github.com/rapport-crm/rapport/shared/keyring/secrets"
	"github.com/rapport-crm/rapport/shared/outreach/sender"
)

func main() {
	app.Start("followup-sender", sender.Function, app.Keys{MACs: kms.MACRing, Secrets: secrets.New})
}
