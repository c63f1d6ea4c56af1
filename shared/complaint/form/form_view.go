package form

import (
	_ "embed"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/place"
)

// style is the complaint pages' own rules, after the base layout's.
//
//go:embed form.css
var style string

// view is what a complaint page shows: the form, the thank-you page, the tracking
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

// document is the page in the base layout (form.templ draws its parts).
func (v view) document() page.Document {
	return page.Document{Lang: v.T.Lang, Title: v.Title(), Style: style,
		Head: v.Brand.Colours("--brand", "--on-brand"), Header: header(v), Main: content(v), Footer: footer(v.Brand)}
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
func (v view) Heading() string { return v.T.Pages[v.Message][0] }

func (v view) Body() string { return v.T.Pages[v.Message][1] }

// brandName is the name in the brand bar: the location's, else the service's (an
// unknown link).
func (v view) brandName() string {
	if v.Brand.Name != "" {
		return v.Brand.Name
	}
	return v.T.Service
}

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
	other := i18n.Other(lang)
	return &langLink{Href: "?lang=" + other, Lang: other, Label: texts.Pick(other).LangName}
}

// brand is a location's look: its name, colour, logo and footer.
type brand = page.Brand

func brandOf(loc place.Location) brand {
	return page.NewBrand(loc.Branding.Name, loc.Name, loc.Branding.Color, loc.Branding.LogoURL, loc.Branding.FooterText)
}

// form is the complaint form as the page shows it.
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

// described are the control's aria attributes: invalid when it has an error, and
// described by its hint and error.
func (f *field) described() templ.OrderedAttributes {
	var a templ.OrderedAttributes
	if f.Error != "" {
		a = append(a, templ.KeyValue[string, any]{Key: "aria-invalid", Value: "true"})
	}
	if d := f.DescribedBy(); d != "" {
		a = append(a, templ.KeyValue[string, any]{Key: "aria-describedby", Value: d})
	}
	return a
}

func (f *field) choose(v string) {
	for _, o := range f.Options {
		o.Selected = o.Value == v
	}
}

func newForm(loc place.Location, st complaint.Settings, lang string) *form {
	t := texts.Pick(lang)
	req := func(id, label string) *field {
		return &field{ID: id, Label: label, Mark: t.Required, Required: true}
	}
	opt := func(id, label string) *field { return &field{ID: id, Label: label, Mark: t.Optional} }
	f := &form{LocationID: loc.ID, Lang: lang, SubmissionKey: id.Token(16),
		Category: req("category", t.Category), Severity: opt("severity", t.Severity),
		Description: req("description", t.Description), Name: req("name", t.Name),
		Phone: opt("phone", t.Phone), Email: opt("email", t.Email)}
	f.Description.Hint, f.Description.Max, f.Name.Max = t.DescriptionHint, complaint.MaxDescription, complaint.MaxName
	for _, c := range st.Categories {
		f.Category.Options = append(f.Category.Options, &option{Value: c, Label: label(categoryLabels, c, lang)})
	}
	for _, s := range complaint.Severities {
		f.Severity.Options = append(f.Severity.Options, &option{Value: s, Label: label(severityLabels, s, lang), Selected: s == "normal"})
	}
	return f
}

// label is an id's label in lang, or the id itself where the table has none (a
// category of the location's own).
func label(labels map[string]i18n.Texts[string], id, lang string) string {
	if l, ok := labels[id]; ok {
		return l.Pick(lang)
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
	s := page.Summary{Lang: f.Lang, Heading: texts.Pick(f.Lang).Summary, General: f.General}
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
var says = map[string]complaint.Status{complaint.EventReceived: complaint.Received, string(complaint.Acknowledge): complaint.Acknowledged, string(complaint.Start): complaint.InProgress,
	string(complaint.AwaitCustomer): complaint.PendingCustomer, string(complaint.Resume): complaint.InProgress, string(complaint.Resolve): complaint.Resolved, string(complaint.Close): complaint.Closed}

func newTrack(tr complaint.Tracking, zone *time.Location, t *words) *track {
	at := func(x time.Time) string { return stamp(x, zone, t) }
	v := &track{Reference: tr.Reference, Status: label(statusLabels, string(tr.Status), t.Lang), StatusKey: string(tr.Status),
		StatusHelp: statusHelp[string(tr.Status)].Pick(t.Lang), Category: label(categoryLabels, tr.Category, t.Lang),
		Received: at(tr.CreatedAt), Updated: at(tr.UpdatedAt), Resolution: tr.Resolution, Unreachable: !tr.Contactable}
	for i, e := range tr.Timeline { // newest first
		what, ok := eventLabels[e.Type]
		if !ok {
			what = eventLabels["update"]
		}
		ev := trackEvent{At: at(e.At), ISO: e.At.UTC().Format(time.RFC3339), What: what.Pick(t.Lang), Note: e.Note}
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
