package survey

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Staff is what staff do with surveys: define and edit them, invite customers, open
// public links, read results and export responses.
type Staff struct {
	*Service
	// PublicURL is the API's base URL, for the links in invitations.
	PublicURL string
	// Cursors seals the survey list's cursors.
	Cursors *curs.Codec
}

// Invitation and link lifetimes.
const (
	DefaultInvitationHours = 14 * 24
	MaxInvitationHours     = 90 * 24
	DefaultLinkDays        = 365
	DefaultDailyCap        = 500
)

// Get reads a survey (the current version, or version v).
func (s *Staff) Get(ctx context.Context, p auth.Principal, surveyID string, v int) (Survey, error) {
	sv, err := s.Store.Survey(ctx, surveyID)
	if errors.Is(err, ErrNotFound) || (err == nil && !sees(p, sv)) {
		return Survey{}, noSurvey(surveyID)
	}
	if err != nil {
		return Survey{}, err
	}
	if v != 0 && v != sv.Version {
		return s.version(ctx, sv, v)
	}
	return sv, nil
}

// Define creates a survey at version 1; one defined without a loop gets DefaultLoop.
func (s *Staff) Define(ctx context.Context, p auth.Principal, d Definition) (Survey, error) {
	if d.Loop == nil {
		d.Loop = DefaultLoop()
	}
	if err := d.Validate(); err != nil {
		return Survey{}, err
	}
	if err := mayBind(p, d.LocationID); err != nil {
		return Survey{}, err
	}
	now := s.Clock.Now()
	sv := d.Survey(id.New(now), 1)
	sv.CreatedAt, sv.CreatedBy = now, p.Subject
	if err := s.Store.CreateSurvey(ctx, sv); err != nil {
		return Survey{}, err
	}
	return sv, nil
}

// Edit stores the definition as the survey's next version; d.Version must be the
// current version (409 otherwise), so two editors cannot overwrite each other.
func (s *Staff) Edit(ctx context.Context, p auth.Principal, surveyID string, d Definition) (Survey, error) {
	cur, err := s.Get(ctx, p, surveyID, 0)
	if err != nil {
		return Survey{}, err
	}
	if err := mayChange(p, cur); err != nil {
		return Survey{}, err
	}
	if d.Loop == nil {
		// An edit that does not mention the loop keeps it: a survey stored before
		// loops had a default keeps having none until an edit sets one.
		d.Loop = cur.Loop
	}
	if err := d.Validate(); err != nil {
		return Survey{}, err
	}
	if d.Version != cur.Version {
		return Survey{}, problem.Newf(problem.Conflict, "the survey is at version %d; edit that version", cur.Version)
	}
	if err := mayBind(p, d.LocationID); err != nil {
		return Survey{}, err
	}
	now := s.Clock.Now()
	sv := d.Survey(surveyID, cur.Version+1)
	sv.CreatedAt, sv.CreatedBy = now, p.Subject
	if err := s.Store.UpdateSurvey(ctx, sv); errors.Is(err, ErrVersionConflict) {
		return Survey{}, problem.New(problem.Conflict, "the survey was edited meanwhile; reload it")
	} else if err != nil {
		return Survey{}, err
	}
	return sv, nil
}

// InvitationRequest asks for an invitation.
type InvitationRequest struct {
	CustomerID     string `json:"customerId"`
	LocationID     string `json:"locationId"`
	ExpiresInHours int    `json:"expiresInHours"`
	Locale         string `json:"locale"`
	// StaffID names the staff member whose service the survey asks about; left out,
	// a person's own token names them (auth.ServingStaff) and a system's nobody.
	StaffID string `json:"staffId"`
}

// LinkRequest asks for a public link of an anonymous survey at a location.
type LinkRequest struct {
	LocationID    string `json:"locationId"`
	DailyCap      int    `json:"dailyCap"`
	ExpiresInDays int    `json:"expiresInDays"`
	Locale        string `json:"locale"`
}

// Issued is an invitation or link as given out.
type Issued struct {
	Token     string    `json:"token"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
	Kind      string    `json:"kind"`
	DailyCap  int       `json:"dailyCap,omitempty"`
}

// Invite makes a single-use invitation for one customer at one location.
func (s *Staff) Invite(ctx context.Context, p auth.Principal, surveyID string, req InvitationRequest) (Issued, error) {
	sv, err := s.Get(ctx, p, surveyID, 0)
	if err != nil {
		return Issued{}, err
	}
	if err := mayActAt(p, req.LocationID); err != nil {
		return Issued{}, err
	}
	var errs []problem.FieldError
	if !ValidID(req.CustomerID) {
		errs = append(errs, problem.FieldError{Field: "customerId", Message: "is required (letters, digits, '.', '_' or '-')"})
	}
	errs = append(errs, s.locationErrors(sv, req.LocationID)...)
	if req.ExpiresInHours == 0 {
		req.ExpiresInHours = DefaultInvitationHours
	}
	if req.ExpiresInHours < 1 || req.ExpiresInHours > MaxInvitationHours {
		errs = append(errs, problem.FieldError{Field: "expiresInHours", Message: fmt.Sprintf("must be 1 to %d", MaxInvitationHours)})
	}
	if req.Locale != "" && !i18n.Supported(req.Locale) {
		errs = append(errs, problem.FieldError{Field: "locale", Message: "must be zh-CN or en"})
	}
	if sv.Anonymous {
		errs = append(errs, problem.FieldError{Field: "surveyId", Message: "is anonymous: give out its public link instead"})
	}
	staff, err := auth.ServingStaff(p, req.StaffID, "staffId")
	var bad *problem.Error
	switch {
	case errors.As(err, &bad):
		errs = append(errs, bad.Fields...)
	case err != nil:
		return Issued{}, err
	}
	if err := problem.Fields(errs); err != nil {
		return Issued{}, err
	}
	now := s.Clock.Now()
	inv := Invitation{Token: id.Token(20), Kind: KindInvitation, SurveyID: sv.ID, CustomerID: req.CustomerID,
		LocationID: req.LocationID, StaffID: staff, Locale: req.Locale, ExpiresAt: now.Add(time.Duration(req.ExpiresInHours) * time.Hour), CreatedAt: now}
	return s.issue(ctx, inv)
}

// Link opens a public link for an anonymous survey at a location, with a daily cap.
func (s *Staff) Link(ctx context.Context, p auth.Principal, surveyID string, req LinkRequest) (Issued, error) {
	sv, err := s.Get(ctx, p, surveyID, 0)
	if err != nil {
		return Issued{}, err
	}
	if err := mayActAt(p, req.LocationID); err != nil {
		return Issued{}, err
	}
	errs := s.locationErrors(sv, req.LocationID)
	if !sv.Anonymous {
		errs = append(errs, problem.FieldError{Field: "surveyId", Message: "is not anonymous: invite customers instead"})
	}
	if req.DailyCap == 0 {
		req.DailyCap = DefaultDailyCap
	}
	if req.DailyCap < 1 || req.DailyCap > 100000 {
		errs = append(errs, problem.FieldError{Field: "dailyCap", Message: "must be 1 to 100000"})
	}
	if req.ExpiresInDays == 0 {
		req.ExpiresInDays = DefaultLinkDays
	}
	if req.ExpiresInDays < 1 || req.ExpiresInDays > 5*365 {
		errs = append(errs, problem.FieldError{Field: "expiresInDays", Message: "must be 1 to 1825"})
	}
	if req.Locale != "" && !i18n.Supported(req.Locale) {
		errs = append(errs, problem.FieldError{Field: "locale", Message: "must be zh-CN or en"})
	}
	if err := problem.Fields(errs); err != nil {
		return Issued{}, err
	}
	now := s.Clock.Now()
	inv := Invitation{Token: id.Token(15), Kind: KindLink, SurveyID: sv.ID, LocationID: req.LocationID, Locale: req.Locale,
		DailyCap: req.DailyCap, ExpiresAt: now.AddDate(0, 0, req.ExpiresInDays), CreatedAt: now}
	return s.issue(ctx, inv)
}

func (s *Staff) locationErrors(sv Survey, location string) []problem.FieldError {
	switch {
	case !ValidID(location):
		return []problem.FieldError{{Field: "locationId", Message: "is required (letters, digits, '.', '_' or '-')"}}
	case sv.LocationID != "" && location != sv.LocationID:
		return []problem.FieldError{{Field: "locationId", Message: "is not the survey's location " + sv.LocationID}}
	}
	return nil
}

func (s *Staff) issue(ctx context.Context, inv Invitation) (Issued, error) {
	if err := s.Store.PutInvitation(ctx, inv); err != nil {
		return Issued{}, err
	}
	return Issued{Token: inv.Token, URL: strings.TrimRight(s.PublicURL, "/") + "/v1/s/" + inv.Token,
		ExpiresAt: inv.ExpiresAt, Kind: inv.Kind, DailyCap: inv.DailyCap}, nil
}

// Period is a range of UTC days, inclusive.
type Period struct{ From, To time.Time }

// MaxPeriodDays bounds a results query (and so its cost).
const MaxPeriodDays = 3 * 366

// ParsePeriod reads from and to (YYYY-MM-DD or RFC 3339); the default is the last 30
// days up to today.
func ParsePeriod(from, to string, now time.Time) (Period, error) {
	var errs []problem.FieldError
	parse := func(field, v string, def time.Time) time.Time {
		if v == "" {
			return def
		}
		for _, layout := range []string{dayFormat, time.RFC3339} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UTC().Truncate(24 * time.Hour)
			}
		}
		errs = append(errs, problem.FieldError{Field: field, Message: "must be a date (YYYY-MM-DD) or an RFC 3339 time"})
		return def
	}
	today := now.UTC().Truncate(24 * time.Hour)
	p := Period{To: parse("to", to, today)}
	p.From = parse("from", from, p.To.AddDate(0, 0, -29))
	if err := problem.Fields(errs); err != nil {
		return Period{}, err
	}
	if p.From.After(p.To) || p.To.Sub(p.From) > MaxPeriodDays*24*time.Hour {
		return Period{}, problem.Field("from", fmt.Sprintf("must be on or before to, at most %d days before it", MaxPeriodDays))
	}
	return p, nil
}

// Results are the survey's scores over a period at one location, or at every location
// the principal may see.
func (s *Staff) Results(ctx context.Context, p auth.Principal, surveyID, location string, per Period) (Results, error) {
	sv, err := s.Get(ctx, p, surveyID, 0)
	if err != nil {
		return Results{}, err
	}
	locations, err := within(ctx, p, location)
	if err != nil {
		return Results{}, err
	}
	from, to := per.From.Format(dayFormat), per.To.Format(dayFormat)
	var total Tally
	for _, loc := range locations {
		t, err := s.Store.Tally(ctx, sv.ID, loc, from, to)
		if err != nil {
			return Results{}, err
		}
		total.merge(t)
	}
	r := total.Results()
	r.SurveyID, r.From, r.To, r.LocationID = sv.ID, from, to, location
	return r, nil
}

func (t *Tally) merge(o Tally) {
	t.add("n", o.Responses)
	t.add("npsN", o.NPSCount)
	t.add("npsPro", o.Promoters)
	t.add("npsDet", o.Detractors)
	t.add("csatN", o.CSATCount)
	t.add("csatSat", o.Satisfied)
	for d, v := range o.DimSum {
		t.add("dimSum|"+d, v)
	}
	for d, v := range o.DimCount {
		t.add("dimN|"+d, v)
	}
	for q, m := range o.Dist {
		for v, n := range m {
			t.add("dist|"+q+"|"+v, n)
		}
	}
}

// ExportCSV writes the responses of a period as CSV: one row per response, a column per
// question of the current version, then of questions earlier versions had and the
// current one dropped, the comment last. Question columns are named q:<questionId>
// (':' is never in an id), so no question can collide with the response's own columns
// (responseId … customerId, staffId, nps, csat, comment). Cells that a spreadsheet
// would run as formulas are defused.
func (s *Staff) ExportCSV(ctx context.Context, p auth.Principal, surveyID, location string, per Period, w io.Writer) error {
	sv, err := s.Get(ctx, p, surveyID, 0)
	if err != nil {
		return err
	}
	locations, err := within(ctx, p, location)
	if err != nil {
		return err
	}
	cols, err := s.questionColumns(ctx, sv)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := []string{"responseId", "submittedAt", "surveyVersion", "locationId", "customerId", "staffId"}
	for _, c := range cols {
		header = append(header, QuestionColumn(c))
	}
	if err := cw.Write(append(header, "nps", "csat", "comment")); err != nil {
		return err
	}
	end := per.To.AddDate(0, 0, 1)
	for _, loc := range locations {
		if loc == allLocations {
			loc = ""
		}
		err := s.Store.EachResponse(ctx, sv.ID, loc, per.From, end, func(r Response) error {
			byQ := map[string]string{}
			for _, a := range r.Answers {
				byQ[a.QuestionID] = answerText(a.Value)
			}
			row := []string{r.ID, r.SubmittedAt.Format(time.RFC3339), strconv.Itoa(r.SurveyVersion), r.LocationID, r.CustomerID, r.StaffID}
			for _, c := range cols {
				row = append(row, byQ[c])
			}
			row = append(row, intText(r.Score.NPS), intText(r.Score.CSAT), r.Comment)
			for i := range row {
				row[i] = defuse(row[i])
			}
			return cw.Write(row)
		})
		if err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// QuestionColumn is the CSV export's column of a question.
func QuestionColumn(questionID string) string { return "q:" + questionID }

// questionColumns are the ids of the current version's questions, then those only
// earlier versions had (newest version first), each once.
func (s *Staff) questionColumns(ctx context.Context, sv Survey) ([]string, error) {
	var cols []string
	add := func(qs []Question) {
		for _, q := range qs {
			if !slices.Contains(cols, q.ID) {
				cols = append(cols, q.ID)
			}
		}
	}
	add(sv.Questions)
	for v := sv.Version - 1; v >= 1; v-- {
		old, err := s.Store.SurveyVersion(ctx, sv.ID, v)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		add(old.Questions)
	}
	return cols, nil
}

func answerText(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, "; ")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func intText(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// defuse keeps a spreadsheet from running a cell as a formula (CSV injection).
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
