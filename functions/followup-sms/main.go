// Command followup-sms is the SQS-triggered Lambda function that delivers the
// SMS followup-sender rendered, by Amazon SNS, reporting partial batch failures.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/followup/texter"
)

func main() {
	app.Start("followup-sms", texter.Function, app.Keys{})
}
