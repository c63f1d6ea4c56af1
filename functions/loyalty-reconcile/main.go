// Command loyalty-reconcile is the scheduled Lambda function that checks daily that every loyalty balance equals its ledger.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/loyalty"
)

func main() {
	app.Start("loyalty-reconcile", job.Function(loyalty.ReconcileJob), app.Keys{})
}
