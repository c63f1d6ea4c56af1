package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
)

// earnAccounts spread the earns, so an account holds about as many lots as a regular
// customer's year of purchases rather than all n (an earn reads the account's lots).
const earnAccounts = 50

// loyaltyCost measures an earn of points outright, a redeem of one point from a funded
// account and a balance read, through the HTTP routes with a system token: capacity
// units and AWS calls per request, p50 next to the run's floor, and the calls by
// operation, since the target is one transaction per earn and per redeem.
func loyaltyCost(n int, baseURL string, issuer *local.Issuer, meter func() *reading, floor []sample) error {
	token, err := issuer.Token("bench", []string{"system"}, []string{"*"}, time.Now(), time.Hour)
	if err != nil {
		return err
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36) // sourceIds are claimed forever
	// ops sums the calls by operation of the measured requests (not the warm-up) per case.
	ops := map[string]map[string]int{}
	call := func(name, method, path, body string, i, want int) (sample, error) {
		start := time.Now()
		req, _ := http.NewRequest(method, baseURL+path, bytes.NewBufferString(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return sample{}, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			return sample{}, fmt.Errorf("%s %s: status %d %s", method, path, resp.StatusCode, b)
		}
		m := meter()
		if i >= 0 {
			if ops[name] == nil {
				ops[name] = map[string]int{}
			}
			for op, c := range m.meter.Calls {
				ops[name][op] += c
			}
		}
		return m.sample(start), nil
	}
	earn, err := measure(n, func(i int) (sample, error) {
		cid := fmt.Sprintf("bench-earn-%d", (i%earnAccounts+earnAccounts)%earnAccounts)
		return call("earn", "POST", "/v1/loyalty/"+cid+"/earn", fmt.Sprintf(`{"sourceId":"earn-%s-%d","points":10}`, run, i), i, http.StatusCreated)
	})
	if err != nil {
		return err
	}
	const funded = "bench-redeem"
	if _, err := call("fund", "POST", "/v1/loyalty/"+funded+"/earn", fmt.Sprintf(`{"sourceId":"fund-%s","points":%d}`, run, n+100), -1, http.StatusCreated); err != nil {
		return err
	}
	redeem, err := measure(n, func(i int) (sample, error) {
		return call("redeem", "POST", "/v1/loyalty/"+funded+"/redeem", fmt.Sprintf(`{"sourceId":"redeem-%s-%d","points":1}`, run, i), i, http.StatusCreated)
	})
	if err != nil {
		return err
	}
	balance, err := measure(n, func(i int) (sample, error) {
		return call("balance", "GET", "/v1/loyalty/"+funded, "", i, http.StatusOK)
	})
	if err != nil {
		return err
	}
	// Two customers alike but for their history: one with 2 lots, one with 200 (all
	// but the last emptied by a redeem of the lot's points), each with a live lot
	// funded for the redeems. A balance read and a redeem must cost the same for both.
	history := map[int][2][]sample{}
	for _, lots := range []int{2, 200} {
		cid := fmt.Sprintf("bench-lots-%d-%s", lots, run)
		for j := range lots - 1 {
			src := fmt.Sprintf("%s-%d", cid, j)
			if _, err := call("fund", "POST", "/v1/loyalty/"+cid+"/earn", `{"sourceId":"e-`+src+`","points":5}`, -1, http.StatusCreated); err != nil {
				return err
			}
			if _, err := call("fund", "POST", "/v1/loyalty/"+cid+"/redeem", `{"sourceId":"r-`+src+`","points":5}`, -1, http.StatusCreated); err != nil {
				return err
			}
		}
		if _, err := call("fund", "POST", "/v1/loyalty/"+cid+"/earn", fmt.Sprintf(`{"sourceId":"live-%s","points":%d}`, cid, n+100), -1, http.StatusCreated); err != nil {
			return err
		}
		bal, err := measure(n, func(i int) (sample, error) { return call("history", "GET", "/v1/loyalty/"+cid, "", -1, http.StatusOK) })
		if err != nil {
			return err
		}
		red, err := measure(n, func(i int) (sample, error) {
			return call("history", "POST", "/v1/loyalty/"+cid+"/redeem", fmt.Sprintf(`{"sourceId":"h-%s-%d","points":1}`, cid, i), -1, http.StatusCreated)
		})
		if err != nil {
			return err
		}
		history[lots] = [2][]sample{bal, red}
	}
	fmt.Printf("Loyalty through the HTTP routes (system token): %d earns over %d accounts, %d redeems of 1 point and %d balance reads of one funded account\n\n",
		n, earnAccounts, n, n)
	header("case")
	report("earn 10 points, new sourceId", earn, floor)
	report("redeem 1 point, new sourceId", redeem, floor)
	report("balance read (GET /v1/loyalty/{id})", balance, floor)
	for _, lots := range []int{2, 200} {
		report(fmt.Sprintf("balance read, %d lots in history", lots), history[lots][0], floor)
		report(fmt.Sprintf("redeem 1 point, %d lots in history", lots), history[lots][1], floor)
	}
	fmt.Println("AWS calls per request by operation (target: one TransactWriteItems per earn and per redeem)")
	for _, c := range []struct {
		name string
		s    []sample
	}{{"earn", earn}, {"redeem", redeem}, {"balance", balance}} {
		names := make([]string, 0, len(ops[c.name]))
		for op := range ops[c.name] {
			names = append(names, op)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, op := range names {
			parts[i] = fmt.Sprintf("%s %.2f", op, float64(ops[c.name][op])/float64(len(c.s)))
		}
		fmt.Printf("  %-8s %s\n", c.name, strings.Join(parts, ", "))
	}
	return nil
}
