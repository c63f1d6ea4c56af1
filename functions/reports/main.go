// Command reports is the Lambda function of the KPI report: survey, complaint, visit
// and loyalty figures per day, week or month, for staff.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/report"
)

func main() { app.Start("reports", report.Function, app.Keys{}) }
