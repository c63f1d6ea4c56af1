// Command visits is the Lambda function systems report visits and purchases to: once
// per sourceId, a visit moves the customer's figures, earns points and invites a
// post-service survey.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/visit"
)

func main() { app.Start("visits", visit.Function, app.Keys{}) }
