package kpi

import (
	"strings"
	"testing"
)

// A dimension's name becomes part of a counter's attribute name unchanged but for the
// characters the expression builder would read as a path, and reads back as it was.
func TestDimensionKeysAreSafeAttributeNames(t *testing.T) {
	for _, c := range []struct{ name, key string }{
		{"service quality", "service quality"},
		{"waiting/delivery time", "waiting/delivery time"},
		{"服务态度", "服务态度"},
		{"v1.2 [beta]", "v1%2E2 %5Bbeta%5D"},
		{"100% clean", "100%25 clean"},
	} {
		key := DimensionKey(c.name)
		if key != c.key || Dimension(key) != c.name {
			t.Errorf("%q: key %q (want %q), back %q", c.name, key, c.key, Dimension(key))
		}
		it, ok, err := Add("t", "loc-1", StaffSK("2026-12-01", "staff-1", 0), map[string]int{DimSum + key: 4, DimCount + key: 1})
		if !ok || err != nil {
			t.Fatalf("%q: %v %v", c.name, ok, err)
		}
		names := it.Update.ExpressionAttributeNames
		if !mapHas(names, DimSum+key) || !mapHas(names, DimCount+key) || strings.Count(*it.Update.UpdateExpression, ".") != 0 {
			t.Errorf("%q: names %v, update %s: not one attribute per counter", c.name, names, *it.Update.UpdateExpression)
		}
	}
}

func mapHas(m map[string]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
