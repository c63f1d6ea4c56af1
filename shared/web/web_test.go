package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// submission mirrors the shape of a survey response, the body these helpers mostly see.
type submission struct {
	InvitationToken string   `json:"invitationToken"`
	Answers         []answer `json:"answers"`
	Comment         string   `json:"comment"`
}

type answer struct {
	QuestionID string `json:"questionId"`
	Value      any    `json:"value"`
}

// problemDoc is the problem+json body, decoded strictly so extra fields fail the test.
type problemDoc struct {
	Type   string               `json:"type"`
	Title  string               `json:"title"`
	Status int                  `json:"status"`
	Detail string               `json:"detail"`
	Errors []problem.FieldError `json:"errors"`
}

func readProblem(t *testing.T, rec *httptest.ResponseRecorder, status int) problemDoc {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", got)
	}
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	var doc problemDoc
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("body %q is not a problem document: %v", rec.Body, err)
	}
	if doc.Status != status || doc.Title == "" || doc.Type == "" {
		t.Errorf("problem document %+v does not match status %d", doc, status)
	}
	return doc
}

// quiet silences the request and error logs of one test.
func quiet(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &buf
}

// echo records the body the next handler received.
type echo struct {
	called bool
	body   []byte
	length int64
}

func (e *echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.called = true
	e.body, _ = io.ReadAll(r.Body)
	e.length = r.ContentLength
	w.WriteHeader(http.StatusNoContent)
}

func TestLimitJSONContentType(t *testing.T) {
	tests := []struct {
		contentType string
		ok          bool
	}{
		{"application/json", true},
		{"application/json; charset=utf-8", true},
		{"Application/JSON; charset=UTF-8", true},
		{"application/merge-patch+json", true},
		{"", false},
		{"text/plain", false},
		{"text/json", false},
		{"application/x-www-form-urlencoded", false},
		{"multipart/form-data; boundary=x", false},
		{"application/jsonp", false},
		{"application/json; charset", false}, // malformed parameter
		{"json", false},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			quiet(t)
			next := &echo{}
			req := httptest.NewRequest(http.MethodPost, "/v1/surveys/demo-stay/responses", strings.NewReader(`{"answers":[]}`))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			web.LimitJSON(web.MaxBody, next).ServeHTTP(rec, req)

			if tt.ok {
				if rec.Code != http.StatusNoContent || !next.called {
					t.Fatalf("status = %d, next called = %v; want the request passed on", rec.Code, next.called)
				}
				if string(next.body) != `{"answers":[]}` {
					t.Errorf("next read %q", next.body)
				}
				return
			}
			readProblem(t, rec, http.StatusUnsupportedMediaType)
			if next.called {
				t.Error("next was called for a body that is not JSON")
			}
		})
	}
}

// jsonOfSize is a valid JSON object of exactly n bytes.
func jsonOfSize(n int) []byte {
	const open, close = `{"comment":"`, `"}`
	return []byte(open + strings.Repeat("x", n-len(open)-len(close)) + close)
}

func TestLimitJSONSize(t *testing.T) {
	if web.MaxBody != 64*1024 {
		t.Fatalf("MaxBody = %d, the contract says 64 KiB", web.MaxBody)
	}
	tests := []struct {
		name string
		size int
		// hideLength sends the body without a Content-Length, as a chunked upload would.
		hideLength bool
		status     int
	}{
		{"empty", 0, false, http.StatusNoContent},
		{"small", 100, false, http.StatusNoContent},
		{"exactly 64 KiB", web.MaxBody, false, http.StatusNoContent},
		{"exactly 64 KiB, no length", web.MaxBody, true, http.StatusNoContent},
		{"64 KiB + 1", web.MaxBody + 1, false, http.StatusRequestEntityTooLarge},
		{"64 KiB + 1, no length", web.MaxBody + 1, true, http.StatusRequestEntityTooLarge},
		{"1 MiB", 1 << 20, false, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quiet(t)
			var body []byte
			if tt.size > 0 {
				body = jsonOfSize(tt.size)
			}
			var r io.Reader = bytes.NewReader(body)
			if tt.hideLength {
				r = io.MultiReader(r) // not a type httptest knows the length of
			}
			req := httptest.NewRequest(http.MethodPost, "/v1/complaints", r)
			req.Header.Set("Content-Type", "application/json")
			next := &echo{}
			rec := httptest.NewRecorder()
			web.LimitJSON(web.MaxBody, next).ServeHTTP(rec, req)

			if tt.status != http.StatusNoContent {
				readProblem(t, rec, tt.status)
				if next.called {
					t.Error("next was called for a body over the limit")
				}
				return
			}
			if rec.Code != tt.status || !next.called {
				t.Fatalf("status = %d, next called = %v", rec.Code, next.called)
			}
			if !bytes.Equal(next.body, body) || next.length != int64(len(body)) {
				t.Errorf("next got %d bytes (ContentLength %d), want %d", len(next.body), next.length, len(body))
			}
		})
	}
}

// decodeHandler decodes into a submission and answers 400 problems the way handlers do.
func decodeHandler(got *submission) http.Handler {
	return web.LimitJSON(web.MaxBody, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := web.Decode(r, got); err != nil {
			problem.Write(w, r, err)
			return
		}
		web.JSON(w, http.StatusCreated, got)
	}))
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantField string // errors[0].field, or "" when no field can be named
		detail    string // a part of the detail
	}{
		{"empty body", ``, "", "empty"},
		{"only whitespace", " \n\t ", "", "empty"},
		{"malformed", `{"answers":[{"questionId":"nps","value":3}`, "", "malformed"},
		{"syntax error", `{"answers":[}`, "", "malformed JSON at byte"},
		{"single quotes", `{'comment':'x'}`, "", "malformed"},
		{"unknown field", `{"answers":[],"rating":5}`, "rating", "unknown field"},
		{"unknown field only", `{"Comment2":"x"}`, "Comment2", "unknown field"},
		{"answers as a string", `{"answers":"nps=3"}`, "answers", "must be an array"},
		{"answers as an object", `{"answers":{"nps":3}}`, "answers", "must be an array"},
		{"comment as a number", `{"comment":5}`, "comment", "must be a string"},
		{"questionId as a number", `{"answers":[{"questionId":5,"value":3}]}`, "answers.questionId", "must be a string"},
		{"array at the top", `[{"questionId":"nps","value":3}]`, "body", "must be an object"},
		{"number at the top", `42`, "body", "must be an object"},
		{"two objects", `{"comment":"a"} {"comment":"b"}`, "", "exactly one JSON value"},
		{"trailing garbage", `{"comment":"a"}x`, "", "exactly one JSON value"},
		{"trailing bracket", `{"comment":"a"}]`, "", "after the JSON value"},
		{"trailing comma", `{"comment":"a"},`, "", "exactly one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quiet(t)
			req := httptest.NewRequest(http.MethodPost, "/v1/surveys/demo-stay/responses", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			decodeHandler(&submission{}).ServeHTTP(rec, req)

			doc := readProblem(t, rec, http.StatusBadRequest)
			if !strings.Contains(doc.Detail, tt.detail) {
				t.Errorf("detail %q does not mention %q", doc.Detail, tt.detail)
			}
			if tt.wantField == "" {
				if len(doc.Errors) != 0 {
					t.Errorf("errors = %+v, want none", doc.Errors)
				}
				return
			}
			if len(doc.Errors) != 1 || doc.Errors[0].Field != tt.wantField || doc.Errors[0].Message == "" {
				t.Errorf("errors = %+v, want one naming %q", doc.Errors, tt.wantField)
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name string
		body string
		want submission
	}{
		{"full", `{"invitationToken":"tok","answers":[{"questionId":"nps","value":3},{"questionId":"c","value":["a","b"]}],"comment":"cold room"}`,
			submission{InvitationToken: "tok", Answers: []answer{{"nps", 3.0}, {"c", []any{"a", "b"}}}, Comment: "cold room"}},
		{"surrounding whitespace", "\n  {\"comment\":\"x\"}  \n", submission{Comment: "x"}},
		{"empty object", `{}`, submission{}},
		{"unicode", `{"comment":"房间很冷"}`, submission{Comment: "房间很冷"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got submission
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			if err := web.Decode(req, &got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(tt.want)
			if !bytes.Equal(a, b) {
				t.Errorf("decoded %s, want %s", a, b)
			}
		})
	}
}

func TestDecodeErrorsAreInvalid(t *testing.T) {
	for _, body := range []string{``, `{`, `{"x":1}`, `{"comment":1}`, `{}{}`} {
		err := web.Decode(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), &submission{})
		if problem.KindOf(err) != problem.Invalid {
			t.Errorf("Decode(%q) = %v, kind %q; want invalid", body, err, problem.KindOf(err))
		}
	}
}

func TestLogRecoversPanic(t *testing.T) {
	const secret = "runtime error: index out of range; customer phone +8613800000000"
	logs := quiet(t)
	h := web.Log("POST /v1/complaints", func(*http.Request) string { return "req-123" },
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(secret) }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/complaints", nil))

	doc := readProblem(t, rec, http.StatusInternalServerError)
	if strings.Contains(rec.Body.String(), "index out of range") || strings.Contains(rec.Body.String(), "+8613800000000") ||
		strings.Contains(rec.Body.String(), "panic") {
		t.Errorf("body %s shows the panic", rec.Body)
	}
	if doc.Detail == "" {
		t.Error("no generic detail")
	}
	line := requestLine(t, logs)
	if line.Status != http.StatusInternalServerError || line.Route != "POST /v1/complaints" || line.RequestID != "req-123" {
		t.Errorf("request log line = %+v", line)
	}
}

func TestLogPanicAfterTheHeaderKeepsTheStatus(t *testing.T) {
	logs := quiet(t)
	h := web.Log("GET /x", func(*http.Request) string { return "" },
		http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte("partial"))
			panic("late")
		}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	if rec.Code != http.StatusAccepted || rec.Body.String() != "partial" {
		t.Errorf("got %d %q; a second header or a problem body was written after the response began", rec.Code, rec.Body)
	}
	if line := requestLine(t, logs); line.Status != http.StatusAccepted {
		t.Errorf("logged status %d, want 202", line.Status)
	}
}

func TestLogLine(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int
	}{
		{"explicit status", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) }, 201},
		{"implicit 200", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{}")) }, 200},
		{"problem", func(w http.ResponseWriter, r *http.Request) { problem.Write(w, r, problem.New(problem.NotFound, "no")) }, 404},
		{"second WriteHeader ignored", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusConflict)
			w.WriteHeader(http.StatusOK)
		}, 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := quiet(t)
			h := web.Log("GET /v1/customers/{customerId}", func(*http.Request) string { return "rid" }, tt.handler)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/customers/c-1?email=ann@example.com", nil))
			line := requestLine(t, logs)
			if line.Status != tt.status || line.Route != "GET /v1/customers/{customerId}" || line.RequestID != "rid" {
				t.Errorf("request log line = %+v, want status %d", line, tt.status)
			}
			if strings.Contains(logs.String(), "ann@example.com") || strings.Contains(logs.String(), "c-1") {
				t.Errorf("the log holds the path or query: %s", logs)
			}
		})
	}
}

type logLine struct {
	Msg       string `json:"msg"`
	Route     string `json:"route"`
	Status    int    `json:"status"`
	RequestID string `json:"requestId"`
}

// requestLine finds the one "request" line among the logs.
func requestLine(t *testing.T, logs *bytes.Buffer) logLine {
	t.Helper()
	var found []logLine
	for _, s := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l logLine
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("log line %q: %v", s, err)
		}
		if l.Msg == "request" {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d request lines, want 1: %s", len(found), logs)
	}
	return found[0]
}

func TestJSONAndRaw(t *testing.T) {
	rec := httptest.NewRecorder()
	web.JSON(rec, http.StatusCreated, map[string]string{"status": "ok"})
	if rec.Code != 201 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != "{\"status\":\"ok\"}\n" {
		t.Errorf("JSON wrote %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}

	// Marshal must produce the very bytes JSON writes, so idempotent replays are identical.
	v := map[string]any{"responseId": "r1", "comment": "<b>&</b>"}
	b, err := web.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	rec2 := httptest.NewRecorder()
	web.JSON(rec2, 200, v)
	if !bytes.Equal(b, rec2.Body.Bytes()) {
		t.Errorf("Marshal %q differs from what JSON writes %q", b, rec2.Body)
	}
	rec3 := httptest.NewRecorder()
	web.Raw(rec3, 201, "application/json", b)
	if rec3.Code != 201 || !bytes.Equal(rec3.Body.Bytes(), rec2.Body.Bytes()) || rec3.Header().Get("Content-Type") != "application/json" {
		t.Errorf("Raw wrote %d %q", rec3.Code, rec3.Body)
	}
}

// FuzzLimitAndDecode feeds arbitrary bodies through the body limit and the decoder:
// they never panic, and every refusal is a 4xx problem naming what is wrong.
func FuzzLimitAndDecode(f *testing.F) {
	for _, file := range []string{"apigw-survey-response.json", "apigw-health.json", "sqs-followups.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "events", file))
		if err != nil {
			f.Fatal(err)
		}
		var ev struct{ Body string }
		_ = json.Unmarshal(b, &ev)
		f.Add([]byte(ev.Body))
		f.Add(b)
	}
	f.Add([]byte(`{"answers":[{"questionId":"nps","value":1e400}]}`))
	f.Add([]byte("\xff\xfe{}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		h := web.LimitJSON(web.MaxBody, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var sub submission
			if err := web.Decode(r, &sub); err != nil {
				problem.Write(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		r := httptest.NewRequest(http.MethodPost, "/x", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch {
		case w.Code == http.StatusNoContent:
		case w.Code >= 400 && w.Code < 500:
			var p problem.Body
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != w.Code || p.Detail == "" {
				t.Fatalf("refusal %d is not a problem document: %q", w.Code, w.Body)
			}
		default:
			t.Fatalf("status %d for body %q", w.Code, body)
		}
	})
}

// Form routes take HTML form posts and the multipart/form-data that RFC 8058 one-click
// unsubscribe requests should use, besides JSON; nothing else.
func TestLimitFormContentTypes(t *testing.T) {
	for _, tt := range []struct {
		contentType string
		ok          bool
	}{
		{"application/json", true},
		{"application/x-www-form-urlencoded", true},
		{"multipart/form-data; boundary=x", true},
		{"text/plain", false},
		{"", false},
	} {
		t.Run(tt.contentType, func(t *testing.T) {
			quiet(t)
			next := &echo{}
			req := httptest.NewRequest(http.MethodPost, "/v1/u/1.x", strings.NewReader("List-Unsubscribe=One-Click"))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			web.LimitForm(web.MaxBody, next).ServeHTTP(rec, req)
			if tt.ok != next.called {
				t.Fatalf("passed on: %v, want %v (status %d)", next.called, tt.ok, rec.Code)
			}
			if !tt.ok {
				readProblem(t, rec, http.StatusUnsupportedMediaType)
			}
		})
	}
}
