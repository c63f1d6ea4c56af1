package membership

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/reward"
)

// Homes tell a customer's home location (the customer domain).
type Homes interface {
	Profile(ctx context.Context, cid string) (customer.Profile, error)
}

// BirthdayVouchers issue the programme's birthday voucher (loyalty.Rules.BirthdayVoucher)
// in the rewards domain: once per member and year, claimed as birthday#<year>#<member>,
// so the hourly job, run any number of times on the day, issues one. The voucher is
// valid at every location and counts in the report of the member's home location (none
// when the member has no profile or no home).
type BirthdayVouchers struct {
	Rewards *reward.Store
	Homes   Homes
}

var _ loyalty.BirthdayGifts = BirthdayVouchers{}

// birthdayVoucherName is what the member and the cashier read on the voucher.
var birthdayVoucherName = i18n.Texts[string]{"zh-CN": "生日礼券", "en": "Birthday voucher"}

// Give issues the member their voucher of the birthday's year; false when it was
// issued before.
func (b BirthdayVouchers) Give(ctx context.Context, bd loyalty.Birthday) (bool, error) {
	cid, bv, now := bd.Account.CustomerID, bd.Voucher, bd.At
	home := ""
	if b.Homes != nil {
		switch p, err := b.Homes.Profile(ctx, cid); {
		case err == nil:
			home = p.LocationID
		case !errors.Is(err, customer.ErrNoProfile):
			return false, err
		}
	}
	code, err := reward.NewCode()
	if err != nil {
		return false, err
	}
	_, replayed, err := b.Rewards.Issue(ctx, reward.Voucher{Code: code, CustomerID: cid, Name: birthdayVoucherName,
		Kind: reward.KindVoucher, Value: bv.Value,
		Source:     reward.Source{Kind: reward.SourceBirthday, ID: strconv.Itoa(bd.Year)},
		LocationID: home, IssuedAt: now, ExpiresAt: now.Add(time.Duration(bv.ValidDays) * 24 * time.Hour), IssuedBy: "birthday"})
	return err == nil && !replayed, err
}
