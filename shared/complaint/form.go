package complaint

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/idempotency"
	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Pages serves the hosted complaint form (the target of a QR code printed at the
// location) and the customer's tracking page, which a sent form leads to: server-rendered
// HTML in zh-CN or en, without JavaScript or external assets but the location's logo,
// usable on a phone and printable.
type Pages struct {
	Service *Service
}

//go:embed templates/*.html
var templateFiles embed.FS

// The templates are parsed once per process, at the first page drawn (page.Must).
var pageTemplates = page.Must("complaint", templateFiles, "templates/*.html")

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

// handleForm shows the empty form of a registered location.
func (p *Pages) handleForm(w http.ResponseWriter, r *http.Request) {
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

// handlePost takes the form's urlencoded post and answers with the way to the new
// case's tracking page (303), the form again with the input kept and each problem
// beside its field (400), or a page saying why not.
func (p *Pages) handlePost(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body) // at most web.MaxBody: the route's limit read it already
	vals, perr := url.ParseQuery(string(body))
	lang := page.Locale(r, page.Chinese, vals.Get("lang"))
	if err != nil || perr != nil {
		v := view{Locale: lang, Again: formLink(vals.Get("locationId"), lang)}
		p.refuse(w, r, v, problem.New(problem.Invalid, "unreadable form"), pageNoForm)
		return
	}
	post := func(w http.ResponseWriter, r *http.Request) { p.intake(w, r, vals, lang) }
	key := vals.Get("submissionKey")
	if _, claimed := idempotency.FromContext(r.Context()); claimed || vals.Get("website") != "" || !validID(key) {
		// A client that sent its own Idempotency-Key has it applied already (and gets
		// the stored JSON receipt on a replay); a bot's post stores nothing at all.
		post(w, r)
		return
	}
	p.once(w, r, body, key, lang, vals.Get("locationId"), post)
}

// once runs the post under the form's submissionKey as its idempotency key, so a double
// tap, or the same post sent again (Back to a form page the browser kept, then Send),
// makes one case and leads to it each time.
//
// The route's idempotency middleware only looks at the Idempotency-Key header, which a
// browser never sends, and runs before this handler: it cannot see the key in the
// body. So the same middleware is applied here, over the same table, to a copy of the
// request carrying the key as that header. The case and the stored reply (the JSON
// receipt) are then one transaction, exactly as for an API client's key. What the
// middleware answers itself is turned into a page: a replay into the same way to the
// case, a post still in progress is waited for, a key sent with other input (the same
// rendering edited after sending) into "already sent". Form keys have their own scope,
// apart from API keys. (The middleware then tries to release the key of a 303, which
// is not a 2xx; the case's transaction completed it already, so that is a no-op.)
func (p *Pages) once(w http.ResponseWriter, r *http.Request, body []byte, key, lang, locationID string, post http.HandlerFunc) {
	idem := idempotency.NewStore(p.Service.Store.DB, p.Service.Store.Table, p.Service.Clock)
	scope := func(*http.Request) string { return formScope }
	for attempt := 1; ; attempt++ {
		ran := false
		out := &buffer{header: http.Header{}}
		req := r.Clone(r.Context())
		req.Header.Set(idempotency.Header, key)
		req.Body = io.NopCloser(bytes.NewReader(body))
		idem.Middleware(scope, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ran = true
			post(w, r)
		})).ServeHTTP(out, req)
		switch {
		case ran && !out.problem():
			out.copyTo(w)
		case out.header.Get(idempotency.ReplayedHeader) == "true":
			p.replay(w, r, out, lang)
		case out.status == http.StatusConflict && attempt < formAttempts:
			// The first post of this rendering is still being stored: wait, then show
			// its outcome.
			wait := min(time.Duration(retryAfter(out.header, 1))*time.Second, maxWait)
			select {
			case <-r.Context().Done():
				return
			case <-time.After(wait):
			}
			continue
		default:
			// The middleware logged its refusal already.
			p.refuse(w, r, view{Locale: lang, Again: formLink(locationID, lang)}, refusal(out), pageNoForm)
		}
		return
	}
}

// replay leads to the case an earlier post of this rendering made.
func (p *Pages) replay(w http.ResponseWriter, r *http.Request, out *buffer, lang string) {
	var rc Receipt
	if err := json.Unmarshal(out.body.Bytes(), &rc); err != nil || rc.TrackingToken == "" {
		p.fail(w, r, view{Locale: lang}, fmt.Errorf("the replayed form reply is not a receipt (%v)", err), pageNoForm)
		return
	}
	w.Header().Set(idempotency.ReplayedHeader, "true")
	toCase(w, r, rc, lang)
}

// intake submits the posted form.
func (p *Pages) intake(w http.ResponseWriter, r *http.Request, vals url.Values, lang string) {
	ctx := r.Context()
	loc, err := p.location(ctx, vals.Get("locationId"))
	if err != nil {
		p.fail(w, r, view{Locale: lang}, err, pageNoForm)
		return
	}
	in := Intake{Channel: "web", LocationID: loc.ID, Category: vals.Get("category"), Severity: vals.Get("severity"),
		Description: page.Textarea(vals.Get("description")), Website: vals.Get("website"),
		Contact: Contact{Name: vals.Get("name"), Phone: vals.Get("phone"), Email: vals.Get("email"), Locale: lang}}
	rc, _, err := p.Service.submit(r, nil, in)
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
	v.Form.explain(err, texts[lang])
	page.LogFailure(r, http.StatusBadRequest, err)
	p.render(w, r, http.StatusBadRequest, v)
}

// toCase sends the browser on to the case's tracking page with its "received"
// banner. A 303 See Other makes the browser GET that page and keep it, not the post,
// in its history: a reload shows the page again instead of offering to send the form
// once more, and Back goes to the form. The path is relative so the browser stays on
// the origin it posted to.
func toCase(w http.ResponseWriter, r *http.Request, rc Receipt, lang string) {
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
func (p *Pages) thank(w http.ResponseWriter, r *http.Request, status int, lang string, loc customer.Location, rc Receipt, ct Contact) {
	link := rc.TrackingURL
	if link == "" {
		link = trackPath(rc.TrackingToken)
	}
	th := newThanks(rc.Reference, rc.AcknowledgeBy, ct.Phone == "" && ct.Email == "", zoneOf(loc), texts[lang])
	th.Link = link
	p.render(w, r, status, view{Locale: lang, Brand: brandOf(loc), Thanks: th})
}

// handleTrack shows the customer's view of their case, in ?lang, else the language
// they wrote in, else the browser's; with ?received=1 (where a sent form leads) it
// opens with a thank-you banner. An unknown token gets the same page whatever the
// reason, and tells nothing else.
func (p *Pages) handleTrack(w http.ResponseWriter, r *http.Request) {
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
		loc = customer.Location{ID: tr.LocationID}
	}
	v := view{Locale: lang, Brand: brandOf(loc), Switch: switchFrom(lang), Track: newTrack(tr, zoneOf(loc), texts[lang])}
	if r.URL.Query().Get(bannerParam) == "1" {
		due := tr.AcknowledgeBy
		if tr.Status != Received {
			due = time.Time{} // acknowledged already: the promise is kept, the timeline says so
		}
		v.Track.Thanks = newThanks(tr.Reference, due, !tr.Contactable, zoneOf(loc), texts[lang])
		// The language switch keeps the banner.
		v.Switch.Href += "&" + bannerParam + "=1"
	}
	p.render(w, r, http.StatusOK, v)
}

// location reads a registered location; an id that cannot be one is not looked up.
func (p *Pages) location(ctx context.Context, locationID string) (customer.Location, error) {
	if !validID(locationID) {
		return customer.Location{}, problem.New(problem.NotFound, "no such location")
	}
	loc, err := p.Service.Locations.Location(ctx, locationID)
	if errors.Is(err, customer.ErrNoLocation) {
		return customer.Location{}, problem.Newf(problem.NotFound, "no location %q", locationID)
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
	v.T = texts[v.Locale]
	if v.T == nil {
		v.Locale, v.T = page.Chinese, texts[page.Chinese]
	}
	pageTemplates.Render(w, r, status, v, v.Brand.LogoOrigin())
}

// buffer holds what the idempotency middleware answers, to be shown as a page.
type buffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *buffer) Header() http.Header { return b.header }
func (b *buffer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *buffer) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// problem tells a refusal written by the middleware from a page written by the form.
func (b *buffer) problem() bool { return b.header.Get("Content-Type") == problem.ContentType }

func (b *buffer) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

// refusal is the error of the middleware's own answer, by its status.
func refusal(b *buffer) error {
	kind := problem.Unavailable
	switch b.status {
	case http.StatusConflict:
		kind = problem.Conflict
	case http.StatusUnprocessableEntity:
		kind = problem.KeyReused
	case http.StatusTooManyRequests:
		kind = problem.Throttled
	case http.StatusBadRequest:
		kind = problem.Invalid
	}
	return &problem.Error{Kind: kind, Detail: "refused by the idempotency check", RetryAfter: retryAfter(b.header, 0)}
}

func retryAfter(h http.Header, def int) int {
	if n, err := strconv.Atoi(h.Get("Retry-After")); err == nil && n > 0 {
		return n
	}
	return def
}

// formLink is the address of a fresh form of the location, or "" for an id that
// cannot be one.
func formLink(locationID, lang string) string {
	if !validID(locationID) {
		return ""
	}
	return "/v1/c/" + url.PathEscape(locationID) + "?lang=" + lang
}

// locale is the page's language: ?lang, else prefer (the case's), else the browser's,
// else Chinese.
func locale(r *http.Request, prefer string) string {
	return page.Locale(r, page.Chinese, r.URL.Query().Get("lang"), prefer)
}

func zoneOf(loc customer.Location) *time.Location {
	if z, err := time.LoadLocation(loc.TimeZone); err == nil && loc.TimeZone != "" {
		return z
	}
	return time.UTC
}

// view is what the "page" template shows: the form, the thank-you page, the tracking
// page, or one of the message pages.
type view struct {
	Locale string
	T      *words
	Brand  brand
	// Switch links to the same page in the other language.
	Switch  *langLink
	Form    *form
	Thanks  *thanks
	Track   *track
	Message pageKind
	// Again links to a fresh form on a message page.
	Again string
}

// Title is the document's title.
func (v view) Title() string {
	var t string
	switch {
	case v.Form != nil:
		t = v.T.Title
	case v.Thanks != nil, v.Track != nil && v.Track.Thanks != nil:
		t = v.T.ThanksHeading
	case v.Track != nil:
		t = v.T.TrackHeading + " " + v.Track.Reference
	default:
		t = v.Heading()
	}
	if v.Brand.Name != "" {
		t += " · " + v.Brand.Name
	}
	return t
}

// Heading and Body are the message page's texts.
func (v view) Heading() string { return messagePages[v.Message][0].in(v.T.Lang) }
func (v view) Body() string    { return messagePages[v.Message][1].in(v.T.Lang) }

type pageKind int

const (
	pageUnavailable pageKind = iota
	pageNoForm
	pageNoCase
	pageBusy
	pageSent
	pageThrottled
	pageUnreadable
)

type langLink struct{ Href, Lang, Label string }

// switchFrom links to the page in the other language.
func switchFrom(lang string) *langLink {
	other := page.English
	if lang == page.English {
		other = page.Chinese
	}
	return &langLink{Href: "?lang=" + other, Lang: other, Label: texts[other].LangName}
}

// brand is a location's look: its name, colour, logo and footer.
type brand = page.Brand

func brandOf(loc customer.Location) brand {
	return page.NewBrand(loc.Branding.Name, loc.Name, loc.Branding.Color, loc.Branding.LogoURL, loc.Branding.FooterText)
}

// form is the complaint form as the template shows it.
type form struct {
	LocationID string
	Lang       string
	// SubmissionKey identifies this rendering's post: see once.
	SubmissionKey string
	Category      *field
	Severity      *field
	Description   *field
	Name          *field
	Phone         *field
	Email         *field
	// General are the problems not tied to one field, shown above the form.
	General []string
}

// field is one control of the form.
type field struct {
	ID       string // the element id and the posted name
	Label    string
	Hint     string
	Mark     string // required or optional, in the page's language
	Required bool
	Options  []*option
	Value    string
	Max      int
	Error    string
}

type option struct {
	Value, Label string
	Selected     bool
}

// DescribedBy lists the ids of the hint and error that describe the field.
func (f *field) DescribedBy() string { return page.DescribedBy(f.ID, f.Hint != "", f.Error != "") }

func (f *field) choose(v string) {
	for _, o := range f.Options {
		o.Selected = o.Value == v
	}
}

func newForm(loc customer.Location, st Settings, lang string) *form {
	t := texts[lang]
	req := func(id, label string) *field {
		return &field{ID: id, Label: label, Mark: t.Required, Required: true}
	}
	opt := func(id, label string) *field { return &field{ID: id, Label: label, Mark: t.Optional} }
	f := &form{LocationID: loc.ID, Lang: lang, SubmissionKey: id.Token(16),
		Category: req("category", t.Category), Severity: opt("severity", t.Severity),
		Description: req("description", t.Description), Name: req("name", t.Name),
		Phone: opt("phone", t.Phone), Email: opt("email", t.Email)}
	f.Description.Hint, f.Description.Max, f.Name.Max = t.DescriptionHint, MaxDescription, MaxName
	for _, c := range st.Categories {
		f.Category.Options = append(f.Category.Options, &option{Value: c, Label: label(categoryLabels, c, lang)})
	}
	for _, s := range Severities {
		f.Severity.Options = append(f.Severity.Options, &option{Value: s, Label: label(severityLabels, s, lang), Selected: s == "normal"})
	}
	return f
}

// label is an id's label in lang, or the id itself where the table has none (a
// category of the location's own).
func label(labels map[string]both, id, lang string) string {
	if l, ok := labels[id]; ok {
		return l.in(lang)
	}
	return id
}

// fields are the form's controls in page order.
func (f *form) fields() []*field {
	return []*field{f.Category, f.Description, f.Severity, f.Name, f.Phone, f.Email}
}

// Problems are the fields with an error, in page order.
func (f *form) Problems() []*field {
	var out []*field
	for _, fd := range f.fields() {
		if fd.Error != "" {
			out = append(out, fd)
		}
	}
	return out
}

// Summary is the error summary above a form sent back with problems.
func (f *form) Summary() page.Summary {
	s := page.Summary{Lang: f.Lang, Heading: texts[f.Lang].Summary, General: f.General}
	for _, fd := range f.Problems() {
		s.Fields = append(s.Fields, page.SummaryField{ID: fd.ID, Label: fd.Label, Error: fd.Error})
	}
	return s
}

// keep puts the customer's input back into a re-rendered form.
func (f *form) keep(posted url.Values) {
	f.Category.choose(posted.Get("category"))
	if s := posted.Get("severity"); s != "" {
		f.Severity.choose(s)
	}
	f.Description.Value = page.Textarea(posted.Get("description"))
	f.Name.Value = posted.Get("name")
	f.Phone.Value = posted.Get("phone")
	f.Email.Value = posted.Get("email")
}

// explain puts each of intake's field errors next to its field, in the page's
// language; errors about anything else are shown above the form. It runs after keep:
// a field with a maximum says it is required when it was left empty, and its limit
// only when it is too long (intake names one problem for both).
func (f *form) explain(err error, t *words) {
	byName := map[string]*field{"category": f.Category, "severity": f.Severity, "description": f.Description,
		"contact.name": f.Name, "contact.phone": f.Phone, "contact.email": f.Email}
	var pe *problem.Error
	errors.As(err, &pe)
	general := func() {
		if !slices.Contains(f.General, t.Invalid) {
			f.General = append(f.General, t.Invalid)
		}
	}
	if pe == nil || len(pe.Fields) == 0 {
		general()
		return
	}
	for _, fe := range pe.Fields {
		fd := byName[fe.Field]
		if fd == nil {
			general()
			continue
		}
		fd.Error = fixes[fd.ID].in(t.Lang)
		// Counted as intake counts: trimmed, in characters.
		if n := utf8.RuneCountInString(strings.TrimSpace(fd.Value)); fd.Max > 0 && n > fd.Max {
			fd.Error = fmt.Sprintf(tooLong.in(t.Lang), fd.Max, n)
		}
	}
}

// thanks is the thank-you banner of the tracking page a sent form leads to, or the
// thank-you page a bot is shown (with Link).
type thanks struct {
	Reference, Link string
	// Promise says by when the case is to be acknowledged (in the location's time): a
	// reply, or only a start when there is no way to reply.
	Promise string
	// Unreachable: the customer left neither a phone nor an email, so the tracking
	// link is the only way they hear of the case.
	Unreachable bool
}

// newThanks is the thanks of a case acknowledged by due (zero: no promise).
func newThanks(reference string, due time.Time, unreachable bool, zone *time.Location, t *words) *thanks {
	th := &thanks{Reference: reference, Unreachable: unreachable}
	switch {
	case due.IsZero():
	case unreachable:
		th.Promise = fmt.Sprintf(t.StartBy, stamp(due, zone, t))
	default:
		th.Promise = fmt.Sprintf(t.ReplyBy, stamp(due, zone, t))
	}
	return th
}

// track is the tracking page.
type track struct {
	Reference, Status, StatusKey, StatusHelp, Category, Received, Updated, Resolution string
	Events                                                                            []trackEvent
	// Unreachable: the case has no phone or email to tell the customer anything by.
	Unreachable bool
	// Thanks is the banner of a case just sent.
	Thanks *thanks
}

type trackEvent struct {
	At, ISO, What, Note string
	// Status is the status the event led to, where it changed and What does not say
	// it already (a reopen: "Being handled"); else "".
	Status string
}

// says is the status each status-changing event's own label already names.
var says = map[string]Status{EventReceived: Received, string(Acknowledge): Acknowledged, string(Start): InProgress,
	string(AwaitCustomer): PendingCustomer, string(Resume): InProgress, string(Resolve): Resolved, string(Close): Closed}

func newTrack(tr Tracking, zone *time.Location, t *words) *track {
	at := func(x time.Time) string { return stamp(x, zone, t) }
	v := &track{Reference: tr.Reference, Status: label(statusLabels, string(tr.Status), t.Lang), StatusKey: string(tr.Status),
		StatusHelp: statusHelp[string(tr.Status)].in(t.Lang), Category: label(categoryLabels, tr.Category, t.Lang),
		Received: at(tr.CreatedAt), Updated: at(tr.UpdatedAt), Resolution: tr.Resolution, Unreachable: !tr.Contactable}
	for i, e := range tr.Timeline { // newest first
		what, ok := eventLabels[e.Type]
		if !ok {
			what = eventLabels["update"]
		}
		ev := trackEvent{At: at(e.At), ISO: e.At.UTC().Format(time.RFC3339), What: what.in(t.Lang), Note: e.Note}
		changed := i == len(tr.Timeline)-1 || tr.Timeline[i+1].Status != e.Status
		if changed && says[e.Type] != e.Status {
			ev.Status = label(statusLabels, string(e.Status), t.Lang)
		}
		v.Events = append(v.Events, ev)
	}
	return v
}

// stamp is a time as the pages show it: in the location's zone, which it names with
// its offset from UTC ("23 Nov 2026, 12:01 (Asia/Shanghai, UTC+8)"), so a customer
// elsewhere is not misled. The offset is the one in force at that time (DST).
func stamp(x time.Time, zone *time.Location, t *words) string {
	local := x.In(zone)
	_, off := local.Zone()
	utc := "UTC"
	if off != 0 {
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		utc += sign + strconv.Itoa(off/3600)
		if m := off % 3600 / 60; m != 0 {
			utc += fmt.Sprintf(":%02d", m)
		}
	}
	name := zone.String()
	if name != "UTC" {
		utc = name + t.Comma + utc
	}
	return local.Format(t.DateTime) + fmt.Sprintf(t.Zone, utc)
}

// both is a text in English and in Chinese.
type both [2]string

// in is the text in lang.
func (b both) in(lang string) string {
	if lang == page.Chinese {
		return b[1]
	}
	return b[0]
}

// fixes are the messages next to a field, by field id (%d: the field's maximum).
var fixes = map[string]both{
	"category":    {"Please choose what your complaint is about.", "请选择投诉类别。"},
	"severity":    {"Please choose one of the options shown.", "请从所列选项中选择。"},
	"description": {"Please tell us what happened.", "请描述发生了什么。"},
	"name":        {"Please tell us your name.", "请填写您的姓名。"},
	"phone":       {"Please enter a phone number, e.g. +86 138 0013 8000.", "请填写有效的电话号码，例如 138 0013 8000。"},
	"email":       {"Please enter an email address, e.g. name@example.com.", "请填写有效的电子邮箱，例如 name@example.com。"},
}

// tooLong is the message next to a field longer than its maximum (%d: the maximum, then
// the length sent).
var tooLong = both{"Please shorten this to at most %d characters (it has %d).", "请精简到 %d 字以内（目前 %d 字）。"}

// The labels of the default taxonomy, severities, statuses and public timeline
// events, by id, and the help shown with a status on the tracking page.
var (
	categoryLabels = map[string]both{
		"service_attitude": {"Staff attitude", "服务态度"},
		"product_quality":  {"Product quality", "产品质量"},
		"billing":          {"Billing and payment", "账单与收费"},
		"facilities":       {"Facilities", "设施环境"},
		"waiting_time":     {"Waiting time", "等候时间"},
		"safety":           {"Safety", "安全问题"},
		"other":            {"Something else", "其他"},
	}
	severityLabels = map[string]both{
		"low":      {"Minor", "轻微"},
		"normal":   {"Normal", "一般"},
		"high":     {"Serious", "严重"},
		"critical": {"Urgent: a risk to safety or health", "紧急：涉及安全或健康"},
	}
	statusLabels = map[string]both{
		"received":         {"Received", "已收到"},
		"acknowledged":     {"Acknowledged", "已确认"},
		"in_progress":      {"Being handled", "处理中"},
		"pending_customer": {"Waiting for your reply", "等待您的回复"},
		"resolved":         {"Resolved", "已解决"},
		"closed":           {"Closed", "已结案"},
	}
	statusHelp = map[string]both{
		"received":         {"We have your complaint and will look at it soon.", "我们已收到您的投诉，将尽快处理。"},
		"acknowledged":     {"Our team has seen your complaint and will handle it.", "我们的团队已确认您的投诉，并将跟进处理。"},
		"in_progress":      {"We are working on your complaint.", "我们正在处理您的投诉。"},
		"pending_customer": {"We need more information from you. Please look out for our message.", "我们需要您提供更多信息，请留意我们的消息。"},
		"resolved":         {"We have resolved your complaint. Thank you for your patience.", "您的投诉已处理完毕，感谢您的耐心。"},
		"closed":           {"This complaint is closed.", "此投诉已结案。"},
	}
	eventLabels = map[string]both{
		"received":       {"Complaint received", "投诉已提交"},
		"acknowledge":    {"Acknowledged", "已确认收到"},
		"start":          {"Work started", "开始处理"},
		"await_customer": {"Waiting for your reply", "等待您的回复"},
		"resume":         {"Work resumed", "继续处理"},
		"resolve":        {"Resolved", "已解决"},
		"close":          {"Closed", "已结案"},
		"reopen":         {"Reopened", "重新处理"},
		"note":           {"Update from our team", "处理进展"},
		"update":         {"Update", "更新"},
	}
)

// messagePages are the message pages' heading and text.
var messagePages = map[pageKind][2]both{
	pageUnavailable: {
		{"Please try again", "请稍后再试"},
		{"Something went wrong on our side. Please go back and try again in a moment.", "系统暂时无法处理您的请求，请返回并稍后重试。"},
	},
	pageNoForm: {
		{"Form not found", "未找到投诉表单"},
		{"This complaint form does not exist. Please check that you opened the whole address.", "此投诉表单不存在，请检查链接地址是否完整。"},
	},
	pageNoCase: {
		{"Complaint not found", "未找到投诉"},
		{"This tracking link is not valid. Please check that you opened the whole address.", "此查询链接无效，请检查链接地址是否完整。"},
	},
	pageBusy: {
		{"Your complaint is being sent", "正在提交您的投诉"},
		{"Please wait a moment, then reload this page to see your reference number.", "请稍候片刻，然后刷新此页面查看您的投诉编号。"},
	},
	pageSent: {
		{"Already sent", "已提交"},
		{"This form has already been sent. To make another complaint, open the form again.", "此表单已经提交过了。如需再次投诉，请重新打开表单。"},
	},
	pageThrottled: {
		{"Too many complaints right now", "当前投诉较多"},
		{"We are receiving many complaints at the moment. Please go back and try again in a minute.", "我们目前收到的投诉较多，请返回并在一分钟后重试。"},
	},
	pageUnreadable: {
		{"Your complaint could not be read", "无法读取您的投诉"},
		{"Please open the form again and send it once more.", "请重新打开表单并再次提交。"},
	},
}

// words are the pages' own words in one locale.
type words struct {
	// DateTime and Zone (the zone's name) make a time; Comma separates within Zone.
	Lang, LangName, DateTime, Zone, Comma string
	// Service names the pages in the header when no location does (an unknown link).
	Service string
	// The form.
	Title, Intro, Required, Optional, Choose, Category, Severity, Description, DescriptionHint string
	Contact, ContactHint, Name, Phone, Email, Honeypot, Submit, Summary, Invalid               string
	// The thank-you page and banner. StartBy says when an unreachable customer's case
	// is to be looked at; NoContact (on the page) and NoContactLink (the bot's thank-you
	// page) that the tracking link is their only way to follow it; KeepPage asks to keep
	// the page's link.
	ThanksHeading, ThanksBody, YourReference, ReplyBy, StartBy, Follow, KeepLink, KeepPage string
	NoContact, NoContactLink                                                               string
	// The tracking page.
	TrackHeading, Reference, Status, CategoryLabel, Received, Updated, Resolution, History string
	// NewForm is the link back to the form on some message pages.
	NewForm string
}

var texts = map[string]*words{
	"en": {
		Lang: "en", LangName: "English", DateTime: "2 Jan 2006, 15:04", Zone: " (%s)", Comma: ", ",
		Service:         "Complaints",
		Title:           "Tell us what went wrong",
		Intro:           "We read every complaint. After sending you get a reference number and a page that shows how your complaint is handled.",
		Required:        "required",
		Optional:        "optional",
		Choose:          "Choose…",
		Category:        "What is it about?",
		Severity:        "How serious is it?",
		Description:     "What happened?",
		DescriptionHint: "When and where it happened, who was involved, and what you would like us to do.",
		Contact:         "How can we reach you?",
		ContactHint:     "Leave a phone number or an email address so we can tell you how your complaint is resolved. We use them only for this complaint. Without either we cannot contact you: you can then follow your complaint only on the page its link opens.",
		Name:            "Your name",
		Phone:           "Phone",
		Email:           "Email",
		Honeypot:        "Leave this field empty",
		Submit:          "Send complaint",
		Summary:         "Please check the following:",
		Invalid:         "Your complaint could not be sent as it is. Please check it and send it again.",
		ThanksHeading:   "Thank you, we have received your complaint",
		ThanksBody:      "We are sorry about your experience. Our team will look into it.",
		YourReference:   "Your reference number",
		ReplyBy:         "We will get back to you by %s.",
		StartBy:         "We will start looking into it by %s.",
		Follow:          "Follow your complaint",
		KeepLink:        "Keep the reference number. The link shows what we have done so far.",
		KeepPage:        "Keep the reference number, and bookmark this page or copy its link: it shows what we have done so far.",
		NoContact:       "We have no phone number or email address for you, so we cannot contact you about this complaint. You can follow it only on this page: bookmark it or copy its link, and keep the reference number.",
		NoContactLink:   "We have no phone number or email address for you, so we cannot contact you about this complaint. You can follow it only by the link below: keep it, and the reference number.",
		TrackHeading:    "Your complaint",
		Reference:       "Reference",
		Status:          "Status",
		CategoryLabel:   "About",
		Received:        "Received",
		Updated:         "Last update",
		Resolution:      "How we resolved it",
		History:         "What has happened",
		NewForm:         "Open the complaint form",
	},
	"zh-CN": {
		Lang: "zh-CN", LangName: "中文", DateTime: "2006年1月2日 15:04", Zone: "（%s）", Comma: "，",
		Service:         "投诉服务",
		Title:           "告诉我们哪里出了问题",
		Intro:           "我们会认真处理每一条投诉。提交后您将获得投诉编号，以及一个可查看处理进度的页面。",
		Required:        "必填",
		Optional:        "选填",
		Choose:          "请选择…",
		Category:        "投诉类别",
		Severity:        "严重程度",
		Description:     "发生了什么？",
		DescriptionHint: "请写明时间、地点、涉及的人员，以及您希望我们如何处理。",
		Contact:         "如何联系您？",
		ContactHint:     "请留下手机号码或电子邮箱，以便我们告知处理结果。仅用于处理本次投诉。如两者都不填写，我们将无法联系您，您只能通过投诉的查询链接查看处理进度。",
		Name:            "您的姓名",
		Phone:           "手机号码",
		Email:           "电子邮箱",
		Honeypot:        "请勿填写此栏",
		Submit:          "提交投诉",
		Summary:         "请检查以下内容：",
		Invalid:         "您的投诉未能提交，请检查后重新提交。",
		ThanksHeading:   "感谢您的反馈，我们已收到您的投诉",
		ThanksBody:      "给您带来不便，我们深表歉意。我们的团队会尽快处理。",
		YourReference:   "您的投诉编号",
		ReplyBy:         "我们将于 %s 前回复您。",
		StartBy:         "我们将于 %s 前开始处理。",
		Follow:          "查询处理进度",
		KeepLink:        "请保留投诉编号。通过此链接可以查看我们的处理进展。",
		KeepPage:        "请保留投诉编号，并将本页加入书签或复制本页链接，以便查看我们的处理进展。",
		NoContact:       "我们没有您的手机号码或电子邮箱，因此无法就此投诉联系您。您只能在本页查看处理进度：请将本页加入书签或复制本页链接，并保留投诉编号。",
		NoContactLink:   "我们没有您的手机号码或电子邮箱，因此无法就此投诉联系您。您只能通过下方链接查看处理进度：请保存该链接和投诉编号。",
		TrackHeading:    "您的投诉",
		Reference:       "投诉编号",
		Status:          "状态",
		CategoryLabel:   "类别",
		Received:        "提交时间",
		Updated:         "最近更新",
		Resolution:      "处理结果",
		History:         "处理记录",
		NewForm:         "打开投诉表单",
	},
}
