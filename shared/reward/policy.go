package reward

import (
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
)

// The rewards domain's access policy. A reward and a voucher belong to the locations
// they are offered or valid at; one with no locations belongs to every location. A
// caller sees one if it sees any of its locations, or, for one of every location, if
// it has a location at all (no locations means none). Anyone else finds no such reward
// or voucher (404). Who may edit the catalogue, issue, reverse or cancel is the wiring
// table's roles; where a caller redeems, issues or takes is a location it must see.

// Visible reports whether p sees what belongs to locations (none: every location).
func Visible(p auth.Principal, locations []string) bool {
	if len(locations) == 0 {
		return p.All || len(p.Locations) > 0
	}
	return p.SeesAny(locations)
}

// VoucherView is a voucher as the API shows it: its one status now and its code as
// printed.
type VoucherView struct {
	Voucher
	Status  string `json:"status"`
	Printed string `json:"printedCode"`
}

// View is v as shown at now.
func (v Voucher) View(now time.Time) VoucherView {
	return VoucherView{Voucher: v, Status: v.Status(now), Printed: FormatCode(v.Code)}
}
