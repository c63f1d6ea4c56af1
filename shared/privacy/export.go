package privacy

import (
	"context"
	"errors"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/survey"
)

// Export is all the personal data Rapport holds on a person: their profile and those
// of the duplicates merged into it, and each domain's records of any of them.
type Export struct {
	CustomerID string    `json:"customerId"`
	ExportedAt time.Time `json:"exportedAt"`
	// MergedDuplicates are the ids merged into this customer.
	MergedDuplicates []string            `json:"mergedDuplicates"`
	Profiles         []customer.Profile  `json:"profiles"`
	Consent          []Consent           `json:"consent"`
	Visits           []customer.Visit    `json:"visits"`
	SurveyResponses  []survey.Response   `json:"surveyResponses"`
	Complaints       []complaint.Case    `json:"complaints"`
	Loyalty          []Loyalty           `json:"loyalty"`
	Followups        []followup.Followup `json:"followups"`
	// Vouchers are the vouchers issued to any of the ids, as the voucher routes show
	// them (their status at the export), newest first per id.
	Vouchers []reward.VoucherView `json:"vouchers"`
}

// Consent is one id's current consent per channel and every change recorded.
type Consent struct {
	CustomerID string                      `json:"customerId"`
	Current    map[string]customer.Consent `json:"current"`
	Log        []customer.Consent          `json:"log"`
}

// Loyalty is one id's account with its member data, lots and ledger.
type Loyalty struct {
	CustomerID string `json:"customerId"`
	loyalty.Export
}

// Export gathers a person's data across the domains. A merged duplicate's id leads to
// its survivor: the person is the same.
func (s *Service) Export(ctx context.Context, p auth.Principal, cid string) (Export, error) {
	prof, err := s.Customers.Profile(ctx, cid)
	if errors.Is(err, customer.ErrNoProfile) || (err == nil && !visible(p, prof.LocationID)) {
		return Export{}, noCustomer(cid)
	}
	if err != nil {
		return Export{}, err
	}
	ids, err := s.person(ctx, prof.ID)
	if err != nil {
		return Export{}, err
	}
	out := Export{CustomerID: prof.ID, ExportedAt: s.Clock.Now(), MergedDuplicates: ids[1:],
		Profiles: []customer.Profile{}, Consent: []Consent{}, Visits: []customer.Visit{}, SurveyResponses: []survey.Response{},
		Complaints: []complaint.Case{}, Loyalty: []Loyalty{}, Followups: []followup.Followup{}, Vouchers: []reward.VoucherView{}}
	for _, id := range ids {
		if err := s.exportOne(ctx, id, &out); err != nil {
			return Export{}, err
		}
	}
	return out, nil
}

func (s *Service) exportOne(ctx context.Context, id string, out *Export) error {
	prof, err := s.Customers.StoredProfile(ctx, id)
	switch {
	case err == nil:
		cs, err := s.Customers.Consents(ctx, id)
		if err != nil {
			return err
		}
		prof.Consent = map[string]bool{}
		for ch, c := range cs {
			prof.Consent[ch] = c.Granted
		}
		out.Profiles = append(out.Profiles, prof)
		log, err := s.Customers.ConsentLog(ctx, id)
		if err != nil {
			return err
		}
		if len(cs) > 0 || len(log) > 0 {
			out.Consent = append(out.Consent, Consent{CustomerID: id, Current: cs, Log: log})
		}
	case !errors.Is(err, customer.ErrNoProfile):
		return err
	}
	visits, err := s.Customers.Visits(ctx, id)
	if err != nil {
		return err
	}
	out.Visits = append(out.Visits, visits...)
	responses, err := s.Surveys.CustomerResponses(ctx, id)
	if err != nil {
		return err
	}
	out.SurveyResponses = append(out.SurveyResponses, responses...)
	cases, err := s.Complaints.CustomerCaseIDs(ctx, id)
	if err != nil {
		return err
	}
	for _, cid := range cases {
		c, err := s.Complaints.CaseWithTimeline(ctx, cid)
		if err != nil {
			return err
		}
		out.Complaints = append(out.Complaints, c)
	}
	points, err := s.Loyalty.ExportOf(ctx, id)
	if err != nil {
		return err
	}
	if points.Account != nil || len(points.Ledger) > 0 {
		out.Loyalty = append(out.Loyalty, Loyalty{CustomerID: id, Export: points})
	}
	fs, err := s.Followups.CustomerFollowups(ctx, id)
	if err != nil {
		return err
	}
	out.Followups = append(out.Followups, fs...)
	vs, err := s.Rewards.CustomerVouchers(ctx, id)
	if err != nil {
		return err
	}
	for _, v := range vs {
		out.Vouchers = append(out.Vouchers, v.View(out.ExportedAt))
	}
	return nil
}
