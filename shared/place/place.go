// Package place is what a location is to every domain: where its time is counted,
// when it is open, when messages must wait, who manages it and how its messages look;
// with the business-hours arithmetic SLAs and callbacks are counted in. It is a kernel
// package of values and rules, with no storage: the registry that keeps locations is
// shared/location.
package place

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // locations' zones load on Lambda's minimal image too

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Location is a store, branch or hotel: where its time is counted, when it is open,
// when messages must wait, who manages it and how its messages look.
type Location struct {
	ID   string `dynamodbav:"locationId" json:"locationId"`
	Name string `dynamodbav:"name" json:"name"`
	// Code is the short code case references start with (SH01-20261123-0007); by
	// default the id's letters and digits, upper-cased, at most eight.
	Code     string `dynamodbav:"code,omitempty" json:"code,omitempty"`
	TimeZone string `dynamodbav:"timeZone" json:"timeZone"`
	// Currency is the ISO 4217 code the location's money is shown and spent in
	// (CNY, GBP); empty leaves it to each amount's own currency.
	Currency string `dynamodbav:"currency,omitempty" json:"currency,omitempty"`
	// WeeklyHours are the opening intervals per weekday ("mon".."sun"), split shifts
	// allowed: {"mon": ["09:00-12:00", "13:00-18:00"]}. A missing day is closed.
	WeeklyHours map[string][]string `dynamodbav:"weeklyHours" json:"weeklyHours"`
	// Holidays are closed dates (YYYY-MM-DD) in the location's time zone.
	Holidays []string `dynamodbav:"holidays,omitempty" json:"holidays,omitempty"`
	// QuietHours is when no message goes to customers ("21:00-09:00" by default).
	QuietHours string            `dynamodbav:"quietHours" json:"quietHours"`
	Managers   []contact.Contact `dynamodbav:"managers,omitempty" json:"managers,omitempty"`
	Branding   Branding          `dynamodbav:"branding" json:"branding"`
	// PostServiceSurvey, when set, invites each reported visit's customer to a survey.
	PostServiceSurvey *PostServiceSurvey `dynamodbav:"postServiceSurvey,omitempty" json:"postServiceSurvey,omitempty"`
	Version           int                `dynamodbav:"version" json:"version"`
	UpdatedAt         time.Time          `dynamodbav:"updatedAt" json:"updatedAt"`
}

// PostServiceSurvey is the survey a visit invites to, and when.
type PostServiceSurvey struct {
	SurveyID string `dynamodbav:"surveyId" json:"surveyId"`
	// DelayMinutes after the visit the invitation goes (quiet hours still apply).
	DelayMinutes int `dynamodbav:"delayMinutes" json:"delayMinutes"`
	// ExpiresInHours is how long the invitation stays open (default 168).
	ExpiresInHours int `dynamodbav:"expiresInHours" json:"expiresInHours"`
}

// Branding is how the location's messages and pages look.
type Branding struct {
	Name       string `dynamodbav:"name,omitempty" json:"name,omitempty"`
	Color      string `dynamodbav:"color,omitempty" json:"color,omitempty"`
	LogoURL    string `dynamodbav:"logoUrl,omitempty" json:"logoUrl,omitempty"`
	FooterText string `dynamodbav:"footerText,omitempty" json:"footerText,omitempty"`
}

var (
	weekdays  = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	dayFormat = "2006-01-02"
)

// The patterns are compiled on first use rather than at every cold start: nearly every
// function links this package, and few of them check a location's fields.
var (
	hhmm    = lazyRegexp(`^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]|24):([0-5][0-9])$`)
	codeRe  = lazyRegexp(`^[A-Z0-9]{1,8}$`)
	colorRe = lazyRegexp(`^#[0-9a-fA-F]{6}$`)
	quietRe = lazyRegexp(`^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Validate checks a location and fills defaults, naming every bad field. The
// registry adds whether its currency is one ISO 4217 knows (registry.Validate).
func (l *Location) Validate() error {
	var errs []problem.FieldError
	bad := func(f, m string) { errs = append(errs, problem.FieldError{Field: f, Message: m}) }
	if !id.Valid(l.ID) {
		bad("locationId", "must be letters, digits, '.', '_' or '-' (at most 64)")
	}
	if l.Code == "" {
		l.Code = l.ReferenceCode()
	}
	if !codeRe().MatchString(l.Code) {
		bad("code", "must be 1 to 8 upper-case letters or digits")
	}
	if l.Name = strings.TrimSpace(l.Name); l.Name == "" || len(l.Name) > 200 {
		bad("name", "is required, at most 200 characters")
	}
	if _, err := time.LoadLocation(l.TimeZone); err != nil || l.TimeZone == "" {
		bad("timeZone", "must be an IANA time zone such as Asia/Shanghai")
	}
	if l.Currency != "" && !currencyShaped(l.Currency) {
		bad("currency", CurrencyMessage)
	}
	for day, intervals := range l.WeeklyHours {
		if !slices.Contains(weekdays, day) {
			bad("weeklyHours."+day, "days are mon, tue, wed, thu, fri, sat, sun")
			continue
		}
		if msg := checkIntervals(intervals); msg != "" {
			bad("weeklyHours."+day, msg)
		}
	}
	for i, h := range l.Holidays {
		if _, err := time.Parse(dayFormat, h); err != nil {
			bad(fmt.Sprintf("holidays[%d]", i), "must be a date YYYY-MM-DD")
		}
	}
	if l.QuietHours == "" {
		l.QuietHours = "21:00-09:00"
	}
	if !quietRe().MatchString(l.QuietHours) {
		bad("quietHours", "must be HH:MM-HH:MM (00:00-00:00 for none)")
	}
	for i, m := range l.Managers {
		if !slices.Contains(contact.Channels, m.Channel) || strings.TrimSpace(m.Address) == "" {
			bad(fmt.Sprintf("managers[%d]", i), "needs a channel (email, sms, webhook) and an address")
		}
		if m.Locale != "" && !i18n.Supported(m.Locale) {
			bad(fmt.Sprintf("managers[%d].locale", i), "must be zh-CN or en")
		}
	}
	if ps := l.PostServiceSurvey; ps != nil {
		if !id.Valid(ps.SurveyID) {
			bad("postServiceSurvey.surveyId", "is required: a survey id")
		}
		if ps.DelayMinutes < 0 || ps.DelayMinutes > 7*24*60 {
			bad("postServiceSurvey.delayMinutes", "must be 0 to 10080")
		}
		if ps.ExpiresInHours == 0 {
			ps.ExpiresInHours = 168
		}
		if ps.ExpiresInHours < 1 || ps.ExpiresInHours > 24*90 {
			bad("postServiceSurvey.expiresInHours", "must be 1 to 2160")
		}
	}
	if b := l.Branding; b.Color != "" && !colorRe().MatchString(b.Color) {
		bad("branding.color", "must be a color such as #0b5cad")
	}
	if u, err := url.Parse(l.Branding.LogoURL); l.Branding.LogoURL != "" && (err != nil || u.Scheme != "https" || u.Host == "") {
		bad("branding.logoUrl", "must be an https URL")
	}
	return problem.Fields(errs)
}

// ReferenceCode is the code case references start with: Code, or else the id's
// letters and digits, upper-cased, at most eight.
func (l Location) ReferenceCode() string {
	if l.Code != "" {
		return l.Code
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(l.ID) {
		if b.Len() < 8 && (r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "LOC"
	}
	return b.String()
}

// checkIntervals wants sorted, non-overlapping HH:MM-HH:MM intervals within a day.
func checkIntervals(intervals []string) string {
	prevEnd := -1
	for _, iv := range intervals {
		m := hhmm().FindStringSubmatch(iv)
		if m == nil {
			return "intervals are HH:MM-HH:MM, e.g. 09:00-12:00"
		}
		start, end := minutes(m[1], m[2]), minutes(m[3], m[4])
		if end <= start || end > 24*60 {
			return fmt.Sprintf("%s ends before it starts", iv)
		}
		if start < prevEnd {
			return "intervals must be in order and not overlap"
		}
		prevEnd = end
	}
	return ""
}

// minutes turns the two-digit hour and minute the patterns matched into minutes.
func minutes(h, m string) int {
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	return hh*60 + mm
}

// zones caches loaded time zones: SLA arithmetic asks for the same few many times.
var zones sync.Map

// Zone loads an IANA time zone once per process.
func Zone(name string) (*time.Location, error) {
	if z, ok := zones.Load(name); ok {
		return z.(*time.Location), nil
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, z)
	return z, nil
}

// CurrencyMessage is what a bad currency code is told.
const CurrencyMessage = "must be an ISO 4217 code in capitals such as CNY or GBP"

// currencyShaped tells whether code is written as an ISO 4217 code: three capitals.
// Whether ISO 4217 knows it is the registry's check (shared/location/registry), where
// locations are written, so that the currency tables are linked only there.
func currencyShaped(code string) bool {
	return len(code) == 3 && strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

// ErrNotFound is the registry's answer for a location it does not hold.
var ErrNotFound = errors.New("no such location")
