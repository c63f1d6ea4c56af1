package complaint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/problem"
)

// once runs the post under the form's submissionKey as its idempotency key, so a double
// tap, or the same post sent again (Back to a form page the browser kept, then Send),
// makes one case and leads to it each time.
//
// The route's idempotency middleware only looks at the Idempotency-Key header, which a
// browser never sends, and runs before this handler: it cannot see the key in the
// body. So the same middleware is applied here, over the same table, to a copy of the
// request carrying the key as that header. The case and the stored reply (the JSON
// receipt) are then one transaction, exactly as for an API client's key. What the
// middleware answers itself is turned into a page: a replay into the same way to the
// case, a post still in progress is waited for, a key sent with other input (the same
// rendering edited after sending) into "already sent". Form keys have their own scope,
// apart from API keys. (The middleware then tries to release the key of a 303, which
// is not a 2xx; the case's transaction completed it already, so that is a no-op.)
func (p *Pages) once(w http.ResponseWriter, r *http.Request, body []byte, key, lang, locationID string, post http.HandlerFunc) {
	idem := idempotency.NewStore(p.Service.Store.DB, p.Service.Store.Table, p.Service.Clock)
	scope := func(*http.Request) string { return formScope }
	for attempt := 1; ; attempt++ {
		ran := false
		out := &buffer{header: http.Header{}}
		req := r.Clone(r.Context())
		req.Header.Set(idempotency.Header, key)
		req.Body = io.NopCloser(bytes.NewReader(body))
		idem.Middleware(scope, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ran = true
			post(w, r)
		})).ServeHTTP(out, req)
		switch {
		case ran && !out.problem():
			out.copyTo(w)
		case out.header.Get(idempotency.ReplayedHeader) == "true":
			p.replay(w, r, out, lang)
		case out.status == http.StatusConflict && attempt < formAttempts:
			// The first post of this rendering is still being stored: wait, then show
			// its outcome.
			wait := min(time.Duration(retryAfter(out.header, 1))*time.Second, maxWait)
			select {
			case <-r.Context().Done():
				return
			case <-time.After(wait):
			}
			continue
		default:
			// The middleware logged its refusal already.
			p.refuse(w, r, view{Locale: lang, Again: formLink(locationID, lang)}, refusal(out), pageNoForm)
		}
		return
	}
}

// replay leads to the case an earlier post of this rendering made.
func (p *Pages) replay(w http.ResponseWriter, r *http.Request, out *buffer, lang string) {
	var rc Receipt
	if err := json.Unmarshal(out.body.Bytes(), &rc); err != nil || rc.TrackingToken == "" {
		p.fail(w, r, view{Locale: lang}, fmt.Errorf("the replayed form reply is not a receipt (%v)", err), pageNoForm)
		return
	}
	w.Header().Set(idempotency.ReplayedHeader, "true")
	toCase(w, r, rc, lang)
}

// buffer holds what the idempotency middleware answers, to be shown as a page.
type buffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *buffer) Header() http.Header { return b.header }
func (b *buffer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *buffer) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// problem tells a refusal written by the middleware from a page written by the form.
func (b *buffer) problem() bool { return b.header.Get("Content-Type") == problem.ContentType }

func (b *buffer) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// refusal is the error of the middleware's own answer, by its status.
func refusal(b *buffer) error {
	kind := problem.Unavailable
	switch b.status {
	case http.StatusConflict:
		kind = problem.Conflict
	case http.StatusUnprocessableEntity:
		kind = problem.KeyReused
	case http.StatusTooManyRequests:
		kind = problem.Throttled
	case http.StatusBadRequest:
		kind = problem.Invalid
	}
	return &problem.Error{Kind: kind, Detail: "refused by the idempotency check", RetryAfter: retryAfter(b.header, 0)}
}

func retryAfter(h http.Header, def int) int {
	if n, err := strconv.Atoi(h.Get("Retry-After")); err == nil && n > 0 {
		return n
	}
	return def
}
