// Package unsubscribe serves the unsubscribe link of a message: the hosted page that
// asks, and the post that turns the channel off. It stands apart from the customer
// domain so that only the function serving the page (customers-public) links the page
// templates.
package unsubscribe

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/i18n/accept"
	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/problem"
)

// The unsubscribe link of a message. Mail scanners (Safe Links, Proofpoint, Mimecast)
// open every link of a message before the customer does, so the GET only shows a
// confirmation page and changes nothing; the customer's button posts to the same
// address. Mail clients that offer one-click unsubscribe (RFC 8058: the email's
// List-Unsubscribe and List-Unsubscribe-Post headers) post there too, with the body
// List-Unsubscribe=One-Click; scanners do not post. Either POST turns the channel off,
// once, with its source.

// unsubscribeStyle is the unsubscribe pages' own rules, after the base layout's.
//
//go:embed unsubscribe.css
var unsubscribeStyle string

// Routes are the unsubscribe link's handlers: GET shows the confirmation page,
// POST (its button, or a mail client's one-click) unsubscribes.
func Routes(svc *customer.Service) map[string]http.Handler {
	s := pages{svc}
	return map[string]http.Handler{
		"GET /v1/u/{token}":  http.HandlerFunc(s.confirmUnsubscribe),
		"POST /v1/u/{token}": http.HandlerFunc(s.unsubscribe),
	}
}

// pages serves the link's pages over the customer domain's service: its signer
// checks the link, its store records the opt-out.
type pages struct{ *customer.Service }

// confirmUnsubscribe shows what the link would do, with the button that does it. It
// reads, and writes nothing: no consent, no log, however often it is opened.
func (s pages) confirmUnsubscribe(w http.ResponseWriter, r *http.Request) {
	lang := accept.Locale(r, i18n.Chinese, r.URL.Query().Get("lang"))
	u, err := s.Signer.Verify(r.Context(), r.PathValue("token"))
	if err != nil {
		s.refuseUnsubscribe(w, r, lang, err)
		return
	}
	renderUnsubscribe(w, r, http.StatusOK, newUnsubscribeView(lang, unsubscribeConfirm, u.Channel))
}

// unsubscribe turns the link's channel off: from the confirmation page's button
// (confirm=unsubscribe) or a mail client's one-click (List-Unsubscribe=One-Click, as
// multipart/form-data or urlencoded). A post that is neither changes nothing and shows
// the confirmation again. Repeating it changes nothing more.
func (s pages) unsubscribe(w http.ResponseWriter, r *http.Request) {
	// The route's limit has read the body already (at most web.MaxBody).
	if err := r.ParseMultipartForm(32 << 10); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.refuseUnsubscribe(w, r, accept.Locale(r, i18n.Chinese, r.URL.Query().Get("lang")),
			problem.New(problem.Invalid, "unreadable form"))
		return
	}
	lang := accept.Locale(r, i18n.Chinese, r.URL.Query().Get("lang"), r.PostFormValue("lang"))
	u, err := s.Signer.Verify(r.Context(), r.PathValue("token"))
	if err != nil {
		s.refuseUnsubscribe(w, r, lang, err)
		return
	}
	var source string
	switch {
	case r.PostFormValue("List-Unsubscribe") == "One-Click":
		source = customer.SourceUnsubscribeOneClick
	case r.PostFormValue("confirm") == "unsubscribe":
		source = customer.SourceUnsubscribePage
	default:
		renderUnsubscribe(w, r, http.StatusBadRequest, newUnsubscribeView(lang, unsubscribeConfirm, u.Channel))
		return
	}
	// A customer who pressed the button and closed the page still unsubscribed.
	_, err = s.Store.OptOut(context.WithoutCancel(r.Context()), u.CustomerID,
		customer.Consent{Channel: u.Channel, At: s.Clock.Now(), Source: source})
	if err != nil {
		s.refuseUnsubscribe(w, r, lang, err)
		return
	}
	renderUnsubscribe(w, r, http.StatusOK, newUnsubscribeView(lang, unsubscribeDone, u.Channel))
}

// unsubscribeRefusals are the pages of the errors, each with its kind's status.
var unsubscribeRefusals = page.Refusals[unsubscribeState]{
	Kinds: map[problem.Kind]page.Refusal[unsubscribeState]{
		problem.NotFound:    {Message: unsubscribeInvalid},
		problem.Invalid:     {Message: unsubscribeInvalid},
		problem.Gone:        {Message: unsubscribeExpired},
		problem.Unavailable: {Message: unsubscribeUnavailable, Retry: page.RetrySoon},
	},
	Other: page.Refusal[unsubscribeState]{Message: unsubscribeUnavailable},
}

func (s pages) refuseUnsubscribe(w http.ResponseWriter, r *http.Request, lang string, err error) {
	switch {
	case errors.Is(err, customer.ErrBadToken):
		err = problem.New(problem.NotFound, "not an unsubscribe link")
	case errors.Is(err, customer.ErrExpiredToken):
		err = problem.New(problem.Gone, "an unsubscribe link of a retired key")
	}
	rf := unsubscribeRefusals.For(w.Header(), err)
	page.LogFailure(r, rf.Status, err)
	renderUnsubscribe(w, r, rf.Status, newUnsubscribeView(lang, rf.Message, ""))
}

func renderUnsubscribe(w http.ResponseWriter, r *http.Request, status int, v unsubscribeView) {
	page.Render(w, r, status, page.Document{Lang: v.T.Lang, Title: v.Title(), Style: unsubscribeStyle,
		Header: unsubscribeSwitch(v.Switch), Main: unsubscribeMain(v)}, "")
}

type unsubscribeState int

const (
	unsubscribeConfirm unsubscribeState = iota
	unsubscribeDone
	unsubscribeInvalid
	unsubscribeExpired
	unsubscribeUnavailable
)

// unsubscribeView is what an unsubscribe page shows (unsubscribe.templ).
type unsubscribeView struct {
	T       *unsubscribeWords
	State   unsubscribeState
	Channel string
	Switch  *langLink
}

// langLink is the same page in the other language.
type langLink struct{ Href, Lang, Label string }

func newUnsubscribeView(lang string, st unsubscribeState, channel string) unsubscribeView {
	if !i18n.Supported(lang) {
		lang = i18n.Chinese
	}
	t := unsubscribeTexts.Pick(lang)
	v := unsubscribeView{T: t, State: st, Channel: t.Channels[channel]}
	if st == unsubscribeConfirm {
		// A query-only reference: the same link, in the other language.
		other := i18n.Other(t.Lang)
		v.Switch = &langLink{Href: "?lang=" + other, Lang: other, Label: unsubscribeTexts.Pick(other).Name}
	}
	return v
}

// Confirm tells whether the page shows the button.
func (v unsubscribeView) Confirm() bool { return v.State == unsubscribeConfirm }

// Title is the document's title.
func (v unsubscribeView) Title() string { return v.Heading() }

// Heading and Body are the page's texts.
func (v unsubscribeView) Heading() string { return v.T.Pages[v.State][0] }
func (v unsubscribeView) Body() string {
	b := v.T.Pages[v.State][1]
	if v.State == unsubscribeConfirm || v.State == unsubscribeDone {
		return fmt.Sprintf(b, v.Channel)
	}
	return b
}
