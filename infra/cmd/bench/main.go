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
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/infra/cost"
	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/app"
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

// sample is one measured request.
type sample struct {
	latency time.Duration
	// calls and trips count its AWS calls, and the round trips they took one after
	// another (concurrent calls are one trip).
	calls, trips int
	// priced is set on the requests whose calls were priced (the first pricedSamples of
	// each case); units and sqs are their DynamoDB request units by the published rules
	// and their SQS requests.
	priced   bool
	units    cost.Units
	parts    map[string]cost.Units // units by kind of item (partOf)
	sqs      int
	kms      int    // its KMS requests (priced ones only)
	function string // the wiring row that served it
	api      int    // HTTP API requests billed for it
	err      error  // pricing failed
}

// reading is what one request's calls came to: the meter's counts and, when priced,
// the bill the probe added up.
type reading struct {
	meter    *cloud.Meter
	bill     *bill
	function string
	// apiRequests is what the HTTP API bills for the request (one per 512 KB).
	apiRequests int
}

// sample is the request that started at start, as read from its calls.
func (r *reading) sample(start time.Time) sample {
	s := sample{latency: time.Since(start), calls: r.meter.Total(), trips: r.meter.Trips(), function: r.function, api: r.apiRequests}
	if r.bill != nil {
		r.bill.mu.Lock()
		s.priced, s.units, s.sqs, s.kms, s.err, s.parts = true, r.bill.units, r.bill.sqs, r.bill.kms, r.bill.err, r.bill.parts
		r.bill.mu.Unlock()
	}
	return s
}

// probing is set while measure runs the requests it prices.
var probing atomic.Bool

// pricedSamples is how many requests of each case are priced: the pricer's own reads
// slow a request down, so latency percentiles are taken from the other requests.
const pricedSamples = 20

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
	keyDir := filepath.Join(os.TempDir(), "rapport-bench-keys")
	r, err := local.New(local.Config{Clients: clients, Names: names, Queues: urls, Region: emulator.DefaultRegion, Issuer: issuer,
		Clock: clock.System{}, Unthrottled: true, Keep: app.KeepReads, PublicURL: "http://" + srv.Listener.Addr().String(), KeyDir: keyDir})
	if err != nil {
		return err
	}
	// Each request gets a meter in its context; the function's AWS calls count on it,
	// and the requests measure prices are priced call by call.
	prices := newPricer(clients.DynamoDB)
	var last atomic.Pointer[reading]
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mctx, m := cloud.WithMeter(req.Context())
		rd := &reading{meter: m, apiRequests: cost.APIRequests(max(int(req.ContentLength), 0))}
		if f, ok := functionOf()(req); ok {
			rd.function = f.Name
		}
		if probing.Load() {
			rd.bill = &bill{}
			m.Probe = prices.probe(rd.bill)
		}
		last.Store(rd)
		r.Handler().ServeHTTP(w, req.WithContext(mctx))
	})
	srv.Start()
	defer srv.Close()
	meter := func() *reading { return last.Load() }

	// First, while no other follow-up is due: the dispatcher takes whatever is due.
	if err := sendCost(ctx, r, clients, names, urls, keyDir, prices); err != nil {
		return err
	}
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
	header("case")
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
			return meter().sample(start), nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		report(v.name, s, floor)
	}
	fmt.Println()
	if err := complaintsCost(min(n, 1000), srv.URL, issuer, meter, floor); err != nil {
		return err
	}
	fmt.Println()
	if err := loyaltyCost(min(n, 1000), srv.URL, issuer, meter, floor); err != nil {
		return err
	}
	fmt.Println()
	if err := rewardsCost(min(n, 1000), srv.URL, issuer, meter, floor); err != nil {
		return err
	}
	fmt.Println()
	if err := resultsCost(ctx, clients, names("surveys"), srv.URL, issuer, meter); err != nil {
		return err
	}
	fmt.Println()
	if err := kpisCost(ctx, clients, names("customers"), srv.URL, issuer, meter); err != nil {
		return err
	}
	fmt.Println()
	if err := searchCost(ctx, clients, names("customers"), srv.URL, issuer, meter, min(n, 1000), floor); err != nil {
		return err
	}
	fmt.Println()
	if err := dispatchCost(ctx, clients); err != nil {
		return err
	}
	fmt.Println()
	printCosts()
	fmt.Println()
	return bootstraps()
}

func bareWrite(ctx context.Context, db *dynamodb.Client, table string, i int) (sample, error) {
	mctx, m := cloud.WithMeter(ctx)
	start := time.Now()
	_, err := db.PutItem(mctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: dynamo.Key("BENCH#"+strconv.Itoa(i), "FLOOR")})
	// One item of a few bytes: one write unit by the published rules.
	return sample{latency: time.Since(start), calls: m.Total(), trips: m.Trips(), units: cost.Units{Write: 1}}, err
}

// measure runs one after warming up, then n times: the first pricedSamples priced, the
// rest timed.
func measure(n int, one func(int) (sample, error)) ([]sample, error) {
	for i := range min(50, n) { // warm up connections and the JIT of DynamoDB Local
		if _, err := one(-1 - i); err != nil {
			return nil, err
		}
	}
	defer probing.Store(false)
	out := make([]sample, n)
	for i := range n {
		probing.Store(i < pricedSamples && i < n-1)
		s, err := one(i)
		if err == nil {
			err = s.err
		}
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// timed are the samples whose latency counts: the unpriced ones.
func timed(s []sample) []sample {
	var out []sample
	for _, x := range s {
		if !x.priced {
			out = append(out, x)
		}
	}
	return out
}

func pct(s []sample, p float64) time.Duration {
	s = timed(s)
	d := make([]time.Duration, len(s))
	for i, x := range s {
		d[i] = x.latency
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

// means are a case's calls and trips per timed request, and its units and SQS
// requests per priced request.
func means(s []sample) (calls, trips float64, units cost.Units, sqs float64) {
	t := timed(s)
	for _, x := range t {
		calls += float64(x.calls)
		trips += float64(x.trips)
	}
	calls, trips = calls/float64(len(t)), trips/float64(len(t))
	n := 0
	for _, x := range s {
		if x.priced {
			n++
			units = units.Add(x.units)
			sqs += float64(x.sqs)
		}
	}
	if n > 0 {
		units = cost.Units{Read: units.Read / float64(n), Write: units.Write / float64(n)}
		sqs /= float64(n)
	}
	return calls, trips, units, sqs
}

// kmsMean is a case's KMS requests per priced request.
func kmsMean(s []sample) float64 {
	n, sum := 0, 0
	for _, x := range s {
		if x.priced {
			n, sum = n+1, sum+x.kms
		}
	}
	if n == 0 {
		return 0
	}
	return float64(sum) / float64(n)
}

// partMeans are a case's units by kind of item, per priced request.
func partMeans(s []sample) map[string]cost.Units {
	out, n := map[string]cost.Units{}, 0
	for _, x := range s {
		if !x.priced {
			continue
		}
		n++
		for k, u := range x.parts {
			out[k] = out[k].Add(u)
		}
	}
	for k, u := range out {
		out[k] = cost.Units{Read: u.Read / float64(n), Write: u.Write / float64(n)}
	}
	return out
}

// header prints the column titles report fills.
func header(first string) {
	fmt.Printf("%-38s %8s %8s %8s %9s %6s %6s %7s %7s\n", first, "p50", "p90", "p99", "p50/floor", "calls", "trips", "RRU", "WRU")
}

// report prints a case's line (request units by DynamoDB's published rules, not
// DynamoDB Local's figure) and keeps it for the cost table.
func report(name string, s, floor []sample) {
	calls, trips, units, _ := means(s)
	ratio := float64(pct(s, 0.5)) / float64(pct(floor, 0.5))
	fmt.Printf("%-38s %8s %8s %8s %8.1fx %6.1f %6.1f %7.1f %7.1f\n", name,
		pct(s, 0.5).Round(10*time.Microsecond), pct(s, 0.9).Round(10*time.Microsecond), pct(s, 0.99).Round(10*time.Microsecond),
		ratio, calls, trips, units.Read, units.Write)
	costs = append(costs, costRow{name: name, samples: s})
}
