package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/shared/problem"
)

// DecodeWhole reads a whole document that a PUT replaces: like Decode, and every field
// the document's type has without omitempty must be present (nested objects too), so a
// partial body is refused naming each missing field instead of silently resetting the
// rest. Fields the server sets (exempt, by their JSON path) may be left out.
func DecodeWhole(r *http.Request, dst any, exempt ...string) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := Decode(r, dst); err != nil {
		return err
	}
	var raw any
	if err := json.Unmarshal(body, &raw); err != nil {
		return decodeError(err)
	}
	var errs []problem.FieldError
	missing(reflect.TypeOf(dst).Elem(), raw, "", exempt, &errs)
	return problem.Fields(errs)
}

// missing names the required fields of t absent from the decoded JSON value v.
func missing(t reflect.Type, v any, prefix string, exempt []string, errs *[]problem.FieldError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	obj, ok := v.(map[string]any)
	if t.Kind() != reflect.Struct || !ok {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			missing(f.Type, v, prefix, exempt, errs)
			continue
		}
		if name == "" {
			name = f.Name
		}
		path := prefix + name
		sub, present := obj[name]
		switch {
		case strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero") || slices.Contains(exempt, path):
		case !present:
			*errs = append(*errs, problem.FieldError{Field: path, Message: "is required: a PUT replaces the whole document (GET it, change it, PUT it back)"})
			continue
		}
		if present {
			missing(f.Type, sub, path+".", exempt, errs)
		}
	}
}
