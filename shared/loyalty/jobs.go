package loyalty

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/retry"
)

// TimerReport says what one run of the timers did.
type TimerReport struct {
	Released int `json:"released"`
	Reminded int `json:"reminded"`
	Expired  int `json:"expired"`
	Reviewed int `json:"reviewed"`
	Failed   int `json:"failed"`
}

// RunTimers handles every timer due by now through the sharded due index (never a
// scan): pending points become available, reminders go before points expire, expired
// points leave with a ledger entry, and tiers are reviewed on their yearly date.
func (s *Service) RunTimers(ctx context.Context, now time.Time) (TimerReport, error) {
	var rep TimerReport
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return rep, err
	}
	var firstErr error
	for shard := range dueShards {
		var start map[string]types.AttributeValue
		for {
			out, err := dynamo.Backfilled(s.Store.DB, "loyalty", dueIndex).Query(ctx, &dynamodb.QueryInput{
				TableName: aws.String(s.Store.Table), IndexName: aws.String(dueIndex),
				KeyConditionExpression: aws.String("duePk = :pk AND dueSk <= :upTo"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": dynamo.S(fmt.Sprintf("DUE#%d", shard)), ":upTo": dynamo.S(dueUpTo(now)),
				},
				ProjectionExpression: aws.String("dueSk"), Limit: aws.Int32(100), ExclusiveStartKey: start,
			})
			if err != nil {
				return rep, dynamo.Unavailable(err, "query loyalty timers")
			}
			for _, raw := range out.Items {
				sk, _ := raw["dueSk"].(*types.AttributeValueMemberS)
				if sk == nil {
					continue
				}
				if err := s.timer(ctx, sk.Value, rules, now, &rep); err != nil {
					rep.Failed++
					firstErr = cmp.Or(firstErr, err)
					slog.ErrorContext(ctx, "loyalty timer failed", "timer", sk.Value, "error", err.Error())
				}
			}
			if out.LastEvaluatedKey == nil {
				break
			}
			start = out.LastEvaluatedKey
		}
	}
	if firstErr != nil {
		return rep, fmt.Errorf("%d timers failed, the first: %w", rep.Failed, firstErr)
	}
	return rep, nil
}

// timer handles one due timer "<time>#<kind>#<customerId>#<lotId>".
func (s *Service) timer(ctx context.Context, dueSk string, rules Rules, now time.Time, rep *TimerReport) error {
	parts := strings.SplitN(dueSk, "#", 4)
	if len(parts) != 4 {
		return fmt.Errorf("timer %q: malformed", dueSk)
	}
	kind, cid, lotID := parts[1], parts[2], parts[3]
	err := retry.Do(ctx, accountRetry, func() (bool, error) {
		acct, lots, _, err := s.Store.Account(ctx, cid)
		if err != nil {
			return false, err
		}
		var items []types.TransactWriteItem
		var done *int
		if kind == timerReview {
			items, err = s.review(acct, rules, now)
			done = &rep.Reviewed
		} else {
			lot, ok := findLot(lots, lotID)
			if !ok {
				return false, nil // gone: nothing to do
			}
			items, done, err = s.lotTimer(acct, lot, kind, rules, now, rep)
		}
		if err != nil {
			return false, err
		}
		if len(items) == 0 {
			return false, nil
		}
		txErr := s.Store.transact(ctx, items)
		switch {
		case txErr == nil:
			*done++
			return false, nil
		case txErr.conflict() || txErr.conditionFailed():
			return true, nil // a redeem or earn came between: read again
		default:
			return false, dynamo.Unavailable(txErr.err, "loyalty timer")
		}
	})
	if errors.Is(err, retry.ErrExhausted) {
		return errors.New("timer " + dueSk + ": too many concurrent changes")
	}
	return err
}

func findLot(lots []Lot, lotID string) (Lot, bool) {
	for _, l := range lots {
		if l.ID == lotID {
			return l, true
		}
	}
	return Lot{}, false
}

// lotUpdate sets a lot's state and next timer, only if it is as read.
func (s *Service) lotUpdate(before, after Lot, rules Rules) (types.TransactWriteItem, error) {
	u := expression.Set(expression.Name("pending"), expression.Value(after.Pending)).
		Set(expression.Name("reminded"), expression.Value(after.Reminded)).
		Set(expression.Name("remaining"), expression.Value(after.Remaining))
	if pk, sk := lotTimer(after, rules); pk != "" {
		u = u.Set(expression.Name("duePk"), expression.Value(pk)).Set(expression.Name("dueSk"), expression.Value(sk))
	} else {
		u = u.Remove(expression.Name("duePk")).Remove(expression.Name("dueSk"))
	}
	cond := expression.Name("remaining").Equal(expression.Value(before.Remaining)).
		And(expression.Name("pending").Equal(expression.Value(before.Pending)))
	return s.Store.update(dynamo.Key(accountPK(before.CustomerID), lotSK(before.ExpiresAt, before.ID)), u, &cond)
}

// lotTimer is the transaction of a lot's due timer.
func (s *Service) lotTimer(acct Account, lot Lot, kind string, rules Rules, now time.Time, rep *TimerReport) ([]types.TransactWriteItem, *int, error) {
	after := lot
	var items []types.TransactWriteItem
	var done *int
	switch {
	case lot.Pending && !lot.AvailableAt.After(now):
		after.Pending = false
		done = &rep.Released
		if lot.Remaining > 0 {
			it, err := s.Store.accountWrite(acct, nil, map[string]int{"pending": -lot.Remaining, "balance": lot.Remaining}, 0, now, rules)
			if err != nil {
				return nil, nil, err
			}
			items = append(items, it)
		}
	case !lot.Pending && lot.Remaining > 0 && !lot.ExpiresAt.After(now):
		after.Remaining = 0
		done = &rep.Expired
		e := Entry{ID: id.New(now), CustomerID: lot.CustomerID, Type: TypeExpire, SourceID: "expire:" + lot.ID, Points: -lot.Remaining,
			At: now, Actor: "expiry", Taken: []Take{{LotRef: lot.LotRef, Points: lot.Remaining}}, Request: "expire|" + lot.ID}
		claims, err := s.Store.entryItems(e)
		if err != nil {
			return nil, nil, err
		}
		it, err := s.Store.accountWrite(acct, nil, map[string]int{"balance": -lot.Remaining}, lot.Remaining, now, rules)
		if err != nil {
			return nil, nil, err
		}
		items = append(append(items, it), claims...)
	case kind == timerRemind && !lot.Pending && lot.Remaining > 0 && !lot.Reminded:
		after.Reminded = true
		done = &rep.Reminded
		effects, err := s.pointsExpiring(acct, lot, now)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, effects...)
	default:
		done = new(int) // not due yet, or spent: only the timer moves
	}
	if after.Remaining <= 0 && !after.Pending {
		// Expired, released empty, or spent: out of the live range, its timer gone.
		moved, err := s.Store.archive(lot, after)
		if err != nil {
			return nil, nil, err
		}
		return append(items, moved...), done, nil
	}
	it, err := s.lotUpdate(lot, after, rules)
	if err != nil {
		return nil, nil, err
	}
	return append(items, it), done, nil
}

// review is the yearly tier review of an account, if due.
func (s *Service) review(acct Account, rules Rules, now time.Time) ([]types.TransactWriteItem, error) {
	st, change := rules.Review(acct.tierState(), Earned12m(acct.Earned, now), now)
	next := acct
	next.setTier(st)
	next.Earned = PruneBuckets(acct.Earned, now)
	it, err := s.Store.accountWrite(acct, &next, nil, 0, now, rules)
	if err != nil {
		return nil, err
	}
	effects, err := s.tierChanged(next, change, now)
	if err != nil {
		return nil, err
	}
	return append([]types.TransactWriteItem{it}, effects...), nil
}

// Birthdays gives each member whose birthday it is today, in their time zone, the
// birthday bonus and, when the rules offer one, the birthday voucher: each once a year
// (the year is part of the bonus's sourceId, and the gift claims its own year). It
// returns how many members were given something new.
func (s *Service) Birthdays(ctx context.Context, now time.Time) (int, error) {
	rules, err := s.Store.Rules(ctx)
	gifts := s.Gifts != nil && rules.BirthdayVoucher != nil
	if err != nil || rules.BirthdayBonus <= 0 && !gifts {
		return 0, err
	}
	given := 0
	for _, key := range BirthdayKeys(now) {
		p := dynamodb.NewQueryPaginator(dynamo.Backfilled(s.Store.DB, "loyalty", birthdayIndex), &dynamodb.QueryInput{
			TableName: aws.String(s.Store.Table), IndexName: aws.String(birthdayIndex),
			KeyConditionExpression:    aws.String("bdayPk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(birthdayPK(key))},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return given, dynamo.Unavailable(err, "query birthdays")
			}
			var accts []Account
			if err := attributevalue.UnmarshalListOfMaps(page.Items, &accts); err != nil {
				return given, err
			}
			for _, a := range accts {
				year, due, err := BirthdayDue(a.Birthday, a.TimeZone, now, a.LastBirthdayYear)
				if err != nil || !due {
					continue
				}
				celebrated := false
				if gifts {
					if celebrated, err = s.Gifts.Give(ctx, Birthday{Account: a, Year: year, At: now, Voucher: *rules.BirthdayVoucher}); err != nil {
						return given, err
					}
				}
				if rules.BirthdayBonus > 0 {
					_, replayed, err := s.run(ctx, func() (Entry, bool, error) {
						return s.credit(ctx, "birthday", a.CustomerID, TypeBonus, fmt.Sprintf("birthday:%d", year), rules.BirthdayBonus,
							fmt.Sprintf("birthday %d", year), fmt.Sprintf("bonus|%d|birthday %d", rules.BirthdayBonus, year), rules,
							func(n *Account) { n.LastBirthdayYear = year })
					})
					if err != nil {
						return given, err
					}
					celebrated = celebrated || !replayed
				}
				if celebrated {
					given++
				}
			}
		}
	}
	return given, nil
}
