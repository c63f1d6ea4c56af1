package main

import (
	"fmt"
	"sort"
	"strings"

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
	"intake + Idempotency-Key": {2, cost.Units{Read: 0.5, Write: 19},
		"The reference counter (1) beside the contact's match (0.5, eventually consistent), then one transaction: key, case, body (with the intake's events), the reference's lookup (which checks the tracking token too), the day's aggregate and KPI counter, the receipt follow-up (7 × 2) and the case's and follow-up's index entries (4); settings and location cached."},
	"action: acknowledge": {2, cost.Units{Read: 1, Write: 12},
		"The case read consistently (its state and version decide), then one transaction: the case without its description, the event, the aggregate and the staff member's counter (4 × 2), and the moves of the case's queue-index entry (its status) and SLA-index entry (its next check) (2 + 2); settings and location cached."},
	"action: resolve": {2, cost.Units{Read: 1, Write: 16},
		"As acknowledge, with the KPI counter, the outcome message and the callback follow-ups (each keyed by its dedupe key) in the transaction (6 × 2) and the index entries of the case and the two follow-ups (4)."},
	"action: acknowledge, 500-char Chinese": {2, cost.Units{Read: 1, Write: 12},
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
	"report query (one day, one location)": {1, cost.Units{Read: 0.5},
		"One eventually consistent query of the location's day aggregates (one item per shard), under 4 KB."},
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
	fmt.Println("function's memory for the case's p50 here (arm64), one HTTP API request each, SQS requests as made, KMS")
	fmt.Println("requests as made (a key file stands in for KMS here, each MAC counted as the GenerateMac or VerifyMac it is in AWS).")
	fmt.Println()
	fmt.Printf("%-38s %5s %6s %6s %6s %9s %8s %6s %6s %6s %9s %9s\n",
		"case", "MB", "trips", "RRU", "WRU", "DynamoDB", "Lambda", "API", "SQS", "KMS", "total $/M", "floor $/M")
	var notes []string
	for _, c := range costs {
		calls, trips, units, _ := means(c.samples)
		if calls == 0 || units == (cost.Units{}) {
			continue
		}
		mb := memoryOf(c.samples)
		b := cost.USEast1.Price(usageOf(c, units))
		least := "-"
		if f, ok := floors[c.name]; ok {
			least = fmt.Sprintf("%9.2f", perMillion(cost.USEast1.Price(usageOf(c, f.units)).Total()))
			notes = append(notes, fmt.Sprintf("  %s: %d trip(s), %.1f RRU, %.1f WRU. %s", c.name, f.trips, f.units.Read, f.units.Write, f.why))
		}
		fmt.Printf("%-38s %5d %6.1f %6.1f %6.1f %9.2f %8.2f %6.2f %6.2f %6.2f %9.2f %9s\n", c.name, mb, trips, units.Read, units.Write,
			perMillion(b.DynamoDB), perMillion(b.Lambda), perMillion(b.API), perMillion(b.SQS), perMillion(b.KMS), perMillion(b.Total()), least)
	}
	for _, f := range sendRows {
		fmt.Printf("%-38s %5s %6s %6.1f %6.1f %9.2f %8.2f %6s %6.2f %6.2f %9.2f %9.2f\n", f.name, "", "",
			f.units.Read, f.units.Write, f.dynamo, f.lambda, "-", f.sqs, f.kms, f.total, f.floor)
		notes = append(notes, fmt.Sprintf("  %s: %.1f RRU, %.1f WRU. %s", f.name, f.why.units.Read, f.why.units.Write, f.why.why))
	}
	if len(sendRows) > 0 {
		notes = append(notes, fmt.Sprintf("  follow-ups: %d of each case through one dispatcher run, the sender and followup-email, each in batches of ten (each event source's receive and delete counted, the emails FIFO queue's at $0.50 per million requests); delivered to the outbox, one item each, which stands in for the channel (in AWS: SES at $0.10 per thousand emails).", sendK))
	}
	if len(notes) > 0 {
		fmt.Println("\nFloors (the least each case could do, and why) and notes:")
		for _, n := range notes {
			fmt.Println(n)
		}
	}
	printTargets()
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

// target is what a case should cost at most, all-in per million requests, and in
// round trips (0: none stated).
type target struct {
	name    string
	trips   int
	dollars float64
}

// targets are the cost targets the cases are held to. A complaint action's is held by
// the acknowledgement; the follow-up's is per follow-up from due to delivered.
var targets = []target{
	{"submit, promoter (no loop)", 2, 3.00},
	{"submit, detractor (loop: callback)", 2, 5.00},
	{"intake + Idempotency-Key", 3, 7.00},
	{"action: acknowledge", 2, 4.00},
	{"action: acknowledge, 500-char Chinese", 2, 4.00},
	{"earn 10 points, new sourceId", 2, 4.00},
	{"redeem 1 point, new sourceId", 2, 4.00},
	{"redeem 1 point, 2 lots in history", 2, 4.00},
	{"redeem 1 point, 200 lots in history", 2, 4.00},
	{"balance read (GET /v1/loyalty/{id})", 1, 1.30},
	{"balance read, 2 lots in history", 1, 1.30},
	{"balance read, 200 lots in history", 1, 1.30},
	{sendName, 0, 3.50},
	{marketingName, 0, 3.50},
}

// sendName and marketingName are the follow-ups' rows: a staff alert, and a marketing
// email to a customer who opted in.
const (
	sendName      = "follow-up, due to delivered (each)"
	marketingName = "follow-up, marketing email (each)"
)

// flat are the pairs of cases that must cost the same: the second has more history or
// text than the first.
var flat = [][2]string{
	{"balance read, 2 lots in history", "balance read, 200 lots in history"},
	{"redeem 1 point, 2 lots in history", "redeem 1 point, 200 lots in history"},
	{"action: acknowledge", "action: acknowledge, 500-char Chinese"},
}

// keeps says what each kind of item a targeted case reads or writes is there for (the
// guarantee or the feature it pays), by partOf's names.
var keeps = map[string]string{
	"surveys INV#/DAY#":                "a public link's daily cap, counted in the response's transaction",
	"surveys SURVEY#/RESP#":            "the response",
	"surveys SURVEY#/AGG#":             "exact, immediate results: the location's and the survey's day aggregates",
	"surveys KPI#/D#":                  "the location's KPI day counters, exact and immediate",
	"surveys KPI#/S#":                  "the staff member's day counters",
	"surveys IDEM#/IDEM":               "one effect per Idempotency-Key, its reply kept to replay",
	"followups FU#/FU":                 "the follow-up, written with its cause: never lost, never twice",
	"followups DEDUPE#/DEDUPE (check)": "a check that the occasion was not claimed the earlier way, before occasion ids",
	"followups OUTBOX/…":               "the outbox standing in for the channel (SES, SNS in AWS)",
	"followups HEARTBEAT/…":            "the dispatcher's heartbeat, one per run, which deep health reads",
	"complaints IDEM#/IDEM":            "one effect per Idempotency-Key, its reply kept to replay",
	"complaints REF#/REF":              "the reference's lookup (unique), which also checks the customer's tracking token",
	"complaints REFSEQ#/SEQ":           "the location's reference counter of the day (a short, unique reference)",
	"complaints CASE#/CASE":            "the case (state, version, SLA clocks) and its index entries (queue, SLA)",
	"complaints CASE#/BODY":            "the description and the intake's events (received, assigned), written once at intake",
	"complaints CASE#/EV#":             "a timeline event after the intake's: who did what, when",
	"complaints AGG#/…":                "the complaint report's day aggregate, exact and immediate",
	"complaints KPI#/D#":               "the location's KPI day counters",
	"complaints KPI#/S#":               "the staff member's day counters",
	"loyalty ACCT#/L":                  "the account: balance, tier and version, never negative",
	"loyalty ACCT#/E#":                 "the ledger entry: the member's history",
	"loyalty ACCT#/S#":                 "the sourceId's claim: one effect per source",
	"loyalty ACCT#/L#":                 "the lot, in expiry order, and its expiry index entry",
	"customers CUST#/CAP#":             "the marketing slot: at most one marketing message per customer a week, however many campaigns",
}

// printTargets prints each targeted case against its target, whether the cases that
// must not grow with history or text stay flat, and where each targeted case's units
// go, priced, with what each kind of item keeps.
func printTargets() {
	rows := map[string]costRow{}
	for _, c := range costs {
		rows[c.name] = c
	}
	fmt.Println("\nAgainst the targets (all-in $ per million requests; round trips one after another):")
	fmt.Printf("%-38s %6s %7s %9s %9s %9s  %s\n", "case", "trips", "target", "total $/M", "target", "floor $/M", "met")
	type line struct {
		name  string
		parts map[string]cost.Units
	}
	var where []line
	for _, t := range targets {
		var trips, total, least float64
		var parts map[string]cost.Units
		if sr := sendRow(t.name); sr != nil {
			total, parts, least = sr.total, sr.parts, sr.floor
		} else {
			c, ok := rows[t.name]
			if !ok {
				continue
			}
			_, _, units, _ := means(c.samples)
			trips, total = tripsOf(c), perMillion(cost.USEast1.Price(usageOf(c, units)).Total())
			parts = partMeans(c.samples)
			if f, ok := floors[t.name]; ok {
				least = perMillion(cost.USEast1.Price(usageOf(c, f.units)).Total())
			}
		}
		verdict := "yes"
		switch {
		case total > t.dollars+0.005:
			verdict = fmt.Sprintf("no: $%.2f over", total-t.dollars)
		case t.trips > 0 && trips > float64(t.trips):
			verdict = "no: trips"
		}
		tripCol, tripTarget, floorCol := "-", "-", "-"
		if t.trips > 0 {
			tripCol, tripTarget = fmt.Sprintf("%.1f", trips), fmt.Sprintf("≤ %d", t.trips)
		}
		if least > 0 {
			floorCol = fmt.Sprintf("%.2f", least)
		}
		fmt.Printf("%-38s %6s %7s %9.2f %9s %9s  %s\n", t.name, tripCol, tripTarget, total, fmt.Sprintf("≤ %.2f", t.dollars), floorCol, verdict)
		where = append(where, line{t.name, parts})
	}
	for _, pair := range flat {
		a, okA := rows[pair[0]]
		b, okB := rows[pair[1]]
		if !okA || !okB {
			continue
		}
		_, _, ua, _ := means(a.samples)
		_, _, ub, _ := means(b.samples)
		verdict := "flat"
		if ub.Read > ua.Read || ub.Write > ua.Write {
			verdict = "GROWS"
		}
		fmt.Printf("%s → %s: %.1f → %.1f RRU, %.1f → %.1f WRU: %s\n", pair[0], pair[1], ua.Read, ub.Read, ua.Write, ub.Write, verdict)
	}
	fmt.Println("\nWhere each targeted case's DynamoDB units go (per request, measured; $ per million at list prices) and what each kind of item keeps:")
	for _, w := range where {
		fmt.Printf("  %s\n", w.name)
		kinds := make([]string, 0, len(w.parts))
		for k := range w.parts {
			kinds = append(kinds, k)
		}
		dollars := func(k string) float64 { return cost.USEast1.Price(cost.Usage{Units: w.parts[k]}).DynamoDB }
		sort.Slice(kinds, func(i, j int) bool { // dearest first, then by name
			if di, dj := dollars(kinds[i]), dollars(kinds[j]); di != dj {
				return di > dj
			}
			return kinds[i] < kinds[j]
		})
		for _, k := range kinds {
			u := w.parts[k]
			why, ok := keeps[k]
			switch {
			case ok:
			case strings.HasPrefix(k, "get ") || strings.HasPrefix(k, "query ") || strings.HasSuffix(k, " get"):
				why = "a read (named by its call)"
			default:
				why = "(no note)"
			}
			fmt.Printf("    %-40s %5.1f RRU %5.1f WRU %6.2f  %s\n", k, u.Read, u.Write, perMillion(cost.USEast1.Price(cost.Usage{Units: u}).DynamoDB), why)
		}
		if sr := sendRow(w.name); sr != nil {
			if sr.kmsRequests > 0 {
				fmt.Printf("    %-40s %5.1f requests   %6.2f  %s\n", "KMS GenerateMac", sr.kmsRequests, sr.kms, "the unsubscribe link signed inside KMS: the key never leaves it, no table holds the link")
			}
			fmt.Println("    by step:")
			for _, st := range sendSteps {
				u := sr.steps[st.function]
				fmt.Printf("    %-40s %5.1f RRU %5.1f WRU %6.2f  %s\n", st.function, u.Read, u.Write, perMillion(cost.USEast1.Price(cost.Usage{Units: u}).DynamoDB), st.keeps)
			}
		}
	}
}

// sendSteps are the functions a follow-up goes through from due to delivered, in
// order, with what each one's writes keep.
var sendSteps = []struct{ function, keeps string }{
	{"followup-dispatcher", "enqueued, then marked queued, its due entry rewritten in place for the stuck watch: nothing lost if its message is"},
	{"followup-sender", "claimed under a lease, then finished, its due entry removed: sent once in effect"},
	{"followup-email", "the status looked at (a redriven message), the outbox's item standing in for SES"},
}

// tripsOf is a case's round trips per timed request.
func tripsOf(c costRow) float64 {
	_, trips, _, _ := means(c.samples)
	return trips
}

// usageOf is what one request of a case uses at units u: Lambda at the serving
// function's memory for the case's median duration, its HTTP API requests and the SQS
// requests it made.
func usageOf(c costRow, u cost.Units) cost.Usage {
	_, _, _, sqs := means(c.samples)
	return cost.Usage{Units: u, LambdaMB: memoryOf(c.samples), LambdaDuration: pct(c.samples, 0.5), Invocations: 1,
		APIRequests: max(c.samples[0].api, 1), SQSRequests: int(sqs + 0.5), KMSRequests: int(kmsMean(c.samples) + 0.5)}
}
