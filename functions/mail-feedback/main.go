// Command mail-feedback is the SQS-triggered Lambda function that turns email consent
// off for addresses SES reports as permanently bouncing or complaining, reporting
// partial batch failures.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/mailfeedback"
)

func main() { app.Start("mail-feedback", mailfeedback.Function, app.Keys{}) }
