package complaint

import (
	"slices"

	"github.com/rapport-crm/rapport/shared/kpi"
)

// Staff counters (shared/kpi, Staff kind) a case's changes add, each on the location's
// local day of the change, in the change's own transaction (so a request repeated, or
// an action the case's status no longer allows, counts nothing more):
//
//	counter                       when                                   to whom
//	attributed                    staff intake                           the complaint's staffId
//	acked, ackedMet,              the acknowledge clock stops            the staff member acting
//	ackMin_<bucket>               (acknowledge, start, or resolving an
//	                              unacknowledged case); ackedMet when
//	                              within the target, as the SLA report
//	resolved, resolvedMet,        every resolution (again after a        the staff member resolving
//	resMin_<bucket>               reopen); resolvedMet and the minutes
//	                              by the resolve clock, as the report
//	compPoints, compVouchers      a resolution that grants points, or    the staff member resolving
//	                              issues a voucher, now (once per case)
//	reopened                      a reopen                               who had resolved the case
//
// The minutes are the clock's business minutes less pauses: from intake to the
// acknowledgement, and from intake (or the last reopen) to the resolution.

// staffCounts are the staff counters a change adds, by staff member.
type staffCounts map[string]map[string]int

// add adds counts (zeros too: kpi.AddStaff leaves them out) to a staff member's; no
// staff member ("": nobody in person acted) counts nothing.
func (s *staffCounts) add(staffID string, counts map[string]int) {
	if staffID == "" {
		return
	}
	if *s == nil {
		*s = staffCounts{}
	}
	m := (*s)[staffID]
	if m == nil {
		m = map[string]int{}
		(*s)[staffID] = m
	}
	for name, n := range counts {
		m[name] += n
	}
}

// ids are the staff members counted, in order (the same transaction on every retry).
func (s staffCounts) ids() []string {
	ids := make([]string, 0, len(s))
	for id := range s {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// met is 1 when a clock was met, for a "met" counter.
func met(c Clock) int {
	if c.Met != nil && *c.Met {
		return 1
	}
	return 0
}

// ackCounts are the staff counts of an acknowledge clock just stopped.
func ackCounts(c Clock) map[string]int {
	return map[string]int{kpi.Acknowledged: 1, kpi.AcknowledgeMet: met(c), kpi.Bucket(kpi.AcknowledgeMinutes, c.BusinessMinutes): 1}
}

// resolveCounts are the staff counts of a resolve clock just stopped.
func resolveCounts(c Clock) map[string]int {
	return map[string]int{kpi.Resolved: 1, kpi.ResolvedMet: met(c), kpi.Bucket(kpi.ResolveMinutes, c.BusinessMinutes): 1}
}
