package loyalty

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/contact"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/retry"
)

// Membership is what a member tells the programme: how to reach them, their birthday
// and zone, their segments, and who referred them (a referral code, once).
type Membership struct {
	Phone        string   `json:"phone"`
	Email        string   `json:"email"`
	Locale       string   `json:"locale"`
	Birthday     string   `json:"birthday"`
	TimeZone     string   `json:"timeZone"`
	Tags         []string `json:"tags"`
	ReferralCode string   `json:"referralCode"`
}

// Enrol creates or updates a member. Each phone and email belongs to one member; a
// referral code is taken only at enrolment, never from oneself or from a member with
// the same phone or email.
func (s *Service) Enrol(ctx context.Context, cid string, m Membership) (Account, error) {
	if !validID(cid) {
		return Account{}, problem.Field("customerId", "must be letters, digits and . _ : # -")
	}
	var errs []problem.FieldError
	bad := func(f, msg string) { errs = append(errs, problem.FieldError{Field: f, Message: msg}) }
	if m.Phone != "" {
		p, err := contact.NormalizePhone(m.Phone)
		if err != nil {
			bad("phone", "must be a phone number, e.g. +86 138 0013 8000")
		}
		m.Phone = p
	}
	if m.Email != "" {
		e, err := contact.NormalizeEmail(m.Email)
		if err != nil {
			bad("email", "must be an email address")
		}
		m.Email = e
	}
	if m.Locale != "" && !i18n.Supported(m.Locale) {
		bad("locale", "must be zh-CN or en")
	}
	if m.Birthday != "" || m.TimeZone != "" {
		if _, _, err := BirthdayDue(cmp.Or(m.Birthday, "01-01"), m.TimeZone, time.Now(), 0); err != nil {
			bad("birthday", "must be YYYY-MM-DD or MM-DD, with an IANA timeZone")
		}
	}
	if err := problem.Fields(errs); err != nil {
		return Account{}, err
	}
	now := s.Clock.Now()
	var saved Account
	err := retry.Do(ctx, accountRetry, func() (bool, error) {
		acct, _, exists, err := s.Store.Account(ctx, cid)
		if err != nil {
			return false, err
		}
		next := acct
		next.Phone, next.Email, next.Locale, next.Birthday, next.TimeZone, next.Tags = m.Phone, m.Email, m.Locale, m.Birthday, m.TimeZone, m.Tags
		var items []types.TransactWriteItem
		if next.ReferralCode == "" {
			next.ReferralCode = strings.ToUpper(id.Token(5))[:8]
			it, err := s.Store.put(map[string]any{"pk": refCodePK(next.ReferralCode), "sk": "REFCODE", "customerId": cid})
			if err != nil {
				return false, err
			}
			items = append(items, it)
		}
		if m.ReferralCode != "" && acct.ReferredBy == "" {
			if exists && acct.Earns > 0 {
				return false, problem.Field("referralCode", "only a new member can be referred")
			}
			ref, err := s.referrer(ctx, m.ReferralCode, next.member())
			if err != nil {
				return false, err
			}
			next.ReferredBy = ref
		}
		contacts, err := s.contactItems(acct, next)
		if err != nil {
			return false, err
		}
		items = append(items, contacts...)
		if next.Tier == "" {
			rules, err := s.Store.Rules(ctx)
			if err != nil {
				return false, err
			}
			st, _ := rules.OnEarn(TierState{}, 0, now)
			next.setTier(st)
		}
		w, err := s.memberWrite(acct, next, now)
		if err != nil {
			return false, err
		}
		txErr := s.Store.transact(ctx, append([]types.TransactWriteItem{w}, items...))
		switch {
		case txErr == nil:
			saved = next
			return false, nil
		case txErr.conditionFailed() && !txErr.failed(0):
			return false, problem.Field("phone", "this phone or email already belongs to another member")
		case txErr.conflict() || txErr.failed(0):
			return true, nil
		default:
			return false, dynamo.Unavailable(txErr.err, "save member")
		}
	})
	if errors.Is(err, retry.ErrExhausted) {
		return Account{}, problem.New(problem.Unavailable, "too many concurrent changes to this member; retry shortly")
	}
	return saved, err
}

// referrer is the member a referral code names, if they may refer this one.
func (s *Service) referrer(ctx context.Context, code string, me Member) (string, error) {
	out, err := s.Store.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Store.Table), Key: dynamo.Key(refCodePK(strings.ToUpper(code)), "REFCODE")})
	if err != nil {
		return "", dynamo.Unavailable(err, "read referral code")
	}
	v, ok := out.Item["customerId"].(*types.AttributeValueMemberS)
	if !ok {
		return "", problem.Field("referralCode", "is not a member's referral code")
	}
	ref, _, _, err := s.Store.Account(ctx, v.Value)
	if err != nil {
		return "", err
	}
	if err := CheckReferral(ref.member(), me); err != nil {
		return "", problem.Field("referralCode", err.Error())
	}
	return ref.CustomerID, nil
}

// contactItems claim the member's phone and email (unique among members) and free
// the ones they no longer use.
func (s *Service) contactItems(cur, next Account) ([]types.TransactWriteItem, error) {
	var items []types.TransactWriteItem
	for _, pair := range [][2]string{{cur.Phone, next.Phone}, {cur.Email, next.Email}} {
		old, now := pair[0], pair[1]
		if old == now {
			continue
		}
		if now != "" {
			it := types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.Store.Table),
				Item:                      map[string]types.AttributeValue{"pk": dynamo.S(contactPK(now)), "sk": dynamo.S("CONTACT"), "customerId": dynamo.S(next.CustomerID)},
				ConditionExpression:       aws.String("attribute_not_exists(pk) OR customerId = :me"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":me": dynamo.S(next.CustomerID)}}}
			items = append(items, it)
		}
		if old != "" {
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(s.Store.Table),
				Key: dynamo.Key(contactPK(old), "CONTACT")}})
		}
	}
	return items, nil
}

// memberWrite saves the member's fields, conditional on the account's rev.
func (s *Service) memberWrite(cur, next Account, now time.Time) (types.TransactWriteItem, error) {
	u := expression.Set(expression.Name("customerId"), expression.Value(cur.CustomerID)).
		Set(expression.Name("updatedAt"), expression.Value(now)).
		Set(expression.Name("createdAt"), expression.IfNotExists(expression.Name("createdAt"), expression.Value(now))).
		Set(expression.Name("rev"), expression.Value(cur.Rev+1)).
		Set(expression.Name("referralCode"), expression.Value(next.ReferralCode)).
		Set(expression.Name("tier"), expression.Value(next.Tier)).
		Set(expression.Name("tierSince"), expression.Value(next.TierSince)).
		Set(expression.Name("reviewAt"), expression.Value(next.ReviewAt)).
		Add(expression.Name("balance"), expression.Value(0)).
		Add(expression.Name("pending"), expression.Value(0)).
		Add(expression.Name("shortfall"), expression.Value(0))
	for name, v := range map[string]string{"phone": next.Phone, "email": next.Email, "locale": next.Locale,
		"birthday": next.Birthday, "timeZone": next.TimeZone, "referredBy": next.ReferredBy} {
		if v == "" {
			u = u.Remove(expression.Name(name))
		} else {
			u = u.Set(expression.Name(name), expression.Value(v))
		}
	}
	if len(next.Tags) > 0 {
		u = u.Set(expression.Name("tags"), expression.Value(next.Tags))
	} else {
		u = u.Remove(expression.Name("tags"))
	}
	if next.Birthday != "" {
		mmdd := next.Birthday[len(next.Birthday)-5:]
		u = u.Set(expression.Name("bdayPk"), expression.Value(birthdayPK(mmdd))).Set(expression.Name("bdaySk"), expression.Value(cur.CustomerID))
	} else {
		u = u.Remove(expression.Name("bdayPk")).Remove(expression.Name("bdaySk"))
	}
	if cur.Rev == 0 && next.ReviewAt.After(now) {
		st := next.tierState()
		u = u.Set(expression.Name("duePk"), expression.Value(duePK(cur.CustomerID))).
			Set(expression.Name("dueSk"), expression.Value(dueSK(st.NextReview(), timerReview, cur.CustomerID, "-")))
	}
	c := expression.AttributeNotExists(expression.Name("pk")).Or(expression.Name("rev").Equal(expression.Value(cur.Rev)))
	if cur.Rev == 0 {
		c = c.Or(expression.AttributeNotExists(expression.Name("rev")))
	}
	return s.Store.update(keyOf(cur.CustomerID), u, &c)
}

// Balance is what the API's balance route answers.
type Balance struct {
	CustomerID   string     `json:"customerId"`
	Balance      int        `json:"balance"`
	Pending      int        `json:"pending"`
	Shortfall    int        `json:"shortfall"`
	Tier         string     `json:"tier"`
	TierSince    *time.Time `json:"tierSince,omitempty"`
	Earned12m    int        `json:"earned12m"`
	NextTier     *NextTier  `json:"nextTier,omitempty"`
	Expiring     []Expiring `json:"expiring"`
	ReferralCode string     `json:"referralCode,omitempty"`
}

// NextTier is how far the member is from the next tier.
type NextTier struct {
	Tier         string `json:"tier"`
	PointsNeeded int    `json:"pointsNeeded"`
}

// Expiring are available points by expiry date, soonest first.
type Expiring struct {
	Points    int       `json:"points"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Balance reads a customer's points in one query (account and lots), strongly
// consistent: it shows a change the reader has just made.
func (s *Service) Balance(ctx context.Context, cid string) (Balance, error) {
	return s.balance(ctx, cid, s.Store.Account)
}

// BalanceView is Balance read eventually consistently (half the read units): what
// someone who did not just change the points is shown.
func (s *Service) BalanceView(ctx context.Context, cid string) (Balance, error) {
	return s.balance(ctx, cid, s.Store.AccountView)
}

func (s *Service) balance(ctx context.Context, cid string, read func(context.Context, string) (Account, []Lot, bool, error)) (Balance, error) {
	acct, lots, exists, err := read(ctx, cid)
	if err != nil {
		return Balance{}, err
	}
	rules, err := s.Store.Rules(ctx)
	if err != nil {
		return Balance{}, err
	}
	now := s.Clock.Now()
	b := Balance{CustomerID: cid, Balance: acct.Balance, Pending: acct.Pending, Shortfall: acct.Shortfall, Tier: acct.Tier,
		Earned12m: Earned12m(acct.Earned, now), ReferralCode: acct.ReferralCode, Expiring: []Expiring{}}
	if !exists || b.Tier == "" {
		b.Tier = rules.TierFor(0)
	} else {
		b.TierSince = &acct.TierSince
	}
	if i := slices.IndexFunc(rules.Tiers, func(t Tier) bool { return t.Name == b.Tier }); i >= 0 && i+1 < len(rules.Tiers) {
		b.NextTier = &NextTier{Tier: rules.Tiers[i+1].Name, PointsNeeded: max(0, rules.Tiers[i+1].Threshold-b.Earned12m)}
	}
	for _, l := range available(lots) {
		if n := len(b.Expiring); n > 0 && b.Expiring[n-1].ExpiresAt.Equal(l.ExpiresAt) {
			b.Expiring[n-1].Points += l.Remaining
			continue
		}
		b.Expiring = append(b.Expiring, Expiring{Points: l.Remaining, ExpiresAt: l.ExpiresAt})
	}
	sort.SliceStable(b.Expiring, func(i, j int) bool { return b.Expiring[i].ExpiresAt.Before(b.Expiring[j].ExpiresAt) })
	return b, nil
}

// LedgerPage is a page of entries.
type LedgerPage struct {
	Items      []Entry `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// Ledger lists a customer's entries, newest first. Its cursor is the last entry's id,
// sealed for this customer's ledger (shared/cursor).
func (s *Service) Ledger(ctx context.Context, cid string, limit int, cursor string) (LedgerPage, error) {
	list := "loyalty-ledger#" + cid
	var after string
	var start map[string]types.AttributeValue
	if ok, err := s.Store.Cursors.Open(ctx, list, cursor, &after); err != nil {
		return LedgerPage{}, err
	} else if ok {
		if _, valid := id.Time(after); !valid {
			return LedgerPage{}, curs.Invalid()
		}
		start = dynamo.Key(accountPK(cid), entrySK(after))
	}
	entries, last, err := s.Store.Entries(ctx, cid, limit, start)
	if err != nil {
		return LedgerPage{}, err
	}
	p := LedgerPage{Items: entries}
	if p.Items == nil {
		p.Items = []Entry{}
	}
	if last != nil {
		var k struct {
			SK string `dynamodbav:"sk"`
		}
		if err := attributevalue.UnmarshalMap(last, &k); err != nil {
			return LedgerPage{}, err
		}
		if p.NextCursor, err = s.Store.Cursors.SealPtr(ctx, list, strings.TrimPrefix(k.SK, entryPref)); err != nil {
			return LedgerPage{}, err
		}
	}
	return p, nil
}
