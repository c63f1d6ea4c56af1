package loyalty

// An erasure moves the whole account (its lots, live and archived, its entries and
// claims) to a pseudonymous account and removes the member's data: a carry entry on
// each side balances what a chunk moved, and both carries come back to zero at the end.
//
//	pk                 sk                item
//	ACCT#<id>          E#ERASURE-CARRY   while an account moves: what its moved entries
//	                                     and its moved lots differ by (zero at the end)

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

const (
	// moveChunk items move per transaction in an erasure: two writes each, the two
	// accounts and the two carries.
	moveChunk = 45
	carryID   = "ERASURE-CARRY"
)

// Erased counts what erasing an account moved and removed.
type Erased struct {
	Lots     int `json:"lots"`
	Entries  int `json:"entries"`
	Claims   int `json:"claims"`
	Contacts int `json:"contacts"`
}

// ErrUnreconciled means an account being erased did not equal its ledger before.
var ErrUnreconciled = errors.New("the account does not equal its ledger; reconcile it before erasing")

// EraseAccount removes a member's data and moves their points under a pseudonymous
// account: first the member's contacts, birthday, tags and referral code go (and the
// contact and referral index items, where they still name one of owners); then the
// account (its tier, earned months and shortfall) is opened under the pseudonym, and
// its lots, entries and claims move there a chunk per transaction, the balances moving
// with the lots and a carry entry on each side balancing what the entries and lots
// of the chunk differ by; at the end the carries are zero and go with the old account.
// Every step can run again after a crash.
//
// aliases are the person's ids (the account's and those of the duplicates merged into
// it) with their pseudonyms: the merge entries moved name the pseudonyms instead.
func (s *Store) EraseAccount(ctx context.Context, cid string, aliases map[string]string, now time.Time) (Erased, error) {
	var n Erased
	pseudonym := aliases[cid]
	if pseudonym == "" {
		return n, errors.New("erase points: no pseudonym")
	}
	owners := slices.Sorted(maps.Keys(aliases))
	acct, exists, err := s.AccountOnly(ctx, cid)
	if err != nil || !exists {
		return n, err
	}
	if n.Contacts, err = s.eraseMember(ctx, acct, owners, now); err != nil {
		return n, err
	}
	rules, err := s.Rules(ctx)
	if err != nil {
		return n, err
	}
	if err := s.openPseudonym(ctx, acct, pseudonym, now); err != nil {
		return n, err
	}
	for done := false; !done; {
		err := retry.Do(ctx, accountRetry, func() (bool, error) {
			var err error
			done, err = s.moveChunk(ctx, cid, aliases, rules, now, &n)
			return errors.Is(err, errRetry), err
		})
		switch {
		case errors.Is(err, retry.ErrExhausted):
			return n, problem.New(problem.Unavailable, "the points keep changing; retry the erasure shortly")
		case err != nil:
			return n, err
		}
	}
	return n, nil
}

// eraseMember removes the contact and referral index items the member's account
// names (where they still name one of owners: gone, or someone else's by now, they are
// left alone), then the member's data on the account, which is what finds them.
func (s *Store) eraseMember(ctx context.Context, acct Account, owners []string, now time.Time) (int, error) {
	removed := 0
	for _, k := range []map[string]types.AttributeValue{
		dynamo.Key(contactPK(acct.Phone), "CONTACT"), dynamo.Key(contactPK(acct.Email), "CONTACT"), dynamo.Key(refCodePK(acct.ReferralCode), "REFCODE"),
	} {
		if pk := k["pk"].(*types.AttributeValueMemberS).Value; strings.HasSuffix(pk, "#") {
			continue // no such contact or code
		}
		del, err := s.deleteIf(k, ownerCondition(owners))
		if err != nil {
			return removed, err
		}
		switch txErr := s.transact(ctx, []types.TransactWriteItem{del}); {
		case txErr == nil:
			removed++
		case !txErr.conditionFailed():
			return removed, dynamo.Unavailable(txErr.err, "erase member contacts")
		}
	}
	u := expression.Set(expression.Name("updatedAt"), expression.Value(now))
	for _, name := range []string{"phone", "email", "birthday", "bdayPk", "bdaySk", "locale", "timeZone", "tags", "referralCode", "referredBy"} {
		u = u.Remove(expression.Name(name))
	}
	acctItem, err := s.update(keyOf(acct.CustomerID), u, ptr(expression.AttributeExists(expression.Name("pk"))))
	if err != nil {
		return removed, err
	}
	if txErr := s.transact(ctx, []types.TransactWriteItem{acctItem}); txErr != nil && !txErr.conditionFailed() {
		return removed, dynamo.Unavailable(txErr.err, "erase member")
	}
	return removed, nil
}

// ownerCondition holds when an index item is gone or names one of owners.
func ownerCondition(owners []string) expression.ConditionBuilder {
	vals := make([]expression.OperandBuilder, len(owners))
	for i, o := range owners {
		vals[i] = expression.Value(o)
	}
	return expression.AttributeNotExists(expression.Name("pk")).Or(expression.Name("customerId").In(vals[0], vals[1:]...))
}

// openPseudonym opens the pseudonymous account with the old one's tier, earned months
// and shortfall and nothing else: its balances come with the lots. Once opened, it is
// not opened again.
func (s *Store) openPseudonym(ctx context.Context, acct Account, pseudonym string, now time.Time) error {
	next := Account{CustomerID: pseudonym, Shortfall: acct.Shortfall, Earned: nonNil(acct.Earned), Tier: acct.Tier,
		TierSince: acct.TierSince, ReviewAt: acct.ReviewAt, DowngradeAt: acct.DowngradeAt, Earns: acct.Earns,
		CreatedAt: acct.CreatedAt, UpdatedAt: now}
	item, err := attributevalue.MarshalMap(next)
	if err != nil {
		return err
	}
	item["pk"], item["sk"] = dynamo.S(accountPK(pseudonym)), dynamo.S(accountSK)
	if acct.Tier != "" {
		item["duePk"] = dynamo.S(duePK(pseudonym))
		item["dueSk"] = dynamo.S(dueSK(next.tierState().NextReview(), timerReview, pseudonym, "-"))
	}
	old, err := s.update(keyOf(acct.CustomerID), expression.Add(expression.Name("shortfall"), expression.Value(-acct.Shortfall)).
		Set(expression.Name("earned"), expression.Value(map[string]int{})).
		Remove(expression.Name("duePk")).Remove(expression.Name("dueSk")), nil)
	if err != nil {
		return err
	}
	txErr := s.transact(ctx, []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(s.Table), Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		old,
	})
	switch {
	case txErr == nil, txErr.failed(0):
		return nil // opened now, or by an earlier run
	}
	return dynamo.Unavailable(txErr.err, "open pseudonymous account")
}

// moveChunk moves the next chunk of an account's lots, entries and claims to the
// pseudonym, or, with nothing left to move, closes the old account; done is true
// once it is closed.
func (s *Store) moveChunk(ctx context.Context, cid string, aliases map[string]string, rules Rules, now time.Time, n *Erased) (bool, error) {
	pseudonym := aliases[cid]
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true), Limit: aws.Int32(moveChunk + 2),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": dynamo.S(accountPK(cid))},
	})
	if err != nil {
		return false, dynamo.Unavailable(err, "read account")
	}
	var items []types.TransactWriteItem
	lots, entries, claims := 0, 0, 0
	add := map[string]int{}
	moved := 0 // the points of the entries moved
	carry := map[string]int{}
	for _, raw := range out.Items {
		var k struct {
			SK string `dynamodbav:"sk"`
		}
		if err := attributevalue.UnmarshalMap(raw, &k); err != nil {
			return false, err
		}
		switch {
		case k.SK == accountSK:
		case k.SK == entrySK(carryID):
			var e Entry
			if err := attributevalue.UnmarshalMap(raw, &e); err != nil {
				return false, err
			}
			carry[cid] = e.Points
		case len(items) >= 2*moveChunk:
		case strings.HasPrefix(k.SK, lotPrefix):
			var l lotItem
			if err := attributevalue.UnmarshalMap(raw, &l); err != nil {
				return false, err
			}
			l.CustomerID, l.SourceID = pseudonym, aliasedSource(l.SourceID, aliases)
			if l.Pending {
				add["pending"] += l.Remaining
			} else {
				add["balance"] += l.Remaining
			}
			put, err := s.newLot(l.Lot, rules, now)
			if l.Remaining == 0 && !l.Pending {
				put, err = s.put(lotItem{PK: accountPK(pseudonym), SK: spentSK(l.ExpiresAt, l.ID), Lot: l.Lot}) // archived on the way
			}
			if err != nil {
				return false, err
			}
			c := expression.Name("remaining").Equal(expression.Value(l.Remaining)).And(expression.Name("pending").Equal(expression.Value(l.Pending)))
			del, err := s.deleteIf(dynamo.Key(accountPK(cid), k.SK), c)
			if err != nil {
				return false, err
			}
			items = append(items, put, del)
			lots++
		case strings.HasPrefix(k.SK, spentPref):
			// An archived lot holds no points: it moves as it is, archived.
			var l lotItem
			if err := attributevalue.UnmarshalMap(raw, &l); err != nil {
				return false, err
			}
			l.PK, l.CustomerID, l.SourceID = accountPK(pseudonym), pseudonym, aliasedSource(l.SourceID, aliases)
			put, err := s.put(l)
			if err != nil {
				return false, err
			}
			del, err := s.deleteIf(dynamo.Key(accountPK(cid), k.SK), expression.Name("remaining").Equal(expression.Value(l.Remaining)))
			if err != nil {
				return false, err
			}
			items = append(items, put, del)
			lots++
		case strings.HasPrefix(k.SK, entryPref):
			var e entryItem
			if err := attributevalue.UnmarshalMap(raw, &e); err != nil {
				return false, err
			}
			moved += e.Points
			e.Entry = pseudonymised(e.Entry, aliases)
			e.PK, e.CustomerID = accountPK(pseudonym), pseudonym
			put, err := s.put(e)
			if err != nil {
				return false, err
			}
			del, err := s.deleteIf(dynamo.Key(accountPK(cid), k.SK), expression.AttributeExists(expression.Name("pk")))
			if err != nil {
				return false, err
			}
			items = append(items, put, del)
			entries++
		case strings.HasPrefix(k.SK, sourcePref):
			var c sourceItem
			if err := attributevalue.UnmarshalMap(raw, &c); err != nil {
				return false, err
			}
			c.Entry = pseudonymised(c.Entry, aliases)
			c.PK, c.SK, c.Entry.CustomerID = accountPK(pseudonym), sourceSK(c.Entry.SourceID), pseudonym
			put, err := s.put(c)
			if err != nil {
				return false, err
			}
			del, err := s.deleteIf(dynamo.Key(accountPK(cid), k.SK), expression.AttributeExists(expression.Name("pk")))
			if err != nil {
				return false, err
			}
			items = append(items, put, del)
			claims++
		}
	}
	if len(items) == 0 {
		return true, s.closeAccount(ctx, cid, pseudonym, carry[cid])
	}
	// The old side loses the entries' points and the lots' remaining; its carry takes
	// the difference so its ledger still equals its balances, and the new side's
	// carry the opposite.
	diff := moved - add["balance"] - add["pending"]
	from, err := s.addTo(cid, map[string]int{"balance": -add["balance"], "pending": -add["pending"]}, now)
	if err != nil {
		return false, err
	}
	to, err := s.addTo(pseudonym, add, now)
	if err != nil {
		return false, err
	}
	items = append(items, from, to)
	if diff != 0 {
		for side, d := range map[string]int{cid: diff, pseudonym: -diff} {
			it, err := s.carryItem(side, d, now)
			if err != nil {
				return false, err
			}
			items = append(items, it)
		}
	}
	switch txErr := s.transact(ctx, items); {
	case txErr == nil:
		n.Lots, n.Entries, n.Claims = n.Lots+lots, n.Entries+entries, n.Claims+claims
		return false, nil
	case txErr.conflict() || txErr.conditionFailed():
		return false, errRetry
	default:
		return false, dynamo.Unavailable(txErr.err, "move points")
	}
}

// pseudonymised is an entry moving to a pseudonymous account: the ids a merge entry
// names become their pseudonyms.
func pseudonymised(e Entry, aliases map[string]string) Entry {
	if e.Type != TypeMerge {
		return e
	}
	e.SourceID = aliasedSource(e.SourceID, aliases)
	for _, prefix := range []string{"merged into ", "merged from "} {
		if id, ok := strings.CutPrefix(e.Reason, prefix); ok && aliases[id] != "" {
			e.Reason = prefix + aliases[id]
		}
	}
	return e
}

// aliasedSource is a merge's sourceId (merge:<dupId>:<lotId>) naming the duplicate's
// pseudonym; any other sourceId as it is.
func aliasedSource(src string, aliases map[string]string) string {
	parts := strings.SplitN(src, ":", 3)
	if len(parts) != 3 || parts[0] != "merge" || aliases[parts[1]] == "" {
		return src
	}
	parts[1] = aliases[parts[1]]
	return strings.Join(parts, ":")
}

func (s *Store) deleteIf(key map[string]types.AttributeValue, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	ex, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Table), Key: key,
		ConditionExpression: ex.Condition(), ExpressionAttributeNames: ex.Names(), ExpressionAttributeValues: ex.Values()}}, nil
}

// carryItem adds points to an account's carry entry.
func (s *Store) carryItem(cid string, points int, now time.Time) (types.TransactWriteItem, error) {
	u := expression.Set(expression.Name("id"), expression.Value(carryID)).
		Set(expression.Name("customerId"), expression.Value(cid)).
		Set(expression.Name("type"), expression.Value(TypeCarry)).
		Set(expression.Name("sourceId"), expression.Value("erasure:carry")).
		Set(expression.Name("actor"), expression.Value("privacy")).
		Set(expression.Name("request"), expression.Value("")).
		Set(expression.Name("at"), expression.IfNotExists(expression.Name("at"), expression.Value(now))).
		Add(expression.Name("points"), expression.Value(points))
	return s.update(dynamo.Key(accountPK(cid), entrySK(carryID)), u, nil)
}

// closeAccount deletes the emptied account and both carries, which are zero when the
// account equalled its ledger; only if nothing came in meanwhile.
func (s *Store) closeAccount(ctx context.Context, cid, pseudonym string, carry int) error {
	if carry != 0 {
		return fmt.Errorf("erase points: %w (%+d)", ErrUnreconciled, carry)
	}
	empty := expression.AttributeNotExists(expression.Name("pk")).Or(
		expression.Name("balance").Equal(expression.Value(0)).And(expression.Name("pending").Equal(expression.Value(0))))
	acct, err := s.deleteIf(keyOf(cid), empty)
	if err != nil {
		return err
	}
	zero := expression.AttributeNotExists(expression.Name("pk")).Or(expression.Name("points").Equal(expression.Value(0)))
	oldCarry, err := s.deleteIf(dynamo.Key(accountPK(cid), entrySK(carryID)), zero)
	if err != nil {
		return err
	}
	newCarry, err := s.deleteIf(dynamo.Key(accountPK(pseudonym), entrySK(carryID)), zero)
	if err != nil {
		return err
	}
	switch txErr := s.transact(ctx, []types.TransactWriteItem{acct, oldCarry, newCarry}); {
	case txErr == nil:
		return nil
	case txErr.conflict() || txErr.conditionFailed():
		return errRetry // points came in meanwhile: move them too
	default:
		return dynamo.Unavailable(txErr.err, "close account")
	}
}
