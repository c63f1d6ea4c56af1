// Command customers-public is the Lambda function behind the unsubscribe links in
// messages: it turns the customer's consent for that channel off.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/customer/unsubscribe"
	"github.com/rapport-crm/rapport/shared/keyring/kms"
)

func main() { app.Start("customers-public", unsubscribe.Function, app.Keys{MACs: kms.MACRing}) }
