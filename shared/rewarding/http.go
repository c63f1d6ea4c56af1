package rewarding

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Customers tells where a customer belongs (the customer domain): a caller acts on a
// customer's points and vouchers only if it sees one of those locations.
type Customers interface {
	CustomerLocations(ctx context.Context, cid string) ([]string, error)
}

// Service serves the rewards routes.
type Service struct {
	*Taker
	Customers Customers
	// Registry lists every registered location: what "all locations" means to a report.
	Registry func(context.Context) ([]string, error)
}

// TakeRequest takes a reward for points: SourceID identifies the take (a repeat gets
// the same voucher), LocationID is the counter's, if any.
type TakeRequest struct {
	SourceID   string `json:"sourceId"`
	LocationID string `json:"locationId"`
}

// IssueRequest issues a voucher by hand, with the reason on record.
type IssueRequest struct {
	CustomerID string `json:"customerId"`
	// Kind is voucher (Value: an amount or a percentage off) or gift (Name: what).
	Kind        string             `json:"kind"`
	Name        i18n.Texts[string] `json:"name"`
	Value       reward.Value       `json:"value"`
	LocationIDs []string           `json:"locationIds"`
	ValidDays   int                `json:"validDays"`
	Reason      string             `json:"reason"`
	// LocationID is where it is issued, for the reports.
	LocationID string `json:"locationId"`
}

// RedeemRequest redeems a voucher for a bill at a location; ReverseRequest undoes it
// for the same bill; CancelRequest withdraws an unused voucher.
type (
	RedeemRequest struct {
		SourceID   string `json:"sourceId"`
		LocationID string `json:"locationId"`
	}
	ReverseRequest struct {
		SourceID string `json:"sourceId"`
	}
	CancelRequest struct {
		Reason string `json:"reason"`
	}
)

// Offer is a reward as offered to one member: whether they may take it now, and why
// not.
type Offer struct {
	reward.Reward
	Offered bool   `json:"offered"`
	Why     string `json:"why,omitempty"`
	// WhyReason and WhyFacts say Why for a client that words it itself (reward.Why).
	WhyReason string         `json:"whyReason,omitempty"`
	WhyFacts  map[string]any `json:"whyFacts,omitempty"`
}

const maxReason = 500

// Routes are the handlers of the rewards routes, keyed by route pattern.
func Routes(s *Service) map[string]http.Handler {
	return map[string]http.Handler{
		"GET /v1/rewards":                                  app.StaffJSON(s.list),
		"POST /v1/rewards":                                 app.StaffJSON(s.create),
		"PUT /v1/rewards/{rewardId}":                       app.StaffJSON(s.replace),
		"POST /v1/loyalty/{customerId}/rewards/{rewardId}": created(s.take),
		"POST /v1/vouchers":                                created(s.issue),
		"GET /v1/vouchers/{code}":                          app.StaffJSON(s.get),
		"POST /v1/vouchers/{code}/redeem":                  created(s.redeem),
		"POST /v1/vouchers/{code}/reverse":                 replayable(s.reverse),
		"POST /v1/vouchers/{code}/cancel":                  app.StaffJSON(s.cancel),
		"GET /v1/customers/{customerId}/vouchers":          app.StaffJSON(s.customerVouchers),
		"GET /v1/reports/vouchers":                         app.StaffJSON(s.report),
	}
}

// created answers 201 with what a write made, marked replayed when a repeat of the
// same request (its sourceId) found it made already.
func created(h func(*http.Request, auth.Principal) (any, bool, error)) http.Handler {
	return answer(http.StatusCreated, h)
}

// replayable is created for a change that makes nothing new (200).
func replayable(h func(*http.Request, auth.Principal) (any, bool, error)) http.Handler {
	return answer(http.StatusOK, h)
}

func answer(status int, h func(*http.Request, auth.Principal) (any, bool, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.From(r.Context())
		v, replayed, err := h(r, p)
		if err != nil {
			problem.Write(w, r, err)
			return
		}
		if replayed {
			w.Header().Set(idempotency.ReplayedHeader, "true")
		}
		web.JSON(w, status, v)
	})
}

func (s *Service) now() time.Time { return s.Clock.Now() }

// mayActFor checks that p sees the customer (one of the customer's locations).
func (s *Service) mayActFor(ctx context.Context, p auth.Principal, cid string) error {
	if p.All {
		return nil
	}
	locs, err := s.Customers.CustomerLocations(ctx, cid)
	if err != nil {
		return err
	}
	if !p.SeesAny(locs) {
		return problem.New(problem.NotFound, "no such customer")
	}
	return nil
}

// mayWorkAt checks a location a request names, if any.
func mayWorkAt(p auth.Principal, field, location string, required bool) error {
	switch {
	case location == "" && required:
		return problem.Field(field, "is required")
	case location != "" && !p.Sees(location):
		return problem.New(problem.NotFound, "no such location")
	}
	return nil
}

// list is the catalogue the caller sees; with customerId, each reward says whether
// that member may take it now (at locationId, the counter, if given).
func (s *Service) list(r *http.Request, p auth.Principal) (int, any, error) {
	all, err := s.Rewards.Rewards(r.Context())
	if err != nil {
		return 0, nil, err
	}
	var seen []reward.Reward
	for _, rw := range all {
		if reward.Visible(p, rw.LocationIDs) && (rw.Active || p.Has(wiring.RoleAdmin)) {
			seen = append(seen, rw)
		}
	}
	cid, location := r.URL.Query().Get("customerId"), r.URL.Query().Get("locationId")
	if cid == "" {
		return http.StatusOK, map[string]any{"rewards": nonNil(seen)}, nil
	}
	if err := s.mayActFor(r.Context(), p, cid); err != nil {
		return 0, nil, err
	}
	if err := mayWorkAt(p, "locationId", location, false); err != nil {
		return 0, nil, err
	}
	b, err := s.Points.Balance(r.Context(), cid)
	if err != nil {
		return 0, nil, err
	}
	offers := []Offer{}
	for _, rw := range seen {
		ok, why := rw.Offered(b.Tier, location, b.Balance)
		offers = append(offers, Offer{Reward: rw, Offered: ok, Why: why.Text, WhyReason: why.Reason, WhyFacts: why.Facts})
	}
	return http.StatusOK, map[string]any{"rewards": offers, "balance": b.Balance, "tier": b.Tier}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Service) create(r *http.Request, p auth.Principal) (int, any, error) {
	// A new reward is offered unless the request says otherwise.
	var in struct {
		reward.Reward
		Active *bool `json:"active"`
	}
	if err := web.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	rw := in.Reward
	rw.Active = in.Active == nil || *in.Active
	rw.Version = 0
	saved, err := s.Rewards.SaveReward(r.Context(), rw, s.now())
	return http.StatusCreated, saved, err
}

func (s *Service) replace(r *http.Request, p auth.Principal) (int, any, error) {
	var rw reward.Reward
	if err := web.DecodeWhole(r, &rw, "rewardId", "updatedAt", "value"); err != nil {
		return 0, nil, err
	}
	switch {
	case rw.ID != "" && rw.ID != r.PathValue("rewardId"):
		return 0, nil, problem.Field("rewardId", "must be the path's reward id")
	case rw.Version <= 0:
		return 0, nil, problem.Field("version", "is required: send the version you read")
	}
	if _, err := s.Rewards.Reward(r.Context(), r.PathValue("rewardId")); err != nil {
		return 0, nil, err
	}
	rw.ID = r.PathValue("rewardId")
	saved, err := s.Rewards.SaveReward(r.Context(), rw, s.now())
	return http.StatusOK, saved, err
}

func (s *Service) take(r *http.Request, p auth.Principal) (any, bool, error) {
	var req TakeRequest
	if err := web.Decode(r, &req); err != nil {
		return nil, false, err
	}
	cid := r.PathValue("customerId")
	if err := s.mayActFor(r.Context(), p, cid); err != nil {
		return nil, false, err
	}
	if err := mayWorkAt(p, "locationId", req.LocationID, false); err != nil {
		return nil, false, err
	}
	rw, err := s.Rewards.Reward(r.Context(), r.PathValue("rewardId"))
	switch {
	case err != nil:
		return nil, false, err
	case !reward.Visible(p, rw.LocationIDs):
		return nil, false, reward.ErrNoReward
	}
	v, replayed, err := s.Take(r.Context(), p.Subject, cid, rw.ID, req.SourceID, req.LocationID)
	return v.View(s.now()), replayed, err
}

func (s *Service) issue(r *http.Request, p auth.Principal) (any, bool, error) {
	var req IssueRequest
	if err := web.Decode(r, &req); err != nil {
		return nil, false, err
	}
	if req.CustomerID == "" {
		return nil, false, problem.Field("customerId", "is required")
	}
	if err := s.mayActFor(r.Context(), p, req.CustomerID); err != nil {
		return nil, false, err
	}
	if err := req.validate(p); err != nil {
		return nil, false, err
	}
	if err := mayWorkAt(p, "locationId", req.LocationID, false); err != nil {
		return nil, false, err
	}
	code, err := reward.NewCode()
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	v, replayed, err := s.Rewards.Issue(r.Context(), reward.Voucher{Code: code, CustomerID: req.CustomerID, Kind: req.Kind,
		Name: req.Name, Value: req.Value, Source: reward.Source{Kind: reward.SourceStaff, ID: id.New(now)},
		LocationIDs: req.LocationIDs, LocationID: req.LocationID, IssuedAt: now,
		ExpiresAt: now.Add(time.Duration(req.ValidDays) * 24 * time.Hour), IssuedBy: p.Subject, Reason: strings.TrimSpace(req.Reason)})
	return v.View(now), replayed, err
}

// validate names every wrong field of a hand-issued voucher. A caller that does not
// see every location must name where the voucher is valid, among its own.
func (q *IssueRequest) validate(p auth.Principal) error {
	var fe []problem.FieldError
	bad := func(field, format string, args ...any) {
		fe = append(fe, problem.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if q.Kind == "" {
		q.Kind = reward.KindVoucher
	}
	// The catalogue's rules for a value and a name hold for a hand-issued voucher too.
	probe := reward.Reward{ID: "by-hand", Name: q.Name, PointsCost: 1, Kind: q.Kind, Value: q.Value, ValidDays: q.ValidDays, LocationIDs: q.LocationIDs}
	if q.Kind == reward.KindVoucher && len(q.Name) == 0 {
		probe.Name = i18n.Texts[string]{}
		for _, l := range i18n.Locales() {
			probe.Name[l] = "-"
		}
	}
	if err := probe.Validate(); err != nil {
		pe := err.(*problem.Error)
		for _, f := range pe.Fields {
			if f.Field == "locations" || strings.HasPrefix(f.Field, "locations[") {
				f.Field = "locationIds" + strings.TrimPrefix(f.Field, "locations")
			}
			fe = append(fe, f)
		}
	}
	switch r := strings.TrimSpace(q.Reason); {
	case r == "":
		bad("reason", "is required: say why this voucher is given")
	case len([]rune(r)) > maxReason:
		bad("reason", "must be at most %d characters", maxReason)
	}
	if !p.All {
		if len(q.LocationIDs) == 0 {
			bad("locationIds", "is required: name the locations where it may be used")
		}
		for i, l := range q.LocationIDs {
			if !p.Sees(l) {
				bad("locationIds["+strconv.Itoa(i)+"]", "is not one of your locations")
			}
		}
	}
	return problem.Fields(fe)
}

// voucher reads a voucher the caller sees, by the code as typed.
func (s *Service) voucher(r *http.Request, p auth.Principal) (reward.Voucher, error) {
	code, err := reward.ParseCode(r.PathValue("code"))
	if err != nil {
		return reward.Voucher{}, problem.Field("code", err.Error())
	}
	v, err := s.Rewards.Voucher(r.Context(), code)
	if err != nil {
		return reward.Voucher{}, err
	}
	if !reward.Visible(p, v.LocationIDs) {
		return reward.Voucher{}, reward.ErrNoVoucher
	}
	return v, nil
}

func (s *Service) get(r *http.Request, p auth.Principal) (int, any, error) {
	v, err := s.voucher(r, p)
	return http.StatusOK, v.View(s.now()), err
}

func (s *Service) redeem(r *http.Request, p auth.Principal) (any, bool, error) {
	var req RedeemRequest
	if err := web.Decode(r, &req); err != nil {
		return nil, false, err
	}
	if req.SourceID == "" {
		return nil, false, problem.Field("sourceId", "is required: the bill the voucher is used on")
	}
	if err := mayWorkAt(p, "locationId", req.LocationID, true); err != nil {
		return nil, false, err
	}
	v, err := s.voucher(r, p)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	v, replayed, err := s.Rewards.Redeem(r.Context(), v, req.SourceID, req.LocationID, p.Subject, now)
	return v.View(now), replayed, err
}

func (s *Service) reverse(r *http.Request, p auth.Principal) (any, bool, error) {
	var req ReverseRequest
	if err := web.Decode(r, &req); err != nil {
		return nil, false, err
	}
	if req.SourceID == "" {
		return nil, false, problem.Field("sourceId", "is required: the refunded bill")
	}
	v, err := s.voucher(r, p)
	if err != nil {
		return nil, false, err
	}
	now := s.now()
	v, replayed, err := s.Rewards.Reverse(r.Context(), v, req.SourceID, p.Subject, now)
	return v.View(now), replayed, err
}

func (s *Service) cancel(r *http.Request, p auth.Principal) (int, any, error) {
	var req CancelRequest
	if err := web.Decode(r, &req); err != nil {
		return 0, nil, err
	}
	if reason := strings.TrimSpace(req.Reason); reason == "" || len([]rune(reason)) > maxReason {
		return 0, nil, problem.Field("reason", fmt.Sprintf("is required, at most %d characters", maxReason))
	}
	v, err := s.voucher(r, p)
	if err != nil {
		return 0, nil, err
	}
	now := s.now()
	v, err = s.Rewards.Cancel(r.Context(), v, p.Subject, strings.TrimSpace(req.Reason), now)
	return http.StatusOK, v.View(now), err
}

func (s *Service) customerVouchers(r *http.Request, p auth.Principal) (int, any, error) {
	cid := r.PathValue("customerId")
	if err := s.mayActFor(r.Context(), p, cid); err != nil {
		return 0, nil, err
	}
	vs, err := s.Rewards.Vouchers(r.Context(), cid, 100)
	if err != nil {
		return 0, nil, err
	}
	now := s.now()
	views := []reward.VoucherView{}
	for _, v := range vs {
		views = append(views, v.View(now))
	}
	return http.StatusOK, map[string]any{"vouchers": views}, nil
}

// maxReportDays bounds a voucher report's period (and so its cost).
const maxReportDays = 366

// report is the voucher report of the locations the caller sees (or the one asked)
// over local days from..to: vouchers issued, redeemed, cancelled and expired, the
// redemption rate and the points spent on rewards, in total, by reward, by campaign
// and by location. It reads
// the counters each voucher's writes kept (one Query per location), so its cost grows
// with days and locations, never with vouchers.
func (s *Service) report(r *http.Request, p auth.Principal) (int, any, error) {
	q := r.URL.Query()
	from, to, err := kpi.Days(q.Get("from"), q.Get("to"), s.now().Add(14*time.Hour), 29, maxReportDays)
	if err != nil {
		return 0, nil, err
	}
	locs, err := auth.Within(r.Context(), p, q.Get("locationId"), s.Registry)
	if err != nil {
		return 0, nil, err
	}
	var all []kpi.Counts
	located := map[string][]kpi.Counts{}
	for _, l := range locs {
		byDay, err := kpi.Read(r.Context(), s.DB, s.Rewards.Table, l, kpi.Day, from, to)
		if err != nil {
			return 0, nil, err
		}
		for _, c := range byDay {
			all = append(all, c)
			located[l] = append(located[l], c)
		}
	}
	rep := reward.Tally(from, to, nonNil(locs), all)
	for l, counts := range located {
		rep.ByLocation[l] = reward.Tally(from, to, []string{l}, counts).Total
	}
	return http.StatusOK, rep, nil
}
