package main

import (
	"fmt"

	"github.com/rapport-crm/rapport/infra/cost"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// costRow is one case of the run, priced at the end.
type costRow struct {
	name    string
	samples []sample
}

// costs are the run's cases in the order they ran.
var costs []costRow

// floor is the least a case could cost, with the reasoning behind it.
type floor struct {
	trips int
	units cost.Units
	why   string
}

// floors are stated per case; see printCosts.
var floors = map[string]floor{}

// perMillion is dollars per request as dollars per million requests.
func perMillion(d float64) float64 { return d * 1e6 }

// printCosts prints every priced case all-in, per million requests: DynamoDB by the
// published rules, Lambda at the serving function's memory for the case's median
// duration here, one HTTP API request, and the SQS requests it made, next to its
// floor where one is stated.
func printCosts() {
	fmt.Println("Cost per million requests, us-east-1 on-demand list prices (infra/cost), DynamoDB priced by its published rules")
	fmt.Println("from the items each call really read and wrote; DynamoDB Local's own consumed-capacity figure is not used (it")
	fmt.Println("reports a transaction as 4 × its largest item's KB per table, whatever the number of items). Lambda at the")
	fmt.Println("function's memory for the case's p50 here (arm64), one HTTP API request each, SQS requests as made.")
	fmt.Println()
	fmt.Printf("%-38s %5s %6s %6s %6s %9s %8s %6s %6s %9s %9s\n",
		"case", "MB", "trips", "RRU", "WRU", "DynamoDB", "Lambda", "API", "SQS", "total $/M", "floor $/M")
	var notes []string
	for _, c := range costs {
		calls, trips, units, sqs := means(c.samples)
		if calls == 0 || units == (cost.Units{}) {
			continue
		}
		mb := memoryOf(c.samples)
		usage := func(u cost.Units) cost.Usage {
			return cost.Usage{Units: u, LambdaMB: mb, LambdaDuration: pct(c.samples, 0.5), Invocations: 1, APIRequests: 1, SQSRequests: int(sqs + 0.5)}
		}
		b := cost.USEast1.Price(usage(units))
		least := "-"
		if f, ok := floors[c.name]; ok {
			least = fmt.Sprintf("%9.2f", perMillion(cost.USEast1.Price(usage(f.units)).Total()))
			notes = append(notes, fmt.Sprintf("  %s: %d trip(s), %.1f RRU, %.1f WRU. %s", c.name, f.trips, f.units.Read, f.units.Write, f.why))
		}
		fmt.Printf("%-38s %5d %6.1f %6.1f %6.1f %9.2f %8.2f %6.2f %6.2f %9.2f %9s\n", c.name, mb, trips, units.Read, units.Write,
			perMillion(b.DynamoDB), perMillion(b.Lambda), perMillion(b.API), perMillion(b.SQS), perMillion(b.Total()), least)
	}
	if len(notes) > 0 {
		fmt.Println("\nFloors (the least each case could do, and why):")
		for _, n := range notes {
			fmt.Println(n)
		}
	}
}

// memoryOf is the memory of the function that served the samples.
func memoryOf(s []sample) int {
	for _, x := range s {
		if f, ok := wiring.FunctionByName(x.function); ok && f.MemoryMB > 0 {
			return f.MemoryMB
		}
	}
	return 128
}
