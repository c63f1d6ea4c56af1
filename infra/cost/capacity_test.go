package cost

import (
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// with returns a copy of it with the given attributes set, or removed when nil.
func with(it item, attrs item) item {
	out := maps.Clone(it)
	for name, v := range attrs {
		if v == nil {
			delete(out, name)
		} else {
			out[name] = v
		}
	}
	return out
}

func TestWriteUnits(t *testing.T) {
	plain := Table{Name: "crm", Keys: []string{"pk"}}
	small := itemOfSize(100)
	tests := []struct {
		name  string
		write Write
		want  Units
	}{
		// ceil(100/1024) = 1.
		{"put a small item", Write{Table: plain, After: small}, Units{Write: 1}},
		// 2 × 1: prepare and commit.
		{"put a small item in a transaction", Write{Table: plain, After: small, Transactional: true}, Units{Write: 2}},
		// max(900, 1100) = 1100, ceil(1100/1024) = 2.
		{"update growing 900 to 1100 bytes", Write{Table: plain, Before: itemOfSize(900), After: itemOfSize(1100)}, Units{Write: 2}},
		// max(1100, 900) = 1100 → 2: the larger image counts, whichever it is.
		{"update shrinking 1100 to 900 bytes", Write{Table: plain, Before: itemOfSize(1100), After: itemOfSize(900)}, Units{Write: 2}},
		// Exactly 1 KB: ceil(1024/1024) = 1; one byte more is 2.
		{"put 1024 bytes", Write{Table: plain, After: itemOfSize(1024)}, Units{Write: 1}},
		{"put 1025 bytes", Write{Table: plain, After: itemOfSize(1025)}, Units{Write: 2}},
		// 2 × ceil(1025/1024) = 2 × 2.
		{"put 1025 bytes in a transaction", Write{Table: plain, After: itemOfSize(1025), Transactional: true}, Units{Write: 4}},
		// ceil(3072/1024) = 3.
		{"delete a 3 KB item", Write{Table: plain, Before: itemOfSize(3072)}, Units{Write: 3}},
		// Size 0, but at least 1.
		{"delete a missing item", Write{Table: plain}, Units{Write: 1}},
		// A failed condition leaves the 2000-byte item as it was: ceil(2000/1024) = 2.
		{"failed conditional write", Write{Table: plain, Before: itemOfSize(2000), After: itemOfSize(2000)}, Units{Write: 2}},
		// A transactional read: 2 × max(ceil(100/4096), 1) = 2 read units, no write.
		{"condition check of 100 bytes", Write{Table: plain, Before: small, After: small, Transactional: true, Check: true}, Units{Read: 2}},
		// 2 × ceil(5000/4096) = 2 × 2.
		{"condition check of 5000 bytes", Write{Table: plain, Before: itemOfSize(5000), After: itemOfSize(5000), Transactional: true, Check: true}, Units{Read: 4}},
		// Still the minimum of 2 × 1.
		{"condition check of a missing item", Write{Table: plain, Transactional: true, Check: true}, Units{Read: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.write.Units(); got != tt.want {
				t.Errorf("Units = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestTransactionOfTenItems prices ten small items written in one
// TransactWriteItems against the same ten as separate PutItems.
func TestTransactionOfTenItems(t *testing.T) {
	plain := Table{Name: "crm", Keys: []string{"pk"}}
	var transaction, separate Units
	for range 10 {
		transaction = transaction.Add(Write{Table: plain, After: itemOfSize(200), Transactional: true}.Units())
		separate = separate.Add(Write{Table: plain, After: itemOfSize(200)}.Units())
	}
	// 10 × 2 × ceil(200/1024) = 20.
	if want := (Units{Write: 20}); transaction != want {
		t.Errorf("transaction = %+v, want %+v", transaction, want)
	}
	// 10 × 1 = 10.
	if want := (Units{Write: 10}); separate != want {
		t.Errorf("separate puts = %+v, want %+v", separate, want)
	}
}

func TestIndexWriteUnits(t *testing.T) {
	byEmail := Index{Name: "byEmail", Keys: []string{"email"}, Projection: ProjectAll}
	emailKeys := Index{Name: "byEmailKeys", Keys: []string{"email"}, Projection: ProjectKeysOnly}
	emailName := Index{Name: "byEmailName", Keys: []string{"email"}, Projection: ProjectInclude, NonKey: []string{"name"}}
	byStatus := Index{Name: "byStatus", Keys: []string{"status"}, Projection: ProjectKeysOnly}
	table := func(ix ...Index) Table { return Table{Name: "crm", Keys: []string{"pk", "sk"}, Indexes: ix} }

	// profile() is 34 bytes, so every entry of it is at most 134 bytes: 1 unit.
	p := profile()
	// 1990 + "email" 5 + "a@b.c" 5 = 2000 bytes; its ALL entry is 2100 bytes.
	big := with(itemOfSize(1990), item{"email": s("a@b.c")})

	tests := []struct {
		name  string
		write Write
		want  float64 // write units, table and indexes
	}{
		// Table 1 + new index entry ceil(134/1024) = 1.
		{"new item, all", Write{Table: table(byEmail), After: p}, 1 + 1},
		// Table 2 × 1, the index write not doubled.
		{"new item in a transaction, all", Write{Table: table(byEmail), After: p, Transactional: true}, 2 + 1},
		// Table 1 + delete of the old entry.
		{"delete, all", Write{Table: table(byEmail), Before: p}, 1 + 1},
		// Table 1 + delete old entry 1 + put new entry 1.
		{"index key changed, all", Write{Table: table(byEmail), Before: p, After: with(p, item{"email": s("x@y.z")})}, 1 + 2},
		// Table 1 + one update of the entry.
		{"projected attribute changed, all", Write{Table: table(byEmail), Before: p, After: with(p, item{"name": s("Bob")})}, 1 + 1},
		// Table 1; the keys-only entry does not hold "name".
		{"non-key attribute changed, keys only", Write{Table: table(emailKeys), Before: p, After: with(p, item{"name": s("Bob")})}, 1 + 0},
		// Table 1 + delete old 1 + put new 1.
		{"index key changed, keys only", Write{Table: table(emailKeys), Before: p, After: with(p, item{"email": s("x@y.z")})}, 1 + 2},
		// Table 1 + 1: "name" is included.
		{"included attribute changed", Write{Table: table(emailName), Before: p, After: with(p, item{"name": s("Bob")})}, 1 + 1},
		// Table 1 + 0: "note" is not included.
		{"other attribute changed, include", Write{Table: table(emailName), Before: p, After: with(p, item{"note": s("hi")})}, 1 + 0},
		// Table 1; no "email", so no entry before or after.
		{"sparse index", Write{Table: table(byEmail), Before: with(p, item{"email": nil}), After: with(p, item{"email": nil, "name": s("Bob")})}, 1 + 0},
		// Table 1 + a new entry once the item gains the key.
		{"item joins a sparse index", Write{Table: table(byEmail), Before: with(p, item{"email": nil}), After: p}, 1 + 1},
		// Table 1 + the entry deleted once the item loses the key.
		{"item leaves a sparse index", Write{Table: table(byEmail), Before: p, After: with(p, item{"email": nil})}, 1 + 1},
		// Rewriting the same item: table 1, the entry unchanged.
		{"same item put again", Write{Table: table(byEmail), Before: p, After: profile()}, 1 + 0},
		// "1.0" and "1" are the same Number, set order is not a change: table 1, index 0.
		{"equal values written differently", Write{Table: table(byEmail),
			Before: with(p, item{"visits": n("1.0"), "tags": &types.AttributeValueMemberSS{Value: []string{"a", "b"}}}),
			After:  with(p, item{"visits": n("1"), "tags": &types.AttributeValueMemberSS{Value: []string{"b", "a"}}}),
		}, 1 + 0},
		// Table ceil(2000/1024) = 2 + entry ceil(2100/1024) = 3.
		{"new 2000-byte item, all", Write{Table: table(byEmail), After: big}, 2 + 3},
		// Table 2 + delete old entry 3 + put new entry 3.
		{"index key changed on a 2000-byte item, all", Write{Table: table(byEmail), Before: big, After: with(big, item{"email": s("x@y.z")})}, 2 + 3 + 3},
		// "d" shrinks from 1981 to 900 bytes, so the item goes from 2000 to 919 bytes and
		// its entry from 2100 to 1019. Table ceil(max(2000, 919)/1024) = 2 + one entry
		// write of ceil(max(2100, 1019)/1024) = 3.
		{"projected attribute shrinks on a 2000-byte item, all", Write{Table: table(byEmail), Before: big,
			After: with(big, item{"d": s(strings.Repeat("x", 900))})}, 2 + 3},
		// Two indexes, each gaining an entry: table 1 + 1 + 1.
		{"new item, two indexes", Write{Table: table(byEmail, byStatus), After: with(p, item{"status": s("ACTIVE")})}, 1 + 1 + 1},
		// A condition check writes no index: 2 read units only.
		{"condition check, all", Write{Table: table(byEmail), Before: p, After: p, Transactional: true, Check: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.write.Units().Write; got != tt.want {
				t.Errorf("write units = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadUnits(t *testing.T) {
	tenKB := []int{1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024}
	tests := []struct {
		name string
		read Read
		want float64
	}{
		// ceil(5120/4096) = 2.
		{"get 5 KB strongly", Read{Sizes: []int{5120}, Consistent: true}, 2},
		// 2 / 2.
		{"get 5 KB eventually", Read{Sizes: []int{5120}}, 1},
		// Exactly 4 KB: 1.
		{"get 4 KB strongly", Read{Sizes: []int{4096}, Consistent: true}, 1},
		// Not found: the minimum, 1 / 2.
		{"get a missing item eventually", Read{Sizes: []int{0}}, 0.5},
		{"get a missing item strongly", Read{Sizes: []int{0}, Consistent: true}, 1},
		// 10 × ceil(1024/4096) = 10 × 1: each item rounded on its own.
		{"batch get ten 1 KB items strongly", Read{Sizes: tenKB, Consistent: true}, 10},
		{"batch get ten 1 KB items eventually", Read{Sizes: tenKB}, 5},
		// ceil(10240/4096) = 3, / 2 = 1.5: the sizes are summed before rounding.
		{"query ten 1 KB items eventually", Read{Sizes: tenKB, Query: true}, 1.5},
		{"query ten 1 KB items strongly", Read{Sizes: tenKB, Query: true, Consistent: true}, 3},
		// Nothing found still costs the minimum.
		{"empty query eventually", Read{Query: true}, 0.5},
		{"empty query strongly", Read{Query: true, Consistent: true}, 1},
		// 2 × ceil(5120/4096) = 4, strongly consistent whatever Consistent says.
		{"transact get 5 KB", Read{Sizes: []int{5120}, Transactional: true}, 4},
		// 2 × 1 + 2 × 1 (the missing item at the minimum).
		{"transact get a small and a missing item", Read{Sizes: []int{100, 0}, Transactional: true, Consistent: true}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.read.Units(); got != (Units{Read: tt.want}) {
				t.Errorf("Units = %+v, want %v read units", got, tt.want)
			}
		})
	}
}

func TestUnitsAdd(t *testing.T) {
	u := Units{Read: 0.5, Write: 2}.Add(Units{Read: 1.5, Write: 3})
	if want := (Units{Read: 2, Write: 5}); u != want {
		t.Errorf("Add = %+v, want %+v", u, want)
	}
}
