// Package report is the KPI report: per day, ISO week or month, the survey, complaint,
// visit and loyalty figures of the locations a caller sees, read from the counters each
// domain keeps in its own table as things happen (shared/kpi), so its cost grows with
// the days and locations asked for, never with the records behind them.
package report

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
)

// Tables are the physical names of the tables whose counters the report reads.
type Tables struct {
	Surveys    string
	Complaints string
	Customers  string
	Loyalty    string
}

// Service builds KPI reports.
type Service struct {
	DB     dynamo.API
	Tables Tables
	// Registry lists every registered location: what "all locations" means.
	Registry func(context.Context) ([]string, error)
	Clock    clock.Clock
	// Directory names staff ids (the staff report); MinResponses is the fewest
	// responses a staff member's scores are shown from (DefaultMinResponses if 0).
	Directory    Directory
	MinResponses int
}

// Intervals a report may be asked in.
const (
	Daily   = "day"
	Weekly  = "week"
	Monthly = "month"
)

// Bounds of a report's period, in days: a daily report reads at most MaxDays days; a
// weekly or monthly one, widened to whole weeks or months, at most MaxWidenedDays.
const (
	MaxDays        = 366
	MaxWidenedDays = 400
)

// Query asks for a report: days from..to (YYYY-MM-DD, local to each location), by
// Interval, of one location or (LocationID empty) every location the caller sees.
type Query struct {
	LocationID string
	From       string
	To         string
	Interval   string
}

// Report is the figures per interval, summed over its locations.
type Report struct {
	// From and To are the days covered: for weeks and months, widened to whole ones.
	From       string    `json:"from"`
	To         string    `json:"to"`
	Interval   string    `json:"interval"`
	LocationID string    `json:"locationId,omitempty"`
	Locations  []string  `json:"locations"`
	Intervals  []Figures `json:"intervals"`
}

// Figures are one interval's KPIs. Rates are computed from the summed parts (never
// averaged) and are null when nothing was there to measure.
type Figures struct {
	// Period names the interval: 2026-12-06, 2026-W49 (ISO, Monday first) or 2026-12.
	Period string `json:"period"`
	Start  string `json:"start"`
	End    string `json:"end"`
	// Responses to every survey at the locations; NPS (−100..100) and CSAT (% of 4–5
	// answers) as survey results compute them, one decimal.
	Responses int      `json:"responses"`
	NPS       *float64 `json:"nps"`
	CSAT      *float64 `json:"csat"`
	// The parts of NPS and CSAT (answers, promoters and detractors; answers and 4–5
	// answers), so that intervals can be added up exactly.
	NPSAnswers  int `json:"npsAnswers"`
	Promoters   int `json:"promoters"`
	Detractors  int `json:"detractors"`
	CSATAnswers int `json:"csatAnswers"`
	Satisfied   int `json:"satisfied"`
	// Cases opened and resolutions; SLA compliance is the share (0..1) of those
	// resolutions within the resolve deadline.
	ComplaintsOpened   int      `json:"complaintsOpened"`
	ComplaintsResolved int      `json:"complaintsResolved"`
	SLACompliance      *float64 `json:"slaCompliance"`
	// Visits reported, and the share (0..1) by customers who had visited before.
	Visits          int      `json:"visits"`
	RepeatVisitRate *float64 `json:"repeatVisitRate"`
	// ActiveMembers earned or redeemed points at a location in the interval, each
	// counted once per location; points earned and redeemed, net of reversals.
	ActiveMembers  int `json:"activeMembers"`
	PointsIssued   int `json:"pointsIssued"`
	PointsRedeemed int `json:"pointsRedeemed"`

	sum kpi.Counts
}

// Report builds the report of q for the principal (policy.go).
func (s *Service) Report(ctx context.Context, p auth.Principal, q Query) (Report, error) {
	iv, err := s.plan(q)
	if err != nil {
		return Report{}, err
	}
	locs, err := s.within(ctx, p, q.LocationID)
	if err != nil {
		return Report{}, err
	}
	rep := Report{From: iv.from.Format(kpi.DayFormat), To: iv.to.Format(kpi.DayFormat), Interval: iv.interval,
		LocationID: q.LocationID, Locations: append([]string{}, locs...), Intervals: iv.figures}
	counts, err := s.read(ctx, locs, iv)
	if err != nil {
		return Report{}, err
	}
	for _, c := range counts {
		for period, n := range c.days {
			if i, ok := iv.byDay[period]; ok {
				addAll(rep.Intervals[i].sum, n, iv.interval != Daily)
			}
		}
		for period, n := range c.distinct {
			if i, ok := iv.byPeriod[period]; ok {
				rep.Intervals[i].sum[kpi.ActiveMembers] += n[kpi.ActiveMembers]
			}
		}
	}
	for i := range rep.Intervals {
		rep.Intervals[i].compute()
	}
	return rep, nil
}

// addAll adds a day's counters to an interval's; a week's or month's distinct
// members come from its own items, not from its days.
func addAll(dst, src kpi.Counts, skipActive bool) {
	for name, n := range src {
		if skipActive && name == kpi.ActiveMembers {
			continue
		}
		dst[name] += n
	}
}

func (f *Figures) compute() {
	c := f.sum
	res := survey.Tally{Responses: c[kpi.Responses], NPSCount: c[kpi.NPSCount], Promoters: c[kpi.Promoters],
		Detractors: c[kpi.Detractors], CSATCount: c[kpi.CSATCount], Satisfied: c[kpi.Satisfied]}.Results()
	f.Responses, f.NPS, f.CSAT = res.Responses, res.NPS, res.CSAT
	f.NPSAnswers, f.Promoters, f.Detractors = c[kpi.NPSCount], c[kpi.Promoters], c[kpi.Detractors]
	f.CSATAnswers, f.Satisfied = c[kpi.CSATCount], c[kpi.Satisfied]
	f.ComplaintsOpened, f.ComplaintsResolved = c[kpi.Opened], c[kpi.Resolved]
	f.SLACompliance = ratio(c[kpi.ResolvedMet], c[kpi.Resolved])
	f.Visits, f.RepeatVisitRate = c[kpi.Visits], ratio(c[kpi.RepeatVisits], c[kpi.Visits])
	f.ActiveMembers, f.PointsIssued, f.PointsRedeemed = c[kpi.ActiveMembers], c[kpi.PointsIssued], c[kpi.PointsRedeemed]
}

func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	v := math.Round(float64(a)/float64(b)*1000) / 1000
	return &v
}

// intervals is a report's plan: its days, its intervals and where each day and
// period falls.
type intervals struct {
	interval string
	from, to time.Time
	figures  []Figures
	byDay    map[string]int
	byPeriod map[string]int // week or month keys (weekly and monthly reports)
}

// plan checks q and lays out its intervals: by default the last 30 days, daily.
func (s *Service) plan(q Query) (intervals, error) {
	var errs []problem.FieldError
	iv := intervals{interval: q.Interval, byDay: map[string]int{}, byPeriod: map[string]int{}}
	switch q.Interval {
	case "":
		iv.interval = Daily
	case Daily, Weekly, Monthly:
	default:
		errs = append(errs, problem.FieldError{Field: "interval", Message: "must be day, week or month"})
	}
	day := func(field, v string, def time.Time) time.Time {
		if v == "" {
			return def
		}
		t, err := time.Parse(kpi.DayFormat, v)
		if err != nil {
			errs = append(errs, problem.FieldError{Field: field, Message: "must be a date (YYYY-MM-DD)"})
			return def
		}
		return t
	}
	now := s.Clock.Now().UTC().Add(14 * time.Hour) // the latest local day anywhere
	iv.to = day("to", q.To, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC))
	iv.from = day("from", q.From, iv.to.AddDate(0, 0, -29))
	if err := problem.Fields(errs); err != nil {
		return intervals{}, err
	}
	if iv.from.After(iv.to) {
		return intervals{}, problem.Field("from", "must be on or before to")
	}
	limit := MaxDays
	switch iv.interval {
	case Weekly:
		iv.from = iv.from.AddDate(0, 0, -((int(iv.from.Weekday()) + 6) % 7))
		iv.to = iv.to.AddDate(0, 0, 6-(int(iv.to.Weekday())+6)%7)
		limit = MaxWidenedDays
	case Monthly:
		iv.from = time.Date(iv.from.Year(), iv.from.Month(), 1, 0, 0, 0, 0, time.UTC)
		iv.to = time.Date(iv.to.Year(), iv.to.Month()+1, 0, 0, 0, 0, 0, time.UTC)
		limit = MaxWidenedDays
	}
	if days := int(iv.to.Sub(iv.from).Hours()/24) + 1; days > limit {
		return intervals{}, problem.Field("from", fmt.Sprintf("is too far before to: a %sly report covers at most %d days, %d asked",
			iv.interval, limit, days))
	}
	for d := iv.from; !d.After(iv.to); d = d.AddDate(0, 0, 1) {
		p := kpi.Of(d)
		key := p.Day
		switch iv.interval {
		case Weekly:
			key = p.Week
		case Monthly:
			key = p.Month
		}
		i, ok := iv.byPeriod[key]
		if !ok {
			i = len(iv.figures)
			iv.byPeriod[key] = i
			iv.figures = append(iv.figures, Figures{Period: key, Start: p.Day, sum: kpi.Counts{}})
		}
		iv.figures[i].End = p.Day
		iv.byDay[p.Day] = i
	}
	return iv, nil
}

// located are one location's counters: by day, and its distinct members by week or
// month.
type located struct {
	days     map[string]kpi.Counts
	distinct map[string]kpi.Counts
}

// parallel bounds the queries in flight at once.
const parallel = 8

// read queries each location's counters in every table: one Query per table and
// location (two in the loyalty table for weeks and months), at most parallel at once.
func (s *Service) read(ctx context.Context, locs []string, iv intervals) ([]located, error) {
	out := make([]located, len(locs))
	var jobs []func(context.Context) (func(), error)
	from, to := kpi.Of(iv.from), kpi.Of(iv.to)
	for i, loc := range locs {
		out[i] = located{days: map[string]kpi.Counts{}, distinct: map[string]kpi.Counts{}}
		type job struct {
			table string
			kind  kpi.Kind
			into  map[string]kpi.Counts
		}
		reads := []job{{s.Tables.Surveys, kpi.Day, out[i].days}, {s.Tables.Complaints, kpi.Day, out[i].days},
			{s.Tables.Customers, kpi.Day, out[i].days}, {s.Tables.Loyalty, kpi.Day, out[i].days}}
		switch iv.interval {
		case Weekly:
			reads = append(reads, job{s.Tables.Loyalty, kpi.Week, out[i].distinct})
		case Monthly:
			reads = append(reads, job{s.Tables.Loyalty, kpi.Month, out[i].distinct})
		}
		for _, j := range reads {
			jobs = append(jobs, func(ctx context.Context) (func(), error) {
				got, err := kpi.Read(ctx, s.DB, j.table, loc, j.kind, from.Key(j.kind), to.Key(j.kind))
				return func() {
					for period, c := range got {
						if j.into[period] == nil {
							j.into[period] = kpi.Counts{}
						}
						addAll(j.into[period], c, false)
					}
				}, err
			})
		}
	}
	return out, fanOut(ctx, jobs)
}

// fanOut runs the reads, at most parallel at once, and then applies what each read
// returned in the reads' order (so results that overlap merge the same way every
// time); the first error is returned and nothing is applied.
func fanOut(ctx context.Context, reads []func(context.Context) (func(), error)) error {
	apply := make([]func(), len(reads))
	errs := make([]error, len(reads))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			apply[i], errs[i] = read(ctx)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	for _, f := range apply {
		f()
	}
	return nil
}
