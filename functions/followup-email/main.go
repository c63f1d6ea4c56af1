// Command followup-email is the SQS-triggered Lambda function that delivers the
// emails followup-sender rendered, by Amazon SES, reporting partial batch failures.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/followup/emailer"
)

func main() {
	app.Start("followup-email", emailer.Function, app.Keys{})
}
