package form

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/idempotency"
)

// once runs the post under the form's submissionKey as its idempotency key, so a double
// tap, or the same post sent again (Back to a form page the browser kept, then Send),
// makes one case and leads to it each time. It is the API's idempotency
// (idempotency.Store.Await) over the same table, with the form's own scope: the case and
// the stored reply (the JSON receipt) are one transaction, exactly as for an API
// client's key. A replay leads the same way to the case, a post still in progress is
// waited for, and the key sent with other input (the same rendering edited after
// sending) is "already sent".
func (p *Pages) once(w http.ResponseWriter, r *http.Request, body []byte, key, lang, locationID string, post http.HandlerFunc) {
	idem := idempotency.NewStore(p.Service.Store.DB, p.Service.Store.Table, p.Service.Clock)
	hash := idempotency.Hash(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	page := idempotency.NewRecorder()
	out, replayed, err := idem.Await(r.Context(), formScope, key, hash, formAttempts, maxWait, func(ctx context.Context) (idempotency.Outcome, error) {
		post(page, r.WithContext(ctx))
		return page.Outcome(), nil
	})
	switch {
	case errors.Is(err, context.Canceled):
	case err == nil && replayed && out.ContentType == "application/json":
		p.replay(w, r, out.Body, lang) // the receipt stored in the case's transaction
	case err == nil && replayed:
		idempotency.Replay(w, out) // a page stored after it was sent
	case err == nil:
		page.Flush(w)
	default:
		p.refuse(w, r, view{Locale: lang, Again: formLink(locationID, lang)}, err, pageNoForm)
	}
}

// replay leads to the case an earlier post of this rendering made.
func (p *Pages) replay(w http.ResponseWriter, r *http.Request, stored []byte, lang string) {
	var rc complaint.Receipt
	if err := json.Unmarshal(stored, &rc); err != nil || rc.TrackingToken == "" {
		p.fail(w, r, view{Locale: lang}, fmt.Errorf("the replayed form reply is not a receipt (%v)", err), pageNoForm)
		return
	}
	w.Header().Set(idempotency.ReplayedHeader, "true")
	toCase(w, r, rc, lang)
}
