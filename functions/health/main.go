// Command health is the Lambda function behind GET /v1/health.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import "github.com/rapport-crm/rapport/shared/app"

func main() { app.Start("health", app.Health, app.Keys{}) }
