package problem_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/problem"
)

func TestKindStatus(t *testing.T) {
	tests := []struct {
		kind problem.Kind
		want int
	}{
		{problem.Invalid, http.StatusBadRequest},
		{problem.Unauthorized, http.StatusUnauthorized},
		{problem.Forbidden, http.StatusForbidden},
		{problem.NotFound, http.StatusNotFound},
		{problem.Conflict, http.StatusConflict},
		{problem.Gone, http.StatusGone},
		{problem.TooLarge, http.StatusRequestEntityTooLarge},
		{problem.UnsupportedMed, http.StatusUnsupportedMediaType},
		{problem.KeyReused, http.StatusUnprocessableEntity},
		{problem.Throttled, http.StatusTooManyRequests},
		{problem.Unavailable, http.StatusServiceUnavailable},
		{problem.Internal, http.StatusInternalServerError},
		{problem.Kind("no-such-kind"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			if got := tt.kind.Status(); got != tt.want {
				t.Errorf("%q.Status() = %d, want %d", tt.kind, got, tt.want)
			}
		})
	}
}

// TestRenderEachKind checks the whole document for every kind a caller can see.
func TestRenderEachKind(t *testing.T) {
	tests := []struct {
		kind   problem.Kind
		status int
	}{
		{problem.Invalid, 400},
		{problem.Unauthorized, 401},
		{problem.Forbidden, 403},
		{problem.NotFound, 404},
		{problem.Conflict, 409},
		{problem.Gone, 410},
		{problem.TooLarge, 413},
		{problem.UnsupportedMed, 415},
		{problem.KeyReused, 422},
		{problem.Throttled, 429},
		{problem.Unavailable, 503},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			status, h, body := problem.Render(problem.New(tt.kind, "the detail for "+string(tt.kind)))
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if got := h.Get("Content-Type"); got != "application/problem+json" {
				t.Errorf("Content-Type = %q, want application/problem+json", got)
			}
			if h.Get("Retry-After") != "" {
				t.Errorf("Retry-After = %q without RetryAfter set", h.Get("Retry-After"))
			}
			want := problem.Body{
				Type:   "https://rapport.dev/problems/" + string(tt.kind),
				Title:  http.StatusText(tt.status),
				Status: tt.status,
				Detail: "the detail for " + string(tt.kind),
			}
			if body.Type != want.Type || body.Title != want.Title || body.Status != want.Status ||
				body.Detail != want.Detail || body.Errors != nil {
				t.Errorf("body = %+v, want %+v", body, want)
			}
		})
	}
}

func TestRenderInternalNeverLeaksTheCause(t *testing.T) {
	const secret = "dial tcp 10.1.2.3:8000: password=hunter2"
	tests := []struct {
		name string
		err  error
	}{
		{"plain error", errors.New(secret)},
		{"wrapped plain error", fmt.Errorf("save response: %w", errors.New(secret))},
		{"internal with cause", &problem.Error{Kind: problem.Internal, Detail: "query failed", Err: errors.New(secret)}},
		{"internal with a secret detail", problem.New(problem.Internal, secret)},
		{"wrapped internal", fmt.Errorf("submit: %w", &problem.Error{Kind: problem.Internal, Detail: secret, Err: errors.New(secret)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := problem.Render(tt.err)
			if status != http.StatusInternalServerError {
				t.Errorf("status = %d, want 500", status)
			}
			if got := h.Get("Content-Type"); got != problem.ContentType {
				t.Errorf("Content-Type = %q", got)
			}
			raw, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			for _, leak := range []string{"hunter2", "10.1.2.3", "query failed", "dial tcp"} {
				if bytes.Contains(raw, []byte(leak)) {
					t.Errorf("body %s leaks %q", raw, leak)
				}
			}
			if body.Detail == "" {
				t.Error("an internal error has no detail at all; want a generic one")
			}
			if body.Type != "https://rapport.dev/problems/internal" {
				t.Errorf("type = %q", body.Type)
			}
		})
	}
}

func TestRenderRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		retryAfter string
	}{
		{"unavailable", problem.Unavailablef(errors.New("throughput exceeded"), "the survey store is busy"), 503, "2"},
		{"wrapped unavailable", fmt.Errorf("put: %w", problem.Unavailablef(errors.New("x"), "busy")), 503, "2"},
		{"throttled", &problem.Error{Kind: problem.Throttled, Detail: "slow down", RetryAfter: 30}, 429, "30"},
		{"no retry", problem.New(problem.Unavailable, "down"), 503, ""},
		{"negative is not sent", &problem.Error{Kind: problem.Unavailable, Detail: "down", RetryAfter: -1}, 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := problem.Render(tt.err)
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if got := h.Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tt.retryAfter)
			}
			if strings.Contains(body.Detail, "throughput exceeded") {
				t.Errorf("detail %q shows the cause", body.Detail)
			}
		})
	}
}

func TestRenderFields(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantDetail string
		wantErrors string // the JSON of "errors"
	}{
		{
			name:       "one field",
			err:        problem.Field("answers[0].value", "must be a whole number from 0 to 10"),
			wantDetail: "answers[0].value: must be a whole number from 0 to 10",
			wantErrors: `[{"field":"answers[0].value","message":"must be a whole number from 0 to 10"}]`,
		},
		{
			name: "several fields",
			err: problem.Fields([]problem.FieldError{
				{Field: "answers", Message: "question nps is required"},
				{Field: "comment", Message: "must be at most 4000 characters"},
				{Field: "answers[2].questionId", Message: "is answered twice"},
			}),
			wantDetail: "answers: question nps is required (and 2 more)",
			wantErrors: `[{"field":"answers","message":"question nps is required"},` +
				`{"field":"comment","message":"must be at most 4000 characters"},` +
				`{"field":"answers[2].questionId","message":"is answered twice"}]`,
		},
		{
			name:       "wrapped field",
			err:        fmt.Errorf("check: %w", problem.Field("comment", "too long")),
			wantDetail: "comment: too long",
			wantErrors: `[{"field":"comment","message":"too long"}]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := problem.Render(tt.err)
			if status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", status)
			}
			if body.Detail != tt.wantDetail {
				t.Errorf("detail = %q, want %q", body.Detail, tt.wantDetail)
			}
			var doc struct {
				Errors json.RawMessage `json:"errors"`
			}
			raw, _ := json.Marshal(body)
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			if string(doc.Errors) != tt.wantErrors {
				t.Errorf("errors = %s, want %s", doc.Errors, tt.wantErrors)
			}
		})
	}
}

func TestFieldsWithNoneIsNil(t *testing.T) {
	if err := problem.Fields(nil); err != nil {
		t.Errorf("Fields(nil) = %v, want nil", err)
	}
	if err := problem.Fields([]problem.FieldError{}); err != nil {
		t.Errorf("Fields(empty) = %v, want nil", err)
	}
}

func TestWrappedErrorsKeepTheirKind(t *testing.T) {
	cause := errors.New("ConditionalCheckFailed")
	base := &problem.Error{Kind: problem.Conflict, Detail: "already answered", Err: cause}
	tests := []struct {
		name string
		err  error
		kind problem.Kind
	}{
		{"bare", base, problem.Conflict},
		{"wrapped once", fmt.Errorf("submit demo-stay: %w", base), problem.Conflict},
		{"wrapped twice", fmt.Errorf("handler: %w", fmt.Errorf("submit: %w", problem.New(problem.Gone, "expired"))), problem.Gone},
		{"joined", errors.Join(errors.New("other"), problem.New(problem.NotFound, "no survey")), problem.NotFound},
		{"no kind", fmt.Errorf("x: %w", errors.New("y")), problem.Internal},
		{"plain", errors.New("plain"), problem.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := problem.KindOf(tt.err); got != tt.kind {
				t.Errorf("KindOf = %q, want %q", got, tt.kind)
			}
			if status, _, _ := problem.Render(tt.err); status != tt.kind.Status() {
				t.Errorf("Render status = %d, want %d", status, tt.kind.Status())
			}
		})
	}
	if !errors.Is(fmt.Errorf("w: %w", base), cause) {
		t.Error("errors.Is does not reach the cause through *problem.Error")
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *problem.Error
		want string
	}{
		{problem.New(problem.NotFound, "no survey \"x\""), `not-found: no survey "x"`},
		{problem.Newf(problem.Conflict, "%d points short", 5), "conflict: 5 points short"},
		{problem.Unavailablef(errors.New("timeout"), "store %s", "surveys"), "unavailable: store surveys: timeout"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// captureLogs routes slog's default logger into a buffer for one test.
func captureLogs(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &buf
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		level      string
		retryAfter string
		wantKeys   []string
	}{
		{"invalid field", problem.Field("comment", "too long"), 400, "INFO", "", []string{"type", "title", "status", "detail", "errors"}},
		{"not found", problem.New(problem.NotFound, "no survey"), 404, "INFO", "", []string{"type", "title", "status", "detail"}},
		{"unavailable", problem.Unavailablef(errors.New("ProvisionedThroughputExceeded"), "busy"), 503, "ERROR", "2", []string{"type", "title", "status", "detail"}},
		{"internal", fmt.Errorf("save: %w", errors.New("secret-cause-42")), 500, "ERROR", "", []string{"type", "title", "status", "detail"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := captureLogs(t)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/v1/surveys/x", nil)
			problem.Write(rec, req, tt.err)

			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("Content-Type"); got != "application/problem+json" {
				t.Errorf("Content-Type = %q", got)
			}
			if got := rec.Header().Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tt.retryAfter)
			}
			var doc map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("body %q is not JSON: %v", rec.Body, err)
			}
			if len(doc) != len(tt.wantKeys) {
				t.Errorf("body has keys %v, want %v", keys(doc), tt.wantKeys)
			}
			for _, k := range tt.wantKeys {
				if _, ok := doc[k]; !ok {
					t.Errorf("body %s lacks %q", rec.Body, k)
				}
			}
			if string(doc["status"]) != fmt.Sprint(tt.status) {
				t.Errorf("body status = %s, want %d", doc["status"], tt.status)
			}
			if strings.Contains(rec.Body.String(), "secret-cause-42") || strings.Contains(rec.Body.String(), "ProvisionedThroughputExceeded") {
				t.Errorf("body %s shows the cause", rec.Body)
			}

			// Logged exactly once, at error level for 5xx, with the cause kept for operators.
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("logged %d lines, want 1: %s", len(lines), logs)
			}
			var line struct {
				Level  string `json:"level"`
				Status int    `json:"status"`
				Error  string `json:"error"`
			}
			if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
				t.Fatal(err)
			}
			if line.Level != tt.level || line.Status != tt.status || line.Error != tt.err.Error() {
				t.Errorf("log line = %+v, want level %s status %d error %q", line, tt.level, tt.status, tt.err.Error())
			}
		})
	}
}

func TestWriteCarriesTheRequestContext(t *testing.T) {
	type key struct{}
	var seen any
	h := ctxHandler{inner: slog.NewJSONHandler(&bytes.Buffer{}, nil), see: func(ctx context.Context) { seen = ctx.Value(key{}) }}
	prev := slog.Default()
	slog.SetDefault(slog.New(h))
	t.Cleanup(func() { slog.SetDefault(prev) })

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(context.WithValue(req.Context(), key{}, "req-1"))
	problem.Write(httptest.NewRecorder(), req, problem.New(problem.NotFound, "x"))
	if seen != "req-1" {
		t.Errorf("the log record's context holds %v, want the request's (req-1)", seen)
	}
}

// ctxHandler reports the context each record is logged with.
type ctxHandler struct {
	inner slog.Handler
	see   func(context.Context)
}

func (h ctxHandler) Enabled(ctx context.Context, l slog.Level) bool { return true }
func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	h.see(ctx)
	return h.inner.Handle(ctx, r)
}
func (h ctxHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return ctxHandler{h.inner.WithAttrs(a), h.see}
}
func (h ctxHandler) WithGroup(g string) slog.Handler { return ctxHandler{h.inner.WithGroup(g), h.see} }

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestAnyFiveHundredHidesItsCause(t *testing.T) {
	for _, err := range []error{
		&problem.Error{Detail: "dynamodb: password for 10.0.0.5"},
		problem.New(problem.Kind("db"), "pq: auth failed"),
		&problem.Error{Kind: problem.Internal, Detail: "secret", Fields: []problem.FieldError{{"f", "secret"}}},
	} {
		status, _, body := problem.Render(err)
		if status != 500 || strings.Contains(body.Detail, "secret") || strings.Contains(body.Detail, "password") ||
			strings.Contains(body.Detail, "pq:") || body.Errors != nil {
			t.Errorf("Render(%v) = %d %+v", err, status, body)
		}
	}
}

// A refusal's reason and facts reach the document as extension members, a copy's
// reason does not change the error it was made from, and a 500 shows neither.
func TestRenderReasonAndFacts(t *testing.T) {
	base := problem.New(problem.Conflict, "this voucher was cancelled")
	err := fmt.Errorf("redeem: %w", base.Because("voucher-cancelled", map[string]any{"at": "2026-12-01T10:00:00Z"}))
	_, _, body := problem.Render(err)
	b, _ := json.Marshal(body)
	want := `{"type":"https://rapport.dev/problems/conflict","title":"Conflict","status":409,"detail":"this voucher was cancelled","reason":"voucher-cancelled","facts":{"at":"2026-12-01T10:00:00Z"}}`
	if string(b) != want {
		t.Errorf("body %s\nwant %s", b, want)
	}
	if base.Reason != "" || base.Facts != nil {
		t.Errorf("Because changed the error it copied: %+v", base)
	}
	_, _, plain := problem.Render(base)
	if b, _ := json.Marshal(plain); strings.Contains(string(b), "reason") || strings.Contains(string(b), "facts") {
		t.Errorf("a problem without a reason shows one: %s", b)
	}
	_, _, internal := problem.Render(&problem.Error{Kind: problem.Internal, Detail: "x", Reason: "secret", Facts: map[string]any{"k": 1}})
	if internal.Reason != "" || internal.Facts != nil {
		t.Errorf("a 500 shows its reason or facts: %+v", internal)
	}
}
