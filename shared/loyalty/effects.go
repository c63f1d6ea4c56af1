package loyalty

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// What the programme tells the rest of Rapport. A tier change and the reminder before
// points expire are events of the programme; what they cause outside it (a message to
// the member) is the service's Effects, whose items are written in the transaction of
// the change itself: the member is told of a change exactly when it is made, once.

// TierChanged is a tier change as the earn or the review that made it leaves the
// account: every kind, "kept" included (what deserves a message is the effect's to say).
type TierChanged struct {
	// Account is the account after the change: its tier, pending downgrade and the
	// member's contact details.
	Account Account
	Change  TierChange
	At      time.Time
}

// PointsExpiring is the reminder, ReminderDays before a lot expires, that its
// remaining points will: the lot is marked reminded in the same transaction.
type PointsExpiring struct {
	Account Account
	Lot     Lot
	At      time.Time
}

// Effects gives the transaction items of what an event causes outside the programme,
// for the event's own transaction. None (nil items) is a valid answer; an error fails
// the write that caused the event.
type Effects interface {
	TierChanged(TierChanged) ([]types.TransactWriteItem, error)
	PointsExpiring(PointsExpiring) ([]types.TransactWriteItem, error)
}

// tierChanged is the items of a tier change's effects; none without a change or
// without effects.
func (s *Service) tierChanged(a Account, ch *TierChange, now time.Time) ([]types.TransactWriteItem, error) {
	if ch == nil || s.Effects == nil {
		return nil, nil
	}
	return s.Effects.TierChanged(TierChanged{Account: a, Change: *ch, At: now})
}

// pointsExpiring is the items of an expiry reminder's effects; none without effects.
func (s *Service) pointsExpiring(a Account, lot Lot, now time.Time) ([]types.TransactWriteItem, error) {
	if s.Effects == nil {
		return nil, nil
	}
	return s.Effects.PointsExpiring(PointsExpiring{Account: a, Lot: lot, At: now})
}

// Birthday is a member's birthday of Year, at At, with the voucher the rules offer.
type Birthday struct {
	Account Account
	Year    int
	At      time.Time
	Voucher BirthdayVoucher
}

// BirthdayGifts gives what a member's birthday brings outside the programme when the
// rules offer it (Rules.BirthdayVoucher: a voucher, which the rewards domain holds).
// Give is called for each member whose birthday it is, before the bonus, and must give
// once per member and year by itself: a run cut short between the two, or a programme
// with no bonus (which then records no year on the account), calls it again that day.
// given is false when it had given it already.
type BirthdayGifts interface {
	Give(ctx context.Context, b Birthday) (given bool, err error)
}
