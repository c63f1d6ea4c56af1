package segment

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
)

// CampaignVoucher is the voucher a campaign gives each member beside its message: a
// catalogue reward (RewardID: its name, kind, value, validity and locations), or a
// value (an amount or a percentage off) valid ValidDays from the launch where
// LocationIDs say (none: the segment's location).
type CampaignVoucher struct {
	RewardID    string       `json:"rewardId,omitempty"`
	Value       reward.Value `json:"value"`
	ValidDays   int          `json:"validDays,omitempty"`
	LocationIDs []string     `json:"locationIds,omitempty"`
}

// campaignIDPattern keeps a campaign id fit for the keys it is part of (a follow-up's
// dedupe key, a voucher's issue claim, the report's counter names), at most
// maxCampaignID long (checked apart: a counted repeat compiles into a large program at
// every cold start).
var campaignIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]*$`)

// maxCampaignID is the longest campaign id.
const maxCampaignID = 64

func validCampaignID(id string) bool {
	return len(id) <= maxCampaignID && campaignIDPattern.MatchString(id)
}

// template is what each member's voucher is made from, and how long it is valid from
// its issue.
type template struct {
	voucher  reward.Voucher
	validFor time.Duration
}

func validFor(days int) time.Duration { return time.Duration(days) * 24 * time.Hour }

// voucherTemplate is what each member's voucher is made from; nil without a voucher.
// Every wrong field is named (under "voucher."), and a reward the caller does not see
// is not in its catalogue.
func (s *Service) voucherTemplate(ctx context.Context, p auth.Principal, seg Segment, cv *CampaignVoucher) (*template, error) {
	if cv == nil {
		return nil, nil
	}
	if s.Rewards == nil {
		return nil, problem.Field("voucher", "this deployment issues no vouchers")
	}
	if cv.RewardID != "" {
		return s.catalogueVoucher(ctx, p, seg, cv)
	}
	var fe []problem.FieldError
	// The catalogue's rules for a voucher's value and validity hold here too.
	probe := reward.Reward{ID: "campaign", Name: i18n.Texts[string]{}, PointsCost: 1, Kind: reward.KindVoucher,
		Value: cv.Value, ValidDays: cv.ValidDays, LocationIDs: cv.LocationIDs}
	for _, l := range i18n.Locales() {
		probe.Name[l] = "-"
	}
	if err := probe.Validate(); err != nil {
		var pe *problem.Error
		if !errors.As(err, &pe) {
			return nil, err
		}
		for _, f := range pe.Fields {
			if rest, ok := strings.CutPrefix(f.Field, "locations"); ok {
				f.Field = "locationIds" + rest
			}
			f.Field = "voucher." + f.Field
			fe = append(fe, f)
		}
	}
	named := map[string]bool{}
	for _, f := range fe {
		named[f.Field] = true
	}
	for i, l := range cv.LocationIDs {
		field := "voucher.locationIds[" + strconv.Itoa(i) + "]"
		if named[field] { // malformed or repeated: never looked up
			continue
		}
		if !p.Sees(l) {
			fe = append(fe, problem.FieldError{Field: field, Message: "is not one of your locations"})
			continue
		}
		switch _, err := s.Locations.Location(ctx, l); {
		case errors.Is(err, place.ErrNotFound):
			fe = append(fe, problem.FieldError{Field: field, Message: "is not one of your locations"})
		case err != nil:
			return nil, err
		}
	}
	if err := problem.Fields(fe); err != nil {
		return nil, err
	}
	where := cv.LocationIDs
	if len(where) == 0 {
		where = []string{seg.Filter.LocationID}
	}
	return &template{voucher: reward.Voucher{Kind: reward.KindVoucher, Value: cv.Value, LocationIDs: where}, validFor: validFor(cv.ValidDays)}, nil
}

// catalogueVoucher is the voucher of a catalogue reward: one the caller sees, offered,
// at the segment's location, and with no stock limit (a limited stock is for members'
// points: a campaign does not take from it).
func (s *Service) catalogueVoucher(ctx context.Context, p auth.Principal, seg Segment, cv *CampaignVoucher) (*template, error) {
	if cv.Value != (reward.Value{}) || cv.ValidDays != 0 || len(cv.LocationIDs) > 0 {
		return nil, problem.Field("voucher.rewardId", "give a rewardId or a value with its validDays, not both: a reward's voucher is as the catalogue says")
	}
	r, err := s.Rewards.Reward(ctx, cv.RewardID)
	switch {
	case errors.Is(err, reward.ErrNoReward) || err == nil && !reward.Visible(p, r.LocationIDs):
		return nil, problem.Field("voucher.rewardId", fmt.Sprintf("%q is not in the catalogue", cv.RewardID))
	case err != nil:
		return nil, err
	case !r.Active:
		return nil, problem.Field("voucher.rewardId", "this reward is no longer offered")
	case r.Stock != nil:
		return nil, problem.Field("voucher.rewardId", "this reward has a limited stock, which is for members' points: choose one with no stock limit")
	case len(r.LocationIDs) > 0 && !slices.Contains(r.LocationIDs, seg.Filter.LocationID):
		return nil, problem.Field("voucher.rewardId", "this reward is not offered at the segment's location")
	}
	return &template{voucher: reward.Voucher{Kind: r.Kind, Name: r.Name, Value: r.Value, LocationIDs: r.LocationIDs,
		Source: reward.Source{RewardID: r.ID}}, validFor: validFor(r.ValidDays)}, nil
}

// issue gives member cid the campaign's voucher, once: the issue is claimed by the
// campaign and the customer, so a relaunch or a retried request answers with the first
// voucher (false: none new).
func (s *Service) issue(ctx context.Context, tpl template, c Campaign, seg Segment, cid, by string, now time.Time) (bool, error) {
	code, err := reward.NewCode()
	if err != nil {
		return false, err
	}
	v := tpl.voucher
	v.Code, v.CustomerID, v.IssuedBy, v.IssuedAt = code, cid, by, now
	v.Source = reward.Source{Kind: reward.SourceCampaign, ID: c.ID, RewardID: tpl.voucher.Source.RewardID}
	v.LocationID = seg.Filter.LocationID
	v.ExpiresAt = now.Add(tpl.validFor)
	_, replayed, err := s.Rewards.Issue(ctx, v)
	return err == nil && !replayed, err
}
