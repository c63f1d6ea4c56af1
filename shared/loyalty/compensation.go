package loyalty

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/id"
)

// CreditItems are the transaction items that grant points outright as a bonus — the
// lot, the entry, the source's claim and the balance — for another domain to commit
// with its cause (a complaint's compensation, keyed by the case reference). They need
// no read of the account: the balance is only added to. The claim makes a second
// grant for the same source fail the whole transaction.
func (s *Store) CreditItems(cid, src string, points int, reason, actor string, rules Rules, now time.Time) ([]types.TransactWriteItem, Entry, error) {
	if !validID(cid) || !validID(src) || points <= 0 || points > MaxPoints {
		return nil, Entry{}, fmt.Errorf("credit %d points: an invalid customer id, source id or number of points", points)
	}
	e := Entry{ID: id.New(now), CustomerID: cid, Type: TypeBonus, SourceID: src, Points: points, Gross: points, At: now,
		Actor: actor, Reason: reason, Request: fmt.Sprintf("bonus|%d|%s", points, reason)}
	lot := newLotFor(e, points, rules, now, false)
	e.Lot = &lot.LotRef
	lotItem, err := s.newLot(lot, rules, now)
	if err != nil {
		return nil, Entry{}, err
	}
	acct, err := s.accountWrite(Account{CustomerID: cid}, nil, map[string]int{"balance": points}, 0, now, rules)
	if err != nil {
		return nil, Entry{}, err
	}
	claims, err := s.entryItems(e)
	if err != nil {
		return nil, Entry{}, err
	}
	return append([]types.TransactWriteItem{acct, lotItem}, claims...), e, nil
}
