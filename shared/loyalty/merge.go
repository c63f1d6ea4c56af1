package loyalty

// A merge moves a duplicate's points lot by lot through the ledger: a negative entry
// on the duplicate and a positive one, with a lot of the same expiry and pending
// state, on the survivor, both with the sourceId merge:<dupId>:<lotId>; then the
// tier's earned months, the shortfall and the member's contacts follow.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

// mergeChunk lots move per transaction: seven items each (the duplicate's lot archived
// as two, its entry and claim, the survivor's lot, entry and claim), and the two
// accounts: 14×7+2 = 100, DynamoDB's limit.
const mergeChunk = (dynamo.MaxTxItems - 2) / 7

// Moved counts what a merge moved.
type Moved struct {
	Lots    int `json:"lots"`
	Points  int `json:"points"`
	Pending int `json:"pending"`
}

// lotsOf reads a customer's live lots with points left.
func (s *Store) lotsOf(ctx context.Context, cid string) ([]Lot, error) {
	all, err := s.lotsUnder(ctx, cid, lotPrefix)
	return slices.DeleteFunc(all, func(l Lot) bool { return l.Remaining <= 0 }), err
}

// MergeInto moves a merged duplicate's points to its survivor. Each available or
// pending lot with points left moves in a transaction with the others of its chunk:
// the duplicate's lot empties (if still as read), a merge entry takes its points off
// the duplicate's ledger and one puts them on the survivor's with a new lot of the
// same expiry and pending state, and both balances move by the same amounts. The
// sourceId merge:<dupId>:<lotId> is claimed on both sides, so a lot moves once however
// often the merge runs. Then the duplicate's earned months (tiers), its shortfall and
// its member contacts (where the survivor has none) go to the survivor.
func (s *Store) MergeInto(ctx context.Context, dupID, survivorID, actor string, now time.Time) (Moved, error) {
	var m Moved
	rules, err := s.Rules(ctx)
	if err != nil {
		return m, err
	}
	for left := true; left; {
		left = false // until a chunk moves
		err := retry.Do(ctx, accountRetry, func() (bool, error) {
			lots, err := s.lotsOf(ctx, dupID)
			if err != nil || len(lots) == 0 {
				return false, err
			}
			chunk := lots[:min(len(lots), mergeChunk)]
			items, err := s.mergeLots(chunk, dupID, survivorID, actor, rules, now)
			if err != nil {
				return false, err
			}
			switch txErr := s.transact(ctx, items); {
			case txErr == nil:
				for _, l := range chunk {
					m.Lots++
					if l.Pending {
						m.Pending += l.Remaining
					} else {
						m.Points += l.Remaining
					}
				}
				left = true
				return false, nil
			case txErr.conflict() || txErr.conditionFailed():
				return true, nil // a lot was spent or released meanwhile: read again
			default:
				return false, dynamo.Unavailable(txErr.err, "move points")
			}
		})
		switch {
		case errors.Is(err, retry.ErrExhausted):
			return m, problem.New(problem.Unavailable, "the points keep changing; retry the merge shortly")
		case err != nil:
			return m, err
		}
	}
	if err := s.mergeAccount(ctx, dupID, survivorID, rules, now); err != nil {
		return m, err
	}
	return m, nil
}

func (s *Store) mergeLots(lots []Lot, dupID, survivorID, actor string, rules Rules, now time.Time) ([]types.TransactWriteItem, error) {
	add := map[string]int{}
	var items []types.TransactWriteItem
	for _, l := range lots {
		src := fmt.Sprintf("merge:%s:%s", dupID, l.ID)
		if l.Merges > 0 {
			src += fmt.Sprintf(":%d", l.Merges+1)
		}
		field := "balance"
		if l.Pending {
			field = "pending"
		}
		add[field] += l.Remaining
		take := Take{LotRef: l.LotRef, Points: l.Remaining, Pending: l.Pending}
		out := Entry{ID: id.New(now), CustomerID: dupID, Type: TypeMerge, SourceID: src, Points: -l.Remaining, At: now, Actor: actor,
			Taken: []Take{take}, Reason: "merged into " + survivorID, Request: "merge|" + l.ID}
		in := Entry{ID: id.New(now), CustomerID: survivorID, Type: TypeMerge, SourceID: src, Points: l.Remaining, At: now, Actor: actor,
			Reason: "merged from " + dupID, Request: "merge|" + l.ID}
		lot := Lot{LotRef: LotRef{ID: in.ID, AvailableAt: l.AvailableAt, ExpiresAt: l.ExpiresAt}, CustomerID: survivorID,
			SourceID: src, Points: l.Remaining, Remaining: l.Remaining, Pending: l.Pending, Reminded: l.Reminded}
		in.Lot = &lot.LotRef
		// The duplicate's lot is left empty: archived, if still as read.
		emptied := l
		emptied.Remaining, emptied.Merges = 0, l.Merges+1
		empty, err := s.archive(l, emptied)
		if err != nil {
			return nil, err
		}
		outItems, err := s.entryItems(out)
		if err != nil {
			return nil, err
		}
		newLot, err := s.newLot(lot, rules, now)
		if err != nil {
			return nil, err
		}
		inItems, err := s.entryItems(in)
		if err != nil {
			return nil, err
		}
		items = append(append(append(append(items, empty...), outItems...), newLot), inItems...)
	}
	from, err := s.addTo(dupID, map[string]int{"balance": -add["balance"], "pending": -add["pending"]}, now)
	if err != nil {
		return nil, err
	}
	to, err := s.addTo(survivorID, add, now)
	if err != nil {
		return nil, err
	}
	return append([]types.TransactWriteItem{from, to}, items...), nil
}

// mergeAccount hands the duplicate's earned months, shortfall and member contacts to
// the survivor, in one transaction conditional on both accounts' revisions; the
// duplicate keeps none of them, so a rerun finds nothing left to hand over.
func (s *Store) mergeAccount(ctx context.Context, dupID, survivorID string, rules Rules, now time.Time) error {
	err := retry.Do(ctx, accountRetry, func() (bool, error) {
		dup, exists, err := s.AccountOnly(ctx, dupID)
		if err != nil || !exists {
			return false, err
		}
		if len(dup.Earned) == 0 && dup.Shortfall == 0 && dup.Phone == "" && dup.Email == "" && dup.Birthday == "" {
			return false, nil
		}
		surv, _, err := s.AccountOnly(ctx, survivorID)
		if err != nil {
			return false, err
		}
		items, err := s.mergeAccountItems(dup, surv, rules, now)
		if err != nil {
			return false, err
		}
		switch txErr := s.transact(ctx, items); {
		case txErr == nil:
			return false, nil
		case txErr.conflict() || txErr.conditionFailed():
			return true, nil // either account changed meanwhile: read both again
		default:
			return false, dynamo.Unavailable(txErr.err, "merge loyalty accounts")
		}
	})
	if errors.Is(err, retry.ErrExhausted) {
		return problem.New(problem.Unavailable, "the points keep changing; retry the merge shortly")
	}
	return err
}

func (s *Store) mergeAccountItems(dup, surv Account, rules Rules, now time.Time) ([]types.TransactWriteItem, error) {
	earned := maps.Clone(nonNil(surv.Earned))
	for k, v := range dup.Earned {
		earned[k] += v
	}
	earned = PruneBuckets(earned, now)
	st, _ := rules.OnEarn(surv.tierState(), Earned12m(earned, now), now)
	su := expression.Set(expression.Name("customerId"), expression.Value(surv.CustomerID)).
		Set(expression.Name("updatedAt"), expression.Value(now)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(now))).
		Set(expression.Name("rev"), expression.Value(surv.Rev+1)).
		Set(expression.Name("earned"), expression.Value(earned)).
		Set(expression.Name("tier"), expression.Value(st.Tier)).
		Set(expression.Name("tierSince"), expression.Value(st.Since)).
		Set(expression.Name("reviewAt"), expression.Value(st.ReviewAt)).
		Set(expression.Name("duePk"), expression.Value(duePK(surv.CustomerID))).
		Set(expression.Name("dueSk"), expression.Value(dueSK(st.NextReview(), timerReview, surv.CustomerID, "-"))).
		Add(expression.Name("balance"), expression.Value(0)).
		Add(expression.Name("pending"), expression.Value(0)).
		Add(expression.Name("shortfall"), expression.Value(dup.Shortfall))
	if st.DowngradeAt != nil {
		su = su.Set(expression.Name("downgradeAt"), expression.Value(*st.DowngradeAt))
	}
	var items []types.TransactWriteItem
	contact := func(have, give string) {
		switch {
		case give == "":
		case have == "":
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Table),
				Item:                      map[string]types.AttributeValue{"pk": dynamo.S(contactPK(give)), "sk": dynamo.S("CONTACT"), "customerId": dynamo.S(surv.CustomerID)},
				ConditionExpression:       aws.String("attribute_not_exists(pk) OR customerId IN (:dup, :surv)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":dup": dynamo.S(dup.CustomerID), ":surv": dynamo.S(surv.CustomerID)}}})
		default:
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Table), Key: dynamo.Key(contactPK(give), "CONTACT"),
				ConditionExpression:       aws.String("attribute_not_exists(pk) OR customerId = :dup"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":dup": dynamo.S(dup.CustomerID)}}})
		}
	}
	contact(surv.Phone, dup.Phone)
	contact(surv.Email, dup.Email)
	if surv.Phone == "" && dup.Phone != "" {
		su = su.Set(expression.Name("phone"), expression.Value(dup.Phone))
	}
	if surv.Email == "" && dup.Email != "" {
		su = su.Set(expression.Name("email"), expression.Value(dup.Email))
	}
	if surv.Birthday == "" && dup.Birthday != "" {
		su = su.Set(expression.Name("birthday"), expression.Value(dup.Birthday)).
			Set(expression.Name("lastBirthdayYear"), expression.Value(max(surv.LastBirthdayYear, dup.LastBirthdayYear))).
			Set(expression.Name("bdayPk"), expression.Value(birthdayPK(dup.Birthday[len(dup.Birthday)-5:]))).
			Set(expression.Name("bdaySk"), expression.Value(surv.CustomerID))
		if surv.TimeZone == "" && dup.TimeZone != "" {
			su = su.Set(expression.Name("timeZone"), expression.Value(dup.TimeZone))
		}
	}
	if surv.Locale == "" && dup.Locale != "" {
		su = su.Set(expression.Name("locale"), expression.Value(dup.Locale))
	}
	sc := revIs(surv.Rev)
	survItem, err := s.update(keyOf(surv.CustomerID), su, &sc)
	if err != nil {
		return nil, err
	}
	du := expression.Set(expression.Name("earned"), expression.Value(map[string]int{})).
		Set(expression.Name("rev"), expression.Value(dup.Rev+1)).
		Set(expression.Name("updatedAt"), expression.Value(now)).
		Set(expression.Name("mergedInto"), expression.Value(surv.CustomerID)).
		Add(expression.Name("shortfall"), expression.Value(-dup.Shortfall))
	for _, name := range []string{"phone", "email", "birthday", "bdayPk", "bdaySk", "duePk", "dueSk"} {
		du = du.Remove(expression.Name(name))
	}
	dc := revIs(dup.Rev)
	dupItem, err := s.update(keyOf(dup.CustomerID), du, &dc)
	if err != nil {
		return nil, err
	}
	if dup.ReferralCode != "" {
		// The duplicate's referral code now names the survivor.
		ref, err := s.update(dynamo.Key(refCodePK(dup.ReferralCode), "REFCODE"),
			expression.Set(expression.Name("customerId"), expression.Value(surv.CustomerID)),
			ptr(expression.AttributeNotExists(expression.Name("pk")).Or(expression.Name("customerId").In(expression.Value(dup.CustomerID), expression.Value(surv.CustomerID)))))
		if err != nil {
			return nil, err
		}
		items = append(items, ref)
	}
	return append([]types.TransactWriteItem{dupItem, survItem}, items...), nil
}
