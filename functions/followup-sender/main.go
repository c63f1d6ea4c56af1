// Command followup-sender is the SQS-triggered Lambda function that delivers each
// queued follow-up once, reporting partial batch failures.
//
// shared/app builds it from its wiring row, exactly as the local runner does.
package main

import "github.com/rapport-crm/rapport/shared/app"

func main() { app.Start("followup-sender") }
