// Package form serves the survey domain's hosted form: the survey an invitation or a
// public link opens, and its post. It stands apart from the survey domain so that only
// the function serving the form (surveys-public) links the page templates.
package form

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/i18n/accept"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
)

// Pages serves the hosted survey form: server-rendered HTML without JavaScript or
// external assets but the location's logo, in the language the customer picked
// (?lang), else the invitation's locale, else the browser's (zh-CN or en), in the
// colours of the invitation's location. Opening a link only reads, so mail scanners
// that follow links answer nothing. A sent form is answered with a redirect to the
// link's thank-you view (?done=1), which a reload or Back only reads again.
type Pages struct {
	Service *survey.Service
}

// refusals are the pages of the errors that are not about the answers. Whatever else
// went wrong, the customer is asked to try again in a moment and sees no detail.
var refusals = page.Refusals[pageKind]{
	Kinds: map[problem.Kind]page.Refusal[pageKind]{
		problem.NotFound:  {Message: pageNotFound},
		problem.Conflict:  {Message: pageUsed},
		problem.KeyReused: {Message: pageUsed, Status: http.StatusConflict}, // the same form sent again with other answers
		problem.Gone:      {Message: pageExpired},
		problem.Throttled: {Message: pageCapped, Retry: 3600}, // a public link's daily cap
	},
	Other: page.Refusal[pageKind]{Message: pageUnavailable, Status: http.StatusServiceUnavailable, Retry: page.RetrySoon},
}

// Open shows the form of an open invitation or public link, or why it is closed;
// with ?done=1, the thank-you page a sent form redirects to.
func (p *Pages) Open(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token, q := r.PathValue("token"), r.URL.Query()
	done := q.Get("done") == "1"
	loc := accept.Locale(r, i18n.English, q.Get("lang"))
	inv, err := p.Service.Store.Invitation(ctx, token)
	if err != nil {
		p.fail(w, r, view{Locale: loc, Switch: switchFrom(token, loc, done)}, notFound(err, "no such invitation"))
		return
	}
	// A language picked on the page wins over the invitation's, which wins over the
	// browser's.
	loc = accept.Locale(r, i18n.English, q.Get("lang"), inv.Locale)
	v := view{Locale: loc, Brand: p.brand(ctx, inv.LocationID), Switch: switchFrom(token, loc, done)}
	switch {
	case done:
		// Whatever the link's state now (used, or a bot's post that stored nothing),
		// the post that led here was thanked.
		p.message(w, r, http.StatusOK, v, pageThanks)
		return
	case inv.Kind == survey.KindInvitation && inv.Status == "used":
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

// Post takes the form's urlencoded post. A stored response (or a bot's) is
// answered 303 See Other to the link's thank-you view, so reloading that page or going
// Back never posts again; a problem with the answers is the form again (400) with the
// answers kept and each problem beside its question; anything else is a page saying
// why not.
func (p *Pages) Post(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		p.message(w, r, http.StatusBadRequest, view{Locale: accept.Locale(r, i18n.English)}, pageUnreadable)
		return
	}
	f := r.PostForm
	loc := accept.Locale(r, i18n.English, f.Get("locale"))
	surveyID := r.PathValue("surveyId")
	version, _ := strconv.Atoi(f.Get("version"))
	sub := survey.Submission{
		InvitationToken: f.Get("token"),
		Version:         version,
		Website:         f.Get("website"),
		Comment:         page.Textarea(f.Get("comment")),
	}
	sv, err := p.definition(ctx, surveyID, version)
	if err != nil {
		p.fail(w, r, view{Locale: loc, Brand: p.tokenBrand(ctx, sub.InvitationToken)}, notFound(err, "no survey "+surveyID))
		return
	}
	sub.Answers = answers(sv, f)
	_, _, err = p.once(ctx, r, f.Get("submission"), func(ctx context.Context) (idempotency.Outcome, error) {
		// The receipt is the key's stored outcome, committed with the response.
		_, _, err := idempotency.WithReply(ctx, http.StatusCreated, func(commit idempotency.Commit[survey.Receipt]) (survey.Receipt, error) {
			return p.Service.Submit(ctx, surveyID, sub, survey.Commit(commit))
		})
		return idempotency.Outcome{Status: http.StatusSeeOther}, err
	})
	if err != nil {
		v := view{Locale: loc, Brand: p.tokenBrand(ctx, sub.InvitationToken)}
		if problem.KindOf(err) != problem.Invalid {
			p.fail(w, r, v, err)
			return
		}
		v.Form = newForm(sv, sub.InvitationToken, loc)
		v.Form.keep(f, sub)
		v.Form.explain(err, sub, texts.Pick(loc))
		page.LogFailure(r, http.StatusBadRequest, err)
		p.render(w, r, http.StatusBadRequest, v)
		return
	}
	// Stored now or before (the same post again: Back, then Send): the thank-you view.
	h := w.Header()
	h.Set("Location", doneURL(sub.InvitationToken, loc))
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusSeeOther)
}

// Double posts of one rendering of the form (a double tap, or Back then Send) are
// told apart by the submission id the form carries, as the API's Idempotency-Key.
const (
	formScope    = "POST /v1/surveys/responses#form"
	formAttempts = 5
	formWait     = 2 * time.Second
)

// once runs a post at most once per rendering of the form, through the one
// idempotency of the API (idempotency.Store.Await) keyed by the form's submission id:
// the same post again gets the first one's outcome, a post still being stored is
// waited for, and the same rendering sent with other answers is refused as used. A
// post without a valid submission id (an old page) runs as it is.
func (p *Pages) once(ctx context.Context, r *http.Request, submission string, post func(context.Context) (idempotency.Outcome, error)) (idempotency.Outcome, bool, error) {
	if !survey.ValidID(submission) {
		out, err := post(ctx)
		return out, false, err
	}
	idem := idempotency.NewStore(p.Service.Store.DB, p.Service.Store.Table, p.Service.Clock)
	hash := idempotency.Hash([]byte(r.URL.Path + "\n" + r.PostForm.Encode()))
	return idem.Await(ctx, formScope, submission, hash, formAttempts, formWait, post)
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
func (p *Pages) definition(ctx context.Context, surveyID string, version int) (survey.Survey, error) {
	if version > 0 {
		sv, err := p.Service.Store.SurveyVersion(ctx, surveyID, version)
		if !errors.Is(err, survey.ErrNotFound) {
			return sv, err
		}
	}
	return p.Service.Store.Survey(ctx, surveyID)
}

// answers reads the fields q.<questionId> as Check expects JSON-decoded values
// (numbers as float64, lists as []any), in question order; empty fields are
// unanswered. A value that does not parse is passed on as text for Check to name.
func answers(sv survey.Survey, f url.Values) []survey.Answer {
	var out []survey.Answer
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
		_, _, rating := survey.Scale(q.Type)
		var v any = vals[0]
		switch {
		case len(vals) > 1 || (q.Type == survey.TypeChoice && q.Multiple):
			v = list(vals) // Check refuses a list where one value belongs
		case rating:
			if n, err := strconv.ParseFloat(vals[0], 64); err == nil {
				v = n
			}
		}
		out = append(out, survey.Answer{QuestionID: q.ID, Value: v})
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
	if errors.Is(err, survey.ErrNotFound) {
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
	v.T = texts.Pick(v.Locale)
	page.Render(w, r, status, v.document(), v.Brand.LogoOrigin())
}

// brand is the look of a location in the locations registry. The page is still worth
// showing without it: an unregistered location, or a registry that cannot be read
// (logged), leaves the default look.
func (p *Pages) brand(ctx context.Context, locationID string) brand {
	if p.Service.Locations == nil || !survey.ValidID(locationID) {
		return brand{}
	}
	loc, err := p.Service.Locations.Location(ctx, locationID)
	switch {
	case errors.Is(err, place.ErrNotFound):
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
