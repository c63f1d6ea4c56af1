// Command followup-dispatcher is the scheduled Lambda function that finds due
// follow-ups through the sharded due index and enqueues them for the sender, every
// minute. The domains' periodic jobs are functions of their own (shared/job).
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/followup"
)

func main() {
	app.Start("followup-dispatcher", followup.DispatcherFunction, app.Keys{})
}
