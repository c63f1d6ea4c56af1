package auth

import (
	"regexp"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// staffIDPattern is what a staff id may be: opaque (a Cognito subject, a point-of-sale
// id), at most 128 characters, and never '#', which separates key parts.
var staffIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:@-]{1,128}$`)

// ServingStaff is the staff member a record names as the one who served: the staffId a
// point of sale or a staff member gave, checked, or else a person's own subject (a
// machine client's subject names no person, so its record names nobody). A wrong id is
// a 400 naming field.
func ServingStaff(p Principal, given, field string) (string, error) {
	if given != "" {
		if !staffIDPattern.MatchString(given) {
			return "", problem.Field(field, "must be 1 to 128 letters, digits or . _ : @ -")
		}
		return given, nil
	}
	if p.Has(wiring.Staff...) && staffIDPattern.MatchString(p.Subject) {
		return p.Subject, nil
	}
	return "", nil
}

// ValidStaffID reports whether id is a well-formed staff id.
func ValidStaffID(id string) bool { return staffIDPattern.MatchString(id) }
