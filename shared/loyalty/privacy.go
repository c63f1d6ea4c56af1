package loyalty

// Points of merged and erased customers (merge.go, erase.go), and what the loyalty
// table holds on a customer (an export). Every write of a merge or an erasure keeps
// each account equal to its ledger and its lots after every transaction, as Reconcile
// checks.

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Entry types of merges and erasures.
const (
	// TypeMerge moves points from a merged duplicate to its survivor.
	TypeMerge = "merge"
	// TypeCarry balances an account while an erasure moves it (zero once done).
	TypeCarry = "carry"
)

// Export is what the loyalty table holds on a customer.
type Export struct {
	Account *Account `json:"account,omitempty"`
	Lots    []Lot    `json:"lots"`
	Ledger  []Entry  `json:"ledger"`
}

// ExportOf reads a customer's account (member data included), lots (the live ones,
// then the emptied ones) and whole ledger.
func (s *Store) ExportOf(ctx context.Context, cid string) (Export, error) {
	acct, lots, exists, err := s.Account(ctx, cid)
	if err != nil {
		return Export{}, err
	}
	spent, err := s.spentLots(ctx, cid)
	if err != nil {
		return Export{}, err
	}
	out := Export{Lots: append(append([]Lot{}, lots...), spent...), Ledger: []Entry{}}
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

func ptr[T any](v T) *T { return &v }

// revIs is the condition that an account is still at the revision read.
func revIs(rev int) expression.ConditionBuilder {
	c := expression.AttributeNotExists(expression.Name("pk")).Or(expression.Name("rev").Equal(expression.Value(rev)))
	if rev == 0 {
		c = c.Or(expression.AttributeNotExists(expression.Name("rev")))
	}
	return c
}
