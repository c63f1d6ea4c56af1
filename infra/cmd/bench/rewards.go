package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
)

// rewardsCost measures taking a reward for points (the points debit, the stock and the
// voucher in one transaction) and redeeming the vouchers taken at a till, through the
// HTTP routes with a system token: n of each, after a reward of 1 point with no stock
// limit is put in the catalogue and a member is funded for every take.
func rewardsCost(n int, baseURL string, issuer *local.Issuer, meter func() *reading, floor []sample) error {
	system, err := issuer.Token("bench", []string{"system"}, []string{"*"}, time.Now(), time.Hour)
	if err != nil {
		return err
	}
	admin, err := issuer.Token("bench-admin", []string{"admin"}, []string{"*"}, time.Now(), time.Hour)
	if err != nil {
		return err
	}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	call := func(token, method, path, body string, want int) (sample, []byte, error) {
		start := time.Now()
		req, _ := http.NewRequest(method, baseURL+path, bytes.NewBufferString(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
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
	rewardID, member := "bench-"+run, "bench-taker-"+run
	if _, _, err := call(admin, "POST", "/v1/rewards", fmt.Sprintf(`{"rewardId":%q,"name":{"zh-CN":"立减1元","en":"1 off"},"pointsCost":1,"kind":"voucher","value":{"amountOff":1,"currency":"CNY"},"validDays":30}`, rewardID), http.StatusCreated); err != nil {
		return err
	}
	if _, _, err := call(system, "POST", "/v1/loyalty/"+member+"/earn", fmt.Sprintf(`{"sourceId":"fund-%s","points":%d}`, run, n+100), http.StatusCreated); err != nil {
		return err
	}
	var codes []string // every voucher taken, the warm-up's too: one redeem each
	take, err := measure(n, func(i int) (sample, error) {
		s, b, err := call(system, "POST", "/v1/loyalty/"+member+"/rewards/"+rewardID, fmt.Sprintf(`{"sourceId":"take-%s-%d","locationId":"loc-1"}`, run, i), http.StatusCreated)
		if err != nil {
			return s, err
		}
		var v struct{ Code string }
		if err := json.Unmarshal(b, &v); err != nil || v.Code == "" {
			return s, fmt.Errorf("take: no code in %s", b)
		}
		codes = append(codes, v.Code)
		return s, nil
	})
	if err != nil {
		return err
	}
	next := 0
	redeem, err := measure(n, func(i int) (sample, error) {
		code := codes[next]
		next++
		s, _, err := call(system, "POST", "/v1/vouchers/"+code+"/redeem", fmt.Sprintf(`{"sourceId":"bill-%s-%d","locationId":"loc-1"}`, run, i), http.StatusCreated)
		return s, err
	})
	if err != nil {
		return err
	}
	fmt.Printf("Rewards through the HTTP routes (system token): %d takes of a 1-point reward by one member, %d redeems of the vouchers taken\n\n", n, n)
	header("case")
	report("take a reward (debit + voucher)", take, floor)
	report("redeem a voucher at a till", redeem, floor)
	return nil
}
