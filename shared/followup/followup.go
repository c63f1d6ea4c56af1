// Package followup schedules messages to customers and staff and delivers each once:
// records written by other domains' transactions, a dispatcher that enqueues due ones,
// and a sender that delivers them through channels.
package followup

import (
	"time"

	"github.com/rapport-crm/rapport/shared/i18n"
)

// Status is where a follow-up is in its life.
type Status string

const (
	Scheduled Status = "scheduled"
	Queued    Status = "queued"
	Sending   Status = "sending"
	Sent      Status = "sent"
	Skipped   Status = "skipped"
	Failed    Status = "failed"
	Cancelled Status = "cancelled"
)

// Kinds of follow-up.
const (
	KindPostServiceSurvey = "post-service-survey"
	KindComplaintCallback = "complaint-callback"
	// KindComplaintUpdate tells a complainant their case was received or resolved.
	KindComplaintUpdate  = "complaint-update"
	KindRecoveryCallback = "recovery-callback"
	KindSLAWarning       = "sla-warning"
	KindEscalation       = "escalation"
	KindBirthday         = "birthday"
	KindPointsExpiry     = "points-expiry"
	KindTierChange       = "tier-change"
	KindWinBack          = "win-back"
	KindCampaign         = "campaign"
	// KindVoucher delivers a voucher to its customer with the link to its page, and
	// KindVoucherExpiry reminds them of it before it expires: service messages about
	// what the customer holds, sent unless they opted out of the channel.
	KindVoucher       = "voucher"
	KindVoucherExpiry = "voucher-expiry"
	// KindMessage is a service message a staff member writes themselves (a callback
	// about a lost item, an apology): sent unless the customer opted out of its channel.
	KindMessage = "message"
)

// Marketing kinds need the customer's opt-in, count against the frequency cap and
// carry an unsubscribe link; service messages are sent unless the customer opted out.
func Marketing(kind string) bool {
	return kind == KindCampaign || kind == KindWinBack || kind == KindBirthday
}

// Recipient is who gets the message and how.
type Recipient struct {
	// Type is "customer" or "staff".
	Type    string `dynamodbav:"type" json:"type"`
	ID      string `dynamodbav:"id,omitempty" json:"id,omitempty"`
	Channel string `dynamodbav:"channel" json:"channel"`
	Address string `dynamodbav:"address" json:"address"`
	Locale  string `dynamodbav:"locale,omitempty" json:"locale,omitempty"`
	// TimeZone is where the recipient's quiet hours are counted (IANA name; UTC if empty).
	TimeZone string `dynamodbav:"timeZone,omitempty" json:"timeZone,omitempty"`
}

// ToCustomer is the recipient of a message to a customer: by email, else by SMS, in
// their language (zh-CN when unknown) and zone. ok is false when they left neither
// address; the recipient then has the email channel and no address.
func ToCustomer(id, email, phone, locale, timeZone string) (r Recipient, ok bool) {
	r = Recipient{Type: "customer", ID: id, Channel: "email", Locale: locale, TimeZone: timeZone}
	if r.Locale == "" {
		r.Locale = i18n.Chinese
	}
	switch {
	case email != "":
		r.Address = email
	case phone != "":
		r.Channel, r.Address = "sms", phone
	default:
		return r, false
	}
	return r, true
}

// Source is the record that caused a follow-up.
type Source struct {
	Type string `dynamodbav:"type" json:"type"`
	ID   string `dynamodbav:"id" json:"id"`
}

// Followup is one message due at a time.
type Followup struct {
	ID         string    `dynamodbav:"id" json:"followupId"`
	Kind       string    `dynamodbav:"kind" json:"kind"`
	LocationID string    `dynamodbav:"locationId,omitempty" json:"locationId,omitempty"`
	DedupeKey  string    `dynamodbav:"dedupeKey" json:"dedupeKey"`
	Recipient  Recipient `dynamodbav:"recipient" json:"recipient"`
	DueAt      time.Time `dynamodbav:"dueAt" json:"dueAt"`
	Status     Status    `dynamodbav:"status" json:"status"`
	Subject    string    `dynamodbav:"subject" json:"subject"`
	Body       string    `dynamodbav:"body" json:"body"`
	Source     Source    `dynamodbav:"source" json:"source"`
	CreatedAt  time.Time `dynamodbav:"createdAt" json:"createdAt"`
	QueuedAt   time.Time `dynamodbav:"queuedAt,omitempty" json:"queuedAt,omitempty"`
	SentAt     time.Time `dynamodbav:"sentAt,omitempty" json:"sentAt,omitempty"`
	Attempts   int       `dynamodbav:"attempts" json:"attempts"`
	SkipReason string    `dynamodbav:"skipReason,omitempty" json:"skipReason,omitempty"`
	// Urgent follow-ups (staff escalations of critical cases) ignore quiet hours.
	Urgent bool `dynamodbav:"urgent,omitempty" json:"urgent,omitempty"`
	// QuietHours overrides the default 21:00-09:00 (the location's setting).
	QuietHours string `dynamodbav:"quietHours,omitempty" json:"quietHours,omitempty"`
	// RequestedAt is the due time asked for, before quiet hours moved it.
	RequestedAt time.Time `dynamodbav:"requestedAt" json:"requestedAt"`
	// TemplateID names a built-in template rendered at send time with Vars, in the
	// recipient's language; otherwise Subject and Body are sent as they are.
	TemplateID string            `dynamodbav:"templateId,omitempty" json:"templateId,omitempty"`
	Vars       map[string]string `dynamodbav:"vars,omitempty" json:"vars,omitempty"`
	// Unroutable, when set, says why no recipient could be found: the sender records
	// the follow-up as skipped with it, so the occasion is kept and visible.
	Unroutable string `dynamodbav:"unroutable,omitempty" json:"unroutable,omitempty"`
	// After is the dedupe key of the occasion this follow-up must follow (a complaint's
	// outcome follows its receipt): the sender holds it back until the follow-up of that
	// occasion is sent, skipped, failed or cancelled, so one customer's messages about
	// one case arrive in the order they were caused. No follow-up for the key: no wait.
	After string `dynamodbav:"after,omitempty" json:"after,omitempty"`
	// WaitingSince is when the sender first held this follow-up back for its predecessor.
	// (A pointer: a zero time.Time would be stored, and "not yet" must be absent.)
	WaitingSince *time.Time `dynamodbav:"waitingSince,omitempty" json:"waitingSince,omitempty"`
}

// Message is what a channel delivers.
type Message struct {
	// ID is the follow-up's id: channels use it to deliver at most once.
	ID         string `dynamodbav:"id" json:"id"`
	Kind       string `dynamodbav:"kind" json:"kind"`
	Channel    string `dynamodbav:"channel" json:"channel"`
	To         string `dynamodbav:"to" json:"to"`
	Locale     string `dynamodbav:"locale,omitempty" json:"locale,omitempty"`
	Subject    string `dynamodbav:"subject" json:"subject"`
	Body       string `dynamodbav:"body" json:"body"`
	HTML       string `dynamodbav:"html,omitempty" json:"html,omitempty"`
	LocationID string `dynamodbav:"locationId,omitempty" json:"locationId,omitempty"`
	// UnsubscribeURL is a marketing message's unsubscribe link, which email also
	// carries in its List-Unsubscribe header (one-click, RFC 8058).
	UnsubscribeURL string    `dynamodbav:"unsubscribeUrl,omitempty" json:"unsubscribeUrl,omitempty"`
	SentAt         time.Time `dynamodbav:"sentAt" json:"sentAt"`
}

func (f Followup) message(at time.Time) Message {
	return Message{
		ID: f.ID, Kind: f.Kind, Channel: f.Recipient.Channel, To: f.Recipient.Address,
		Locale: f.Recipient.Locale, Subject: f.Subject, Body: f.Body, LocationID: f.LocationID, SentAt: at,
	}
}

// queueMessage is the SQS body: only the id, the record is the source of truth.
type queueMessage struct {
	FollowupID string `json:"followupId"`
}
