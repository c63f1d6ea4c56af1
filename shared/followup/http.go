package followup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/i18n"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/notify"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// Kinds lists the kinds of follow-up staff and systems may schedule: every kind but
// the voucher timers' own (KindVoucher, KindVoucherExpiry).
var Kinds = []string{KindPostServiceSurvey, KindComplaintCallback, KindComplaintUpdate, KindRecoveryCallback, KindSLAWarning, KindEscalation,
	KindBirthday, KindPointsExpiry, KindTierChange, KindWinBack, KindCampaign, KindMessage}

// Request is a follow-up as staff or a system schedule it.
type Request struct {
	CustomerID string `json:"customerId"`
	Kind       string `json:"kind"`
	// Channel is email, sms or webhook; when not given, the customer's profile decides
	// (email, else SMS, passing over a channel the customer opted out of), or email
	// when to.address is given.
	Channel string `json:"channel"`
	// DueAt is required, except for kind message, which is due now when not given.
	DueAt      time.Time         `json:"dueAt"`
	TemplateID string            `json:"templateId"`
	Vars       map[string]string `json:"vars"`
	Message    map[string]string `json:"message"`
	Subject    map[string]string `json:"subject"`
	// To overrides what the customer's profile gives: the address, time zone and
	// language. Without a profile with an email or phone, to.address is required.
	To        *Recipient `json:"to"`
	DedupeKey string     `json:"dedupeKey"`
	Urgent    bool       `json:"urgent"`
	// LocationID and QuietHours: the location the message is from (the customer's, by
	// default) and its quiet hours.
	LocationID string `json:"locationId"`
	QuietHours string `json:"quietHours"`
}

// Staff schedules, lists and cancels follow-ups for staff and systems.
type Staff struct {
	Store *Store
	Clock clock.Clock
	// Customers decide whom a caller may write to (policy.go) and address a follow-up
	// from the customer's profile and consent.
	Customers Directory
	// Places give a follow-up of a location that location's quiet hours and, when no
	// zone is known otherwise, its time zone.
	Places Places
	// AllowPrivateWebhooks (NOTIFY_WEBHOOK_ALLOW_PRIVATE, the local runner only) lets
	// a webhook's to.address be http:// to a loopback host, or a private address.
	AllowPrivateWebhooks bool
}

// ErrDuplicate means the occasion's dedupe key already has a follow-up.
var ErrDuplicate = errors.New("this occasion already has a follow-up")

// Schedule writes one follow-up (SchedulePuts) on its own and returns it as stored
// (its due time moved out of quiet hours); ErrDuplicate when its occasion has one.
func (s *Store) Schedule(ctx context.Context, f Followup) (Followup, error) {
	if err := f.timing(); err != nil {
		return Followup{}, err
	}
	f.Status = Scheduled
	puts, err := s.SchedulePuts(f)
	if err != nil {
		return Followup{}, err
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts})
	// Either item refused means the occasion is taken: the record of its occasion id,
	// the dedupe claim, or the check that no claim was made before occasion ids.
	if reasons := dynamo.CancellationReasons(err); len(reasons) == 2 && slices.Contains(reasons, "ConditionalCheckFailed") {
		return Followup{}, ErrDuplicate
	}
	if err != nil {
		return Followup{}, dynamo.Unavailable(err, "schedule follow-up")
	}
	return f, nil
}

// followup checks a request and makes the follow-up it asks for, its recipient as
// far as the request gives it: address, time zone and language come from the
// customer's profile (address) and the text is chosen in the recipient's language
// (compose) once the profile is read.
func (r Request) followup(p auth.Principal, now time.Time, allowPrivateWebhooks bool) (Followup, error) {
	var errs []problem.FieldError
	bad := func(f, m string) { errs = append(errs, problem.FieldError{Field: f, Message: m}) }
	if r.CustomerID == "" || len(r.CustomerID) > 64 {
		bad("customerId", "is required")
	}
	if !slices.Contains(Kinds, r.Kind) {
		bad("kind", "must be one of "+strings.Join(Kinds, ", "))
	}
	if r.Channel != "" && !slices.Contains(contact.Channels, r.Channel) {
		bad("channel", "must be email, sms or webhook")
	}
	if r.DueAt.IsZero() && r.Kind == KindMessage {
		r.DueAt = now // a message a staff member writes goes as soon as it may
	}
	if r.DueAt.IsZero() {
		bad("dueAt", "is required (RFC 3339)")
	}
	if r.Kind == KindMessage {
		if r.TemplateID != "" {
			bad("templateId", "a message carries its own text in message, not a template")
		}
		if len(r.Vars) > 0 {
			bad("vars", "a message carries its own text in message, not template variables")
		}
	}
	if _, ok := Template(r.TemplateID); r.TemplateID != "" && !ok {
		bad("templateId", "must be one of the built-in templates (post-service-survey, complaint-callback, points-expiry, tier-change, birthday, win-back)")
	}
	if len(r.Message) == 0 && (r.TemplateID == "" || r.Kind == KindMessage) {
		bad("message", `is required without a templateId: {"zh-CN": "...", "en": "..."}`)
	}
	for loc, text := range r.Message {
		if !i18n.Supported(loc) || strings.TrimSpace(text) == "" || len(text) > 4000 {
			bad("message."+loc, "must be zh-CN or en, non-empty, at most 4000 bytes")
		}
	}
	for loc, text := range r.Subject {
		if !i18n.Supported(loc) || strings.TrimSpace(text) == "" || len(text) > 200 {
			bad("subject."+loc, "must be zh-CN or en, non-empty, at most 200 bytes")
		}
	}
	to := Recipient{}
	if r.To != nil {
		to = *r.To
		to.Address = strings.TrimSpace(to.Address)
	}
	if r.Channel == "webhook" && to.Address != "" {
		// Checked again before sending, where the resolved address is checked too.
		if _, err := notify.CheckWebhookURL(to.Address, allowPrivateWebhooks); err != nil {
			bad("to.address", err.Error())
		}
	}
	if _, err := Zone(to.TimeZone); err != nil {
		bad("to.timeZone", "must be an IANA time zone such as Asia/Shanghai")
	}
	if to.Locale != "" && !i18n.Supported(to.Locale) {
		bad("to.locale", "must be zh-CN or en")
	}
	if r.QuietHours != "" {
		if _, err := ParseQuiet(r.QuietHours); err != nil {
			bad("quietHours", "must be HH:MM-HH:MM")
		}
	}
	if err := problem.Fields(errs); err != nil {
		return Followup{}, err
	}
	to.Type, to.ID, to.Channel = "customer", r.CustomerID, r.Channel
	f := Followup{
		ID: OccasionID(r.DedupeKey), Kind: r.Kind, LocationID: r.LocationID, Recipient: to, DueAt: r.DueAt.UTC(),
		Source: Source{Type: "api", ID: p.Subject}, CreatedAt: now,
		Urgent: r.Urgent, QuietHours: r.QuietHours, DedupeKey: r.DedupeKey, TemplateID: r.TemplateID, Vars: r.Vars,
	}
	if f.DedupeKey == "" {
		// No occasion named: this request alone, which its own random id makes unique.
		f.ID = id.New(now)
		f.DedupeKey = "api#" + f.ID
	}
	return f, nil
}

// address completes the recipient from the customer's profile (prof, zero when they
// have none): the channel when the request names none (email, else SMS, passing over
// one the customer opted out of), its address, the language and the time zone; what
// the request's to gives overrides each. A channel the customer opted out of is
// refused now rather than skipped at send time, so staff know at once.
func (s *Staff) address(ctx context.Context, f *Followup, prof Profile) error {
	if prof.ID != "" {
		f.Recipient.ID = prof.ID // a merged duplicate's messages go to the survivor
	}
	consents, err := s.Customers.Consents(ctx, f.Recipient.ID)
	if err != nil {
		return err
	}
	optedOut := func(ch string) bool { c, asked := consents[ch]; return asked && !c.Granted }
	to := &f.Recipient
	if to.Channel == "" {
		to.Channel = "email"
		if to.Address == "" {
			to.Channel = profileChannel(prof, optedOut)
		}
	}
	if to.Address == "" {
		switch to.Channel {
		case "email":
			to.Address = prof.Email
		case "sms":
			to.Address = prof.Phone
		}
	}
	switch {
	case to.Address != "":
	case to.Channel == "webhook":
		return problem.Field("to.address", "is required for a webhook: the URL to post to")
	case prof.Email == "" && prof.Phone == "":
		return problem.Field("to.address", "the customer has no profile with an email or phone; give to.address")
	default:
		return problem.Field("to.address", fmt.Sprintf("the customer's profile has no address for %s; give to.address or another channel", to.Channel))
	}
	if optedOut(to.Channel) {
		c := consents[to.Channel]
		msg := fmt.Sprintf("the customer opted out of %s on %s (%s)", to.Channel, c.At.Format(time.DateOnly), c.Source)
		return &problem.Error{Kind: problem.Conflict, Detail: "channel: " + msg, Fields: []problem.FieldError{{Field: "channel", Message: msg}}}
	}
	if to.Locale == "" {
		to.Locale = prof.Locale
	}
	if to.Locale == "" {
		to.Locale = i18n.Chinese
	}
	if to.TimeZone == "" {
		to.TimeZone = prof.TimeZone // else the location's (locate), else UTC
	}
	return nil
}

// profileChannel is the channel a customer is reached by: email, else SMS, passing over
// one they opted out of while another remains.
func profileChannel(prof Profile, optedOut func(string) bool) string {
	var have []string
	if prof.Email != "" {
		have = append(have, "email")
	}
	if prof.Phone != "" {
		have = append(have, "sms")
	}
	for _, ch := range have {
		if !optedOut(ch) {
			return ch
		}
	}
	if len(have) > 0 {
		return have[0]
	}
	return "email"
}

// compose sets the follow-up's text in the recipient's language. A message a staff
// member writes must be given in the language the customer reads; it is sent in the
// "message" template, so its subject and footer are the brand's, in that language.
func (f *Followup) compose(r Request) error {
	loc := f.Recipient.Locale
	if f.Kind == KindMessage {
		text, ok := r.Message[loc]
		if !ok {
			return problem.Field("message."+loc, "is required: the customer reads "+loc)
		}
		f.TemplateID = "message"
		f.Vars = map[string]string{"text": text, "subject": ""}
		if sub, ok := r.Subject[loc]; ok {
			f.Vars["subject"] = sub
		}
	}
	f.Body, f.Subject = Pick(r.Message, loc), Pick(r.Subject, loc)
	if f.Subject == "" {
		f.Subject = strings.SplitN(f.Body, "\n", 2)[0]
	}
	if f.TemplateID != "" {
		if err := checkTemplate(*f); err != nil {
			return problem.Field("vars", strings.TrimPrefix(err.Error(), ErrPermanent.Error()+": "))
		}
	}
	return nil
}

// Pick is the text in the locale, else in the other one.
func Pick(texts map[string]string, locale string) string {
	if t, ok := texts[locale]; ok {
		return t
	}
	for _, l := range i18n.Locales() {
		if t, ok := texts[l]; ok {
			return t
		}
	}
	return ""
}

// Routes are the handlers of the follow-up routes, keyed by route pattern.
func (s *Staff) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/followups":                http.HandlerFunc(s.schedule),
		"GET /v1/followups":                 http.HandlerFunc(s.list),
		"DELETE /v1/followups/{followupId}": http.HandlerFunc(s.cancel),
	}
}

func (s *Staff) schedule(w http.ResponseWriter, r *http.Request) {
	var req Request
	if err := web.Decode(r, &req); err != nil {
		problem.Write(w, r, err)
		return
	}
	p, _ := auth.From(r.Context())
	f, err := req.followup(p, s.Clock.Now(), s.AllowPrivateWebhooks)
	if err == nil {
		err = s.mayReach(r.Context(), p, f.Recipient.ID)
	}
	var prof Profile
	if err == nil {
		prof, err = s.Customers.Profile(r.Context(), f.Recipient.ID)
	}
	if err == nil {
		err = mayScheduleFor(p, &f, prof)
	}
	if err == nil {
		err = s.address(r.Context(), &f, prof)
	}
	if err == nil {
		err = s.locate(r.Context(), &f, req.LocationID != "")
	}
	if err == nil {
		err = f.compose(req)
	}
	if err == nil {
		f, err = s.Store.Schedule(r.Context(), f)
	}
	switch {
	case errors.Is(err, ErrDuplicate):
		problem.Write(w, r, problem.New(problem.Conflict, ErrDuplicate.Error()))
	case err != nil && problem.KindOf(err) == problem.Internal:
		problem.Write(w, r, problem.Newf(problem.Invalid, "%v", err))
	case err != nil:
		problem.Write(w, r, err)
	default:
		web.JSON(w, http.StatusCreated, f)
	}
}

// locate fills a located follow-up's quiet hours and zone from the registry. A
// location the request named must be registered; one taken from the customer's
// profile need not be (the follow-up keeps it, for access, with the defaults).
func (s *Staff) locate(ctx context.Context, f *Followup, named bool) error {
	if f.LocationID == "" {
		return nil
	}
	loc, err := s.Places.Location(ctx, f.LocationID)
	if errors.Is(err, place.ErrNotFound) {
		if !named {
			return nil
		}
		return problem.Field("locationId", "is not a registered location")
	}
	if err != nil {
		return err
	}
	if f.QuietHours == "" {
		f.QuietHours = loc.QuietHours
	}
	if f.Recipient.TimeZone == "" {
		f.Recipient.TimeZone = loc.TimeZone
	}
	return nil
}

// list answers a customer's follow-ups (customerId) or a location's by due time
// (locationId, with from and to bounding the due time), newest first. Follow-ups the
// caller may not see are left out of the page, so a page may hold fewer than limit.
func (s *Staff) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, _ := auth.From(r.Context())
	customerID, locationID := q.Get("customerId"), q.Get("locationId")
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	var (
		scope string
		query func(cursor map[string]types.AttributeValue) ([]Followup, map[string]types.AttributeValue, error)
	)
	switch {
	case customerID != "":
		scope = "followups?customerId=" + customerID
		query = func(c map[string]types.AttributeValue) ([]Followup, map[string]types.AttributeValue, error) {
			if err := s.Customers.Reachable(r.Context(), p, customerID); err != nil {
				return nil, nil, err
			}
			return s.Store.ForCustomer(r.Context(), customerID, limit, c)
		}
	case locationID != "":
		from, to, err := dueRange(q.Get("from"), q.Get("to"))
		if err != nil {
			problem.Write(w, r, err)
			return
		}
		scope = "followups?locationId=" + locationID + "&from=" + q.Get("from") + "&to=" + q.Get("to")
		query = func(c map[string]types.AttributeValue) ([]Followup, map[string]types.AttributeValue, error) {
			if !p.All && !p.Sees(locationID) {
				return nil, nil, problem.New(problem.NotFound, "no such location")
			}
			return s.Store.ForLocation(r.Context(), locationID, from, to, limit, c)
		}
	default:
		problem.Write(w, r, problem.Field("customerId", "is required, or locationId"))
		return
	}
	cursor, err := s.decodeCursor(r.Context(), scope, q.Get("cursor"))
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	items, next, err := query(cursor)
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	visible := []Followup{}
	for _, f := range items {
		if Sees(p, f) {
			visible = append(visible, f)
		}
	}
	nextCursor, err := s.encodeCursor(r.Context(), scope, next)
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"items": visible, "nextCursor": nextCursor})
}

// pageLimit reads a list's limit: 1 to 200, 50 when not given.
func pageLimit(v string) (int, error) {
	if v == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		return 0, problem.Field("limit", "must be 1 to 200")
	}
	return n, nil
}

// dueRange reads a location list's bounds on the due time (RFC 3339, each optional).
func dueRange(from, to string) (time.Time, time.Time, error) {
	var lo, hi time.Time
	for _, b := range []struct {
		name, v string
		t       *time.Time
	}{{"from", from, &lo}, {"to", to, &hi}} {
		if b.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, b.v)
		if err != nil {
			return lo, hi, problem.Field(b.name, "must be a time in RFC 3339 (2026-03-01T09:00:00+08:00)")
		}
		*b.t = t
	}
	if !lo.IsZero() && !hi.IsZero() && hi.Before(lo) {
		return lo, hi, problem.Field("to", "must not be before from")
	}
	return lo, hi, nil
}

func (s *Staff) cancel(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.From(r.Context())
	f, err := s.Store.Get(r.Context(), r.PathValue("followupId"))
	if errors.Is(err, ErrNotFound) || (err == nil && !Sees(p, f)) {
		problem.Write(w, r, notFound(r.PathValue("followupId")))
		return
	}
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	err = s.Store.Cancel(r.Context(), r.PathValue("followupId"), s.Clock.Now())
	switch {
	case errors.Is(err, ErrNotFound):
		problem.Write(w, r, notFound(r.PathValue("followupId")))
	case errors.Is(err, ErrNotCancellable):
		problem.Write(w, r, problem.New(problem.Conflict, ErrNotCancellable.Error()))
	case err != nil:
		problem.Write(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// Cursors are the query's last key (string attributes only), sealed by the one cursor
// codec (shared/cursor) for the list they continue (scope: its query).
func (s *Staff) encodeCursor(ctx context.Context, scope string, key map[string]types.AttributeValue) (*string, error) {
	if key == nil {
		return nil, nil
	}
	return s.Store.Cursors.SealPtr(ctx, scope, dynamo.KeyStrings(key))
}

func (s *Staff) decodeCursor(ctx context.Context, scope, c string) (map[string]types.AttributeValue, error) {
	var m map[string]string
	if ok, err := s.Store.Cursors.Open(ctx, scope, c, &m); err != nil || !ok {
		return nil, err
	}
	// Sealed by this list's codec: the keys are the ones its query returned.
	return dynamo.StringKey(m), nil
}
