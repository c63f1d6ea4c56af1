package loyalty

// Points of merged and erased customers. Every write here keeps each account equal to
// its ledger and its lots after every transaction, as Reconcile checks:
//
//   - a merge moves a duplicate's points lot by lot through the ledger: a negative
//     entry on the duplicate and a positive one, with a lot of the same expiry and
//     pending state, on the survivor, both with the sourceId merge:<dupId>:<lotId>;
//     then the tier's earned months, the shortfall and the member's contacts follow;
//   - an erasure moves the whole account (its lots, entries and claims) to a
//     pseudonymous account and removes the member's data: a carry entry on each side
//     balances what a chunk moved, and both carries come back to zero at the end.
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
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

// Entry types of merges and erasures.
const (
	// TypeMerge moves points from a merged duplicate to its survivor.
	TypeMerge = "merge"
	// TypeCarry balances an account while an erasure moves it (zero once done).
	TypeCarry = "carry"
)

const (
	// mergeChunk lots move per transaction: six items each, and the two accounts.
	mergeChunk = 16
	// moveChunk items move per transaction in an erasure: two writes each, the two
	// accounts and the two carries.
	moveChunk = 45
	carryID   = "ERASURE-CARRY"
)

// Export is what the loyalty table holds on a customer.
type Export struct {
	Account *Account `json:"account,omitempty"`
	Lots    []Lot    `json:"lots"`
	Ledger  []Entry  `json:"ledger"`
}

// ExportOf reads a customer's account (member data included), lots and whole ledger.
func (s *Store) ExportOf(ctx context.Context, cid string) (Export, error) {
	acct, lots, exists, err := s.Account(ctx, cid)
	if err != nil {
		return Export{}, err
	}
	out := Export{Lots: lots, Ledger: []Entry{}}
	if out.Lots == nil {
		out.Lots = []Lot{}
	}
	if exists {
		out.Account = &acct
	}
	var start map[string]types.AttributeValue
	for {
		es, last, err := s.Entries(ctx, cid, 200, start)
		if err != nil {
			return Export{}, err
		}
		out.Ledger = append(out.Ledger, es...)
		if last == nil {
			return out, nil
		}
		start = last
	}
}

// Moved counts what a merge moved.
type Moved struct {
	Lots    int `json:"lots"`
	Points  int `json:"points"`
	Pending int `json:"pending"`
}

// mergeLot is a lot as stored with how often merges moved points out of it (points
// given back to it after a merge move again under a new sourceId).
type mergeLot struct {
	Lot
	Merges int `dynamodbav:"merges"`
}

func (s *Store) lotsOf(ctx context.Context, cid string) ([]mergeLot, error) {
	var lots []mergeLot
	p := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName: aws.String(s.Table), ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :l)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": dynamo.S(accountPK(cid)), ":l": dynamo.S(lotPrefix),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, dynamo.Unavailable(err, "read lots")
		}
		var items []mergeLot
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, l := range items {
			if l.Remaining > 0 {
				lots = append(lots, l)
			}
		}
	}
	return lots, nil
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

func (s *Store) mergeLots(lots []mergeLot, dupID, survivorID, actor string, rules Rules, now time.Time) ([]types.TransactWriteItem, error) {
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
		u := expression.Set(expression.Name("remaining"), expression.Value(0)).
			Set(expression.Name("merges"), expression.Value(l.Merges+1)).
			Remove(expression.Name("duePk")).Remove(expression.Name("dueSk"))
		cond := expression.Name("remaining").Equal(expression.Value(l.Remaining)).
			And(expression.Name("pending").Equal(expression.Value(l.Pending)))
		if l.Merges == 0 {
			cond = cond.And(expression.AttributeNotExists(expression.Name("merges")).Or(expression.Name("merges").Equal(expression.Value(0))))
		} else {
			cond = cond.And(expression.Name("merges").Equal(expression.Value(l.Merges)))
		}
		empty, err := s.update(dynamo.Key(accountPK(dupID), lotSK(l.ExpiresAt, l.ID)), u, &cond)
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
		items = append(append(append(append(items, empty), outItems...), newLot), inItems...)
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

// addTo adds to an account's balance and pending (creating it if need be): adds
// commute with concurrent earns and redeems.
func (s *Store) addTo(cid string, add map[string]int, now time.Time) (types.TransactWriteItem, error) {
	u := expression.Set(expression.Name("customerId"), expression.Value(cid)).
		Set(expression.Name("updatedAt"), expression.Value(now)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(now))).
		Add(expression.Name("balance"), expression.Value(add["balance"])).
		Add(expression.Name("pending"), expression.Value(add["pending"])).
		Add(expression.Name("shortfall"), expression.Value(add["shortfall"]))
	return s.update(keyOf(cid), u, nil)
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

func ptr[T any](v T) *T { return &v }

// revIs is the condition that an account is still at the revision read.
func revIs(rev int) expression.ConditionBuilder {
	c := expression.AttributeNotExists(expression.Name("pk")).Or(expression.Name("rev").Equal(expression.Value(rev)))
	if rev == 0 {
		c = c.Or(expression.AttributeNotExists(expression.Name("rev")))
	}
	return c
}

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
