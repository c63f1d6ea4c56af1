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
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/survey"
)

// resultsCost measures the results query of one survey at 1,000 responses and again at
// BENCH_RESULTS_N (default 100,000): it reads daily aggregates, so its cost must not
// grow with the responses.
func resultsCost(ctx context.Context, clients cloud.Clients, table, baseURL string, issuer *local.Issuer, meter func() *reading) error {
	target := 100000
	if v, err := strconv.Atoi(os.Getenv("BENCH_RESULTS_N")); err == nil && v > 1000 {
		target = v
	}
	store := &survey.Store{DB: clients.DynamoDB, Table: table}
	staff := &survey.Staff{Service: &survey.Service{Store: store, Clock: clock.System{}}}
	admin := adminPrincipal()
	sv, err := staff.Define(ctx, admin, survey.Definition{Name: "Results bench", Anonymous: true, Loop: &survey.Loop{Off: true}, Questions: []survey.Question{
		{ID: "nps", Type: survey.TypeNPS, Required: true, Text: map[string]string{"en": "Recommend us?"}},
		{ID: "service", Type: survey.TypeCSAT, Dimension: "service quality", Text: map[string]string{"en": "Service?"}},
	}})
	if err != nil {
		return err
	}
	token, err := issuer.Token("bench", []string{"admin"}, []string{"*"}, time.Now(), time.Hour)
	if err != nil {
		return err
	}
	fmt.Printf("Results query (last 30 days, all locations) of one survey, 200 queries each\n\n")
	fmt.Printf("%-22s %8s %8s %10s %9s\n", "responses", "p50", "p90", "AWS calls", "RRU")
	done := 0
	for _, n := range []int{1000, target} {
		started := time.Now()
		if err := fill(ctx, staff, admin, sv.ID, n-done); err != nil {
			return err
		}
		done = n
		fmt.Fprintf(os.Stderr, "bench: %d responses stored (%s)\n", n, time.Since(started).Round(time.Second))
		s, err := measure(200, func(int) (sample, error) {
			start := time.Now()
			req, _ := http.NewRequest(http.MethodGet, baseURL+"/v1/surveys/"+sv.ID+"/results", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return sample{}, err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return sample{}, fmt.Errorf("results: status %d", resp.StatusCode)
			}
			return meter().sample(start), nil
		})
		if err != nil {
			return err
		}
		calls, _, units, _ := means(s)
		fmt.Printf("%-22d %8s %8s %10.1f %9.1f\n", n, pct(s, 0.5).Round(10*time.Microsecond), pct(s, 0.9).Round(10*time.Microsecond),
			calls, units.Read)
		costs = append(costs, costRow{name: fmt.Sprintf("results query, %d responses", n), samples: s})
	}
	return nil
}

// fill submits n responses through the service, spread over the last 30 days and
// three locations, from eight workers each with its own public link.
func fill(ctx context.Context, staff *survey.Staff, admin auth.Principal, surveyID string, n int) error {
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		link, err := staff.Link(ctx, admin, surveyID, survey.LinkRequest{LocationID: "loc-" + strconv.Itoa(w%3+1), DailyCap: 100000})
		if err != nil {
			return err
		}
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(n)))
			clk := clock.NewManual(time.Now())
			svc := &survey.Service{Store: staff.Store, Clock: clk}
			for i := w; i < n; i += workers {
				clk.Set(time.Now().Add(-time.Duration(rng.IntN(30*24)) * time.Hour))
				sub := survey.Submission{InvitationToken: link.Token, Answers: []survey.Answer{
					{QuestionID: "nps", Value: float64(rng.IntN(11))}, {QuestionID: "service", Value: float64(rng.IntN(5) + 1)},
				}}
				if _, err := svc.Submit(ctx, surveyID, sub, nil); err != nil {
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

func adminPrincipal() auth.Principal {
	return auth.Principal{Subject: "bench", Roles: []string{"admin"}, All: true}
}
