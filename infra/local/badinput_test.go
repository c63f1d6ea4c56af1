package local_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/api"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Bad input through the runner's real routes over DynamoDB Local: for every route of
// the wiring table (staff ones with an all-locations token of a role the route takes),
// a 2,100-character value in each path parameter, in each query parameter the route
// reads (from the OpenAPI document) and in an unknown one, a 2,100-character bearer
// token, invitation token, body id and Idempotency-Key; a made-up cursor on every list; a 70 KB
// body and a text/plain body on every route that takes one. Each is a 4xx, never a
// 5xx: DynamoDB is never asked about a key it would refuse (over 2048 bytes).

const long = 2100

type badInput struct {
	*stack
	sent, fivexx atomic.Int64
	customerID   string
}

// call sends one request as the route's caller and counts it.
func (b *badInput) call(t *testing.T, route wiring.Route, path, contentType string, body []byte, headers map[string]string) reply {
	t.Helper()
	h := map[string]string{}
	for k, v := range headers {
		h[k] = v
	}
	if route.Auth == wiring.JWT && h["Authorization"] == "" {
		role := wiring.RoleAdmin
		if !slices.Contains(route.Roles, role) && len(route.Roles) > 0 {
			role = route.Roles[0]
		}
		tok, err := b.issuer.Token("bad-input-"+role, []string{role}, []string{"*"}, b.cfg.Clock.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		h["Authorization"] = "Bearer " + tok
	}
	r := b.do(t, route.Method, path, contentType, body, h)
	b.sent.Add(1)
	if r.status >= 500 {
		b.fivexx.Add(1)
	}
	return r
}

// path fills a route's parameters: the one named long gets a 2,100-character value,
// the others a short one that names nothing (or the test's customer).
func (b *badInput) path(route wiring.Route, longParam string) string {
	out := route.Path
	for _, seg := range strings.Split(route.Path, "/") {
		if !strings.HasPrefix(seg, "{") {
			continue
		}
		name := strings.Trim(seg, "{}")
		v := "bad-input-nothing"
		switch {
		case name == longParam:
			v = strings.Repeat("x", long)
		case name == "customerId":
			v = b.customerID
		case name == "locationId":
			v = "loc-1"
		case name == "channel":
			v = "email"
		}
		out = strings.Replace(out, seg, url.PathEscape(v), 1)
	}
	return out
}

func bodyOf(route wiring.Route) (string, []byte) {
	if route.Method == http.MethodPost || route.Method == http.MethodPut || route.Method == http.MethodPatch {
		return "application/json", []byte("{}")
	}
	return "", nil
}

// operation is what the test reads of an OpenAPI operation.
type operation struct {
	query []string
	list  bool // it returns nextCursor or takes a cursor
}

func operations(t *testing.T) map[string]operation {
	t.Helper()
	var doc struct {
		Paths      map[string]map[string]any `yaml:"paths"`
		Components struct {
			Parameters map[string]map[string]any `yaml:"parameters"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	ops := map[string]operation{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			op, ok := raw.(map[string]any)
			if !ok {
				continue
			}
			var o operation
			params, _ := op["parameters"].([]any)
			if shared, ok := item["parameters"].([]any); ok {
				params = append(params, shared...)
			}
			for _, p := range params {
				pm, _ := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					pm = doc.Components.Parameters[strings.TrimPrefix(ref, "#/components/parameters/")]
				}
				if pm["in"] == "query" {
					o.query = append(o.query, fmt.Sprint(pm["name"]))
				}
			}
			text, _ := yaml.Marshal(op)
			o.list = strings.Contains(string(text), "nextCursor") || slices.Contains(o.query, "cursor")
			ops[strings.ToUpper(method)+" "+path] = o
		}
	}
	return ops
}

func TestBadInputIsNever5xx(t *testing.T) {
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Unthrottled = true })
	b := &badInput{stack: s, customerID: "bad-input-c1"}
	if err := local.SeedLocation(context.Background(), &location.Store{DB: s.env.Clients.DynamoDB, Table: s.env.Names("customers")}, s.cfg.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/customers", `{"customerId":"bad-input-c1","name":"Guest","email":"bad.input@example.com","locationId":"loc-1"}`); r.status != http.StatusCreated {
		t.Fatalf("fixture customer: %d %s", r.status, r.body)
	}
	ops := operations(t)
	var routes []wiring.Route
	for _, fn := range wiring.Functions {
		routes = append(routes, fn.Trigger.Routes...)
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Pattern() < routes[j].Pattern() })
	lists := 0
	expect := func(t *testing.T, what string, r reply, ok ...int) {
		t.Helper()
		if !slices.Contains(ok, r.status) {
			t.Errorf("%s: %d %.300s, want one of %v", what, r.status, r.body, ok)
		}
	}
	for _, route := range routes {
		op := ops[route.Pattern()] // the document's own drift test (shared/api) holds it to the table
		ct, body := bodyOf(route)
		// A long value in each path parameter: nothing can have that id.
		for _, p := range web.PathParams(route.Path) {
			r := b.call(t, route, b.path(route, p), ct, body, nil)
			expect(t, route.Pattern()+" with a long "+p, r, http.StatusNotFound, http.StatusBadRequest)
		}
		// A long value in each query parameter the route reads, and in one it does not.
		for _, q := range append(slices.Clone(op.query), "unknown") {
			path := b.path(route, "") + "?" + q + "=" + strings.Repeat("y", long)
			if q != "customerId" && slices.Contains(op.query, "customerId") {
				path += "&customerId=" + b.customerID
			}
			r := b.call(t, route, path, ct, body, nil)
			expect(t, route.Pattern()+" with a long ?"+q, r, http.StatusBadRequest, http.StatusNotFound)
			if r.status == http.StatusBadRequest && q != "unknown" && !strings.Contains(r.body, `"field":"`+q+`"`) {
				t.Errorf("%s with a long ?%s: %s does not name it", route.Pattern(), q, r.body)
			}
		}
		// A made-up cursor on a list.
		if op.list {
			lists++
			for _, c := range []string{"e30", "eyJwIjoxfQ", "e30.AAAA", strings.Repeat("A", long)} {
				path := b.path(route, "") + "?cursor=" + c
				if slices.Contains(op.query, "customerId") {
					path += "&customerId=" + b.customerID
				}
				r := b.call(t, route, path, ct, body, nil)
				expect(t, route.Pattern()+" with cursor "+c[:min(len(c), 12)], r, http.StatusBadRequest)
				if !strings.Contains(r.body, `"field":"cursor"`) {
					t.Errorf("%s with a made-up cursor: %s does not name cursor", route.Pattern(), r.body)
				}
			}
		}
		// A long bearer token is the authorizer's 401.
		if route.Auth == wiring.JWT {
			r := b.call(t, route, b.path(route, ""), ct, body, map[string]string{"Authorization": "Bearer " + strings.Repeat("t", long)})
			expect(t, route.Pattern()+" with a long bearer token", r, http.StatusUnauthorized)
		}
		if body == nil {
			continue
		}
		// A long Idempotency-Key.
		if route.Method != http.MethodPatch {
			r := b.call(t, route, b.path(route, ""), ct, body, map[string]string{"Idempotency-Key": strings.Repeat("k", long)})
			expect(t, route.Pattern()+" with a long Idempotency-Key", r, http.StatusBadRequest, http.StatusNotFound)
		}
		// 70 KB, and not JSON: 413 and 415, whatever the method.
		big := []byte(`{"name":"` + strings.Repeat("a", 70<<10) + `"}`)
		expect(t, route.Pattern()+" with 70 KB", b.call(t, route, b.path(route, ""), "application/json", big, nil), http.StatusRequestEntityTooLarge)
		expect(t, route.Pattern()+" as text/plain", b.call(t, route, b.path(route, ""), "text/plain", []byte("hello"), nil), http.StatusUnsupportedMediaType)
	}

	// Tokens and times in bodies.
	responses := wiring.Route{Method: "POST", Path: "/v1/surveys/{surveyId}/responses", Auth: wiring.Public}
	r := b.call(t, responses, responsesPath, "application/json", []byte(`{"invitationToken":"`+strings.Repeat("t", long)+`","answers":[{"questionId":"nps","value":9}]}`), nil)
	expect(t, "a 2,100-character invitation token", r, http.StatusBadRequest, http.StatusNotFound)
	visits := wiring.Route{Method: "POST", Path: "/v1/visits", Auth: wiring.JWT, Roles: []string{wiring.RoleSystem}}
	r = b.call(t, visits, "/v1/visits", "application/json", []byte(`{"sourceId":"bad-input-v1","customerId":"bad-input-c1","locationId":"loc-1","amount":10,"currency":"CNY","at":"yesterday"}`), nil)
	expect(t, "a visit at yesterday", r, http.StatusBadRequest)
	if !strings.Contains(r.body, `"field":"at"`) || strings.Contains(r.body, "yesterday") || strings.Contains(r.body, "parsing time") {
		t.Errorf("a bad time: %s, want the field named and the value not echoed", r.body)
	}
	customers := wiring.Route{Method: "POST", Path: "/v1/customers", Auth: wiring.JWT, Roles: []string{wiring.RoleAdmin}}
	r = b.call(t, customers, "/v1/customers", "application/json", []byte(`{"customerId":"`+strings.Repeat("c", long)+`","name":"Guest","locationId":"loc-1"}`), nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"field":"customerId"`) {
		t.Errorf("a 2,100-character customerId in a body: %d %.300s, want 400 naming it", r.status, r.body)
	}
	r = b.call(t, visits, "/v1/visits", "application/json", []byte(`{"sourceId":"`+strings.Repeat("s", long)+`","customerId":"bad-input-c1","locationId":"loc-1","amount":10,"currency":"CNY"}`), nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"field":"sourceId"`) {
		t.Errorf("a 2,100-character sourceId in a body: %d %.300s, want 400 naming it", r.status, r.body)
	}
	followups := wiring.Route{Method: "POST", Path: "/v1/followups", Auth: wiring.JWT, Roles: []string{wiring.RoleAdmin}}
	r = b.call(t, followups, "/v1/followups", "application/json", []byte(`{"customerId":"bad-input-c1","kind":"complaint-callback","dueAt":"next tuesday","message":{"en":"Hi"}}`), nil)
	if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"field":"dueAt"`) {
		t.Errorf("a follow-up due next tuesday: %d %s, want 400 naming dueAt", r.status, r.body)
	}

	// An Idempotency-Key with a comma is the whole key: through the Lambda adapter only
	// its part before the comma used to count, so "bi,2" was "bi,1" with another body.
	first := b.call(t, responses, responsesPath, "application/json", []byte(`{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":9}],"comment":"comma one"}`), map[string]string{"Idempotency-Key": "bad-input,1"})
	again := b.call(t, responses, responsesPath, "application/json", []byte(`{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":9}],"comment":"comma one"}`), map[string]string{"Idempotency-Key": "bad-input,1"})
	other := b.call(t, responses, responsesPath, "application/json", []byte(`{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":7}],"comment":"comma two"}`), map[string]string{"Idempotency-Key": "bad-input,2"})
	if first.status != http.StatusCreated || again.status != http.StatusCreated || again.body != first.body || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the same comma key twice: %d %s, then %d %s (replayed %q)", first.status, first.body, again.status, again.body, again.header.Get("Idempotent-Replayed"))
	}
	if other.status != http.StatusCreated || other.body == first.body {
		t.Errorf("another key sharing the part before the comma: %d %s, want its own 201", other.status, other.body)
	}

	if lists < 4 {
		t.Errorf("%d list routes found in the OpenAPI document, want at least the queue, timeline, follow-ups and ledger", lists)
	}
	t.Logf("bad input: %d routes, %d requests, %d answered 5xx", len(routes), b.sent.Load(), b.fivexx.Load())
	fmt.Printf("bad input covered %d routes (%d lists) with %d requests; %d answered 5xx\n", len(routes), lists, b.sent.Load(), b.fivexx.Load())
	if n := b.fivexx.Load(); n != 0 {
		t.Errorf("%d requests answered 5xx, want none", n)
	}
}
