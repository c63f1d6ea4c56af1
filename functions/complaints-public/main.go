// Command complaints-public is the Lambda function that takes complaints from
// customers (JSON or the hosted form) and shows them their case by tracking token.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	complaints "github.com/rapport-crm/rapport/shared/casework/public"
)

func main() { app.Start("complaints-public", complaints.Function, app.Keys{}) }
