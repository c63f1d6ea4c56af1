package survey

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Limits on definitions.
const (
	MaxQuestions  = 50
	MaxOptions    = 30
	MaxNameLength = 200
	MaxTextLength = 500
	MaxKeywords   = 50
)

// ValidID tells whether s can be a question, survey or location id.
func ValidID(s string) bool { return id.Valid(s) }

// Definition is what staff post to define or edit a survey.
type Definition struct {
	Name string `json:"name"`
	// Title is what the hosted form shows as its heading, per locale (zh-CN, en); the
	// form falls back to the other locale, then to Name, which staff see.
	Title      map[string]string `json:"title"`
	LocationID string            `json:"locationId"`
	Anonymous  bool              `json:"anonymous"`
	Questions  []Question        `json:"questions"`
	Dimensions []string          `json:"dimensions"`
	// Loop is the closed loop. Left out (or null) on POST, the survey gets
	// DefaultLoop; left out on PUT, the edited version's loop is kept. {"off": true}
	// turns it off.
	Loop *Loop `json:"loop"`
	// Version, on an edit, is the version being edited: a stale one is refused (409).
	Version int `json:"version"`
}

// Validate checks a definition and fills defaults, naming every bad field.
func (d *Definition) Validate() error {
	var errs []problem.FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, problem.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" || utf8.RuneCountInString(d.Name) > MaxNameLength {
		bad("name", "is required, at most %d characters", MaxNameLength)
	}
	for loc, t := range d.Title {
		if !i18n.Supported(loc) {
			bad("title."+loc, "locale must be zh-CN or en")
		} else if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > MaxNameLength {
			bad("title."+loc, "must be non-empty and at most %d characters", MaxNameLength)
		}
	}
	if d.LocationID != "" && !ValidID(d.LocationID) {
		bad("locationId", "must be letters, digits, '.', '_' or '-' (at most 64)")
	}
	if len(d.Dimensions) == 0 {
		d.Dimensions = slices.Clone(DefaultDimensions)
	}
	for i, dim := range d.Dimensions {
		if strings.TrimSpace(dim) == "" || len(dim) > 64 || slices.Index(d.Dimensions, dim) != i {
			bad(fmt.Sprintf("dimensions[%d]", i), "must be a distinct name of at most 64 characters")
		}
	}
	if len(d.Questions) == 0 || len(d.Questions) > MaxQuestions {
		bad("questions", "must hold 1 to %d questions", MaxQuestions)
	}
	seen := map[string]bool{}
	for i, q := range d.Questions {
		f := fmt.Sprintf("questions[%d]", i)
		switch {
		case !ValidID(q.ID):
			bad(f+".id", "must be letters, digits, '.', '_' or '-' (at most 64)")
		case seen[q.ID]:
			bad(f+".id", "repeats question %s", q.ID)
		}
		seen[q.ID] = true
		validateQuestion(f, q, d.Dimensions, bad)
	}
	if d.Loop != nil {
		validateLoop(d.Loop, d.Dimensions, bad)
	}
	return problem.Fields(errs)
}

func validateQuestion(f string, q Question, dims []string, bad func(string, string, ...any)) {
	_, _, rating := Scale(q.Type)
	switch {
	case rating, q.Type == TypeText:
	case q.Type == TypeChoice:
		if len(q.Options) < 2 || len(q.Options) > MaxOptions {
			bad(f+".options", "a choice needs 2 to %d options", MaxOptions)
		}
		for j, o := range q.Options {
			if strings.TrimSpace(o) == "" || utf8.RuneCountInString(o) > MaxTextLength || slices.Index(q.Options, o) != j {
				bad(fmt.Sprintf("%s.options[%d]", f, j), "must be distinct, non-empty and at most %d characters", MaxTextLength)
			}
		}
	default:
		bad(f+".type", "must be one of nps, csat, likert5, likert10, choice, text")
	}
	if q.Type != TypeChoice && (len(q.Options) > 0 || q.Multiple) {
		bad(f+".options", "only choice questions have options")
	}
	if q.Dimension != "" && (!rating || !slices.Contains(dims, q.Dimension)) {
		bad(f+".dimension", "must be one of the survey's dimensions, on a rating question")
	}
	if len(q.Text) == 0 {
		bad(f+".text", "needs the question in zh-CN or en")
	}
	for loc, t := range q.Text {
		if !i18n.Supported(loc) {
			bad(f+".text."+loc, "locale must be zh-CN or en")
		} else if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > MaxTextLength {
			bad(f+".text."+loc, "must be non-empty and at most %d characters", MaxTextLength)
		}
	}
}

// Survey makes version v of survey id from the definition.
func (d Definition) Survey(id string, v int) Survey {
	return Survey{ID: id, Name: d.Name, Title: d.Title, Version: v, LocationID: d.LocationID, Anonymous: d.Anonymous,
		Questions: d.Questions, Dimensions: d.Dimensions, Loop: d.Loop}
}
