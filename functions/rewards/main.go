// Command rewards is the Lambda function of the rewards routes: the catalogue, rewards
// taken for points, and vouchers from their issue to their one redemption.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/rewarding"
)

func main() { app.Start("rewards", rewarding.Function, app.Keys{}) }
