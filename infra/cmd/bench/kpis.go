package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/location"
)

// kpiLocation is where the KPI bench's visits happen; the location is not registered,
// so its days are UTC days.
const kpiLocation = "bench-kpi"

// kpisCost measures the KPI report (last 30 days, daily, one location) and the staff
// report (the same days and location, kpiStaff staff members) at 1,000 visits and
// again at BENCH_KPI_N (default 10,000): each reads day counters, so its cost must not
// grow with the visits.
func kpisCost(ctx context.Context, clients cloud.Clients, table, baseURL string, issuer *local.Issuer, meter func() *reading) error {
	target := 10000
	if v, err := strconv.Atoi(os.Getenv("BENCH_KPI_N")); err == nil && v > 1000 {
		target = v
	}
	store := &customer.Store{DB: clients.DynamoDB, Table: table, Locations: &location.Store{DB: clients.DynamoDB, Table: table}}
	token, err := issuer.Token("bench", []string{"admin"}, []string{"*"}, time.Now(), time.Hour)
	if err != nil {
		return err
	}
	fmt.Printf("KPI and staff reports (last 30 days, one location) over its visits, 200 queries each\n\n")
	fmt.Printf("%-22s %8s %8s %10s %9s\n", "report, visits", "p50", "p90", "AWS calls", "RRU")
	done := 0
	for _, n := range []int{1000, target} {
		started := time.Now()
		if err := visitsFill(ctx, store, done, n); err != nil {
			return err
		}
		done = n
		fmt.Fprintf(os.Stderr, "bench: %d visits stored (%s)\n", n, time.Since(started).Round(time.Second))
		for _, r := range []struct{ name, short, path string }{
			{"KPI report", "KPI", "/v1/reports/kpis"},
			{fmt.Sprintf("staff report (%d staff)", kpiStaff), "staff", "/v1/reports/staff"},
		} {
			s, err := measure(200, func(int) (sample, error) {
				start := time.Now()
				req, _ := http.NewRequest(http.MethodGet, baseURL+r.path+"?locationId="+kpiLocation, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return sample{}, err
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return sample{}, fmt.Errorf("%s: status %d", r.name, resp.StatusCode)
				}
				return meter().sample(start), nil
			})
			if err != nil {
				return err
			}
			calls, _, units, _ := means(s)
			fmt.Printf("%-22s %8s %8s %10.1f %9.1f\n", fmt.Sprintf("%s, %d", r.short, n), pct(s, 0.5).Round(10*time.Microsecond), pct(s, 0.9).Round(10*time.Microsecond),
				calls, units.Read)
			costs = append(costs, costRow{name: fmt.Sprintf("%s, %d visits", r.name, n), samples: s})
		}
	}
	return nil
}

// kpiStaff is how many staff members serve the KPI bench's visits.
const kpiStaff = 20

// visitsFill records visits from..to through the customer store (each moves its
// customer's figures, the location's counters and its staff member's in one
// transaction), by 500 customers served by kpiStaff staff over the last 30 days, from
// eight workers.
func visitsFill(ctx context.Context, store *customer.Store, from, to int) error {
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	now := time.Now()
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(to)))
			for i := from + w; i < to; i += workers {
				at := now.Add(-time.Duration(rng.IntN(30*24)) * time.Hour)
				v := customer.Visit{ID: id.New(at), SourceID: "bench-kpi-" + strconv.Itoa(i), CustomerID: "bench-kpi-c" + strconv.Itoa(i%500),
					LocationID: kpiLocation, Amount: 10, Currency: "CNY", At: at, ReceivedAt: now, StaffID: "bench-staff-" + strconv.Itoa(i%kpiStaff)}
				if err := store.RecordVisit(ctx, v); err != nil {
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
