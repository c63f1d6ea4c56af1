// Package form serves the complaint domain's hosted pages: the complaint form a
// location's QR code leads to, its post, and the customer's tracking page. It stands
// apart from the complaint domain so that only the function serving the pages
// (complaints-public) links the page templates.
package form

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/i18n/accept"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Pages serves the hosted complaint form (the target of a QR code printed at the
// location) and the customer's tracking page, which a sent form leads to: server-rendered
// HTML in zh-CN or en, without JavaScript or external assets but the location's logo,
// usable on a phone and printable.
type Pages struct {
	Service *complaint.Service
}

// refusals are the pages of the errors that are not about the input, each with its
// kind's status. The link to a fresh form (view.Again) is kept only on the pages of a
// post that cannot be sent again: already sent, or unreadable.
var refusals = page.Refusals[pageKind]{
	Kinds: map[problem.Kind]page.Refusal[pageKind]{
		problem.NotFound:       {Message: pageNoForm}, // refuse shows the notFound page it is given
		problem.Conflict:       {Message: pageBusy, Retry: 2},
		problem.KeyReused:      {Message: pageSent},
		problem.Throttled:      {Message: pageThrottled, Retry: 10},
		problem.Unavailable:    {Message: pageUnavailable, Retry: page.RetrySoon},
		problem.Invalid:        {Message: pageUnreadable},
		problem.TooLarge:       {Message: pageUnreadable},
		problem.UnsupportedMed: {Message: pageUnreadable},
	},
	Other: page.Refusal[pageKind]{Message: pageUnavailable},
}

// The form's own idempotency: see once.
const (
	formScope    = "POST /v1/complaints#form"
	formAttempts = 5
	maxWait      = 2 * time.Second
)

// The thank-you page a bot is shown (see intake) answers 201 Created, as the JSON
// intake does.
const statusThanks = http.StatusCreated

// Form shows the empty form of a registered location.
func (p *Pages) Form(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	lang := locale(r, "")
	loc, err := p.location(ctx, r.PathValue("locationId"))
	if err != nil {
		p.fail(w, r, view{Locale: lang}, err, pageNoForm)
		return
	}
	st, err := p.Service.Store.Settings(ctx)
	if err != nil {
		p.fail(w, r, view{Locale: lang, Brand: brandOf(loc)}, err, pageNoForm)
		return
	}
	p.render(w, r, http.StatusOK, view{Locale: lang, Brand: brandOf(loc), Switch: switchFrom(lang), Form: newForm(loc, st, lang)})
}

// Post takes the form's urlencoded post and answers with the way to the new
// case's tracking page (303), the form again with the input kept and each problem
// beside its field (400), or a page saying why not.
func (p *Pages) Post(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body) // at most web.MaxBody: the route's limit read it already
	vals, perr := url.ParseQuery(string(body))
	lang := accept.Locale(r, i18n.Chinese, vals.Get("lang"))
	if err != nil || perr != nil {
		v := view{Locale: lang, Again: formLink(vals.Get("locationId"), lang)}
		p.refuse(w, r, v, problem.New(problem.Invalid, "unreadable form"), pageNoForm)
		return
	}
	post := func(w http.ResponseWriter, r *http.Request) { p.intake(w, r, vals, lang) }
	key := vals.Get("submissionKey")
	if _, claimed := idempotency.FromContext(r.Context()); claimed || vals.Get("website") != "" || !id.Valid(key) {
		// A client that sent its own Idempotency-Key has it applied already (and gets
		// the stored JSON receipt on a replay); a bot's post stores nothing at all.
		post(w, r)
		return
	}
	p.once(w, r, body, key, lang, vals.Get("locationId"), post)
}

// intake submits the posted form.
func (p *Pages) intake(w http.ResponseWriter, r *http.Request, vals url.Values, lang string) {
	ctx := r.Context()
	loc, err := p.location(ctx, vals.Get("locationId"))
	if err != nil {
		p.fail(w, r, view{Locale: lang}, err, pageNoForm)
		return
	}
	in := complaint.Intake{Channel: "web", LocationID: loc.ID, Category: vals.Get("category"), Severity: vals.Get("severity"),
		Description: page.Textarea(vals.Get("description")), Website: vals.Get("website"),
		Contact: complaint.Contact{Name: vals.Get("name"), Phone: vals.Get("phone"), Email: vals.Get("email"), Locale: lang}}
	rc, _, err := p.Service.SubmitRequest(r, nil, in)
	switch {
	case err == nil && in.Website != "":
		// A bot: thanked on the spot, as it expects; there is no case to lead it to.
		p.thank(w, r, statusThanks, lang, loc, rc, in.Contact)
		return
	case err == nil:
		toCase(w, r, rc, lang)
		return
	}
	v := view{Locale: lang, Brand: brandOf(loc)}
	if problem.KindOf(err) != problem.Invalid {
		p.fail(w, r, v, err, pageNoForm)
		return
	}
	st, serr := p.Service.Store.Settings(ctx)
	if serr != nil {
		p.fail(w, r, v, serr, pageNoForm)
		return
	}
	// A fresh key: the re-rendered form is a new rendering, and the refused post left
	// nothing behind under the old one.
	v.Form = newForm(loc, st, lang)
	v.Form.keep(vals)
	v.Form.explain(err, texts.Pick(lang))
	page.LogFailure(r, http.StatusBadRequest, err)
	p.render(w, r, http.StatusBadRequest, v)
}

// toCase sends the browser on to the case's tracking page with its "received"
// banner. A 303 See Other makes the browser GET that page and keep it, not the post,
// in its history: a reload shows the page again instead of offering to send the form
// once more, and Back goes to the form. The path is relative so the browser stays on
// the origin it posted to.
func toCase(w http.ResponseWriter, r *http.Request, rc complaint.Receipt, lang string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, receivedPath(rc.TrackingToken, lang), http.StatusSeeOther)
}

// receivedPath is the tracking page of a case just sent, in lang, with its banner.
func receivedPath(token, lang string) string {
	return trackPath(token) + "?" + url.Values{"lang": {lang}, bannerParam: {"1"}}.Encode()
}

func trackPath(token string) string { return "/v1/complaints/track/" + url.PathEscape(token) }

// bannerParam asks the tracking page for the banner of a case just sent.
const bannerParam = "received"

// thank shows the thank-you page with a reference and tracking link: only a bot, whose
// post stored nothing, is shown it (see intake).
func (p *Pages) thank(w http.ResponseWriter, r *http.Request, status int, lang string, loc place.Location, rc complaint.Receipt, ct complaint.Contact) {
	link := rc.TrackingURL
	if link == "" {
		link = trackPath(rc.TrackingToken)
	}
	th := newThanks(rc.Reference, rc.AcknowledgeBy, ct.Phone == "" && ct.Email == "", zoneOf(loc), texts.Pick(lang))
	th.Link = link
	p.render(w, r, status, view{Locale: lang, Brand: brandOf(loc), Thanks: th})
}

// Track shows the customer's view of their case, in ?lang, else the language
// they wrote in, else the browser's; with ?received=1 (where a sent form leads) it
// opens with a thank-you banner. An unknown token gets the same page whatever the
// reason, and tells nothing else.
func (p *Pages) Track(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tr, err := p.Service.Track(ctx, r.PathValue("trackingToken"))
	if err != nil {
		p.fail(w, r, view{Locale: locale(r, "")}, err, pageNoCase)
		return
	}
	lang := locale(r, tr.Locale)
	loc, err := p.Service.Locations.Location(ctx, tr.LocationID)
	if err != nil {
		// The case is still worth showing without its location's name and zone.
		slog.WarnContext(ctx, "no location for a tracked complaint", "locationId", tr.LocationID, "error", err.Error())
		loc = place.Location{ID: tr.LocationID}
	}
	v := view{Locale: lang, Brand: brandOf(loc), Switch: switchFrom(lang), Track: newTrack(tr, zoneOf(loc), texts.Pick(lang))}
	if r.URL.Query().Get(bannerParam) == "1" {
		due := tr.AcknowledgeBy
		if tr.Status != complaint.Received {
			due = time.Time{} // acknowledged already: the promise is kept, the timeline says so
		}
		v.Track.Thanks = newThanks(tr.Reference, due, !tr.Contactable, zoneOf(loc), texts.Pick(lang))
		// The language switch keeps the banner.
		v.Switch.Href += "&" + bannerParam + "=1"
	}
	p.render(w, r, http.StatusOK, v)
}

// location reads a registered location; an id that cannot be one is not looked up.
func (p *Pages) location(ctx context.Context, locationID string) (place.Location, error) {
	if !id.Valid(locationID) {
		return place.Location{}, problem.New(problem.NotFound, "no such location")
	}
	loc, err := p.Service.Locations.Location(ctx, locationID)
	if errors.Is(err, place.ErrNotFound) {
		return place.Location{}, problem.Newf(problem.NotFound, "no location %q", locationID)
	}
	return loc, err
}

// fail logs why a request was refused and shows its page.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, v view, err error, notFound pageKind) {
	page.LogFailure(r, problem.KindOf(err).Status(), err)
	p.refuse(w, r, v, err, notFound)
}

// refuse shows the page of an error that is not about the input: its status is the
// error kind's, and it shows no detail. notFound is the page for a NotFound error.
func (p *Pages) refuse(w http.ResponseWriter, r *http.Request, v view, err error, notFound pageKind) {
	rf := refusals.For(w.Header(), err)
	v.Message = rf.Message
	if problem.KindOf(err) == problem.NotFound {
		v.Message = notFound
	}
	if v.Message != pageSent && v.Message != pageUnreadable {
		v.Again = "" // the link to a fresh form helps only when this post cannot be sent again
	}
	p.render(w, r, rf.Status, v)
}

func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, v view) {
	if !i18n.Supported(v.Locale) {
		v.Locale = i18n.Chinese
	}
	v.T = texts.Pick(v.Locale)
	page.Render(w, r, status, v.document(), v.Brand.LogoOrigin())
}

// formLink is the address of a fresh form of the location, or "" for an id that
// cannot be one.
func formLink(locationID, lang string) string {
	if !id.Valid(locationID) {
		return ""
	}
	return "/v1/c/" + url.PathEscape(locationID) + "?lang=" + lang
}

// locale is the page's language: ?lang, else prefer (the case's), else the browser's,
// else Chinese.
func locale(r *http.Request, prefer string) string {
	return accept.Locale(r, i18n.Chinese, r.URL.Query().Get("lang"), prefer)
}

func zoneOf(loc place.Location) *time.Location {
	if z, err := time.LoadLocation(loc.TimeZone); err == nil && loc.TimeZone != "" {
		return z
	}
	return time.UTC
}
