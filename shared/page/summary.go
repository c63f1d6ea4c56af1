package page

import (
	"strings"

	"github.com/rapport-crm/rapport/shared/i18n"
)

// Summary is the box above a form sent back with problems (ErrorSummary): a heading,
// the problems not tied to one field, then each field's label, linked to its control,
// and its problem. Lang is the page's language: it decides the punctuation between a
// label and its problem.
type Summary struct {
	Lang    string
	Heading string
	General []string
	Fields  []SummaryField
}

// SummaryField is one field's problem: ID is its control's id, Label its label.
type SummaryField struct {
	ID, Label, Error string
}

// Shown tells whether there is anything to summarise.
func (s Summary) Shown() bool { return len(s.General) > 0 || len(s.Fields) > 0 }

// After is what follows a label before its problem: a full-width colon in Chinese
// ("类别：请选择"), ": " in English, and only a space (Chinese: nothing) after a label
// that ends in its own question mark or colon ("What happened? Please tell us").
func (s Summary) After(label string) string {
	ownMark := strings.HasSuffix(label, "?") || strings.HasSuffix(label, "？") ||
		strings.HasSuffix(label, ":") || strings.HasSuffix(label, "：")
	switch {
	case s.Lang == i18n.Chinese && ownMark:
		return ""
	case s.Lang == i18n.Chinese:
		return "："
	case ownMark:
		return " "
	}
	return ": "
}
