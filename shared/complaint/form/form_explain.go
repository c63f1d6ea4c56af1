package form

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/shared/problem"
)

// explain puts each of intake's field errors next to its field, in the page's
// language; errors about anything else are shown above the form. It runs after keep:
// a field with a maximum says it is required when it was left empty, and its limit
// only when it is too long (intake names one problem for both).
func (f *form) explain(err error, t *words) {
	byName := map[string]*field{"category": f.Category, "severity": f.Severity, "description": f.Description,
		"contact.name": f.Name, "contact.phone": f.Phone, "contact.email": f.Email}
	var pe *problem.Error
	errors.As(err, &pe)
	general := func() {
		if !slices.Contains(f.General, t.Invalid) {
			f.General = append(f.General, t.Invalid)
		}
	}
	if pe == nil || len(pe.Fields) == 0 {
		general()
		return
	}
	for _, fe := range pe.Fields {
		fd := byName[fe.Field]
		if fd == nil {
			general()
			continue
		}
		fd.Error = fixes[fd.ID].Pick(t.Lang)
		// Counted as intake counts: trimmed, in characters.
		if n := utf8.RuneCountInString(strings.TrimSpace(fd.Value)); fd.Max > 0 && n > fd.Max {
			fd.Error = fmt.Sprintf(tooLong.Pick(t.Lang), fd.Max, n)
		}
	}
}
