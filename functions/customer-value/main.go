// Command customer-value is the scheduled Lambda function that recomputes customers' value figures daily.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/segment"
)

func main() {
	app.Start("customer-value", job.Function(segment.ValueJob), app.Keys{})
}
