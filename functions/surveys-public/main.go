// Command surveys-public is the Lambda function that takes survey responses from
// customers; a low score schedules a recovery follow-up in the same transaction.
//
// shared/app builds it from its wiring row, exactly as the local runner does.
package main

import "github.com/rapport-crm/rapport/shared/app"

func main() { app.Start("surveys-public") }
