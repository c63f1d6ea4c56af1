package privacy

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/survey"
)

// maxAlerts bounds the loop alerts looked up per response (one per manager).
const maxAlerts = 50

// pseudonym is a fresh id that stands for an erased customer in what stays (scores,
// the ledger, visits' figures). It is random and kept only while the erasure runs, so
// nothing links it back to the customer once it is done.
func pseudonym() string { return "erased-" + id.Token(10) }

// Erase erases a person irreversibly across the domains, with every duplicate merged
// into them (a duplicate's id leads to its survivor: the person is the same):
//
//   - follow-ups: those not yet sent are cancelled; all lose address, subject, body and
//     variables and leave the customer's index; the survey invitations they link to
//     are deleted; delivered copies in the outbox go (also any to the person's phone
//     or email);
//   - survey responses: comment and text answers go, the customer becomes the
//     pseudonym, scores stay for the results; the loop alerts quoting the comment lose
//     their body;
//   - complaints: contact, description, resolution and notes go, the case is linked to
//     the pseudonym; reference, category, status and clocks stay for reports; the
//     messages to the complainant lose address and words;
//   - loyalty: the member's data and its index items go; the account, lots and ledger
//     move under the pseudonym, so balances and Reconcile stay as they were;
//   - vouchers: the lookups of their page's links (the customer's locale and time
//     zone) go, so the links open nothing; their issue claims go; each voucher moves
//     under the pseudonym without the reasons staff wrote, its figures and state kept,
//     so the report's counters stay as they were. One still issued stays usable by
//     its code until it expires (bought with points or owed as compensation, it is
//     the customer's); there is no one left to deliver or remind it to;
//   - customers: consent and its log, the marketing cap and the visits go (each
//     visit's sourceId claim keeps its figures under the pseudonym), then the contact
//     index and the profile.
//
// An audit record (ERASURE#<id>) keeps when, by whom and what was removed, as counts.
// A rerun after a crash finishes the erasure with the same pseudonyms; once done, the
// customer is not found.
func (s *Service) Erase(ctx context.Context, p auth.Principal, cid string) (customer.Erasure, error) {
	e, err := s.erasure(ctx, p, cid)
	if err != nil {
		return customer.Erasure{}, err
	}
	ids := append([]string{e.CustomerID}, e.Duplicates...)
	if e.Counts == nil {
		e.Counts = map[string]int{}
	}
	if err := s.eraseDelivered(ctx, ids, e.Counts); err != nil {
		return e, err
	}
	// Duplicates first, the person last: the person's profile is what a rerun finds.
	// The counts so far are kept after each, for a rerun to add to.
	for _, cid := range append(slices.Clone(e.Duplicates), e.CustomerID) {
		if err := s.eraseOne(ctx, cid, e.Pseudonyms, e.Counts, p.Subject); err != nil {
			return e, err
		}
		if err := s.Customers.PutErasure(ctx, e); err != nil {
			return e, err
		}
	}
	now := s.Clock.Now()
	for _, dup := range e.Duplicates {
		if err := s.Customers.PutErasure(ctx, customer.Erasure{CustomerID: dup, Status: customer.ErasureDone, By: e.By,
			StartedAt: e.StartedAt, FinishedAt: now, Counts: map[string]int{"mergedDuplicate": 1}}); err != nil {
			return e, err
		}
	}
	e.Counts["mergedDuplicates"] = len(e.Duplicates)
	e.Status, e.FinishedAt = customer.ErasureDone, now
	if err := s.Customers.PutErasure(ctx, e); err != nil {
		return e, err
	}
	e.Pseudonyms, e.Duplicates = nil, nil
	return e, nil
}

// erasure starts (or resumes) the erasure of the person an id belongs to: the record
// holds the ids and their pseudonyms before anything is touched.
func (s *Service) erasure(ctx context.Context, p auth.Principal, cid string) (customer.Erasure, error) {
	prof, err := s.Customers.Profile(ctx, cid)
	switch {
	case errors.Is(err, customer.ErrNoProfile):
		// Gone: either never there, erased, or an erasure cut short after the profile.
		e, ok, err := s.Customers.LatestErasure(ctx, cid)
		if err != nil {
			return customer.Erasure{}, err
		}
		if ok && e.Status == customer.ErasureRunning && e.Survivor != "" {
			// A merged duplicate's: the erasure is the survivor's.
			e, ok, err = s.Customers.LatestErasure(ctx, e.Survivor)
			if err != nil {
				return customer.Erasure{}, err
			}
		}
		if !ok || e.Status != customer.ErasureRunning || !visible(p, e.LocationID) {
			return customer.Erasure{}, noCustomer(cid)
		}
		return e, nil
	case err != nil:
		return customer.Erasure{}, err
	case !visible(p, prof.LocationID):
		return customer.Erasure{}, noCustomer(cid)
	}
	e, ok, err := s.Customers.LatestErasure(ctx, prof.ID)
	if err != nil {
		return customer.Erasure{}, err
	}
	if !ok || e.Status != customer.ErasureRunning {
		e = customer.Erasure{CustomerID: prof.ID, Status: customer.ErasureRunning, By: p.Subject, StartedAt: s.Clock.Now(),
			LocationID: prof.LocationID, Pseudonyms: map[string]string{}}
	}
	ids, err := s.person(ctx, prof.ID)
	if err != nil {
		return customer.Erasure{}, err
	}
	for _, id := range ids[1:] {
		if !slices.Contains(e.Duplicates, id) {
			e.Duplicates = append(e.Duplicates, id)
		}
	}
	if e.Pseudonyms == nil {
		e.Pseudonyms = map[string]string{}
	}
	for _, id := range ids {
		if e.Pseudonyms[id] == "" {
			e.Pseudonyms[id] = pseudonym()
		}
	}
	if err := s.Customers.PutErasure(ctx, e); err != nil {
		return customer.Erasure{}, err
	}
	// A retried request on a duplicate's id finds the erasure through its own record.
	for _, dup := range e.Duplicates {
		err := s.Customers.PutErasure(ctx, customer.Erasure{CustomerID: dup, Status: customer.ErasureRunning, By: e.By,
			StartedAt: e.StartedAt, LocationID: e.LocationID, Survivor: e.CustomerID})
		if err != nil {
			return customer.Erasure{}, err
		}
	}
	return e, nil
}

// eraseDelivered removes the outbox copies of messages to the person's phones and
// emails (profiles and loyalty members), whichever follow-up sent them.
func (s *Service) eraseDelivered(ctx context.Context, ids []string, counts map[string]int) error {
	var addresses []string
	for _, id := range ids {
		prof, err := s.Customers.StoredProfile(ctx, id)
		if err != nil && !errors.Is(err, customer.ErrNoProfile) {
			return err
		}
		acct, _, err := s.Loyalty.AccountOnly(ctx, id)
		if err != nil {
			return err
		}
		addresses = append(addresses, prof.Phone, prof.Email, acct.Phone, acct.Email)
	}
	n, err := s.Followups.DeleteDeliveredTo(ctx, addresses)
	counts["outboxMessages"] += n
	return err
}

// eraseOne erases one id's records in every domain, the customers table last. Within
// each domain, what a record leads to (its delivered copies, its alerts, its
// invitation) goes before the record leaves the customer's index.
func (s *Service) eraseOne(ctx context.Context, cid string, aliases map[string]string, counts map[string]int, actor string) error {
	now := s.Clock.Now()
	alias := aliases[cid]
	owners := slices.Sorted(maps.Keys(aliases))
	fs, err := s.Followups.CustomerFollowups(ctx, cid)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if tok, ok := invitationToken(f); ok {
			gone, err := s.Surveys.DeleteInvitation(ctx, tok, cid)
			if err != nil {
				return err
			}
			counts["invitations"] += count(gone)
		}
		n, err := s.Followups.DeleteDelivered(ctx, []string{f.ID})
		if err != nil {
			return err
		}
		counts["outboxMessages"] += n
		ok, err := s.Followups.Erase(ctx, f.ID, cid, alias, now)
		if err != nil {
			return err
		}
		counts["followups"] += count(ok)
	}
	responses, err := s.Surveys.CustomerResponses(ctx, cid)
	if err != nil {
		return err
	}
	for _, r := range responses {
		alerts, err := s.redactAlerts(ctx, r)
		if err != nil {
			return err
		}
		n, err := s.Followups.DeleteDelivered(ctx, alerts)
		if err != nil {
			return err
		}
		counts["outboxMessages"] += n
		if r.Invitation != "" {
			gone, err := s.Surveys.DeleteInvitation(ctx, r.Invitation, cid)
			if err != nil {
				return err
			}
			counts["invitations"] += count(gone)
		}
		ok, err := s.Surveys.EraseResponse(ctx, r, cid, alias, now)
		if err != nil {
			return err
		}
		counts["surveyResponses"] += count(ok)
	}
	cases, err := s.Complaints.CustomerCaseIDs(ctx, cid)
	if err != nil {
		return err
	}
	for _, caseID := range cases {
		ok, err := s.redactCase(ctx, caseID, complaint.Redaction{Reason: "erasure", Actor: actor, At: now, CustomerID: cid, Pseudonym: alias}, counts, nil)
		if err != nil {
			return err
		}
		counts["complaints"] += count(ok)
	}
	if err := s.eraseVouchers(ctx, cid, alias, owners, counts); err != nil {
		return err
	}
	points, err := s.Loyalty.EraseAccount(ctx, cid, aliases, now)
	if err != nil {
		return err
	}
	counts["loyaltyLots"] += points.Lots
	counts["loyaltyEntries"] += points.Entries
	counts["loyaltyContacts"] += points.Contacts
	own, err := s.Customers.EraseCustomer(ctx, cid, alias, owners)
	if err != nil {
		return err
	}
	counts["profiles"] += own.Profile
	counts["contacts"] += own.Contacts
	counts["consents"] += own.Consents
	counts["visits"] += own.Visits
	return nil
}

// redactAlerts removes the body of the alerts a response's loop opened (they quote the
// comment); it returns their ids.
func (s *Service) redactAlerts(ctx context.Context, r survey.Response) ([]string, error) {
	if len(r.Loop) == 0 {
		return nil, nil
	}
	var ids []string
	for i := -1; i < maxAlerts; i++ {
		fid, err := s.Followups.RedactOccasion(ctx, survey.RecoveryKey(r.ID, i), true, s.Clock.Now())
		if err != nil {
			return nil, err
		}
		if fid == "" && i >= 0 {
			break
		}
		if fid != "" {
			ids = append(ids, fid)
		}
	}
	return ids, nil
}

// eraseVouchers leaves one id's vouchers under its pseudonym: each voucher's link
// lookups and claims go before the voucher leaves the customer's index.
func (s *Service) eraseVouchers(ctx context.Context, cid, alias string, owners []string, counts map[string]int) error {
	vs, err := s.Rewards.CustomerVouchers(ctx, cid)
	if err != nil {
		return err
	}
	for _, v := range vs {
		n, err := s.Rewards.ForgetLinks(ctx, v.Code)
		if err != nil {
			return err
		}
		counts["voucherLinks"] += n
		ok, err := s.Rewards.Erase(ctx, v, cid, alias, owners)
		if err != nil {
			return err
		}
		counts["vouchers"] += count(ok)
	}
	return nil
}
