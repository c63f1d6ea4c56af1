package cost

import (
	"maps"
	"slices"
	"testing"
)

// profile is a customer profile of 34 bytes:
// "pk" 2 + "CUST#1" 6 + "sk" 2 + "PROFILE" 7 + "email" 5 + "a@b.c" 5 + "name" 4 + "Ann" 3.
func profile() item {
	return item{"pk": s("CUST#1"), "sk": s("PROFILE"), "email": s("a@b.c"), "name": s("Ann")}
}

func TestEntry(t *testing.T) {
	table := Table{Name: "crm", Keys: []string{"pk", "sk"}}
	tests := []struct {
		name     string
		index    Index
		item     item
		wantKeys []string // the entry's attribute names; nil when no entry
		wantSize int      // EntrySize of the entry
	}{
		// The whole item: 34 + 100.
		{"all", Index{Keys: []string{"email"}, Projection: ProjectAll}, profile(),
			[]string{"email", "name", "pk", "sk"}, 134},
		// Table keys and index key, no name: 34 - ("name" 4 + "Ann" 3) = 27, + 100.
		{"keys only", Index{Keys: []string{"email"}, Projection: ProjectKeysOnly}, profile(),
			[]string{"email", "pk", "sk"}, 127},
		// Keys and the listed "name"; "missing" is listed but absent, so skipped: 34 + 100.
		{"include", Index{Keys: []string{"email"}, Projection: ProjectInclude, NonKey: []string{"name", "missing"}}, profile(),
			[]string{"email", "name", "pk", "sk"}, 134},
		// An LSI keyed by the table's partition key and "name": 34 - ("email" 5 + "a@b.c" 5) = 24, + 100.
		{"local keys only", Index{Keys: []string{"pk", "name"}, Projection: ProjectKeysOnly, Local: true}, profile(),
			[]string{"name", "pk", "sk"}, 124},
		{"sparse: no index key", Index{Keys: []string{"phone"}, Projection: ProjectAll}, profile(), nil, 0},
		{"sparse: sort key missing", Index{Keys: []string{"email", "phone"}, Projection: ProjectAll}, profile(), nil, 0},
		{"no item", Index{Keys: []string{"email"}, Projection: ProjectAll}, nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entry, ok := table.Entry(tt.index, tt.item)
			if ok != (tt.wantKeys != nil) {
				t.Fatalf("Entry ok = %v, want %v", ok, tt.wantKeys != nil)
			}
			if !ok {
				return
			}
			if got := slices.Sorted(maps.Keys(entry)); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("entry attributes = %v, want %v", got, tt.wantKeys)
			}
			if got := EntrySize(entry); got != tt.wantSize {
				t.Errorf("EntrySize = %d, want %d", got, tt.wantSize)
			}
		})
	}
}
