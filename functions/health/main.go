// Command health is the Lambda function behind GET /v1/health.
//
// shared/app builds it from its wiring row, exactly as the local runner does.
package main

import "github.com/rapport-crm/rapport/shared/app"

func main() { app.Start("health") }
