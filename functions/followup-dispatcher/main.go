// Command followup-dispatcher is the scheduled Lambda function that finds due
// follow-ups through the sharded due index and enqueues them.
//
// shared/app builds it from its wiring row, exactly as the local runner does.
package main

import "github.com/rapport-crm/rapport/shared/app"

func main() { app.Start("followup-dispatcher") }
