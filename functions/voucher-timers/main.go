// Command voucher-timers is the scheduled Lambda function that delivers each new
// voucher to its customer, reminds them before it expires, and counts the vouchers
// that expired unused, once each, in their location's voucher report.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/job"
	"github.com/rapport-crm/rapport/shared/keyring/kms"
	"github.com/rapport-crm/rapport/shared/rewarding"
)

func main() {
	app.Start("voucher-timers", job.Function(rewarding.TimersJob), app.Keys{MACs: kms.MACRing})
}
