// Package web holds the HTTP plumbing every function shares: JSON bodies with limits,
// JSON replies, request logging and panic recovery.
package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/problem"
)

// MaxBody is the largest request body accepted: 64 KiB.
const MaxBody = 64 << 10

// LimitJSON rejects bodies that are not JSON (415) or larger than max bytes (413), and
// buffers the body so later layers (idempotency hashing, decoding) can read it again.
func LimitJSON(max int64, next http.Handler) http.Handler { return limit(max, false, next) }

// LimitForm is LimitJSON for routes that also take HTML form posts
// (application/x-www-form-urlencoded, or multipart/form-data, which RFC 8058 one-click
// unsubscribe requests should use).
func LimitForm(max int64, next http.Handler) http.Handler { return limit(max, true, next) }

func limit(max int64, forms bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Get("Content-Type")
		if !isJSON(ct) && !(forms && (IsForm(r) || isMultipart(ct))) {
			msg := "Content-Type must be application/json"
			if forms {
				msg += ", application/x-www-form-urlencoded or multipart/form-data"
			}
			problem.Write(w, r, problem.New(problem.UnsupportedMed, msg))
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			problem.Write(w, r, problem.New(problem.Invalid, "the body could not be read"))
			return
		}
		if int64(len(body)) > max {
			problem.Write(w, r, problem.Newf(problem.TooLarge, "the body is larger than %d bytes", max))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// IsForm tells whether a request carries an HTML form post.
func IsForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

func isMultipart(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "multipart/form-data"
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// Decode reads one JSON value into dst, rejecting unknown fields and trailing data.
// Errors are problem.Invalid and name the field where the JSON says which one.
func Decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return problem.New(problem.Invalid, "the body could not be read")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if field, msg, ok := badValue(body, dst); ok {
			return problem.Field(field, msg)
		}
		return decodeError(err)
	}
	if dec.More() {
		return problem.New(problem.Invalid, "the body must hold exactly one JSON value")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return problem.New(problem.Invalid, "unexpected data after the JSON value")
	}
	var errs []problem.FieldError
	bounded(reflect.ValueOf(dst), "", &errs)
	return problem.Fields(errs)
}

// bounded names every id ("…Id") and token ("…Token") string field of v longer than
// an id or token in a path may be: such values become DynamoDB keys, which have limits
// of their own, and are refused here naming the field instead.
func bounded(v reflect.Value, path string, errs *[]problem.FieldError) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				bounded(v.Field(i), path, errs)
				continue
			}
			name = cmp.Or(name, f.Name)
			fv := v.Field(i)
			if fv.Kind() == reflect.String {
				max := 0
				switch {
				case strings.HasSuffix(name, "Id"):
					max = MaxID
				case strings.HasSuffix(name, "Token"):
					max = MaxToken
				}
				if max > 0 && len(fv.String()) > max {
					*errs = append(*errs, problem.FieldError{Field: join(path, name), Message: fmt.Sprintf("must be at most %d bytes", max)})
				}
				continue
			}
			bounded(fv, join(path, name), errs)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			bounded(v.Index(i), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	}
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return problem.New(problem.Invalid, "the body is empty; a JSON object is required")
	case errors.As(err, &syntax):
		return problem.Newf(problem.Invalid, "malformed JSON at byte %d", syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem.New(problem.Invalid, "malformed JSON: the body ends too early")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return problem.Field(field, fmt.Sprintf("must be %s", typeName(typeErr.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return problem.Field(field, "unknown field")
	default:
		// The error's text can quote the value sent (a time, a token): never echo it.
		return problem.New(problem.Invalid, "malformed JSON")
	}
}

// badValue finds the field whose value a type's own UnmarshalJSON refused (a time
// that is not RFC 3339, say): encoding/json reports those errors without the field,
// so the body is walked beside dst's type and each such value decoded alone.
func badValue(body []byte, dst any) (field, msg string, ok bool) {
	var raw any
	if json.Unmarshal(body, &raw) != nil {
		return "", "", false
	}
	return walk(reflect.TypeOf(dst), raw, "")
}

var (
	unmarshaler = reflect.TypeFor[json.Unmarshaler]()
	timeType    = reflect.TypeFor[time.Time]()
)

func walk(t reflect.Type, v any, path string) (string, string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return "", "", false
	}
	if reflect.PointerTo(t).Implements(unmarshaler) {
		b, _ := json.Marshal(v)
		if json.Unmarshal(b, reflect.New(t).Interface()) != nil {
			if t == timeType {
				return orBody(path), "must be an RFC 3339 time, e.g. 2026-11-23T09:30:00Z", true
			}
			return orBody(path), "is not a valid value", true
		}
		return "", "", false
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return "", "", false
		}
		return walkStruct(t, obj, path)
	case reflect.Slice, reflect.Array:
		arr, ok := v.([]any)
		if !ok {
			return "", "", false
		}
		for i, el := range arr {
			if f, m, ok := walk(t.Elem(), el, fmt.Sprintf("%s[%d]", path, i)); ok {
				return f, m, ok
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return "", "", false
		}
		for k, el := range obj {
			if f, m, ok := walk(t.Elem(), el, join(path, k)); ok {
				return f, m, ok
			}
		}
	}
	return "", "", false
}

func walkStruct(t reflect.Type, obj map[string]any, path string) (string, string, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			if fld, m, ok := walk(f.Type, obj, path); ok {
				return fld, m, ok
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		sub, present := obj[name]
		if !present { // encoding/json matches names case-insensitively too
			for k, v := range obj {
				if strings.EqualFold(k, name) {
					sub, present = v, true
				}
			}
		}
		if !present {
			continue
		}
		if fld, m, ok := walk(f.Type, sub, join(path, name)); ok {
			return fld, m, ok
		}
	}
	return "", "", false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orBody(path string) string { return cmp.Or(path, "body") }

func typeName(kind string) string {
	switch kind {
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int64", "float64", "int32", "uint", "uint64":
		return "a number"
	default:
		return "a " + kind
	}
}

// JSON writes v with a status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// statusWriter remembers the status for the log line.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Log writes one slog line per request (route, status, duration, request id) and turns
// a panic into a 500 problem. It logs no bodies, headers or query strings: they can
// carry personal data.
func Log(route string, requestID func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				slog.ErrorContext(r.Context(), "panic", "route", route, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					problem.Write(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			slog.InfoContext(r.Context(), "request", "route", route, "status", sw.status,
				"durationMs", time.Since(start).Milliseconds(), "requestId", requestID(r))
		}()
		next.ServeHTTP(sw, r)
	})
}

// Marshal encodes v exactly as JSON writes it, for handlers that must store the very
// bytes they send (idempotent replays).
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Raw writes an already encoded body.
func Raw(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
