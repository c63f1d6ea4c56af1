package report

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// The staff report: per staff member, what they served and handled at the locations a
// caller sees, read from the staff counters each domain keeps in its own table
// (kpi.Staff items: visits in customers, survey responses in surveys, cases in
// complaints), so its cost grows with days, locations and staff members, never with
// records. A manager or admin sees every staff member of their locations; an agent
// sees only their own figures.

// StaffRoute is the staff report's route pattern.
const StaffRoute = "GET /v1/reports/staff"

// DefaultMinResponses is the fewest survey responses a staff member's scores are shown
// from unless the stage sets another (STAFF_REPORT_MIN_RESPONSES).
const DefaultMinResponses = 5

// StaffQuery asks for the staff report of days from..to (YYYY-MM-DD, local to each
// location; the last 30 days by default) of one location or every location the
// caller sees.
type StaffQuery struct {
	LocationID string
	From       string
	To         string
}

// StaffReport is the figures of each staff member with records in the period.
type StaffReport struct {
	From       string   `json:"from"`
	To         string   `json:"to"`
	LocationID string   `json:"locationId,omitempty"`
	Locations  []string `json:"locations"`
	// MinResponses is the fewest responses a member's scores are shown from.
	MinResponses int            `json:"minResponses"`
	Staff        []StaffFigures `json:"staff"`
}

// StaffFigures are one staff member's figures over the period, summed over the
// locations. Rates are shares (0..1) from the summed parts and null when nothing was
// there to measure.
type StaffFigures struct {
	StaffID string `json:"staffId"`
	// Name is the staff directory's name at one of the locations, if any.
	Name string `json:"name,omitempty"`
	// Visits served, and survey responses attributed (a response inherits the staff
	// member of the visit whose invitation it answers).
	Visits    int `json:"visits"`
	Responses int `json:"responses"`
	// NotEnoughData is true when fewer than MinResponses responses were attributed:
	// then NPS, CSAT and the dimension means are null rather than a score.
	NotEnoughData bool     `json:"notEnoughData"`
	NPS           *float64 `json:"nps"`
	CSAT          *float64 `json:"csat"`
	// Dimensions are the dimension means (scores of the rating questions on each).
	Dimensions map[string]float64 `json:"dimensions"`
	// ComplaintsAttributed are cases opened about this member's service (the case's
	// staffId).
	ComplaintsAttributed int `json:"complaintsAttributed"`
	// CasesHandled are the resolutions this member made; SLACompliance is the share of
	// them within the resolve deadline. Acknowledged and AcknowledgeCompliance are the
	// same for acknowledgements.
	CasesHandled          int      `json:"casesHandled"`
	SLACompliance         *float64 `json:"slaCompliance"`
	Acknowledged          int      `json:"acknowledged"`
	AcknowledgeCompliance *float64 `json:"acknowledgeCompliance"`
	// The medians of business minutes from opening to acknowledgement and to
	// resolution, as the bucket (kpi.MinuteBuckets) that holds them.
	MedianAcknowledgeMinutes *BucketMedian `json:"medianAcknowledgeMinutes"`
	MedianResolveMinutes     *BucketMedian `json:"medianResolveMinutes"`
	// Reopened are reopenings of cases this member resolved; ReopenRate is per
	// resolution.
	Reopened   int      `json:"reopened"`
	ReopenRate *float64 `json:"reopenRate"`
	// Compensation this member granted on resolving: points, and vouchers issued.
	CompensationPoints   int `json:"compensationPoints"`
	CompensationVouchers int `json:"compensationVouchers"`
	// Trend is the member's service figures per ISO week of the period.
	Trend []StaffWeek `json:"trend"`

	sum kpi.Counts
}

// BucketMedian is a median known to its bucket: at most AtMost business minutes, or,
// past the last bucket, more than Over.
type BucketMedian struct {
	AtMost int `json:"atMost,omitempty"`
	Over   int `json:"over,omitempty"`
}

// StaffWeek is one ISO week of a member's service figures; scores follow the same
// minimum of responses, within the week.
type StaffWeek struct {
	Period        string   `json:"period"`
	Start         string   `json:"start"`
	End           string   `json:"end"`
	Visits        int      `json:"visits"`
	Responses     int      `json:"responses"`
	NotEnoughData bool     `json:"notEnoughData"`
	NPS           *float64 `json:"nps"`
	CSAT          *float64 `json:"csat"`

	sum kpi.Counts
}

// StaffReport builds the staff report of q for the principal.
func (s *Service) StaffReport(ctx context.Context, p auth.Principal, q StaffQuery) (StaffReport, error) {
	latest := s.Clock.Now().UTC().Add(14 * time.Hour) // the latest local day anywhere
	from, to, err := kpi.Days(q.From, q.To, latest, 29, MaxDays)
	if err != nil {
		return StaffReport{}, err
	}
	locs, err := s.within(ctx, p, q.LocationID)
	if err != nil {
		return StaffReport{}, err
	}
	days, names, err := s.readStaff(ctx, locs, from, to)
	if err != nil {
		return StaffReport{}, err
	}
	least := cmp.Or(s.MinResponses, DefaultMinResponses)
	rep := StaffReport{From: from, To: to, LocationID: q.LocationID, Locations: append([]string{}, locs...),
		MinResponses: least, Staff: []StaffFigures{}}
	own := !p.Has(wiring.ManagerUp...) // an agent sees only their own figures
	at := map[string]int{}
	for _, d := range days {
		if own && d.StaffID != p.Subject {
			continue
		}
		i, ok := at[d.StaffID]
		if !ok {
			i = len(rep.Staff)
			at[d.StaffID] = i
			rep.Staff = append(rep.Staff, StaffFigures{StaffID: d.StaffID, Name: names[d.StaffID], sum: kpi.Counts{}})
		}
		rep.Staff[i].add(d)
	}
	for i := range rep.Staff {
		rep.Staff[i].compute(least)
	}
	slices.SortFunc(rep.Staff, func(a, b StaffFigures) int {
		return cmp.Or(cmp.Compare(strings.ToLower(cmp.Or(a.Name, a.StaffID)), strings.ToLower(cmp.Or(b.Name, b.StaffID))), cmp.Compare(a.StaffID, b.StaffID))
	})
	return rep, nil
}

// add counts a day of the member's counters into the period's and its week's.
func (f *StaffFigures) add(d kpi.StaffDay) {
	addAll(f.sum, d.Counts, false)
	day, _ := time.Parse(kpi.DayFormat, d.Day)
	week := kpi.Of(day).Week
	i := slices.IndexFunc(f.Trend, func(w StaffWeek) bool { return w.Period == week })
	if i < 0 {
		monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		f.Trend = append(f.Trend, StaffWeek{Period: week, Start: monday.Format(kpi.DayFormat),
			End: monday.AddDate(0, 0, 6).Format(kpi.DayFormat), sum: kpi.Counts{}})
		i = len(f.Trend) - 1
	}
	addAll(f.Trend[i].sum, d.Counts, false)
}

func (f *StaffFigures) compute(least int) {
	c := f.sum
	res := tally(c).Results()
	f.Visits, f.Responses = c[kpi.Visits], res.Responses
	f.NotEnoughData = res.Responses < least
	f.Dimensions = map[string]float64{}
	if !f.NotEnoughData {
		f.NPS, f.CSAT = res.NPS, res.CSAT
		for d, score := range res.Dimensions {
			f.Dimensions[d] = score.Mean
		}
	}
	f.ComplaintsAttributed = c[kpi.Attributed]
	f.CasesHandled, f.SLACompliance = c[kpi.Resolved], ratio(c[kpi.ResolvedMet], c[kpi.Resolved])
	f.Acknowledged, f.AcknowledgeCompliance = c[kpi.Acknowledged], ratio(c[kpi.AcknowledgeMet], c[kpi.Acknowledged])
	f.MedianAcknowledgeMinutes = median(c, kpi.AcknowledgeMinutes)
	f.MedianResolveMinutes = median(c, kpi.ResolveMinutes)
	f.Reopened, f.ReopenRate = c[kpi.Reopened], ratio(c[kpi.Reopened], c[kpi.Resolved])
	f.CompensationPoints, f.CompensationVouchers = c[kpi.CompPoints], c[kpi.CompVouchers]
	slices.SortFunc(f.Trend, func(a, b StaffWeek) int { return cmp.Compare(a.Start, b.Start) })
	for i := range f.Trend {
		w := &f.Trend[i]
		wr := tally(w.sum).Results()
		w.Visits, w.Responses, w.NotEnoughData = w.sum[kpi.Visits], wr.Responses, wr.Responses < least
		if !w.NotEnoughData {
			w.NPS, w.CSAT = wr.NPS, wr.CSAT
		}
	}
}

// tally reads the survey parts of staff counters as survey results count them.
func tally(c kpi.Counts) survey.Tally {
	t := survey.Tally{Responses: c[kpi.Responses], NPSCount: c[kpi.NPSCount], Promoters: c[kpi.Promoters],
		Detractors: c[kpi.Detractors], CSATCount: c[kpi.CSATCount], Satisfied: c[kpi.Satisfied],
		DimSum: map[string]int{}, DimCount: map[string]int{}}
	for name, n := range c {
		if d, ok := strings.CutPrefix(name, kpi.DimSum); ok {
			t.DimSum[kpi.Dimension(d)] += n
		} else if d, ok := strings.CutPrefix(name, kpi.DimCount); ok {
			t.DimCount[kpi.Dimension(d)] += n
		}
	}
	return t
}

func median(c kpi.Counts, prefix string) *BucketMedian {
	m, ok, over := kpi.Median(c, prefix)
	switch {
	case ok:
		return &BucketMedian{AtMost: m}
	case over:
		return &BucketMedian{Over: kpi.MinuteBuckets[len(kpi.MinuteBuckets)-1]}
	}
	return nil
}

// readStaff reads each location's staff counters in the three tables that keep them,
// and the names in its staff directory: four queries per location, at most parallel
// at once.
func (s *Service) readStaff(ctx context.Context, locs []string, from, to string) ([]kpi.StaffDay, map[string]string, error) {
	var days []kpi.StaffDay
	names := map[string]string{}
	var jobs []func(context.Context) (func(), error)
	for _, loc := range locs {
		for _, table := range []string{s.Tables.Surveys, s.Tables.Complaints, s.Tables.Customers} {
			jobs = append(jobs, func(ctx context.Context) (func(), error) {
				got, err := kpi.ReadStaff(ctx, s.DB, table, loc, from, to)
				return func() { days = append(days, got...) }, err
			})
		}
		jobs = append(jobs, func(ctx context.Context) (func(), error) {
			got, err := s.Directory(ctx, loc)
			return func() {
				for _, m := range got {
					names[m.StaffID] = cmp.Or(names[m.StaffID], m.Name)
				}
			}, err
		})
	}
	err := fanOut(ctx, jobs)
	return days, names, err
}

// Directory is what the report reads staff names from (location.Store.StaffDirectory).
type Directory func(context.Context, string) ([]location.StaffMember, error)
