// Command customer-data is the Lambda function of a customer's data across domains:
// the merge of a duplicate profile, the personal-data export and the erasure.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/privacy"
)

func main() { app.Start("customer-data", privacy.Function, app.Keys{}) }
