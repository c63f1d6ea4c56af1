package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/rapport-crm/rapport/shared/api"
)

// The published contract, held by every end-to-end request: each /v1 request the tests
// send through newStack's server is matched to its OpenAPI operation and its response
// validated against the document: a documented status, a documented content type and,
// for JSON, the body against the status's schema (problem+json against Problem, its
// status the response's). HTML pages and CSV files are held to status and content type.
// Requests are validated too, but the tests send bad input on purpose (the bad-input
// test, the 400/413/415 cases), so a request the document refuses is a mismatch only
// when the server accepted it: a 2xx or 3xx there means the document is stricter than
// the code.

// reporter is the part of *testing.T the contract reports to.
type reporter interface {
	Errorf(format string, args ...any)
}

type contract struct {
	doc    *openapi3.T
	router routers.Router

	mu        sync.Mutex
	ops       map[string]bool // "GET /v1/surveys/{surveyId}"
	responses map[string]bool // "GET /v1/surveys/{surveyId} 200"
}

func newContract() (*contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	doc.Servers = nil // the tests' servers listen on ports of their own
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &contract{doc: doc, router: router, ops: map[string]bool{}, responses: map[string]bool{}}, nil
}

// published is the contract every newStack server is held to; TestMain reports its coverage.
var published = sync.OnceValues(newContract)

// wrap serves next, holding each /v1 exchange to the document and reporting each
// mismatch to t.
func (c *contract) wrap(t reporter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("openapi: %s %s: reading the request: %v", r.Method, r.URL.Path, err)
			return
		}
		seen := r.Clone(r.Context())
		seen.Body = io.NopCloser(bytes.NewReader(body))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		if r.Context().Err() != nil {
			// The client went away mid-request (a browser test moved on to another
			// page): the answer, a 503 from the cancelled database call, reaches no one.
			// In AWS a closed connection does not cancel the function's invocation.
			return
		}
		if err := c.check(seen, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
			t.Errorf("openapi: %s %s → %d: %v\n%s", r.Method, clip(r.URL.RequestURI(), 160), rec.Code, err, clip(rec.Body.String(), 400))
		}
	})
}

// check holds one exchange to the document; nil if it matches or no operation is
// meant (the gateway's 404 or 405 for an unknown route).
func (c *contract) check(req *http.Request, status int, header http.Header, body []byte) error {
	ctx := context.Background()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return nil
		}
		return fmt.Errorf("answered, but no operation of the document matches: %v", err)
	}
	op := req.Method + " " + route.Path
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, SkipSettingDefaults: true}}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && status < 400 {
		return fmt.Errorf("the document refuses the request, the server accepted it: %s", clip(err.Error(), 600))
	}
	c.mu.Lock()
	c.ops[op] = true
	c.responses[fmt.Sprintf("%s %d", op, status)] = true
	c.mu.Unlock()

	ref := route.Operation.Responses.Status(status)
	if ref == nil {
		ref = route.Operation.Responses.Default()
	}
	if ref == nil {
		return fmt.Errorf("status %d is not documented for %s", status, op)
	}
	ct := header.Get("Content-Type")
	if len(ref.Value.Content) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("a %q body, but the document gives %s %d no content", ct, op, status)
		}
		return nil
	}
	if ref.Value.Content.Get(ct) == nil {
		return fmt.Errorf("content type %q is not documented for %s %d (documented: %v)", ct, op, status, slices.Sorted(func(yield func(string) bool) {
			for k := range ref.Value.Content {
				if !yield(k) {
					return
				}
			}
		}))
	}
	media, _, _ := mime.ParseMediaType(ct)
	if media != "application/json" && !strings.HasSuffix(media, "+json") {
		return nil // HTML pages and CSV files: status and content type only
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true}
	opts.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string { return err.Reason }) // the body follows the report
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("%s", clip(err.Error(), 800))
	}
	if media == "application/problem+json" {
		var p struct{ Status int }
		if err := json.Unmarshal(body, &p); err != nil || p.Status != status {
			return fmt.Errorf("the problem document's status %d is not the response's", p.Status)
		}
	}
	return nil
}

// coverage says how much of the document the exchanges so far reached.
func (c *contract) coverage() (ops, responses int, untouched []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			if op := method + " " + path; !c.ops[op] {
				untouched = append(untouched, op)
			}
		}
	}
	sort.Strings(untouched)
	return len(c.ops), len(c.responses), untouched
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func TestMain(m *testing.M) {
	code := m.Run()
	if c, err := published(); err == nil {
		if ops, responses, untouched := c.coverage(); ops > 0 {
			fmt.Printf("openapi contract: %d operations and %d responses (operation × status) validated; %d operations not exercised %v\n",
				ops, responses, len(untouched), untouched)
		}
	}
	os.Exit(code)
}

// collected records what the contract reports.
type collected struct {
	mu   sync.Mutex
	msgs []string
}

func (c *collected) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, fmt.Sprintf(format, args...))
}

// The check can fail: a renamed field, an undocumented status, an undocumented content
// type, a problem without its title or with another status, and a 2xx to a request the
// document refuses are each reported; the documented answers are not.
func TestContractCatchesWhatTheDocumentDoesNotSay(t *testing.T) {
	c, err := newContract()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, method, path, reqType, reqBody string
		status                               int
		respType, respBody                   string
		want                                 string // in the report; "" for none
	}{
		{"documented health", "GET", "/v1/health", "", "", 200, "application/json", `{"status":"ok"}`, ""},
		{"documented problem", "POST", "/v1/surveys/demo-stay/responses", "application/json", `{"answers":[]}`, 400, "application/problem+json",
			`{"type":"about:blank","title":"Bad Request","status":400,"errors":[{"field":"invitationToken","message":"required"}]}`, ""},
		{"documented HTML page", "GET", "/v1/s/some-token", "", "", 410, "text/html; charset=utf-8", `<!doctype html><p>Expired</p>`, ""},
		{"unknown route", "GET", "/v1/no-such-route", "", "", 404, "application/json", `{"message":"Not Found"}`, ""},
		{"renamed field", "POST", "/v1/surveys/demo-stay/responses", "application/json", `{"invitationToken":"t","answers":[]}`, 201, "application/json",
			`{"responseID":"r1","score":{}}`, "responseId"},
		{"undocumented status", "GET", "/v1/health", "", "", 418, "application/json", `{"status":"ok"}`, "status 418 is not documented"},
		{"undocumented content type", "GET", "/v1/health", "", "", 200, "text/plain", `ok`, `content type "text/plain" is not documented`},
		{"problem without a title", "POST", "/v1/surveys/demo-stay/responses", "application/json", `{}`, 400, "application/problem+json",
			`{"type":"about:blank","status":400}`, "title"},
		{"problem of another status", "POST", "/v1/surveys/demo-stay/responses", "application/json", `{}`, 400, "application/problem+json",
			`{"type":"about:blank","title":"Not Found","status":404}`, "status 404 is not the response's"},
		{"accepted request the document refuses", "POST", "/v1/surveys/demo-stay/responses", "application/json", `{"invitationToken":"t","answers":[],"extra":1}`, 201, "application/json",
			`{"responseId":"r1","score":{}}`, "the document refuses the request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got collected
			h := c.wrap(&got, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.respType)
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.respBody)
			}))
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.reqBody))
			if tc.reqType != "" {
				req.Header.Set("Content-Type", tc.reqType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status || rec.Body.String() != tc.respBody {
				t.Fatalf("passed on %d %s, want %d %s", rec.Code, rec.Body, tc.status, tc.respBody)
			}
			switch {
			case tc.want == "" && len(got.msgs) > 0:
				t.Fatalf("reported %q", got.msgs)
			case tc.want != "" && (len(got.msgs) != 1 || !strings.Contains(got.msgs[0], tc.want)):
				t.Fatalf("reported %q, want one report naming %q", got.msgs, tc.want)
			}
		})
	}
}
