package followup

import (
	"context"
	"encoding/base64"
	"encoding/json"
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
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// Kinds lists every kind of follow-up.
var Kinds = []string{KindPostServiceSurvey, KindComplaintCallback, KindComplaintUpdate, KindRecoveryCallback, KindSLAWarning, KindEscalation,
	KindBirthday, KindPointsExpiry, KindTierChange, KindWinBack, KindCampaign}

// channels a follow-up can go by.
var channels = []string{"email", "sms", "webhook"}

// Request is a follow-up as staff or a system schedule it.
type Request struct {
	CustomerID string            `json:"customerId"`
	Kind       string            `json:"kind"`
	Channel    string            `json:"channel"`
	DueAt      time.Time         `json:"dueAt"`
	TemplateID string            `json:"templateId"`
	Vars       map[string]string `json:"vars"`
	Message    map[string]string `json:"message"`
	Subject    map[string]string `json:"subject"`
	// To is the recipient's address, zone and language. (Once customer profiles exist
	// they supply it; To then overrides.)
	To        *Recipient `json:"to"`
	DedupeKey string     `json:"dedupeKey"`
	Urgent    bool       `json:"urgent"`
	// LocationID and QuietHours: the location the message is from and its quiet hours.
	LocationID string `json:"locationId"`
	QuietHours string `json:"quietHours"`
}

// Staff schedules, lists and cancels follow-ups for staff and systems.
type Staff struct {
	Store *Store
	Clock clock.Clock
	// Customers decide whom a caller may write to (policy.go) and give a follow-up of
	// a location that location's quiet hours and, when the recipient's zone is not
	// given, its time zone.
	Customers Directory
}

// ErrDuplicate means the occasion's dedupe key already has a follow-up.
var ErrDuplicate = errors.New("this occasion already has a follow-up")

// Schedule writes one follow-up (and its dedupe claim) on its own and returns it as
// stored (its due time moved out of quiet hours).
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
	if reasons := dynamo.CancellationReasons(err); len(reasons) == 2 && reasons[1] == "ConditionalCheckFailed" {
		return Followup{}, ErrDuplicate
	}
	if err != nil {
		return Followup{}, dynamo.Unavailable(err, "schedule follow-up")
	}
	return f, nil
}

func (r Request) followup(p auth.Principal, now time.Time) (Followup, error) {
	var errs []problem.FieldError
	bad := func(f, m string) { errs = append(errs, problem.FieldError{Field: f, Message: m}) }
	if r.CustomerID == "" || len(r.CustomerID) > 64 {
		bad("customerId", "is required")
	}
	if !slices.Contains(Kinds, r.Kind) {
		bad("kind", "must be one of "+strings.Join(Kinds, ", "))
	}
	if r.Channel == "" {
		r.Channel = "email"
	}
	if !slices.Contains(channels, r.Channel) {
		bad("channel", "must be email, sms or webhook")
	}
	if r.DueAt.IsZero() {
		bad("dueAt", "is required (RFC 3339)")
	}
	if _, ok := Templates[r.TemplateID]; r.TemplateID != "" && !ok {
		bad("templateId", "must be one of the built-in templates (post-service-survey, complaint-callback, points-expiry, tier-change, birthday, win-back)")
	}
	if len(r.Message) == 0 && r.TemplateID == "" {
		bad("message", `is required without a templateId: {"zh-CN": "...", "en": "..."}`)
	}
	for loc, text := range r.Message {
		if (loc != "zh-CN" && loc != "en") || strings.TrimSpace(text) == "" || len(text) > 4000 {
			bad("message."+loc, "must be zh-CN or en, non-empty, at most 4000 bytes")
		}
	}
	if r.To == nil || strings.TrimSpace(r.To.Address) == "" {
		bad("to.address", "is required until customer profiles supply it")
	} else {
		if _, err := Zone(r.To.TimeZone); err != nil {
			bad("to.timeZone", "must be an IANA time zone such as Asia/Shanghai")
		}
		if r.To.Locale != "" && r.To.Locale != "zh-CN" && r.To.Locale != "en" {
			bad("to.locale", "must be zh-CN or en")
		}
	}
	if r.QuietHours != "" {
		if _, err := ParseQuiet(r.QuietHours); err != nil {
			bad("quietHours", "must be HH:MM-HH:MM")
		}
	}
	if err := problem.Fields(errs); err != nil {
		return Followup{}, err
	}
	to := *r.To
	to.Type, to.ID, to.Channel = "customer", r.CustomerID, r.Channel
	body, subject := Pick(r.Message, to.Locale), Pick(r.Subject, to.Locale)
	if subject == "" {
		subject = strings.SplitN(body, "\n", 2)[0]
	}
	f := Followup{
		ID: id.New(now), Kind: r.Kind, LocationID: r.LocationID, Recipient: to, DueAt: r.DueAt.UTC(),
		Subject: subject, Body: body, Source: Source{Type: "api", ID: p.Subject}, CreatedAt: now,
		Urgent: r.Urgent, QuietHours: r.QuietHours, DedupeKey: r.DedupeKey, TemplateID: r.TemplateID, Vars: r.Vars,
	}
	if f.TemplateID != "" {
		if err := checkTemplate(f); err != nil {
			return Followup{}, problem.Field("vars", strings.TrimPrefix(err.Error(), ErrPermanent.Error()+": "))
		}
	}
	if f.DedupeKey == "" {
		f.DedupeKey = "api#" + f.ID // no occasion named: this request alone
	}
	return f, nil
}

// Pick is the text in the locale, else in the other one.
func Pick(texts map[string]string, locale string) string {
	if t, ok := texts[locale]; ok {
		return t
	}
	for _, l := range []string{"en", "zh-CN"} {
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
	f, err := req.followup(p, s.Clock.Now())
	if err == nil {
		err = s.mayScheduleFor(r.Context(), p, f)
	}
	if err == nil {
		err = s.locate(r.Context(), &f)
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

// locate fills a located follow-up's quiet hours and zone from the registry.
func (s *Staff) locate(ctx context.Context, f *Followup) error {
	if f.LocationID == "" {
		return nil
	}
	loc, err := s.Customers.Location(ctx, f.LocationID)
	if errors.Is(err, customer.ErrNoLocation) {
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

func (s *Staff) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	customerID := q.Get("customerId")
	if customerID == "" {
		problem.Write(w, r, problem.Field("customerId", "is required"))
		return
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			problem.Write(w, r, problem.Field("limit", "must be 1 to 200"))
			return
		}
		limit = n
	}
	cursor, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		problem.Write(w, r, problem.Field("cursor", "is not a cursor this API gave out"))
		return
	}
	p, _ := auth.From(r.Context())
	if err := s.Customers.Reachable(r.Context(), p, customerID); err != nil {
		problem.Write(w, r, err)
		return
	}
	items, next, err := s.Store.ForCustomer(r.Context(), customerID, limit, cursor)
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
	items = visible
	web.JSON(w, http.StatusOK, map[string]any{"items": items, "nextCursor": encodeCursor(next)})
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

// Cursors are the query's last key (string attributes only), as opaque base64 JSON.
func encodeCursor(key map[string]types.AttributeValue) *string {
	if key == nil {
		return nil
	}
	m := map[string]string{}
	for k, v := range key {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			m[k] = sv.Value
		}
	}
	b, _ := json.Marshal(m)
	c := base64.RawURLEncoding.EncodeToString(b)
	return &c
}

func decodeCursor(c string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	allowed := []string{"pk", "sk", "customerPk", "customerSk"}
	key := map[string]types.AttributeValue{}
	for k, v := range m {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("cursor key %q", k)
		}
		key[k] = dynamo.S(v)
	}
	return key, nil
}
