package local_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// devJSON are the headers make invoke and make redrive send to the runner's
// state-changing /dev routes.
var devJSON = map[string]string{local.DevHeader: "1"}

// A page the developer visits must not be able to make the runner invoke a function
// or move a queue: a cross-site form can send neither the custom header nor a JSON
// content type, so the /dev routes that change state require both, and a Host of
// this machine.
func TestDevRoutesRefuseWhatACrossSiteFormCanSend(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	ev, err := os.ReadFile(filepath.Join("..", "..", "events", "apigw-survey-response.json"))
	if err != nil {
		t.Fatal(err)
	}
	invoke := "/dev/invoke/surveys-public"
	cases := []struct {
		name, contentType string
		headers           map[string]string
		status            int
		say               string
	}{
		{"a form post", "application/x-www-form-urlencoded", nil, 403, local.DevHeader},
		{"a multipart form with the header", "multipart/form-data; boundary=x", devJSON, 415, "application/json"},
		{"text/plain with the header", "text/plain", devJSON, 415, "application/json"},
		{"no content type, with the header", "", devJSON, 415, "application/json"},
		{"JSON without the header", "application/json", nil, 403, local.DevHeader},
		{"JSON with the header set to 0", "application/json", map[string]string{local.DevHeader: "0"}, 403, local.DevHeader},
		{"a name rebound to 127.0.0.1", "application/json", map[string]string{local.DevHeader: "1", "Host": "evil.example"}, 403, "localhost"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.devDo(t, http.MethodPost, invoke, c.contentType, ev, c.headers)
			if r.status != c.status || !strings.Contains(r.body, c.say) {
				t.Fatalf("%d %s; want %d naming %s", r.status, r.body, c.status, c.say)
			}
			if n := len(s.responses(t)); n != 0 {
				t.Fatalf("a refused request invoked the function: %d responses stored", n)
			}
		})
	}
	t.Run("a browser's preflight finds no CORS permission", func(t *testing.T) {
		r := s.devDo(t, http.MethodOptions, invoke, "", nil, map[string]string{"Origin": "https://evil.example",
			"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, x-rapport-dev"})
		if r.status < 300 && r.status >= 200 || r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("%d %v", r.status, r.header)
		}
	})
	t.Run("with the header and JSON: invoked", func(t *testing.T) {
		r := s.devDo(t, http.MethodPost, invoke, "application/json; charset=utf-8", ev, devJSON)
		if r.status != http.StatusOK || !strings.Contains(r.body, `"statusCode":201`) {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if n := len(s.responses(t)); n != 1 {
			t.Fatalf("%d responses stored, want 1", n)
		}
	})
	t.Run("redrive", func(t *testing.T) {
		if r := s.devDo(t, http.MethodPost, "/dev/redrive/followups", "", nil, nil); r.status != http.StatusForbidden {
			t.Fatalf("without the header: %d %s", r.status, r.body)
		}
		if r := s.devDo(t, http.MethodPost, "/dev/redrive/followups", "application/json", []byte("{}"), devJSON); r.status != http.StatusOK || strings.TrimSpace(r.body) != `{"moved":0}` {
			t.Fatalf("with it: %d %s", r.status, r.body)
		}
	})
	t.Run("the outbox stays readable", func(t *testing.T) {
		if r := s.devDo(t, http.MethodGet, "/dev/outbox", "", nil, nil); r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

// devDo is stack.do that can also set the Host header.
func (s *stack) devDo(t *testing.T, method, path, contentType string, body []byte, headers map[string]string) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	return reply{resp.StatusCode, resp.Header, b.String()}
}
