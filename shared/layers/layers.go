// Package layers names how Rapport's packages stand to one another, for the test that
// keeps them so.
//
// A domain package holds one domain: its types, rules, store, key design and the
// transaction items of its own table. It imports no other domain. What joins domains
// (the survey loop, a complaint's resolution, visits, segments, merge, export and
// erasure) lives in a flow package that imports the domains it joins, and each
// Lambda's builder lives in the package of what it serves. Kernel packages (clock, id,
// dynamo, problem, place, contact, ...) import no domain and may be used by any.
package layers

// Domains are the domain packages, under shared/.
var Domains = []string{"survey", "complaint", "loyalty", "followup", "customer", "location", "reward"}
