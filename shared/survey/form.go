package survey

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Pages serves the hosted survey form: server-rendered HTML without JavaScript or
// external assets but the location's logo, in the language the customer picked
// (?lang), else the invitation's locale, else the browser's (zh-CN or en), in the
// colours of the invitation's location. Opening a link only reads, so mail scanners
// that follow links answer nothing. A sent form is answered with a redirect to the
// link's thank-you view (?done=1), which a reload or Back only reads again.
type Pages struct {
	Service *Service
}

//go:embed templates/*.html
var templateFiles embed.FS

// The templates are parsed once per process, at the first page drawn (page.Must).
var templates = page.Must("survey", templateFiles, "templates/*.html")

// refusals are the pages of the errors that are not about the answers. Whatever else
// went wrong, the customer is asked to try again in a moment and sees no detail.
var refusals = page.Refusals[pageKind]{
	Kinds: map[problem.Kind]page.Refusal[pageKind]{
		problem.NotFound:  {Message: pageNotFound},
		problem.Conflict:  {Message: pageUsed},
		problem.Gone:      {Message: pageExpired},
		problem.Throttled: {Message: pageCapped, Retry: 3600}, // a public link's daily cap
	},
	Other: page.Refusal[pageKind]{Message: pageUnavailable, Status: http.StatusServiceUnavailable, Retry: page.RetrySoon},
}

// handleOpen shows the form of an open invitation or public link, or why it is closed;
// with ?done=1, the thank-you page a sent form redirects to.
func (p *Pages) handleOpen(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token, q := r.PathValue("token"), r.URL.Query()
	done := q.Get("done") == "1"
	loc := page.Locale(r, page.English, q.Get("lang"))
	inv, err := p.Service.Store.Invitation(ctx, token)
	if err != nil {
		p.fail(w, r, view{Locale: loc, Switch: switchFrom(token, loc, done)}, notFound(err, "no such invitation"))
		return
	}
	// A language picked on the page wins over the invitation's, which wins over the
	// browser's.
	loc = page.Locale(r, page.English, q.Get("lang"), inv.Locale)
	v := view{Locale: loc, Brand: p.brand(ctx, inv.LocationID), Switch: switchFrom(token, loc, done)}
	switch {
	case done:
		// Whatever the link's state now (used, or a bot's post that stored nothing),
		// the post that led here was thanked.
		p.message(w, r, http.StatusOK, v, pageThanks)
		return
	case inv.Kind == KindInvitation && inv.Status == "used":
		p.message(w, r, http.StatusGone, v, pageUsed)
		return
	case !p.Service.Clock.Now().Before(inv.ExpiresAt):
		p.message(w, r, http.StatusGone, v, pageExpired)
		return
	}
	sv, err := p.Service.Store.Survey(ctx, inv.SurveyID)
	if err != nil {
		p.fail(w, r, v, notFound(err, "no survey for the invitation"))
		return
	}
	v.Form = newForm(sv, inv.Token, loc)
	p.render(w, r, http.StatusOK, v)
}

// handlePost takes the form's urlencoded post. A stored response (or a bot's) is
// answered 303 See Other to the link's thank-you view, so reloading that page or going
// Back never posts again; a problem with the answers is the form again (400) with the
// answers kept and each problem beside its question; anything else is a page saying
// why not.
func (p *Pages) handlePost(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		p.message(w, r, http.StatusBadRequest, view{Locale: page.Locale(r, page.English)}, pageUnreadable)
		return
	}
	f := r.PostForm
	loc := page.Locale(r, page.English, f.Get("locale"))
	surveyID := r.PathValue("surveyId")
	version, _ := strconv.Atoi(f.Get("version"))
	sub := Submission{
		InvitationToken: f.Get("token"),
		Version:         version,
		Website:         f.Get("website"),
		SubmissionID:    f.Get("submission"),
		Comment:         page.Textarea(f.Get("comment")),
	}
	sv, err := p.definition(ctx, surveyID, version)
	if err != nil {
		p.fail(w, r, view{Locale: loc, Brand: p.tokenBrand(ctx, sub.InvitationToken)}, notFound(err, "no survey "+surveyID))
		return
	}
	sub.Answers = answers(sv, f)
	if _, err := p.Service.Submit(ctx, surveyID, sub, nil); err != nil {
		v := view{Locale: loc, Brand: p.tokenBrand(ctx, sub.InvitationToken)}
		if problem.KindOf(err) != problem.Invalid {
			p.fail(w, r, v, err)
			return
		}
		v.Form = newForm(sv, sub.InvitationToken, loc)
		v.Form.keep(f, sub)
		v.Form.explain(err, sub, msgs[loc])
		page.LogFailure(r, http.StatusBadRequest, err)
		p.render(w, r, http.StatusBadRequest, v)
		return
	}
	h := w.Header()
	h.Set("Location", doneURL(sub.InvitationToken, loc))
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusSeeOther)
}

// linkURL is the hosted page of a token in lang; done, its thank-you view.
func linkURL(token, lang string, done bool) string {
	u := "/v1/s/" + url.PathEscape(token) + "?"
	if done {
		u += "done=1&"
	}
	return u + "lang=" + url.QueryEscape(lang)
}

// doneURL is where a sent form goes: the link's thank-you view, in the form's language.
func doneURL(token, lang string) string { return linkURL(token, lang, true) }

// definition is the version the form showed, so its answers are read with that
// version's question types; the current one if that version is not stored (Submit
// then names the version as invalid).
func (p *Pages) definition(ctx context.Context, surveyID string, version int) (Survey, error) {
	if version > 0 {
		sv, err := p.Service.Store.SurveyVersion(ctx, surveyID, version)
		if !errors.Is(err, ErrNotFound) {
			return sv, err
		}
	}
	return p.Service.Store.Survey(ctx, surveyID)
}

// answers reads the fields q.<questionId> as Check expects JSON-decoded values
// (numbers as float64, lists as []any), in question order; empty fields are
// unanswered. A value that does not parse is passed on as text for Check to name.
func answers(sv Survey, f url.Values) []Answer {
	var out []Answer
	for _, q := range sv.Questions {
		var vals []string
		for _, v := range f["q."+q.ID] {
			if v = strings.TrimSpace(page.Textarea(v)); v != "" {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			continue
		}
		_, _, rating := scale(q.Type)
		var v any = vals[0]
		switch {
		case len(vals) > 1 || (q.Type == TypeChoice && q.Multiple):
			v = list(vals) // Check refuses a list where one value belongs
		case rating:
			if n, err := strconv.ParseFloat(vals[0], 64); err == nil {
				v = n
			}
		}
		out = append(out, Answer{QuestionID: q.ID, Value: v})
	}
	return out
}

func list(vals []string) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}

// notFound turns the store's ErrNotFound into a NotFound problem.
func notFound(err error, detail string) error {
	if errors.Is(err, ErrNotFound) {
		return problem.New(problem.NotFound, detail)
	}
	return err
}

// fail shows the page for an error that is not about the answers.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, v view, err error) {
	rf := refusals.For(w.Header(), err)
	page.LogFailure(r, rf.Status, err)
	p.message(w, r, rf.Status, v, rf.Message)
}

func (p *Pages) message(w http.ResponseWriter, r *http.Request, status int, v view, kind pageKind) {
	v.Message = kind
	p.render(w, r, status, v)
}

func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, v view) {
	v.T = msgs[v.Locale]
	templates.Render(w, r, status, v, v.Brand.LogoOrigin())
}

// brand is the look of a location in the locations registry. The page is still worth
// showing without it: an unregistered location, or a registry that cannot be read
// (logged), leaves the default look.
func (p *Pages) brand(ctx context.Context, locationID string) brand {
	if p.Service.Locations == nil || !ValidID(locationID) {
		return brand{}
	}
	loc, err := p.Service.Locations.Location(ctx, locationID)
	switch {
	case errors.Is(err, customer.ErrNoLocation):
		return brand{}
	case err != nil:
		slog.WarnContext(ctx, "no branding for a survey page", "locationId", locationID, "error", err.Error())
		return brand{}
	}
	return brandOf(loc)
}

// tokenBrand is the look of a posted token's location, for the pages a post answers
// with when it is not stored.
func (p *Pages) tokenBrand(ctx context.Context, token string) brand {
	if token == "" {
		return brand{}
	}
	inv, err := p.Service.Store.Invitation(ctx, token)
	if err != nil {
		return brand{}
	}
	return p.brand(ctx, inv.LocationID)
}

// view is what the "page" template shows: the form, or one of the message pages, under
// the location's brand bar.
type view struct {
	Locale string
	T      *messages
	Brand  brand
	// Switch links to the same page in the other language (pages that a GET shows).
	Switch  *langLink
	Form    *form
	Message pageKind
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
	other := page.English
	if lang == page.English {
		other = page.Chinese
	}
	return &langLink{Href: linkURL(token, other, done), Lang: other, Label: msgs[other].LangName}
}

// brand is a location's look: its name, colour, logo and footer.
type brand = page.Brand

func brandOf(loc customer.Location) brand {
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

// form is the survey form as the template shows it.
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

type option struct {
	ID, Value, Label string
	Checked          bool
}

func newForm(sv Survey, token, loc string) *form {
	t := msgs[loc]
	f := &form{
		Action: "/v1/surveys/" + url.PathEscape(sv.ID) + "/responses",
		Token:  token, Version: sv.Version, Locale: loc, CommentMax: MaxComment,
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
		if lo, hi, ok := scale(q.Type); ok {
			fd.Control = "scale"
			fd.Hint = t.scaleHint(q.Type, lo, hi)
			for n := lo; n <= hi; n++ {
				v := strconv.Itoa(n)
				fd.Options = append(fd.Options, &option{ID: fd.ID + "-" + v, Value: v, Label: v})
			}
		} else if q.Type == TypeChoice {
			fd.Control, fd.Multiple = "choice", q.Multiple
			if q.Multiple {
				fd.Hint = t.ChooseAll
			}
			for i, o := range q.Options {
				fd.Options = append(fd.Options, &option{ID: fd.ID + "-" + strconv.Itoa(i), Value: o, Label: o})
			}
		} else {
			fd.Control, fd.MaxLength = "text", MaxTextAnswer
		}
		f.Questions = append(f.Questions, fd)
	}
	return f
}

// keep puts the customer's answers back into a re-rendered form.
func (f *form) keep(posted url.Values, sub Submission) {
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
func (f *form) explain(err error, sub Submission, t *messages) {
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
			f.CommentError = fmt.Sprintf(t.TooLong, MaxComment)
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
func answerField(name string, sub Submission, byQuestion map[string]*field) *field {
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
	for _, want := range []string{loc, page.English, page.Chinese, ""} {
		for _, k := range keys {
			if s := strings.TrimSpace(text[k]); s != "" && (want == "" || page.Match(k) == want) {
				return s, k
			}
		}
	}
	return "", ""
}

// messages are the pages' own words in one locale.
type messages struct {
	// LangName is the language's own name, on the switch to it.
	LangName                                                                                   string
	Lang, Comma, Intro, Required, RequiredMark, Optional, ChooseAll, Comment, Honeypot, Submit string
	// Invalid, Changed and Summary are shown above a form sent back with errors.
	Summary, Invalid, Changed string
	// Fix are the messages next to a question (TooLong and Range take numbers).
	Choose, TooLong, Range string
	// Scale anchors: the meaning of a scale's ends, per question type.
	NPS, CSAT, Likert [2]string
	// Pages are the message pages' heading and text.
	Pages map[pageKind][2]string
}

func (t *messages) scaleHint(typ string, lo, hi int) string {
	a := t.Likert
	switch typ {
	case TypeNPS:
		a = t.NPS
	case TypeCSAT:
		a = t.CSAT
	}
	return fmt.Sprintf("%d = %s%s%d = %s", lo, a[0], t.Comma, hi, a[1])
}

func (t *messages) invalidAnswer(fd *field) string {
	switch fd.Control {
	case "scale":
		return fmt.Sprintf(t.Range, fd.Options[0].Value, fd.Options[len(fd.Options)-1].Value)
	case "choice":
		return t.Choose
	}
	return fmt.Sprintf(t.TooLong, MaxTextAnswer)
}

var msgs = map[string]*messages{
	"en": {
		LangName:     "English",
		Lang:         "en",
		Comma:        ", ",
		Intro:        "Thank you for taking a minute to tell us how we did.",
		Required:     "Please answer this question.",
		RequiredMark: "required",
		Optional:     "optional",
		ChooseAll:    "Choose all that apply.",
		Comment:      "Anything else you would like to tell us?",
		Honeypot:     "Leave this field empty",
		Submit:       "Send my answers",
		Summary:      "Some answers need another look:",
		Invalid:      "Your answers could not be sent as they are. Please check them and send them again.",
		Changed:      "This survey changed while you were answering. Please check your answers and send them again.",
		Choose:       "Please choose from the options shown.",
		TooLong:      "Please keep this under %d characters.",
		Range:        "Please choose a number from %s to %s.",
		NPS:          [2]string{"not at all likely", "extremely likely"},
		CSAT:         [2]string{"very dissatisfied", "very satisfied"},
		Likert:       [2]string{"lowest", "highest"},
		Pages: map[pageKind][2]string{
			pageThanks:      {"Thank you!", "Your answers have been received. We appreciate your feedback."},
			pageUsed:        {"Already answered", "This survey has already been answered. Thank you for your feedback!"},
			pageExpired:     {"This link has expired", "This survey is no longer open for answers."},
			pageNotFound:    {"Survey not found", "This link is not valid. Please check that you opened the whole address."},
			pageCapped:      {"Too many responses today", "This survey link has received as many responses as it can take today. Please try again tomorrow."},
			pageUnavailable: {"Please try again", "Something went wrong on our side. Please go back and try again in a moment."},
			pageUnreadable:  {"Your answers could not be read", "Please go back and send the form again."},
		},
	},
	"zh-CN": {
		LangName:     "中文",
		Lang:         "zh-CN",
		Comma:        "，",
		Intro:        "感谢您抽出一分钟告诉我们您的体验。",
		Required:     "请回答此问题。",
		RequiredMark: "必填",
		Optional:     "选填",
		ChooseAll:    "可多选。",
		Comment:      "还有什么想告诉我们的吗？",
		Honeypot:     "请勿填写此栏",
		Submit:       "提交",
		Summary:      "部分回答需要修改：",
		Invalid:      "您的回答未能提交，请检查后重新提交。",
		Changed:      "问卷在您作答期间已更新，请检查您的回答后重新提交。",
		Choose:       "请从所列选项中选择。",
		TooLong:      "请不要超过 %d 个字。",
		Range:        "请选择 %s 到 %s 之间的数字。",
		NPS:          [2]string{"完全不可能", "非常可能"},
		CSAT:         [2]string{"非常不满意", "非常满意"},
		Likert:       [2]string{"最低", "最高"},
		Pages: map[pageKind][2]string{
			pageThanks:      {"感谢您的反馈！", "我们已收到您的回答，衷心感谢您的宝贵意见。"},
			pageUsed:        {"问卷已提交", "此问卷已经回答过了，感谢您的参与！"},
			pageExpired:     {"链接已过期", "此问卷已停止收集回答。"},
			pageNotFound:    {"未找到问卷", "此链接无效，请检查链接地址是否完整。"},
			pageCapped:      {"今日回答已满", "此问卷链接今天收到的回答已达上限，请明天再试。"},
			pageUnavailable: {"请稍后再试", "系统暂时无法处理您的请求，请返回并稍后重试。"},
			pageUnreadable:  {"无法读取您的回答", "请返回并重新提交表单。"},
		},
	},
}
