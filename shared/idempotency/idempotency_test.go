package idempotency_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/web"
)

// counting is a handler with an effect to count: it answers 201 with the count.
type counting struct {
	calls  atomic.Int32
	status int
	block  chan struct{}
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := c.calls.Add(1)
	if c.block != nil {
		<-c.block
	}
	status := c.status
	if status == 0 {
		status = http.StatusCreated
	}
	web.JSON(w, status, map[string]int32{"call": n})
}

func setup(t *testing.T) (*idempotency.Store, *clock.Manual) {
	env := testenv.New(t)
	clk := clock.NewManual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	return idempotency.NewStore(env.Clients.DynamoDB, env.Names("surveys"), clk), clk
}

func post(h http.Handler, key, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/v1/things", bytes.NewBufferString(body))
	if key != "" {
		r.Header.Set(idempotency.Header, key)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func scope(*http.Request) string { return "POST /v1/things" }

func TestSameKeySameBodyReplaysTheFirstResponse(t *testing.T) {
	store, _ := setup(t)
	h := &counting{}
	mw := store.Middleware(scope, h)
	first := post(mw, "k-1", `{"a":1}`)
	second := post(mw, "k-1", `{"a":1}`)
	if first.Code != http.StatusCreated || second.Code != first.Code {
		t.Fatalf("statuses %d, %d", first.Code, second.Code)
	}
	if first.Body.String() != second.Body.String() {
		t.Fatalf("replay differs: %q vs %q", first.Body, second.Body)
	}
	if got := h.calls.Load(); got != 1 {
		t.Fatalf("handler ran %d times, want 1", got)
	}
	if second.Header().Get(idempotency.ReplayedHeader) != "true" {
		t.Error("replay not marked")
	}
}

func TestSameKeyOtherBodyIs422(t *testing.T) {
	store, _ := setup(t)
	h := &counting{}
	mw := store.Middleware(scope, h)
	post(mw, "k-2", `{"a":1}`)
	w := post(mw, "k-2", `{"a":2}`)
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", w.Code)
	}
	if h.calls.Load() != 1 {
		t.Fatal("the second body ran the handler")
	}
}

func TestWithoutKeyEveryRequestRuns(t *testing.T) {
	store, _ := setup(t)
	h := &counting{}
	mw := store.Middleware(scope, h)
	post(mw, "", `{}`)
	post(mw, "", `{}`)
	if h.calls.Load() != 2 {
		t.Fatalf("calls %d, want 2", h.calls.Load())
	}
}

func TestFailedRequestReleasesTheKey(t *testing.T) {
	store, _ := setup(t)
	h := &counting{status: http.StatusBadRequest}
	mw := store.Middleware(scope, h)
	post(mw, "k-3", `{"bad":true}`)
	h.status = http.StatusCreated
	// A corrected body under the same key runs: the failure stored nothing.
	if w := post(mw, "k-3", `{"bad":false}`); w.Code != http.StatusCreated {
		t.Fatalf("status %d after a failed first try, want 201", w.Code)
	}
}

func TestConcurrentSameKeyRunsOnce(t *testing.T) {
	store, _ := setup(t)
	h := &counting{block: make(chan struct{})}
	mw := store.Middleware(scope, h)
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { codes[i] = post(mw, "k-4", `{"a":1}`).Code })
	}
	// Let the claim holder finish once the others have been refused.
	time.Sleep(500 * time.Millisecond)
	close(h.block)
	wg.Wait()
	created, inProgress := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			inProgress++
		default:
			t.Errorf("unexpected status %d", c)
		}
	}
	if h.calls.Load() != 1 || created < 1 {
		t.Fatalf("handler ran %d times; %d created, %d in progress", h.calls.Load(), created, inProgress)
	}
}

func TestAbandonedClaimIsTakenOverAfterItsLock(t *testing.T) {
	store, clk := setup(t)
	h := &counting{block: make(chan struct{})}
	mw := store.Middleware(scope, h)
	done := make(chan int)
	go func() { done <- post(mw, "k-5", `{"a":1}`).Code }()
	for h.calls.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	// While the first holds the lock, a retry is told to wait.
	if w := post(store.Middleware(scope, &counting{}), "k-5", `{"a":1}`); w.Code != http.StatusConflict {
		t.Fatalf("retry during the lock: %d, want 409", w.Code)
	}
	// The first request hangs past its lock (a dead Lambda); a retry takes over.
	clk.Advance(store.Lock + time.Second)
	retry := &counting{}
	if w := post(store.Middleware(scope, retry), "k-5", `{"a":1}`); w.Code != http.StatusCreated || retry.calls.Load() != 1 {
		t.Fatalf("takeover: status %d, calls %d", w.Code, retry.calls.Load())
	}
	close(h.block)
	<-done
}

func TestKeyExpiresAfter24Hours(t *testing.T) {
	store, clk := setup(t)
	h := &counting{}
	mw := store.Middleware(scope, h)
	post(mw, "k-6", `{"a":1}`)
	clk.Advance(24*time.Hour + time.Second)
	if w := post(mw, "k-6", `{"a":2}`); w.Code != http.StatusCreated {
		t.Fatalf("after expiry a new body: %d, want 201", w.Code)
	}
	if h.calls.Load() != 2 {
		t.Fatalf("calls %d, want 2", h.calls.Load())
	}
}

// TestDoWithoutHTTP: a form post uses Do directly, with its own hash of its fields: the
// first outcome is kept and answered again, another form under the same key is 422, a
// failed run leaves the key free, and of concurrent posts one runs.
func TestDoWithoutHTTP(t *testing.T) {
	s, _ := setup(t)
	ctx := t.Context()
	var runs atomic.Int32
	ok := func(body string) func(context.Context) (idempotency.Outcome, error) {
		return func(context.Context) (idempotency.Outcome, error) {
			runs.Add(1)
			return idempotency.Outcome{Status: http.StatusSeeOther, Location: "/done/" + body, Body: []byte(body)}, nil
		}
	}
	form := idempotency.Hash([]byte("category=noise&description=loud"))

	if _, _, err := s.Do(ctx, "form", "k-fail", form, func(context.Context) (idempotency.Outcome, error) {
		return idempotency.Outcome{}, errors.New("refused")
	}); err == nil {
		t.Fatal("a failed run reported no error")
	}
	if out, replayed, err := s.Do(ctx, "form", "k-fail", form, ok("again")); err != nil || replayed || string(out.Body) != "again" {
		t.Fatalf("after a failure the key runs again: %+v %v %v", out, replayed, err)
	}

	var wg sync.WaitGroup
	replays := atomic.Int32{}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, replayed, err := s.Do(ctx, "form", "k-1", form, ok("first"))
			var pe *problem.Error
			switch {
			case errors.As(err, &pe) && pe.Kind == problem.Conflict: // the first still running
			case err != nil:
				t.Error(err)
			case replayed:
				replays.Add(1)
				if out.Status != http.StatusSeeOther || out.Location != "/done/first" || string(out.Body) != "first" {
					t.Errorf("replayed %+v", out)
				}
			}
		}()
	}
	wg.Wait()
	if n := runs.Load(); n != 2 { // "again" above and one "first"
		t.Fatalf("runs %d, want 2", n)
	}
	if _, replayed, err := s.Do(ctx, "form", "k-1", form, ok("first")); err != nil || !replayed {
		t.Fatalf("the same post again: replayed %v, %v", replayed, err)
	}
	_, _, err := s.Do(ctx, "form", "k-1", idempotency.Hash([]byte("category=food")), ok("other"))
	var pe *problem.Error
	if !errors.As(err, &pe) || pe.Kind != problem.KeyReused {
		t.Fatalf("another form under the key: %v", err)
	}
}
