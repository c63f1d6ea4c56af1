// Package voucherpage is the customer's voucher page of the rewards domain, apart from
// the domain's store so that only the function that serves it links the page, its
// layout and the QR encoder.
package voucherpage

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/i18n/accept"
	"github.com/rapport-crm/rapport/shared/page"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
)

// The customer's voucher page, opened from the link in the message that delivered a
// voucher or reminds of it (no sign-in: the link is the key, link.go). It shows the
// voucher the link names, then the customer's other vouchers still usable: each
// one's name, value, status, expiry and where it may be used, its code in groups of
// four and the QR image of the code. It only reads, so mail scanners that open the
// link change nothing.

// pageStyle is the voucher page's own rules, after the base layout's.
//
//go:embed page.css
var pageStyle string

// maxOthers bounds the other vouchers a page shows (and its size).
const maxOthers = 10

// Page serves the voucher page.
type Page struct {
	Links *reward.Links
	// Places names a location for the customer; nil, or an error, shows its id.
	Places func(ctx context.Context, id string) (string, error)
	Clock  clock.Clock
}

// Routes are the voucher page's handlers.
func Routes(p *Page) map[string]http.Handler {
	return map[string]http.Handler{"GET /v1/v/{token}": http.HandlerFunc(p.show)}
}

// show draws the link's voucher and the customer's others, in the language picked
// with the page's switch, else the customer's, else the browser's.
func (p *Page) show(w http.ResponseWriter, r *http.Request) {
	asked := r.URL.Query().Get("lang")
	l, err := p.Links.Open(r.Context(), r.PathValue("token"))
	if err != nil {
		p.refuse(w, r, accept.Locale(r, i18n.Chinese, asked), err)
		return
	}
	lang := accept.Locale(r, i18n.Chinese, asked, l.Locale)
	v, err := p.Links.Store.Voucher(r.Context(), l.Code)
	switch {
	case errors.Is(err, reward.ErrNoVoucher), err == nil && v.CustomerID != l.CustomerID:
		err = reward.ErrBadLink // the voucher was erased, or its customer merged
	}
	if err != nil {
		p.refuse(w, r, lang, err)
		return
	}
	all, err := p.Links.Store.Vouchers(r.Context(), l.CustomerID, 50)
	if err != nil {
		p.refuse(w, r, lang, err)
		return
	}
	now := p.Clock.Now()
	zone, err := time.LoadLocation(l.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	view := newPageView(lang, pageShown)
	shown := []reward.Voucher{v}
	for _, o := range all {
		if o.Code != v.Code && o.Status(now) == reward.StatusIssued && len(shown) <= maxOthers {
			shown = append(shown, o)
		}
	}
	for _, o := range shown {
		c, err := p.card(r.Context(), view.T, o, now, zone)
		if err != nil {
			p.refuse(w, r, lang, err)
			return
		}
		view.Cards = append(view.Cards, c)
	}
	render(w, r, http.StatusOK, view)
}

// pageRefusals are the pages of the errors, each with its kind's status, as on the
// other customers' pages.
var pageRefusals = page.Refusals[pageState]{
	Kinds: map[problem.Kind]page.Refusal[pageState]{
		problem.NotFound:    {Message: pageInvalid},
		problem.Invalid:     {Message: pageInvalid},
		problem.Gone:        {Message: pageExpired},
		problem.Unavailable: {Message: pageUnavailable, Retry: page.RetrySoon},
	},
	Other: page.Refusal[pageState]{Message: pageUnavailable},
}

func (p *Page) refuse(w http.ResponseWriter, r *http.Request, lang string, err error) {
	switch {
	case errors.Is(err, reward.ErrBadLink):
		err = problem.New(problem.NotFound, "not a voucher link")
	case errors.Is(err, reward.ErrExpiredLink):
		err = problem.New(problem.Gone, "a voucher link of a retired key")
	}
	rf := pageRefusals.For(w.Header(), err)
	page.LogFailure(r, rf.Status, err)
	render(w, r, rf.Status, newPageView(lang, rf.Message))
}

// render sends the page; its only images are the QR codes, written into it (data:).
func render(w http.ResponseWriter, r *http.Request, status int, v pageView) {
	page.Render(w, r, status, page.Document{Lang: v.T.Lang, Title: v.Heading(), Style: pageStyle,
		Header: pageSwitch(v.Switch), Main: pageMain(v)}, "data:")
}

type pageState int

const (
	pageShown pageState = iota
	pageInvalid
	pageExpired
	pageUnavailable
)

// pageView is what a voucher page shows (page.templ).
type pageView struct {
	T      *pageWords
	State  pageState
	Cards  []card
	Switch *langLink
}

// card is one voucher as the page shows it.
type card struct {
	Name, Value, Status, Until, Where, Printed string
	// QR is the data: URI of the code's QR image.
	QR     string
	Usable bool
}

// langLink is the same page in the other language.
type langLink struct{ Href, Lang, Label string }

func newPageView(lang string, st pageState) pageView {
	if !i18n.Supported(lang) {
		lang = i18n.Chinese
	}
	t := pageTexts.Pick(lang)
	v := pageView{T: t, State: st}
	if st == pageShown {
		// A query-only reference: the same link, in the other language.
		other := i18n.Other(t.Lang)
		v.Switch = &langLink{Href: "?lang=" + other, Lang: other, Label: pageTexts.Pick(other).Name}
	}
	return v
}

// Heading and Body are the page's texts.
func (v pageView) Heading() string { return v.T.Pages[v.State][0] }
func (v pageView) Body() string    { return v.T.Pages[v.State][1] }

// card writes v in t's language, its expiry in zone.
func (p *Page) card(ctx context.Context, t *pageWords, v reward.Voucher, now time.Time, zone *time.Location) (card, error) {
	qr, err := QRImage(v.Code)
	if err != nil {
		return card{}, fmt.Errorf("voucher page: QR image: %w", err)
	}
	st := v.Status(now)
	return card{Name: v.Title(t.Lang), Value: v.ValueText(t.Lang), Status: t.Statuses[st],
		Until: v.ExpiresAt.In(zone).Format("2006-01-02 15:04"), Where: p.where(ctx, t, v.LocationIDs),
		Printed: reward.FormatCode(v.Code), QR: qr, Usable: st == reward.StatusIssued}, nil
}

// where names the locations a voucher may be used at; none: every location.
func (p *Page) where(ctx context.Context, t *pageWords, ids []string) string {
	if len(ids) == 0 {
		return t.Everywhere
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id
		if p.Places != nil {
			if n, err := p.Places(ctx, id); err == nil && n != "" {
				names[i] = n
			}
		}
	}
	sep := ", "
	if t.Lang == i18n.Chinese {
		sep = "、"
	}
	return strings.Join(names, sep)
}
