package registry

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// The staff directory's routes: staff read the names at the locations they see;
// managers (the wiring table's roles) name staff ids at their locations. Another
// location's directory is not found.
func staffRoutes(s *Registry) map[string]http.Handler {
	return map[string]http.Handler{
		"GET /v1/locations/{locationId}/staff": app.StaffJSON(func(r *http.Request, p auth.Principal) (int, any, error) {
			l, err := s.Visible(r.Context(), p, r.PathValue("locationId"))
			if err != nil {
				return 0, nil, err
			}
			items, err := s.Store.StaffDirectory(r.Context(), l.ID)
			return http.StatusOK, map[string]any{"items": items}, err
		}),
		"PUT /v1/locations/{locationId}/staff/{staffId}":    app.StaffJSON(s.nameStaff),
		"DELETE /v1/locations/{locationId}/staff/{staffId}": http.HandlerFunc(s.unnameStaff),
	}
}

// MaxStaffName bounds a display name, in characters.
const MaxStaffName = 80

// staffName is a directory entry's body.
type staffName struct {
	Name string `json:"name"`
}

func (s *Registry) nameStaff(r *http.Request, p auth.Principal) (int, any, error) {
	var body staffName
	if err := web.Decode(r, &body); err != nil {
		return 0, nil, err
	}
	id := r.PathValue("staffId")
	var errs []problem.FieldError
	if !auth.ValidStaffID(id) {
		errs = append(errs, problem.FieldError{Field: "staffId", Message: "must be 1 to 128 letters, digits or . _ : @ -"})
	}
	name := strings.TrimSpace(body.Name)
	if n := utf8.RuneCountInString(name); n == 0 || n > MaxStaffName {
		errs = append(errs, problem.FieldError{Field: "name", Message: "must be 1 to 80 characters"})
	}
	if err := problem.Fields(errs); err != nil {
		return 0, nil, err
	}
	l, err := s.Visible(r.Context(), p, r.PathValue("locationId"))
	if err != nil {
		return 0, nil, err
	}
	m := location.StaffMember{StaffID: id, LocationID: l.ID, Name: name, UpdatedAt: s.Clock.Now(), UpdatedBy: p.Subject}
	return http.StatusOK, m, s.Store.PutStaffMember(r.Context(), m)
}

func (s *Registry) unnameStaff(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.From(r.Context())
	l, err := s.Visible(r.Context(), p, r.PathValue("locationId"))
	if err == nil {
		err = s.Store.DeleteStaffMember(r.Context(), l.ID, r.PathValue("staffId"))
	}
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
