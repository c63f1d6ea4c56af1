// Command surveys-staff is the Lambda function that serves survey definitions and
// results to staff (JWT routes).
//
// shared/app builds it from its wiring row, exactly as the local runner does.
package main

import "github.com/rapport-crm/rapport/shared/app"

func main() { app.Start("surveys-staff") }
