// Command reindex is the Lambda function run by hand after an upgrade: it gives older items the keys of the indexes added since.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/migrate"
)

func main() {
	app.Start("reindex", migrate.Function, app.Keys{})
}
