package form

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/i18n/accept"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
)

// style is the survey pages' own rules, after the base layout's.
//
//go:embed form.css
var style string

// view is what a survey page shows: the form, or one of the message pages, under the
// location's brand bar.
type view struct {
	Locale string
	T      *messages
	Brand  brand
	// Switch links to the same page in the other language (pages that a GET shows).
	Switch  *langLink
	Form    *form
	Message pageKind
}

// document is the page in the base layout (form.templ draws its parts).
func (v view) document() page.Document {
	return page.Document{Lang: v.T.Lang, Title: v.Title(), Style: style,
		Head: v.Brand.Colours("--accent", "--on-accent"), Header: header(v), Main: content(v), Footer: footer(v.Brand)}
}

// Title is the document's title.
func (v view) Title() string {
	t := v.Heading()
	if v.Form != nil {
		t = v.Form.Title
	}
	if v.Brand.Name != "" {
		t += " · " + v.Brand.Name
	}
	return t
}

type langLink struct{ Href, Lang, Label string }

// switchFrom links to the token's page (done: its thank-you view) in the other language.
func switchFrom(token, lang string, done bool) *langLink {
	other := i18n.Other(lang)
	return &langLink{Href: linkURL(token, other, done), Lang: other, Label: texts.Pick(other).LangName}
}

// brand is a location's look: its name, colour, logo and footer.
type brand = page.Brand

func brandOf(loc place.Location) brand {
	return page.NewBrand(loc.Branding.Name, loc.Name, loc.Branding.Color, loc.Branding.LogoURL, loc.Branding.FooterText)
}

// Heading and Body are the message page's texts.
func (v view) Heading() string { return v.T.Pages[v.Message][0] }
func (v view) Body() string    { return v.T.Pages[v.Message][1] }

type pageKind int

const (
	pageThanks pageKind = iota
	pageUsed
	pageExpired
	pageNotFound
	pageCapped
	pageUnavailable
	pageUnreadable
)

// form is the survey form as the page shows it.
type form struct {
	Action  string
	Token   string
	Version int
	// Submission identifies this rendering's post, so a re-sent post is not stored twice.
	Submission string
	Locale     string
	Title      string
	// TitleLang is the language of Title when it is not the page's (a fallback).
	TitleLang string
	// Errors are the problems not tied to one question, shown above the form.
	Errors       []string
	Invalid      bool
	Questions    []*field
	Comment      string
	CommentError string
	CommentMax   int
}

// ErrorSummary is the box above a form sent back with problems, in the page's
// language (its punctuation too): the general problems, then each question's.
func (f *form) ErrorSummary(t *messages) page.Summary {
	s := page.Summary{Lang: t.Lang, Heading: t.Summary, General: f.Errors}
	for _, q := range f.Questions {
		if q.Error != "" {
			s.Fields = append(s.Fields, page.SummaryField{ID: q.ID, Label: q.Text, Error: q.Error})
		}
	}
	if f.CommentError != "" {
		s.Fields = append(s.Fields, page.SummaryField{ID: "comment", Label: t.Comment, Error: f.CommentError})
	}
	return s
}

// field is one question.
type field struct {
	ID   string // the element id: q-<questionId>
	Name string // the form field: q.<questionId>
	Text string
	// TextLang is the language of Text when it is not the page's (a fallback).
	TextLang  string
	Control   string // scale, choice or text
	Required  bool
	Multiple  bool
	Hint      string
	Options   []*option
	Value     string
	MaxLength int
	Error     string
}

// DescribedBy lists the ids of the hint and error that describe the question.
func (f *field) DescribedBy() string { return page.DescribedBy(f.ID, f.Hint != "", f.Error != "") }

// choiceType is the input type of a choice question's options.
func (f *field) choiceType() string {
	if f.Multiple {
		return "checkbox"
	}
	return "radio"
}

type option struct {
	ID, Value, Label string
	Checked          bool
}

func newForm(sv survey.Survey, token, loc string) *form {
	t := texts.Pick(loc)
	f := &form{
		Action: "/v1/surveys/" + url.PathEscape(sv.ID) + "/responses",
		Token:  token, Version: sv.Version, Locale: loc, CommentMax: survey.MaxComment,
		Submission: id.Token(16),
	}
	if f.Title, f.TitleLang = questionText(sv.Title, loc); f.Title == "" {
		f.Title, f.TitleLang = sv.Name, "" // staff's name for it, in no known language
	}
	if f.TitleLang == loc {
		f.TitleLang = ""
	}
	for _, q := range sv.Questions {
		fd := &field{ID: "q-" + q.ID, Name: "q." + q.ID, Required: q.Required}
		if fd.Text, fd.TextLang = questionText(q.Text, loc); fd.TextLang == loc {
			fd.TextLang = ""
		}
		if lo, hi, ok := survey.Scale(q.Type); ok {
			fd.Control = "scale"
			fd.Hint = t.scaleHint(q.Type, lo, hi)
			for n := lo; n <= hi; n++ {
				v := strconv.Itoa(n)
				fd.Options = append(fd.Options, &option{ID: fd.ID + "-" + v, Value: v, Label: v})
			}
		} else if q.Type == survey.TypeChoice {
			fd.Control, fd.Multiple = "choice", q.Multiple
			if q.Multiple {
				fd.Hint = t.ChooseAll
			}
			for i, o := range q.Options {
				fd.Options = append(fd.Options, &option{ID: fd.ID + "-" + strconv.Itoa(i), Value: o, Label: o})
			}
		} else {
			fd.Control, fd.MaxLength = "text", survey.MaxTextAnswer
		}
		f.Questions = append(f.Questions, fd)
	}
	return f
}

// keep puts the customer's answers back into a re-rendered form.
func (f *form) keep(posted url.Values, sub survey.Submission) {
	for _, fd := range f.Questions {
		vals := posted[fd.Name]
		for _, o := range fd.Options {
			o.Checked = slices.Contains(vals, o.Value)
		}
		if fd.Control == "text" && len(vals) > 0 {
			fd.Value = page.Textarea(vals[0])
		}
	}
	f.Comment = sub.Comment
}

// explain puts each of Check's field errors next to its question, in the customer's
// language: "answers[i].value" is the i-th answer as answers built them,
// "answers" names a required question, "comment" the comment.
func (f *form) explain(err error, sub survey.Submission, t *messages) {
	f.Invalid = true
	var pe *problem.Error
	errors.As(err, &pe)
	byQuestion := map[string]*field{}
	for _, fd := range f.Questions {
		byQuestion[strings.TrimPrefix(fd.Name, "q.")] = fd
	}
	general := func(msg string) {
		if !slices.Contains(f.Errors, msg) {
			f.Errors = append(f.Errors, msg)
		}
	}
	if pe == nil || len(pe.Fields) == 0 {
		general(t.Invalid)
		return
	}
	for _, fe := range pe.Fields {
		switch {
		case fe.Field == "comment":
			f.CommentError = fmt.Sprintf(t.TooLong, survey.MaxComment)
		case fe.Field == "answers":
			id, ok := strings.CutPrefix(fe.Message, "question ")
			id, ok2 := strings.CutSuffix(id, " is required")
			if fd := byQuestion[id]; ok && ok2 && fd != nil {
				fd.Error = t.Required
			} else {
				general(t.Invalid)
			}
		case fe.Field == "version":
			general(t.Changed)
		default:
			if fd := answerField(fe.Field, sub, byQuestion); fd != nil {
				fd.Error = t.invalidAnswer(fd)
			} else {
				general(t.Invalid)
			}
		}
	}
}

// answerField is the question of a field error "answers[i].value".
func answerField(name string, sub survey.Submission, byQuestion map[string]*field) *field {
	rest, ok := strings.CutPrefix(name, "answers[")
	idx, rest, ok2 := strings.Cut(rest, "]")
	i, err := strconv.Atoi(idx)
	if !ok || !ok2 || err != nil || rest != ".value" || i < 0 || i >= len(sub.Answers) {
		return nil
	}
	return byQuestion[sub.Answers[i].QuestionID]
}

// questionText is a question's (or a title's) text in loc, else in the other locale, else in any,
// with the locale it is in.
func questionText(text map[string]string, loc string) (string, string) {
	keys := make([]string, 0, len(text))
	for k := range text {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, want := range slices.Concat([]string{loc}, i18n.Locales(), []string{""}) {
		for _, k := range keys {
			if s := strings.TrimSpace(text[k]); s != "" && (want == "" || accept.Match(k) == want) {
				return s, k
			}
		}
	}
	return "", ""
}
