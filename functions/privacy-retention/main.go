// Command privacy-retention is the scheduled Lambda function that removes daily the personal data whose retention ended (closed complaints, survey comments).
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/privacy"
)

func main() {
	app.Start("privacy-retention", job.Function(privacy.RetentionJob), app.Keys{})
}
