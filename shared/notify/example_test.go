package notify_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/notify"
)

// A receiving adapter checks each request before it forwards the message (to a
// WeCom or DingTalk robot, or an SMS gateway) and dedupes on X-Rapport-Id.
func ExampleVerify() {
	secret := []byte("the-shared-secret-from-config")
	receive := func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		err = notify.Verify(secret, r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), body, time.Now(), 5*time.Minute)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized) // permanent for the sender
			return
		}
		fmt.Println("accepted", r.Header.Get(notify.HeaderID))
	}

	body := `{"id":"01J0EXAMPLE","text":"hello"}`
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	for _, sig := range []string{notify.Sign(secret, ts, []byte(body)), "v1=forged"} {
		r := httptest.NewRequest(http.MethodPost, "/rapport", strings.NewReader(body))
		r.Header.Set(notify.HeaderID, "01J0EXAMPLE")
		r.Header.Set(notify.HeaderTimestamp, ts)
		r.Header.Set(notify.HeaderSignature, sig)
		rec := httptest.NewRecorder()
		receive(rec, r)
		fmt.Println(rec.Code)
	}
	// Output:
	// accepted 01J0EXAMPLE
	// 200
	// 401
}
