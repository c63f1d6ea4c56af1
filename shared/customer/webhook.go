package customer

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/web"
)

// WebhookKey is the secret webhooks are signed with: a Secrets Manager secret in AWS, a
// key file locally (shared/keyring). Receivers outside Rapport verify with it, so
// admins must be able to read it, unlike the unsubscribe key.
type WebhookKey interface {
	// Versions are the current key, the previous one (nil if it never rotated) and
	// when the current one was made.
	Versions(ctx context.Context) (current, previous []byte, since time.Time, err error)
}

// webhookKeyReply is what GET /v1/settings/webhook-key shows.
type webhookKeyReply struct {
	Key string `json:"key"`
	// PreviousKey is the key before the last rotation, which receivers should keep
	// accepting until they have the new one (the sender signs with both for a while).
	PreviousKey string    `json:"previousKey,omitempty"`
	RotatedAt   time.Time `json:"rotatedAt,omitzero"`
	Algorithm   string    `json:"algorithm"`
}

// webhookKey shows admins the key webhook receivers verify signatures with, hex-encoded,
// read afresh (not from the sender's cache) and never cached by the client.
func (s *Service) webhookKey(w http.ResponseWriter, r *http.Request) {
	if s.WebhookKey == nil {
		problem.Write(w, r, errors.New("no webhook key configured"))
		return
	}
	cur, prev, since, err := s.WebhookKey.Versions(r.Context())
	if err != nil {
		problem.Write(w, r, err)
		return
	}
	reply := webhookKeyReply{Key: hex.EncodeToString(cur), RotatedAt: since,
		Algorithm: "HMAC-SHA256 over <X-Rapport-Timestamp>.<body>, sent as X-Rapport-Signature: v1=<hex> (one v1= per key while a rotation overlaps)"}
	if prev != nil {
		reply.PreviousKey = hex.EncodeToString(prev)
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, reply)
}
