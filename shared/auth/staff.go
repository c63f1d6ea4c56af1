package auth

import (
	"regexp"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// staffIDChars is what a staff id may be made of: it is opaque (a Cognito subject, a
// point-of-sale id) and never holds '#', which separates key parts. The length is
// checked apart (validStaffID): a counted repeat such as {1,128} compiles into a
// program of 128 copies, built at every cold start.
var staffIDChars = regexp.MustCompile(`^[A-Za-z0-9._:@-]+$`)

// maxStaffID is the longest staff id.
const maxStaffID = 128

func validStaffID(id string) bool { return len(id) <= maxStaffID && staffIDChars.MatchString(id) }

// ServingStaff is the staff member a record names as the one who served: the staffId a
// point of sale or a staff member gave, checked, or else a person's own subject (a
// machine client's subject names no person, so its record names nobody). A wrong id is
// a 400 naming field.
func ServingStaff(p Principal, given, field string) (string, error) {
	if given != "" {
		if !validStaffID(given) {
			return "", problem.Field(field, "must be 1 to 128 letters, digits or . _ : @ -")
		}
		return given, nil
	}
	if p.Has(wiring.Staff...) && validStaffID(p.Subject) {
		return p.Subject, nil
	}
	return "", nil
}

// ValidStaffID reports whether id is a well-formed staff id.
func ValidStaffID(id string) bool { return validStaffID(id) }
