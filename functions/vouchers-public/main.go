// Command vouchers-public is the Lambda function of the customer's voucher page,
// opened from the link in the message that delivered a voucher or reminds of it.
//
// It imports only its own builder, which the local runner also uses (shared/catalog).
package main

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/keyring/kms"
	vouchers "github.com/rapport-crm/rapport/shared/rewarding/public"
)

func main() { app.Start("vouchers-public", vouchers.Function, app.Keys{MACs: kms.MACRing}) }
