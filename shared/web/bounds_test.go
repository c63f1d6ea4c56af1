package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

func served(pattern string, h http.Handler, target string) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	mux.Handle(pattern, h)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// Path values and query values are bounded before the handler (and DynamoDB) sees them.
func TestBounds(t *testing.T) {
	ran := 0
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran++; w.WriteHeader(http.StatusOK) })
	pattern := "GET /v1/customers/{customerId}/t/{trackingToken}"
	h := web.Bounds(web.PathParams("/v1/customers/{customerId}/t/{trackingToken}"), ok)
	cases := []struct {
		name, target string
		status       int
		detail       string
	}{
		{"short values", "/v1/customers/c-1/t/tok?limit=5&cursor=" + strings.Repeat("c", web.MaxCursor), http.StatusOK, ""},
		{"an id at its limit", "/v1/customers/" + strings.Repeat("i", web.MaxID) + "/t/tok", http.StatusOK, ""},
		{"an id over it", "/v1/customers/" + strings.Repeat("i", web.MaxID+1) + "/t/tok", http.StatusNotFound, "no such customer"},
		{"a token at its limit", "/v1/customers/c-1/t/" + strings.Repeat("t", web.MaxToken), http.StatusOK, ""},
		{"a token over it", "/v1/customers/c-1/t/" + strings.Repeat("t", web.MaxToken+1), http.StatusNotFound, "no such tracking token"},
		{"a control character", "/v1/customers/c%0A1/t/tok", http.StatusNotFound, "no such customer"},
		{"not UTF-8", "/v1/customers/c%FF/t/tok", http.StatusNotFound, "no such customer"},
		{"a long query value", "/v1/customers/c-1/t/tok?locationId=" + strings.Repeat("l", web.MaxQuery+1), http.StatusBadRequest, "locationId: "},
		{"a long cursor", "/v1/customers/c-1/t/tok?cursor=" + strings.Repeat("c", web.MaxCursor+1), http.StatusBadRequest, "cursor: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := ran
			w := served(pattern, h, c.target)
			if w.Code != c.status {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, c.status)
			}
			if c.status != http.StatusOK {
				if ran != before {
					t.Fatal("the handler ran")
				}
				var b problem.Body
				_ = json.Unmarshal(w.Body.Bytes(), &b)
				if !strings.HasPrefix(b.Detail, c.detail) || strings.Contains(w.Body.String(), "iiii") || strings.Contains(w.Body.String(), "llll") {
					t.Fatalf("detail %q, want %q and no echo of the value", b.Detail, c.detail)
				}
			}
		})
	}
}

func TestNoun(t *testing.T) {
	for in, want := range map[string]string{"customerId": "customer", "trackingToken": "tracking token", "token": "token", "channel": "channel", "followupId": "followup"} {
		if got := web.Noun(in); got != want {
			t.Errorf("Noun(%q) = %q, want %q", in, got, want)
		}
	}
}

type visitBody struct {
	At    time.Time `json:"at"`
	Later struct {
		Until *time.Time `json:"until"`
	} `json:"later"`
	Slots []struct {
		From time.Time `json:"from"`
	} `json:"slots"`
}

// A time that is not RFC 3339 is a 400 naming its field, without the value sent.
func TestDecodeNamesTheTimeField(t *testing.T) {
	cases := map[string]string{
		`{"at":"yesterday"}`:         "at",
		`{"at":5}`:                   "at",
		`{"later":{"until":"soon"}}`: "later.until",
		`{"at":"2026-11-23T09:00:00Z","slots":[{"from":"2026-11-23T09:00:00Z"},{"from":"noon"}]}`: "slots[1].from",
	}
	for body, field := range cases {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		var v visitBody
		err := web.Decode(r, &v)
		var pe *problem.Error
		if !asProblem(err, &pe) || pe.Kind != problem.Invalid || len(pe.Fields) != 1 || pe.Fields[0].Field != field {
			t.Errorf("%s: %v, want 400 naming %s", body, err, field)
			continue
		}
		if strings.Contains(pe.Detail, "yesterday") || strings.Contains(pe.Detail, "soon") || strings.Contains(pe.Detail, "noon") || strings.Contains(pe.Detail, "parsing time") {
			t.Errorf("%s: detail %q echoes the value", body, pe.Detail)
		}
		if !strings.Contains(pe.Detail, "RFC 3339") {
			t.Errorf("%s: detail %q", body, pe.Detail)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"at":"2026-11-23T09:00:00+08:00"}`))
	var v visitBody
	if err := web.Decode(r, &v); err != nil || !v.At.Equal(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)) {
		t.Fatalf("a good time: %v %v", err, v.At)
	}
}

func asProblem(err error, pe **problem.Error) bool {
	p, ok := err.(*problem.Error)
	*pe = p
	return ok
}

// Through Lambda the adapter splits header values on commas; RawHeader gives the value
// as sent, from the event, and the request's own joined values elsewhere.
func TestRawHeader(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Add("Idempotency-Key", "a")
	r.Header.Add("Idempotency-Key", "b") // what the adapter makes of "a,b"
	if got := web.RawHeader(r, "Idempotency-Key"); got != "a,b" {
		t.Fatalf("without the event: %q", got)
	}
	r = r.WithContext(web.WithRawHeaders(context.Background(), map[string]string{"idempotency-key": "a, b,c"}))
	if got := web.RawHeader(r, "Idempotency-Key"); got != "a, b,c" {
		t.Fatalf("from the event: %q", got)
	}
	if got := web.RawHeader(r, "X-Other"); got != "" {
		t.Fatalf("a header the event lacks: %q", got)
	}
}

// Ids and tokens in bodies are bounded like those in paths, naming the field.
func TestDecodeBoundsIdsAndTokens(t *testing.T) {
	type answer struct {
		QuestionID string `json:"questionId"`
	}
	type body struct {
		CustomerID      string   `json:"customerId"`
		InvitationToken string   `json:"invitationToken"`
		Answers         []answer `json:"answers"`
		Comment         string   `json:"comment"`
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	good := `{"customerId":"` + long(web.MaxID) + `","invitationToken":"` + long(web.MaxToken) + `","answers":[{"questionId":"q"}],"comment":"` + long(5000) + `"}`
	var b body
	if err := web.Decode(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(good)), &b); err != nil {
		t.Fatalf("values at their limits: %v", err)
	}
	bad := `{"customerId":"` + long(web.MaxID+1) + `","invitationToken":"` + long(web.MaxToken+1) + `","answers":[{"questionId":"q"},{"questionId":"` + long(2100) + `"}]}`
	err := web.Decode(httptest.NewRequest(http.MethodPost, "/", strings.NewReader(bad)), &b)
	var pe *problem.Error
	if !asProblem(err, &pe) || pe.Kind != problem.Invalid || len(pe.Fields) != 3 ||
		pe.Fields[0].Field != "customerId" || pe.Fields[1].Field != "invitationToken" || pe.Fields[2].Field != "answers[1].questionId" {
		t.Fatalf("%v, want customerId, invitationToken and answers[1].questionId named", err)
	}
	if strings.Contains(err.Error(), "xxxx") {
		t.Fatalf("the value is echoed: %v", err)
	}
}
