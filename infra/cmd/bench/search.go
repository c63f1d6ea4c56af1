package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/location"
)

// surnames give the bench's customers their names: a name search for one of them
// matches about a twentieth of a location's customers, as a common surname would.
var surnames = []string{"wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou",
	"xu", "sun", "ma", "zhu", "hu", "guo", "he", "lin", "luo", "gao"}

// searchCost measures the customer search through GET /v1/customers with a token of the
// demo location's agent: by phone (written as a person types it: the contact index,
// then the profile) and by the start of a name (a page of 20 from the byName index), n
// searches each at 1,000 customers at home at the location and again at BENCH_SEARCH_N
// (default 10,000). Neither reads more as the location grows.
func searchCost(ctx context.Context, clients cloud.Clients, table, baseURL string, issuer *local.Issuer, meter func() *reading, n int, floor []sample) error {
	target := 10000
	if v, err := strconv.Atoi(os.Getenv("BENCH_SEARCH_N")); err == nil && v > 1000 {
		target = v
	}
	loc := local.DemoLocation(time.Now()).ID
	token, err := issuer.Token("bench-agent", []string{"agent"}, []string{loc}, time.Now(), time.Hour)
	if err != nil {
		return err
	}
	get := func(query url.Values) (sample, error) {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, baseURL+"/v1/customers?"+query.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return sample{}, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return sample{}, fmt.Errorf("search %v: status %d", query, resp.StatusCode)
		}
		return meter().sample(start), nil
	}
	store := &customer.Store{DB: clients.DynamoDB, Table: table, Locations: &location.Store{DB: clients.DynamoDB, Table: table}}
	fmt.Printf("Customer search through GET /v1/customers (an agent of %s), %d searches per case\n\n", loc, n)
	header("case")
	done := 0
	for _, size := range []int{1000, target} {
		started := time.Now()
		if err := enrol(ctx, store, loc, done, size); err != nil {
			return err
		}
		done = size
		fmt.Fprintf(os.Stderr, "bench: %d customers stored (%s)\n", size, time.Since(started).Round(time.Second))
		rng := rand.New(rand.NewPCG(uint64(size), 1))
		byPhone, err := measure(n, func(int) (sample, error) {
			i := rng.IntN(size)
			return get(url.Values{"q": {fmt.Sprintf("139 %04d %04d", i/10000, i%10000)}})
		})
		if err != nil {
			return err
		}
		byName, err := measure(n, func(int) (sample, error) {
			return get(url.Values{"q": {surnames[rng.IntN(len(surnames))]}, "locationId": {loc}, "limit": {"20"}})
		})
		if err != nil {
			return err
		}
		for _, c := range []struct {
			name string
			s    []sample
		}{{"by phone", byPhone}, {"by name, a page of 20", byName}} {
			report(fmt.Sprintf("%s, %d customers", c.name, size), c.s, floor)
		}
	}
	return nil
}

// enrol creates the location's customers from..to-1 through the store, from eight
// workers: customer i has the phone +86 139 0000 0000 + i and a surname by i.
func enrol(ctx context.Context, store *customer.Store, loc string, from, to int) error {
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := from + w; i < to; i += workers {
				name := fmt.Sprintf("%s guest %d", surnames[i%len(surnames)], i)
				phone := fmt.Sprintf("+86139%08d", i)
				in := customer.ProfileInput{Name: &name, Phone: &phone, LocationID: &loc}
				if _, _, err := store.CreateProfile(ctx, in, "bench", time.Now()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
