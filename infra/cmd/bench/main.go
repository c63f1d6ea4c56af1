// Command bench measures the survey submission, complaint, loyalty and customer search routes against the local stack: DynamoDB
// capacity and AWS calls per request, and latency percentiles next to a bare DynamoDB
// Local write measured in the same run (the ratio is the figure; absolute times on a
// shared machine are not). It also measures each Lambda bootstrap's size and cold init
// against baselines (bootstraps.go). Run it with make bench, which starts fresh
// emulators; BENCH_ONLY=bootstraps runs only the bootstraps, without them.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/emulator"
)

func main() {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("BENCH_N")); err == nil && v > 0 {
		n = v
	}
	var err error
	if os.Getenv("BENCH_ONLY") == "bootstraps" { // no emulators needed
		err = bootstraps()
	} else {
		err = run(n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type sample struct {
	latency time.Duration
	calls   int
	units   float64
}

func run(n int) error {
	ctx := context.Background()
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil))) // one line per request would drown the table
	ddb, sqsEndpoint := os.Getenv("RAPPORT_DYNAMODB_ENDPOINT"), os.Getenv("RAPPORT_SQS_ENDPOINT")
	if ddb == "" || sqsEndpoint == "" {
		return fmt.Errorf("RAPPORT_DYNAMODB_ENDPOINT and RAPPORT_SQS_ENDPOINT are not set: run make bench")
	}
	clients, err := cloud.Local(ctx, ddb, sqsEndpoint, emulator.DefaultRegion)
	if err != nil {
		return err
	}
	names := dynamo.Prefixed("bench-")
	urls, err := local.Provision(ctx, clients, names, time.Now())
	if err != nil {
		return err
	}
	issuer, err := local.LoadIssuer(filepath.Join(os.TempDir(), "rapport-bench-issuer.pem"))
	if err != nil {
		return err
	}
	// The server starts after the runner is built, but its address is needed for the
	// links the runner's functions hand out.
	srv := httptest.NewUnstartedServer(nil)
	r, err := local.New(local.Config{Clients: clients, Names: names, Queues: urls, Region: emulator.DefaultRegion, Issuer: issuer,
		Clock: clock.System{}, Unthrottled: true, PublicURL: "http://" + srv.Listener.Addr().String(), KeyDir: filepath.Join(os.TempDir(), "rapport-bench-keys")})
	if err != nil {
		return err
	}
	// Each request gets a meter in its context; the function's AWS calls count on it.
	var last *cloud.Meter
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mctx, m := cloud.WithMeter(req.Context())
		last = m
		r.Handler().ServeHTTP(w, req.WithContext(mctx))
	})
	srv.Start()
	defer srv.Close()

	floor, err := measure(n, func(i int) (sample, error) { return bareWrite(ctx, clients.DynamoDB, names("surveys"), i) })
	if err != nil {
		return err
	}
	variants := []struct {
		name, body string
		key        bool
	}{
		{"submit, promoter (no loop)", `{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":10},{"questionId":"service","value":5}]}`, false},
		{"submit, detractor (loop: callback)", `{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":3},{"questionId":"service","value":2}],"comment":"cold room"}`, false},
		{"submit, detractor + Idempotency-Key", `{"invitationToken":"demo-stay-loc-1","answers":[{"questionId":"nps","value":3}],"comment":"cold room"}`, true},
	}
	fmt.Printf("Survey submission against the local stack, %d sequential requests each (DynamoDB Local, SQS emulator, runner in-process)\n\n", n)
	fmt.Printf("%-38s %8s %8s %8s %8s %10s %9s\n", "case", "p50", "p90", "p99", "p50/floor", "AWS calls", "cap.units")
	report("bare DynamoDB Local PutItem (floor)", floor, floor)
	for _, v := range variants {
		s, err := measure(n, func(i int) (sample, error) {
			start := time.Now()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/surveys/"+local.DemoSurveyID+"/responses", bytes.NewBufferString(v.body))
			req.Header.Set("Content-Type", "application/json")
			if v.key {
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return sample{}, err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				return sample{}, fmt.Errorf("status %d", resp.StatusCode)
			}
			return sample{latency: time.Since(start), calls: last.Total(), units: last.CapacityUnits}, nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		report(v.name, s, floor)
	}
	fmt.Println()
	if err := complaintsCost(min(n, 1000), srv.URL, issuer, func() *cloud.Meter { return last }, floor); err != nil {
		return err
	}
	fmt.Println()
	if err := loyaltyCost(min(n, 1000), srv.URL, issuer, func() *cloud.Meter { return last }, floor); err != nil {
		return err
	}
	fmt.Println()
	if err := resultsCost(ctx, clients, names("surveys"), srv.URL, issuer, func() *cloud.Meter { return last }); err != nil {
		return err
	}
	fmt.Println()
	if err := kpisCost(ctx, clients, names("customers"), srv.URL, issuer, func() *cloud.Meter { return last }); err != nil {
		return err
	}
	fmt.Println()
	if err := searchCost(ctx, clients, names("customers"), srv.URL, issuer, func() *cloud.Meter { return last }, min(n, 1000), floor); err != nil {
		return err
	}
	fmt.Println()
	if err := dispatchCost(ctx, clients); err != nil {
		return err
	}
	fmt.Println()
	return bootstraps()
}

func bareWrite(ctx context.Context, db *dynamodb.Client, table string, i int) (sample, error) {
	mctx, m := cloud.WithMeter(ctx)
	start := time.Now()
	_, err := db.PutItem(mctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: dynamo.Key("BENCH#"+strconv.Itoa(i), "FLOOR")})
	return sample{latency: time.Since(start), calls: m.Total(), units: m.CapacityUnits}, err
}

func measure(n int, one func(int) (sample, error)) ([]sample, error) {
	for i := range min(50, n) { // warm up connections and the JIT of DynamoDB Local
		if _, err := one(-1 - i); err != nil {
			return nil, err
		}
	}
	out := make([]sample, n)
	for i := range n {
		s, err := one(i)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func pct(s []sample, p float64) time.Duration {
	d := make([]time.Duration, len(s))
	for i, x := range s {
		d[i] = x.latency
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

func report(name string, s, floor []sample) {
	calls, units := 0, 0.0
	for _, x := range s {
		calls += x.calls
		units += x.units
	}
	ratio := float64(pct(s, 0.5)) / float64(pct(floor, 0.5))
	fmt.Printf("%-38s %8s %8s %8s %8.1fx %10.1f %9.1f\n", name,
		pct(s, 0.5).Round(10*time.Microsecond), pct(s, 0.9).Round(10*time.Microsecond), pct(s, 0.99).Round(10*time.Microsecond),
		ratio, float64(calls)/float64(len(s)), units/float64(len(s)))
}
