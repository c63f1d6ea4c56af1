// Command segments is the Lambda function of segments over customers' value figures,
// campaigns to them, and the value and win-back settings.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/segment"
)

func main() { app.Start("segments", segment.Function, app.Keys{}) }
