// Package cost prices DynamoDB requests, and the Lambda, API and SQS usage around
// them, by the rules AWS publishes rather than by the consumed capacity an emulator
// reports.
//
// DynamoDB Local's ConsumedCapacity is not a fair meter: for a TransactWriteItems it
// reports four times the largest item's kilobytes per table whatever the number of
// items. This package recomputes the units from the items themselves: the item
// images before and after every write, and the items every read evaluated.
package cost

import "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

// Projection says which attributes a secondary index copies from the table.
type Projection int

const (
	// ProjectAll copies every attribute of the item.
	ProjectAll Projection = iota
	// ProjectKeysOnly copies only the table's and the index's key attributes.
	ProjectKeysOnly
	// ProjectInclude copies the keys and the attributes listed in Index.NonKey.
	ProjectInclude
)

// Index describes a secondary index of a Table.
type Index struct {
	Name string
	// Keys are the index's partition key, then its sort key if it has one.
	Keys       []string
	Projection Projection
	// NonKey lists the attributes a ProjectInclude index copies besides the keys.
	NonKey []string
	// Local marks a local secondary index (one that shares the table's partition
	// key). Its writes are priced like a global index's, so the flag documents the
	// table's shape without changing any number.
	Local bool
}

// Table is the shape of a table as far as pricing needs it: its keys and its
// secondary indexes.
type Table struct {
	Name string
	// Keys are the table's partition key, then its sort key if it has one.
	Keys    []string
	Indexes []Index
}

// Entry returns the entry that index ix holds for item: the table's keys, the
// index's keys and the projected attributes. It returns false when the item is nil
// or lacks one of the index's key attributes, since DynamoDB leaves such an item out
// of the index (a sparse index).
func (t Table) Entry(ix Index, item map[string]types.AttributeValue) (map[string]types.AttributeValue, bool) {
	if item == nil {
		return nil, false
	}
	for _, k := range ix.Keys {
		if _, ok := item[k]; !ok {
			return nil, false
		}
	}
	entry := make(map[string]types.AttributeValue)
	if ix.Projection == ProjectAll {
		for name, v := range item {
			entry[name] = v
		}
		return entry, true
	}
	names := append(append([]string{}, t.Keys...), ix.Keys...)
	if ix.Projection == ProjectInclude {
		names = append(names, ix.NonKey...)
	}
	for _, name := range names {
		if v, ok := item[name]; ok {
			entry[name] = v
		}
	}
	return entry, true
}

// indexEntryOverhead is what DynamoDB adds to the size of every index entry when it
// meters index writes and storage.
const indexEntryOverhead = 100

// EntrySize is the size DynamoDB meters for an index entry: the entry's item size
// plus 100 bytes of overhead.
func EntrySize(entry map[string]types.AttributeValue) int {
	return Size(entry) + indexEntryOverhead
}
