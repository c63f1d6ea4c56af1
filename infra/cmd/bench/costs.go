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

// floors are the least each write case and the balance read could cost with the rules
// the business keeps (a link's daily cap, a case's reference, one effect per source or
// key): every setting, rule, survey definition, link and location read from a short
// per-function cache; independent reads in one trip; every dedupe and idempotency
// claim inside the effect's own transaction; items small (a case without its
// unchanging description). Transactional items cost 2 write units each, index
// entries 1; aggregates folded from a stream in batches cost a fraction of a unit per
// response at any volume worth pricing.
var floors = map[string]floor{
	"submit, promoter (no loop)": {1, cost.Units{Write: 4},
		"One transaction: the response and the link's daily-cap counter (2 × 2); definition, link and location cached; the survey and KPI aggregates folded from the table's stream in batches."},
	"submit, detractor (loop: callback)": {1, cost.Units{Write: 7},
		"The promoter's floor and the callback follow-up in the same transaction (2), keyed by its dedupe key (no second item), and its due-index entry (1)."},
	"submit, detractor + Idempotency-Key": {1, cost.Units{Write: 9},
		"The detractor's floor and the key's record in the same transaction (2): no separate claim."},
	"intake + Idempotency-Key": {2, cost.Units{Read: 0.5, Write: 21},
		"The reference counter (1) beside the contact's match (0.5, eventually consistent), then one transaction: key, case, first event, tracking and reference lookups, the day's aggregate and KPI counter, the receipt follow-up (8 × 2) and the case's and follow-up's index entries (4); settings and location cached."},
	"action: acknowledge": {2, cost.Units{Read: 1, Write: 8},
		"The case read consistently (its state and version decide), then one transaction: the case without its description, the event and the aggregate (3 × 2) and the case's queue-index move (2); settings and location cached."},
	"action: resolve": {2, cost.Units{Read: 1, Write: 16},
		"As acknowledge, with the KPI counter, the outcome message and the callback follow-ups (each keyed by its dedupe key) in the transaction (6 × 2) and the index entries of the case and the two follow-ups (4)."},
	"action: acknowledge, 500-char Chinese": {2, cost.Units{Read: 1, Write: 8},
		"As acknowledge: the description, written once at intake, is no part of an action."},
	"earn 10 points, new sourceId": {2, cost.Units{Read: 1, Write: 7},
		"The account read consistently (its tier, shortfall and version decide), then one transaction: the account, the entry keyed by its sourceId (no separate claim) and the lot (3 × 2), and the lot's expiry-index entry (1); the rules cached."},
	"redeem 1 point, new sourceId": {2, cost.Units{Read: 1, Write: 7},
		"The account and its live lots read consistently in expiry order until the amount is covered (1), then one transaction: account, entry keyed by its sourceId, the lot drawn (3 × 2) and its index entry (1)."},
	"balance read, 2 lots in history": {1, cost.Units{Read: 0.5},
		"As the balance read: emptied lots are not read."},
	"balance read, 200 lots in history": {1, cost.Units{Read: 0.5},
		"As the balance read: emptied lots are not read."},
	"redeem 1 point, 2 lots in history": {2, cost.Units{Read: 1, Write: 7},
		"As the redeem: emptied lots are not read."},
	"redeem 1 point, 200 lots in history": {2, cost.Units{Read: 1, Write: 7},
		"As the redeem: emptied lots are not read."},
	"balance read (GET /v1/loyalty/{id})": {1, cost.Units{Read: 0.5},
		"One eventually consistent query of the account and its live lots (emptied lots archived), under 4 KB; the rules cached."},
}

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
			return cost.Usage{Units: u, LambdaMB: mb, LambdaDuration: pct(c.samples, 0.5), Invocations: 1, APIRequests: max(c.samples[0].api, 1), SQSRequests: int(sqs + 0.5)}
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
	if f := sendRow; f != nil {
		fmt.Printf("%-38s %5s %6s %6.1f %6.1f %9.2f %8.2f %6s %6.2f %9.2f %9s\n", "follow-up, due to delivered (each)", "", "",
			f.units.Read, f.units.Write, f.dynamo, f.lambda, "-", f.sqs, f.total, "-")
		notes = append(notes, fmt.Sprintf("  follow-up: %d follow-ups through one dispatcher run, the sender and followup-email, each in batches of ten (each event source's receive and delete counted, the emails FIFO queue's at $0.50 per million requests); delivered to the outbox, one item each, which stands in for the channel (in AWS: SES at $0.10 per thousand emails).", f.k))
	}
	if len(notes) > 0 {
		fmt.Println("\nFloors (the least each case could do, and why) and notes:")
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
