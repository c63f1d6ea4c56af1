package kpi

import (
	"net/url"
	"strings"
)

// dimensionEscapes are the characters of a dimension's name that cannot stand in a
// counter's attribute name as the expression builder reads it ('.' separates a
// document path, '[' and ']' enclose a list index) and '%', which starts an escape.
var dimensionEscapes = strings.NewReplacer("%", "%25", ".", "%2E", "[", "%5B", "]", "%5D")

// DimensionKey is how a survey dimension's name (free text of at most 64 characters,
// e.g. "waiting/delivery time") appears in its counters' names, DimSum+key and
// DimCount+key: the name itself, with '%', '.', '[' and ']' percent-encoded, so
// "v1.2 [beta]" counts under "dimSum_v1%2E2 %5Bbeta%5D". Dimension reverses it.
func DimensionKey(name string) string { return dimensionEscapes.Replace(name) }

// Dimension is the dimension name a DimensionKey stands for.
func Dimension(key string) string {
	name, err := url.PathUnescape(key)
	if err != nil {
		return key // not made by DimensionKey
	}
	return name
}
