package cost

import (
	"bytes"
	"math/big"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Units are DynamoDB request units: read request units and write request units,
// the two meters of on-demand capacity. Reads can be fractional (an eventually
// consistent read costs half a unit per 4 KB).
type Units struct {
	Read, Write float64
}

// Add returns the sum of u and v.
func (u Units) Add(v Units) Units {
	return Units{Read: u.Read + v.Read, Write: u.Write + v.Write}
}

const (
	// writeUnitBytes is what one write request unit writes.
	writeUnitBytes = 1024
	// readUnitBytes is what one read request unit reads, strongly consistent.
	readUnitBytes = 4096
	// transactionFactor is the multiplier DynamoDB applies to every item of a
	// TransactWriteItems or TransactGetItems: each item is handled twice, once to
	// prepare the transaction and once to commit it.
	transactionFactor = 2
	// eventualFactor is what an eventually consistent read costs relative to a
	// strongly consistent one.
	eventualFactor = 0.5
)

// writeUnits is the write units of writing size bytes: one per started KB, at least
// one.
func writeUnits(size int) float64 {
	return float64(max(ceilDiv(size, writeUnitBytes), 1))
}

// readUnits is the strongly consistent read units of reading size bytes: one per
// started 4 KB, at least one.
func readUnits(size int) float64 {
	return float64(max(ceilDiv(size, readUnitBytes), 1))
}

func ceilDiv(n, d int) int {
	return (n + d - 1) / d
}

// Write is one item written by PutItem, UpdateItem, DeleteItem, a BatchWriteItem
// entry or a TransactWriteItems entry, given by the item's images before and after
// the request.
type Write struct {
	Table Table
	// Before and After are the item's images; nil when the item did not exist before,
	// or no longer exists after. A write whose condition failed has After equal to
	// Before.
	Before, After map[string]types.AttributeValue
	// Transactional marks an entry of a TransactWriteItems.
	Transactional bool
	// Check marks a ConditionCheck entry of a TransactWriteItems: the item is read,
	// nothing is written.
	Check bool
}

// Units returns what the write costs.
//
// The table write costs one write unit per started KB of the larger of the two
// images, at least one: a delete of a missing item and a write whose condition
// failed still cost a unit. An entry of a TransactWriteItems costs twice that
// (prepare and commit).
//
// Each index of the table then costs what it takes to bring its entry from the
// before image to the after image (see indexUnits). These index writes are not
// doubled for transactions. That is an assumption: the pricing rules double each
// transactional item write but say nothing of the index writes it causes, and we
// take it that indexes are maintained outside the two-phase commit.
//
// A ConditionCheck is priced as a transactional read of the item: twice the read
// units of the item's size, at least two read units, and no write at all.
func (w Write) Units() Units {
	size := max(Size(w.Before), Size(w.After))
	if w.Check {
		return Units{Read: transactionFactor * readUnits(size)}
	}
	u := Units{Write: writeUnits(size)}
	if w.Transactional {
		u.Write *= transactionFactor
	}
	for _, ix := range w.Table.Indexes {
		u.Write += w.Table.indexUnits(ix, w.Before, w.After)
	}
	return u
}

// indexUnits returns the write units index ix consumes when an item goes from before
// to after, each index write being one unit per started KB of the entry's size (see
// EntrySize):
//
//   - no entry before, one after: one write of the new entry;
//   - an entry before, none after: one write (the delete) of the old entry;
//   - an entry both times with a different index key value: the old entry is deleted
//     and the new one put, two writes;
//   - an entry both times with the same keys but a projected attribute changed: one
//     write of the larger entry;
//   - otherwise nothing.
//
// A keys-only index changes only when its keys do; an INCLUDE index when its keys or
// a listed attribute do; an ALL index when any attribute does.
func (t Table) indexUnits(ix Index, before, after map[string]types.AttributeValue) float64 {
	old, hadOld := t.Entry(ix, before)
	cur, hasCur := t.Entry(ix, after)
	switch {
	case !hadOld && !hasCur:
		return 0
	case !hadOld:
		return writeUnits(EntrySize(cur))
	case !hasCur:
		return writeUnits(EntrySize(old))
	case !sameAttributes(old, cur, ix.Keys):
		return writeUnits(EntrySize(old)) + writeUnits(EntrySize(cur))
	case !itemsEqual(old, cur):
		return writeUnits(max(EntrySize(old), EntrySize(cur)))
	}
	return 0
}

// sameAttributes reports whether a and b hold equal values for every name in names.
func sameAttributes(a, b map[string]types.AttributeValue, names []string) bool {
	for _, name := range names {
		if !valuesEqual(a[name], b[name]) {
			return false
		}
	}
	return true
}

// itemsEqual reports whether a and b have the same attributes with equal values.
func itemsEqual(a, b map[string]types.AttributeValue) bool {
	if len(a) != len(b) {
		return false
	}
	for name, v := range a {
		w, ok := b[name]
		if !ok || !valuesEqual(v, w) {
			return false
		}
	}
	return true
}

// valuesEqual reports whether two attribute values are equal as DynamoDB sees them:
// Numbers by numeric value ("1.0" equals "1"), sets regardless of element order.
// Two nil values are equal.
func valuesEqual(a, b types.AttributeValue) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case *types.AttributeValueMemberS:
		b, ok := b.(*types.AttributeValueMemberS)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberN:
		b, ok := b.(*types.AttributeValueMemberN)
		return ok && numbersEqual(a.Value, b.Value)
	case *types.AttributeValueMemberB:
		b, ok := b.(*types.AttributeValueMemberB)
		return ok && bytes.Equal(a.Value, b.Value)
	case *types.AttributeValueMemberBOOL:
		b, ok := b.(*types.AttributeValueMemberBOOL)
		return ok && a.Value == b.Value
	case *types.AttributeValueMemberNULL:
		_, ok := b.(*types.AttributeValueMemberNULL)
		return ok
	case *types.AttributeValueMemberL:
		b, ok := b.(*types.AttributeValueMemberL)
		return ok && slices.EqualFunc(a.Value, b.Value, valuesEqual)
	case *types.AttributeValueMemberM:
		b, ok := b.(*types.AttributeValueMemberM)
		return ok && itemsEqual(a.Value, b.Value)
	case *types.AttributeValueMemberSS:
		b, ok := b.(*types.AttributeValueMemberSS)
		return ok && sameSet(a.Value, b.Value, func(x, y string) bool { return x == y })
	case *types.AttributeValueMemberNS:
		b, ok := b.(*types.AttributeValueMemberNS)
		return ok && sameSet(a.Value, b.Value, numbersEqual)
	case *types.AttributeValueMemberBS:
		b, ok := b.(*types.AttributeValueMemberBS)
		return ok && sameSet(a.Value, b.Value, bytes.Equal)
	}
	return false
}

// numbersEqual compares two Numbers by value, falling back to their text when one
// does not parse.
func numbersEqual(a, b string) bool {
	x, okx := new(big.Rat).SetString(a)
	y, oky := new(big.Rat).SetString(b)
	if !okx || !oky {
		return a == b
	}
	return x.Cmp(y) == 0
}

// sameSet reports whether two sets (which hold no duplicates) have the same elements.
func sameSet[E any](a, b []E, eq func(E, E) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y E) bool { return eq(x, y) }) {
			return false
		}
	}
	return true
}

// Read is one read request, given by the sizes of the items it evaluated.
type Read struct {
	// Sizes are the size of each item, or index entry, the read evaluated, before
	// any filter or projection. For GetItem and BatchGetItem there is one size per
	// key requested, 0 for a key whose item was not found.
	Sizes []int
	// Consistent marks a strongly consistent read. A Query on a global secondary
	// index is always eventually consistent, so the caller leaves it false there.
	Consistent bool
	// Transactional marks a TransactGetItems; its reads are strongly consistent
	// whatever Consistent says.
	Transactional bool
	// Query marks a Query or Scan, metered on the sum of the sizes; otherwise
	// (GetItem, BatchGetItem, TransactGetItems) each item is metered on its own.
	Query bool
}

// Units returns what the read costs.
//
// A Query or Scan costs one read unit per started 4 KB of the summed sizes, at least
// one even when it finds nothing. GetItem and BatchGetItem cost one read unit per
// started 4 KB of each item, at least one per key requested even when the item is
// not found. An eventually consistent read costs half of that (so 0.5 at least).
// A TransactGetItems costs twice the strongly consistent units of each item
// (prepare and commit).
func (r Read) Units() Units {
	var units float64
	if r.Query {
		total := 0
		for _, s := range r.Sizes {
			total += s
		}
		units = readUnits(total)
	} else {
		for _, s := range r.Sizes {
			units += readUnits(s)
		}
	}
	switch {
	case r.Transactional:
		units *= transactionFactor
	case !r.Consistent:
		units *= eventualFactor
	}
	return Units{Read: units}
}
