package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/place"
)

// Loop is a survey's closed loop: a response that meets any rule alerts Notify — or,
// without one, the managers of the response's location — to call the customer back
// within CallbackWithinHours (business hours, when the location's are registered).
// A survey defined without a loop gets DefaultLoop; {"off": true} is the one way to
// have none.
type Loop struct {
	// Off turns the loop off: no rule, no alert, no case. It is the only field then.
	Off bool `dynamodbav:"off,omitempty" json:"off,omitempty"`
	// Detractor: NPS 0–6. LowCSAT: CSAT 1–2.
	Detractor bool `dynamodbav:"detractor" json:"detractor"`
	LowCSAT   bool `dynamodbav:"lowCsat" json:"lowCsat"`
	// DimensionAtOrBelow: a dimension's mean in the response at or below the value.
	DimensionAtOrBelow map[string]float64 `dynamodbav:"dimensionAtOrBelow,omitempty" json:"dimensionAtOrBelow,omitempty"`
	// Keywords: any of them in the comment or a text answer (case-insensitive).
	Keywords            []string `dynamodbav:"keywords,omitempty" json:"keywords,omitempty"`
	CallbackWithinHours int      `dynamodbav:"callbackWithinHours" json:"callbackWithinHours"`
	Notify              Contact  `dynamodbav:"notify" json:"notify,omitzero"`
	// OpenCase, when set, also opens a complaint case (channel "survey") at the
	// response's location, in the response's own transaction.
	OpenCase *CaseRule `dynamodbav:"openCase,omitempty" json:"openCase,omitempty"`
}

// CaseRule is the category and severity of the case a bad response opens.
type CaseRule struct {
	Category string `dynamodbav:"category" json:"category"`
	Severity string `dynamodbav:"severity,omitempty" json:"severity,omitempty"`
}

// DefaultCallbackHours is the default loop's callback deadline: about one working
// day, counted in the location's business hours.
const DefaultCallbackHours = 8

// DefaultLoop is the loop of a survey defined without one: a detractor (NPS 0–6) or a
// low CSAT (1–2) alerts the managers of the response's location (the locations
// registry) to call back within DefaultCallbackHours business hours.
func DefaultLoop() *Loop {
	return &Loop{Detractor: true, LowCSAT: true, CallbackWithinHours: DefaultCallbackHours}
}

// loopOff is how an off loop reads: {"off":true} and nothing else.
var loopOff = []byte(`{"off":true}`)

// MarshalJSON shows an off loop as {"off":true}, without the empty rules.
func (l Loop) MarshalJSON() ([]byte, error) {
	if l.Off {
		return loopOff, nil
	}
	type plain Loop // without this method
	return json.Marshal(plain(l))
}

func validateLoop(l *Loop, dims []string, bad func(string, string, ...any)) {
	if l.Off {
		if !l.isOffOnly() {
			bad("loop.off", "turns the loop off: leave out its rules, notify, callbackWithinHours and openCase")
		}
		return
	}
	if l.Notify != (Contact{}) && (!slices.Contains(contact.Channels, l.Notify.Channel) || strings.TrimSpace(l.Notify.Address) == "") {
		bad("loop.notify", "needs a channel (email, sms, webhook) and an address, or leave it out to alert the location's managers")
	}
	if _, err := place.Zone(l.Notify.TimeZone); err != nil {
		bad("loop.notify.timeZone", "must be an IANA time zone such as Asia/Shanghai")
	}
	if l.Notify.QuietHours != "" && !validQuiet(l.Notify.QuietHours) {
		bad("loop.notify.quietHours", "must be HH:MM-HH:MM")
	}
	if l.CallbackWithinHours < 0 || l.CallbackWithinHours > 24*14 {
		bad("loop.callbackWithinHours", "must be 0 to 336")
	}
	for d := range l.DimensionAtOrBelow {
		if !slices.Contains(dims, d) {
			bad("loop.dimensionAtOrBelow."+d, "is not a dimension of the survey")
		}
	}
	if len(l.Keywords) > MaxKeywords {
		bad("loop.keywords", "at most %d keywords", MaxKeywords)
	}
	for i, k := range l.Keywords {
		if strings.TrimSpace(k) == "" {
			bad(fmt.Sprintf("loop.keywords[%d]", i), "must not be empty")
		}
	}
	if c := l.OpenCase; c != nil {
		if !ValidID(c.Category) {
			bad("loop.openCase.category", "is required: a complaint category such as service_attitude")
		}
		if c.Severity != "" && !slices.Contains([]string{"low", "normal", "high", "critical"}, c.Severity) {
			bad("loop.openCase.severity", "must be low, normal, high or critical")
		}
	}
	if !l.Detractor && !l.LowCSAT && len(l.DimensionAtOrBelow) == 0 && len(l.Keywords) == 0 {
		bad("loop", "needs at least one rule: detractor, lowCsat, dimensionAtOrBelow or keywords")
	}
}

// validQuiet tells whether s reads as quiet hours the way alerts are timed by them:
// HH:MM-HH:MM, hours 0–23 and minutes 0–59 ("00:00-00:00" for none).
func validQuiet(s string) bool {
	var sh, sm, eh, em int
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &sh, &sm, &eh, &em); err != nil {
		return false
	}
	return sh >= 0 && sh <= 23 && eh >= 0 && eh <= 23 && sm >= 0 && sm <= 59 && em >= 0 && em <= 59
}

// isOffOnly tells whether an off loop says nothing else.
func (l *Loop) isOffOnly() bool {
	return !l.Detractor && !l.LowCSAT && len(l.DimensionAtOrBelow) == 0 && len(l.Keywords) == 0 &&
		l.CallbackWithinHours == 0 && l.Notify == (Contact{}) && l.OpenCase == nil
}

// Reasons lists the rules a response meets, in a stable order; none means no loop.
func (l *Loop) Reasons(r Response) []string {
	if l == nil || l.Off {
		return nil
	}
	var why []string
	if l.Detractor && r.Score.NPS != nil && *r.Score.NPS <= 6 {
		why = append(why, fmt.Sprintf("detractor (NPS %d)", *r.Score.NPS))
	}
	if l.LowCSAT && r.Score.CSAT != nil && *r.Score.CSAT <= 2 {
		why = append(why, fmt.Sprintf("low CSAT (%d)", *r.Score.CSAT))
	}
	dims := make([]string, 0, len(l.DimensionAtOrBelow))
	for d := range l.DimensionAtOrBelow {
		dims = append(dims, d)
	}
	sort.Strings(dims)
	for _, d := range dims {
		if v, ok := r.Score.Dimensions[d]; ok && v <= l.DimensionAtOrBelow[d] {
			why = append(why, fmt.Sprintf("%s %.2g ≤ %.2g", d, v, l.DimensionAtOrBelow[d]))
		}
	}
	text := strings.ToLower(r.Comment)
	for _, a := range r.Answers {
		if s, ok := a.Value.(string); ok {
			text += "\n" + strings.ToLower(s)
		}
	}
	for _, k := range l.Keywords {
		if strings.Contains(text, strings.ToLower(strings.TrimSpace(k))) {
			why = append(why, "keyword "+k)
		}
	}
	return why
}

// Recovery is a response that met its survey's loop rules (Response.Loop lists them):
// someone is to call the customer back by CallbackBy and, by the loop's OpenCase rule,
// a case is to open. Who is alerted and how is the Recoverer's business.
type Recovery struct {
	Survey   Survey
	Response Response
	// Location is the response's location as the registry holds it: its managers,
	// zone and quiet hours. Zero when the response has no location or the registry
	// does not know it.
	Location place.Location
	// CallbackBy is CallbackWithinHours after the response, counted in the location's
	// business hours when it is registered, in plain hours otherwise.
	CallbackBy time.Time
}

// Recovered is what a recovery leaves for the response to keep.
type Recovered struct {
	// Case is the reference of the case the loop opened; empty when it opened none.
	Case string
}

// Recoverer acts on a response's closed loop: it adds the items of what the loop sets
// in motion (the callback alerts, a case) to the response's own transaction, so a bad
// score and its recovery are stored together or not at all. A refused recovery that
// should not cost the customer's answers is left out by the Recoverer, not returned.
type Recoverer interface {
	Recover(ctx context.Context, rec Recovery, tx *dynamo.Tx) (Recovered, error)
}

// recovery is the Recovery of response r of survey sv at loc (zero when unknown).
func recovery(sv Survey, r Response, loc place.Location) (Recovery, error) {
	within := time.Duration(sv.Loop.CallbackWithinHours) * time.Hour
	by := r.SubmittedAt.Add(within)
	if loc.ID != "" {
		var err error
		if by, err = loc.AddBusinessHours(r.SubmittedAt, within); err != nil {
			return Recovery{}, err
		}
	}
	return Recovery{Survey: sv, Response: r, Location: loc, CallbackBy: by}, nil
}
