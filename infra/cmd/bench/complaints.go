package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
)

// complaintsCost measures a complaint's intake (public, with Idempotency-Key), one
// staff action on it, and the report query over the cases made, at the demo location:
// capacity units and AWS calls per request, p50 next to the run's floor.
func complaintsCost(n int, baseURL string, issuer *local.Issuer, meter func() *reading, floor []sample) error {
	token, err := issuer.Token("bench", []string{"admin"}, []string{"*"}, time.Now(), time.Hour)
	if err != nil {
		return err
	}
	call := func(method, path, body string, headers map[string]string, want int) (sample, []byte, error) {
		start := time.Now()
		req, _ := http.NewRequest(method, baseURL+path, bytes.NewBufferString(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return sample{}, nil, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			return sample{}, nil, fmt.Errorf("%s %s: status %d %s", method, path, resp.StatusCode, b)
		}
		return meter().sample(start), b, nil
	}
	var ids []string
	intake, err := measure(n, func(i int) (sample, error) {
		body := fmt.Sprintf(`{"category":"waiting_time","severity":"high","description":"Waited 40 minutes at the desk; nobody came (%04d).","locationId":"%s",
			"contact":{"name":"Guest","email":"guest%d@example.com","locale":"en"}}`, i, local.DemoLocation(time.Now()).ID, i)
		s, b, err := call("POST", "/v1/complaints", body, map[string]string{"Idempotency-Key": fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)}, http.StatusCreated)
		var rc struct{ ComplaintID string }
		if err == nil && i >= 0 {
			err = json.Unmarshal(b, &rc)
			ids = append(ids, rc.ComplaintID)
		}
		return s, err
	})
	if err != nil {
		return err
	}
	auth := map[string]string{"Authorization": "Bearer " + token}
	action, err := measure(n-50, func(i int) (sample, error) {
		s, _, err := call("POST", "/v1/complaints/"+ids[i+50]+"/actions", `{"action":"acknowledge","note":"Called the guest."}`, auth, http.StatusOK)
		return s, err
	})
	if err != nil {
		return err
	}
	// The same cases, now acknowledged, resolved with a root cause.
	resolve, err := measure(n-50, func(i int) (sample, error) {
		s, _, err := call("POST", "/v1/complaints/"+ids[i+50]+"/actions",
			`{"action":"resolve","resolution":"Moved the guest to a quiet room and apologised.","rootCause":"process"}`, auth, http.StatusOK)
		return s, err
	})
	if err != nil {
		return err
	}
	// Cases whose description is 500 Chinese characters (1,500 bytes), acknowledged: an
	// action's cost must not grow with the description.
	long := strings.Repeat("房间空调坏了，前台说会派人来修，等了两个小时没人来", 20)
	var longIDs []string
	for i := range max(n/4, pricedSamples+20) {
		body := fmt.Sprintf(`{"category":"facilities","severity":"high","description":%q,"locationId":"%s",
			"contact":{"name":"客人","email":"long%d@example.com","locale":"zh-CN"}}`, long, local.DemoLocation(time.Now()).ID, i)
		_, b, err := call("POST", "/v1/complaints", body, nil, http.StatusCreated)
		var rc struct{ ComplaintID string }
		if err == nil {
			err = json.Unmarshal(b, &rc)
		}
		if err != nil {
			return err
		}
		longIDs = append(longIDs, rc.ComplaintID)
	}
	longAction, err := measure(len(longIDs), func(i int) (sample, error) {
		if i < 0 {
			return sample{}, nil // no warm-up: each case is acknowledged once
		}
		s, _, err := call("POST", "/v1/complaints/"+longIDs[i]+"/actions", `{"action":"acknowledge","note":"已致电客人。"}`, auth, http.StatusOK)
		return s, err
	})
	if err != nil {
		return err
	}
	zone, err := time.LoadLocation(local.DemoLocation(time.Now()).TimeZone)
	if err != nil {
		return err
	}
	day := time.Now().In(zone).Format("2006-01-02") // reports count by the location's day
	reportQ, err := measure(200, func(int) (sample, error) {
		s, _, err := call("GET", "/v1/reports/complaints?from="+day+"&to="+day+"&locationId=loc-1", "", auth, http.StatusOK)
		return s, err
	})
	if err != nil {
		return err
	}
	fmt.Printf("Complaints at the demo location: %d intakes, %d acknowledgements and resolutions, 200 report queries (over all the cases)\n\n", n, n-50)
	header("case")
	report("intake + Idempotency-Key", intake, floor)
	report("action: acknowledge", action, floor)
	report("action: resolve", resolve, floor)
	report("action: acknowledge, 500-char Chinese", longAction, floor)
	report("report query (one day, one location)", reportQ, floor)
	return nil
}
