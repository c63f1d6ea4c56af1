// Package problem classifies errors into a small set of kinds and writes them as
// RFC 9457 application/problem+json; it is the one place where kinds become statuses.
package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
)

// Kind is the class of an error, which decides its HTTP status.
type Kind string

const (
	Invalid        Kind = "invalid"      // 400: malformed or invalid input
	Unauthorized   Kind = "unauthorized" // 401: no or bad token
	Forbidden      Kind = "forbidden"    // 403: authenticated but not allowed
	NotFound       Kind = "not-found"    // 404
	Conflict       Kind = "conflict"     // 409: already done, wrong state
	Gone           Kind = "gone"         // 410: expired or used
	TooLarge       Kind = "too-large"    // 413
	UnsupportedMed Kind = "unsupported"  // 415: not JSON
	KeyReused      Kind = "key-reused"   // 422: Idempotency-Key reused with another body
	Throttled      Kind = "throttled"    // 429
	Unavailable    Kind = "unavailable"  // 503: a dependency is down; retry later
	Internal       Kind = "internal"     // 500
)

var statuses = map[Kind]int{
	Invalid:        http.StatusBadRequest,
	Unauthorized:   http.StatusUnauthorized,
	Forbidden:      http.StatusForbidden,
	NotFound:       http.StatusNotFound,
	Conflict:       http.StatusConflict,
	Gone:           http.StatusGone,
	TooLarge:       http.StatusRequestEntityTooLarge,
	UnsupportedMed: http.StatusUnsupportedMediaType,
	KeyReused:      http.StatusUnprocessableEntity,
	Throttled:      http.StatusTooManyRequests,
	Unavailable:    http.StatusServiceUnavailable,
	Internal:       http.StatusInternalServerError,
}

// Status is the HTTP status of a kind.
func (k Kind) Status() int {
	if s, ok := statuses[k]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// FieldError names one invalid field (a JSON pointer-like path such as "answers[0].value").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error with a kind, a message safe to show to the caller, and the fields
// at fault. Wrap it with fmt.Errorf("...: %w", err) freely; Write finds it with errors.As.
type Error struct {
	Kind   Kind
	Detail string
	Fields []FieldError
	// Reason names a refusal for machines ("voucher-redeemed"), and Facts are its
	// particulars ({"redeemedAt": ..., "locationId": ...}): a client says them in its
	// own language instead of reading Detail, which is English and may be reworded.
	// A reason, once given, is kept: clients switch on it.
	Reason string
	Facts  map[string]any
	// RetryAfter is sent as Retry-After (seconds) with Unavailable and Throttled.
	RetryAfter int
	// Err is the underlying cause, logged but never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Detail, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Detail)
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an error of a kind with a caller-safe detail.
func New(kind Kind, detail string) *Error { return &Error{Kind: kind, Detail: detail} }

// Newf is New with formatting.
func Newf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// Because is a copy of e that gives its reason and facts (see Error.Reason).
func (e *Error) Because(reason string, facts map[string]any) *Error {
	c := *e
	c.Reason, c.Facts = reason, facts
	return &c
}

// Field makes an Invalid error naming one field.
func Field(field, message string) *Error {
	return &Error{Kind: Invalid, Detail: field + ": " + message, Fields: []FieldError{{field, message}}}
}

// Fields makes an Invalid error naming several fields; nil if there are none.
func Fields(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	detail := fields[0].Field + ": " + fields[0].Message
	if len(fields) > 1 {
		detail += fmt.Sprintf(" (and %d more)", len(fields)-1)
	}
	return &Error{Kind: Invalid, Detail: detail, Fields: fields}
}

// Unavailablef marks a dependency failure: 503 with Retry-After.
func Unavailablef(err error, format string, args ...any) *Error {
	return &Error{Kind: Unavailable, Detail: fmt.Sprintf(format, args...), RetryAfter: 2, Err: err}
}

// KindOf is the kind of an error; Internal for errors without one.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Body is the RFC 9457 document.
type Body struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
	// Reason and Facts are extension members (RFC 9457 §3.2): see Error.Reason.
	Reason string         `json:"reason,omitempty"`
	Facts  map[string]any `json:"facts,omitempty"`
}

// ContentType is the media type of problem documents.
const ContentType = "application/problem+json"

// Render turns an error into a status, headers and a problem body. Internal errors
// get a generic detail: internals never leak into a 5xx body.
func Render(err error) (int, http.Header, Body) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Kind: Internal, Err: err}
	}
	status := e.Kind.Status()
	detail, fields, reason, facts := e.Detail, e.Fields, e.Reason, e.Facts
	if status == http.StatusInternalServerError {
		// Whatever produced it, a 500 shows nothing of its cause.
		detail, fields, reason, facts = "an unexpected error occurred; it has been logged", nil, "", nil
	}
	h := http.Header{}
	h.Set("Content-Type", ContentType)
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	return status, h, Body{
		Type:   "https://rapport.dev/problems/" + string(e.Kind),
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Errors: fields,
		Reason: reason,
		Facts:  facts,
	}
}

// Write writes err as problem+json and logs it once, at error level for 5xx.
func Write(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		err = errors.New("problem.Write called without an error")
	}
	status, h, body := Render(err)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	slog.Log(r.Context(), level, "request failed", "status", status, "kind", string(KindOf(err)), "error", err.Error())
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
